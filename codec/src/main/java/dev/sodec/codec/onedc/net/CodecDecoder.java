package dev.sodec.codec.onedc.net;

import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.ResidualBlockUpsample;
import dev.sodec.codec.onedc.nn.ResnetBlock;
import dev.sodec.codec.onedc.nn.Sequential;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.StateDict;

/**
 * OneDC's codec decoder ({@code dec}, codec_module.py Decoder), I = internal_ch:
 * <pre>
 * trans_coding: DCB4 N -> I, DCB4 I                                   (y_hat, /16)
 * blocks:       ResnetBlock I x3, 1x1 I -> 4I, PixelShuffle 2, 3x3 I -> I/2, ResnetBlock I/2 x3      (/8)
 * sem_up:       RBU S -> I, DCB4 I, RBU I -> I/2, DCB4 I/2, RBU I/2 -> I/2                (y_semantic /64 -> /8)
 * conv_out:     DCB4 I -> ctrl on cat(blocks(...), sem_up(...))       (y branch first)
 * </pre>
 */
public final class CodecDecoder {
    private final Sequential transCoding, blocks, semUp;
    private final DepthConvBlock4 convOut;

    private CodecDecoder(Sequential transCoding, Sequential blocks, Sequential semUp, DepthConvBlock4 convOut) {
        this.transCoding = transCoding;
        this.blocks = blocks;
        this.semUp = semUp;
        this.convOut = convOut;
    }

    public static CodecDecoder load(StateDict sd, IntraNoArConfig c) {
        int n = c.n(), i16 = c.internalCh(), i8 = i16 / 2, s = c.semanticCh();
        Sequential tc = Sequential.under(sd.scope("trans_coding"))
                .add(x -> DepthConvBlock4.load(x, n, i16)).add(x -> DepthConvBlock4.load(x, i16, i16)).build();
        Sequential.Builder b = Sequential.under(sd.scope("blocks"));
        for (int k = 0; k < 3; k++) b.add(x -> ResnetBlock.load(x, i16));
        b.add(x -> Conv2d.load(x, i16, 4 * i16, 1, Conv2dParams.of(1, 0), true)::forward).plain((g, x) -> g.pixelShuffle(x, 2))
                .add(x -> Conv2d.load(x, i16, i8, 3, Conv2dParams.of(1, 1), true)::forward);
        for (int k = 0; k < 3; k++) b.add(x -> ResnetBlock.load(x, i8));
        Sequential up = Sequential.under(sd.scope("sem_up"))
                .add(x -> ResidualBlockUpsample.load(x, s, i16)).add(x -> DepthConvBlock4.load(x, i16, i16))
                .add(x -> ResidualBlockUpsample.load(x, i16, i8)).add(x -> DepthConvBlock4.load(x, i8, i8))
                .add(x -> ResidualBlockUpsample.load(x, i8, i8)).build();
        return new CodecDecoder(tc, b.build(), up, DepthConvBlock4.load(sd.scope("conv_out"), i16, c.ctrlCh()));
    }

    /** y_hat (1, N, H, W), y_semantic (1, S, H/4, W/4) -> x_hat (1, ctrl, 2H, 2W). */
    public Node forward(Graph g, Node yHat, Node ySemantic) {
        Node y = blocks.forward(g, transCoding.forward(g, yHat));
        return convOut.forward(g, g.concat(1, y, semUp.forward(g, ySemantic)));
    }
}
