package dev.sodec.codec.onedc.net;

import dev.sodec.codec.onedc.encoder.EncoderUNet;
import dev.sodec.codec.onedc.nn.AttnBlock;
import dev.sodec.codec.onedc.nn.DepthConvBlock4;
import dev.sodec.codec.onedc.nn.ResnetBlock;
import dev.sodec.codec.onedc.nn.Sequential;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.nn.Conv2d;
import dev.sodec.engine.nn.StateDict;

/**
 * OneDC's codec encoder ({@code enc}, codec_module.py Encoder): {@code pix_emb} (8x8 stride 8, 3 -> 192) of the image
 * in [-1, 1], concatenated with the VAE latent {@code cond}, {@code pix_fusion} (1x1 -> 320), the encoder UNet
 * ({@link EncoderUNet}: y features at /16 and sem at /64), then {@code trans_coding} = ResnetBlock, AttnBlock,
 * ResnetBlock (ch[0]), DCB4 ch[0], DCB4 ch[0] -> N: y (1, N, H/16, W/16).
 */
public final class CodecEncoder {
    /** y and the semantic features of one image. */
    public record Output(Node y, Node sem) {}

    private final Conv2d pixEmb, pixFusion;
    private final EncoderUNet unet;
    private final Sequential transCoding;

    private CodecEncoder(Conv2d pixEmb, Conv2d pixFusion, EncoderUNet unet, Sequential transCoding) {
        this.pixEmb = pixEmb;
        this.pixFusion = pixFusion;
        this.unet = unet;
        this.transCoding = transCoding;
    }

    public static CodecEncoder load(StateDict sd, IntraNoArConfig c) {
        int c16 = c.unetChConfig()[0];
        Conv2d emb = Conv2d.load(sd.scope("pix_emb"), 3, IntraNoArConfig.PIX_EMB, IntraNoArConfig.PIX_PATCH,
                Conv2dParams.of(IntraNoArConfig.PIX_PATCH, 0), true);
        Conv2d fusion = Conv2d.load(sd.scope("pix_fusion"), IntraNoArConfig.PIX_EMB + c.condCh(), IntraNoArConfig.PIX_FUSION, 1, Conv2dParams.of(1, 0), true);
        EncoderUNet unet = EncoderUNet.load(sd.scope("unet"), IntraNoArConfig.PIX_FUSION, c.unetChConfig());
        Sequential tc = Sequential.under(sd.scope("trans_coding"))
                .add(x -> ResnetBlock.load(x, c16)).add(x -> AttnBlock.load(x, c16)).add(x -> ResnetBlock.load(x, c16))
                .add(x -> DepthConvBlock4.load(x, c16, c16)).add(x -> DepthConvBlock4.load(x, c16, c.n())).build();
        return new CodecEncoder(emb, fusion, unet, tc);
    }

    /**
     * @param x (1, 3, H, W) in [-1, 1], H and W multiples of 64
     * @param cond (1, cond_ch, H/8, W/8): the scaled VAE latent of x
     */
    public Output forward(Graph g, Node x, Node cond) {
        Node e = pixFusion.forward(g, g.concat(1, pixEmb.forward(g, x), cond));
        EncoderUNet.Output u = unet.forward(g, e);
        return new Output(transCoding.forward(g, u.y()), u.sem());
    }
}
