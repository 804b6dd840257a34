package dev.sodec.codec.onedc.nn;

import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.StateDict;
import java.util.ArrayList;
import java.util.List;

/**
 * torch {@code nn.Sequential}: its modules in order, each loaded from the scope of its index ({@code 0.*, 1.*, ...});
 * parameterless modules (activations, PixelShuffle) take an index without keys, as in the reference.
 */
public final class Sequential implements Block {
    private final List<Block> blocks;

    private Sequential(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /** Loads the modules of a Sequential scoped at {@code sd}, one after another. */
    public static Builder under(StateDict sd) {
        return new Builder(sd);
    }

    @Override
    public Node forward(Graph g, Node x) {
        for (Block b : blocks) x = b.forward(g, x);
        return x;
    }

    /** Adds modules at consecutive indices. */
    public static final class Builder {
        /** A module loader given the scope of its index. */
        @FunctionalInterface
        public interface Loader {
            Block load(StateDict sd);
        }

        private final StateDict sd;
        private final List<Block> blocks = new ArrayList<>();

        private Builder(StateDict sd) {
            this.sd = sd;
        }

        /** The next module, loaded from scope {@code <index>}. */
        public Builder add(Loader loader) {
            blocks.add(loader.load(sd.scope(Integer.toString(blocks.size()))));
            return this;
        }

        /** The next module, one without parameters. */
        public Builder plain(Block b) {
            blocks.add(b);
            return this;
        }

        public Sequential build() {
            return new Sequential(blocks);
        }
    }
}
