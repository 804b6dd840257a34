package dev.sodec.codec.onedc.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;

/** One module of a OneDC {@code nn.Sequential}: records its forward into a graph. */
@FunctionalInterface
public interface Block {
    Node forward(Graph g, Node x);
}
