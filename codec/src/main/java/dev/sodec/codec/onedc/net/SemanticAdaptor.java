package dev.sodec.codec.onedc.net;

import dev.sodec.codec.onedc.nn.AttnBlock;
import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.ResnetBlock;
import dev.sodec.codec.onedc.nn.Sequential;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.StateDict;

/**
 * OneDC's {@code semantic_adaptor.to_semantic} (codec_module.py SemanticAdaptor): DCB4 N -> S, then twice
 * (ResnetBlock, AttnBlock, AttnBlock), then DCB4 S. Its output, flattened to (1, h*w, S) tokens, is the UNet's
 * cross-attention context (OneDC has no text encoder).
 */
public final class SemanticAdaptor {
    private final Sequential toSemantic;

    private SemanticAdaptor(Sequential toSemantic) {
        this.toSemantic = toSemantic;
    }

    public static SemanticAdaptor load(StateDict sd, IntraNoArConfig c) {
        int n = c.n(), s = c.semanticCh();
        Sequential.Builder b = Sequential.under(sd.scope("to_semantic")).add(x -> DepthConvBlock4.load(x, n, s));
        for (int i = 0; i < 2; i++) b.add(x -> ResnetBlock.load(x, s)).add(x -> AttnBlock.load(x, s)).add(x -> AttnBlock.load(x, s));
        return new SemanticAdaptor(b.add(x -> DepthConvBlock4.load(x, s, s)).build());
    }

    /** z_semantic (1, N, h, w) -> y_semantic (1, S, h, w). */
    public Node forward(Graph g, Node zSemantic) {
        return toSemantic.forward(g, zSemantic);
    }

    /** y_semantic (1, S, h, w) as UNet context tokens (1, h*w, S) ('b c h w -> b (h w) c'). */
    public static Node tokens(Graph g, Node ySemantic) {
        return g.transpose(ySemantic.reshape(ySemantic.dim(0), ySemantic.dim(1), ySemantic.dim(2) * ySemantic.dim(3)));
    }
}
