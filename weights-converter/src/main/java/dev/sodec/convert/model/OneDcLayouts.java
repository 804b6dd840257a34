package dev.sodec.convert.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state-dict layouts (key -> shape) of OneDC's own modules, from their sizes: the codec {@code IntraNoAR}
 * (model_1.safetensors of the release) and the UNet's {@code vae_reduction} head. A release file is checked against
 * them key by key like {@link Layouts} checks diffusers files, so a wrong key or shape is refused by name instead of
 * loading into a model that computes garbage. Module structure as in onedc-codec/onedc (codec_module.py,
 * encoder_unet.py, modules/dcvc.py, modules/vqgan/blocks.py); Sequential indexes are part of the names.
 */
public final class OneDcLayouts {
    /** Channels of the encoder's pixel embedding and its fusion with the VAE latent (hard-coded in the reference). */
    public static final int PIX_EMB = 192;
    public static final int PIX_FUSION = 320;
    /** The encoder UNet2DModel has exactly three blocks (AttnDown, AttnDown, Down / AttnUp, AttnUp, Up). */
    public static final int ENCODER_BLOCKS = 3;

    private OneDcLayouts() {}

    /**
     * Every weight of {@code IntraNoAR(cond_ch, ctrl_ch, internal_ch, bottleneck_ch, unet_ch_config, z_fsq_levels)},
     * with {@code zDims = len(z_fsq_levels)}.
     */
    public static Map<String, int[]> codec(int condCh, int ctrlCh, int internalCh, int n, int[] unetCh, int zDims) {
        if (unetCh.length != ENCODER_BLOCKS) throw new IllegalArgumentException("unet_ch_config needs " + ENCODER_BLOCKS + " entries, got " + unetCh.length);
        int ch16 = unetCh[0], sem = unetCh[ENCODER_BLOCKS - 1], half = internalCh / 2;
        Map<String, int[]> m = new LinkedHashMap<>();
        // Encoder
        Layouts.conv(m, "enc.pix_emb", PIX_EMB, 3, 8);
        Layouts.conv(m, "enc.pix_fusion", PIX_FUSION, PIX_EMB + condCh, 1);
        unetEncoder(m, "enc.unet.", PIX_FUSION, unetCh);
        resnet(m, "enc.trans_coding.0", ch16, ch16);
        attn(m, "enc.trans_coding.1", ch16);
        resnet(m, "enc.trans_coding.2", ch16, ch16);
        dcb4(m, "enc.trans_coding.3", ch16, ch16);
        dcb4(m, "enc.trans_coding.4", ch16, n);
        // Decoder
        dcb4(m, "dec.trans_coding.0", n, internalCh);
        dcb4(m, "dec.trans_coding.1", internalCh, internalCh);
        for (int i = 0; i < 3; i++) resnet(m, "dec.blocks." + i, internalCh, internalCh);
        Layouts.conv(m, "dec.blocks.3", 4 * internalCh, internalCh, 1); // then PixelShuffle(2) = dec.blocks.4
        Layouts.conv(m, "dec.blocks.5", half, internalCh, 3);
        for (int i = 6; i < 9; i++) resnet(m, "dec.blocks." + i, half, half);
        rbu(m, "dec.sem_up.0", sem, internalCh);
        dcb4(m, "dec.sem_up.1", internalCh, internalCh);
        rbu(m, "dec.sem_up.2", internalCh, half);
        dcb4(m, "dec.sem_up.3", half, half);
        rbu(m, "dec.sem_up.4", half, half);
        dcb4(m, "dec.conv_out", 2 * half, ctrlCh);
        // Semantic adaptor
        String sa = "semantic_adaptor.to_semantic.";
        dcb4(m, sa + "0", n, sem);
        resnet(m, sa + "1", sem, sem);
        attn(m, sa + "2", sem);
        attn(m, sa + "3", sem);
        resnet(m, sa + "4", sem, sem);
        attn(m, sa + "5", sem);
        attn(m, sa + "6", sem);
        dcb4(m, sa + "7", sem, sem);
        // Hyper encoder and decoder
        dcb4(m, "hyper_enc.y_trans_coding.0", n, n);
        Layouts.conv(m, "hyper_enc.y_trans_coding.1", n, n, 3);
        dcb4(m, "hyper_enc.y_trans_coding.2", n, n);
        Layouts.conv(m, "hyper_enc.y_trans_coding.3", n, n, 3);
        dcb4(m, "hyper_enc.fusion.0", n + sem, sem);
        attn(m, "hyper_enc.fusion.1", sem);
        dcb4(m, "hyper_enc.fusion.2", sem, internalCh);
        attn(m, "hyper_enc.fusion.3", internalCh);
        dcb4(m, "hyper_enc.fusion.4", internalCh, internalCh);
        Layouts.conv(m, "hyper_enc.fusion.5", zDims, internalCh, 1);
        Layouts.conv(m, "hyper_dec.feat_in.0", n, zDims, 1);
        for (int i = 0; i < 5; i++) {
            if (i % 2 == 0) dcb4(m, "hyper_dec.to_entropy." + i, n, n);
            else rbu(m, "hyper_dec.to_entropy." + i, n, n);
        }
        // Entropy-model networks
        dcb4(m, "y_prior_fusion.0", n, 2 * n);
        dcb4(m, "y_prior_fusion.1", 2 * n, 2 * n);
        Layouts.conv(m, "y_spatial_prior_reduction", n, 2 * n, 1);
        for (int k = 1; k <= 3; k++) dcb4(m, "y_spatial_prior_adaptor_" + k, 2 * n, 2 * n);
        for (int i = 0; i < 3; i++) dcb4(m, "y_spatial_prior." + i, 2 * n, 2 * n);
        return m;
    }

    /**
     * OneDC's {@code vae_reduction} head of the UNet (decoder_unet.py): GroupNorm(32, ctrl), SiLU, conv3x3
     * ctrl -> ctrl, GroupNorm, SiLU, conv3x3 ctrl -> latent (blocks.0, 2, 3, 5), plus a 1x1 {@code short_cut}
     * ctrl -> latent.
     */
    public static Map<String, int[]> vaeReduction(String prefix, int ctrlCh, int latentCh) {
        Map<String, int[]> m = new LinkedHashMap<>();
        Layouts.norm(m, prefix + "blocks.0", ctrlCh);
        Layouts.conv(m, prefix + "blocks.2", ctrlCh, ctrlCh, 3);
        Layouts.norm(m, prefix + "blocks.3", ctrlCh);
        Layouts.conv(m, prefix + "blocks.5", latentCh, ctrlCh, 3);
        Layouts.conv(m, prefix + "short_cut", latentCh, ctrlCh, 1);
        return m;
    }

    /**
     * The encoder's diffusers UNet2DModel(in, out = ch[0], (AttnDown, AttnDown, Down), (AttnUp, AttnUp, Up), ch,
     * layers_per_block 2) with conv_in replaced by ResnetBlock(in -> ch[0]), 2 x ResnetBlock(ch[0]), conv3x3/s2.
     */
    private static void unetEncoder(Map<String, int[]> m, String p, int in, int[] ch) {
        int n = ch.length, temb = 4 * ch[0];
        resnet(m, p + "conv_in.0", in, ch[0]);
        resnet(m, p + "conv_in.1", ch[0], ch[0]);
        resnet(m, p + "conv_in.2", ch[0], ch[0]);
        Layouts.conv(m, p + "conv_in.3", ch[0], ch[0], 3);
        Layouts.linear(m, p + "time_embedding.linear_1", temb, ch[0]);
        Layouts.linear(m, p + "time_embedding.linear_2", temb, temb);
        int out = ch[0];
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = ch[i];
            boolean attn = i < n - 1;
            for (int j = 0; j < 2; j++) {
                Layouts.resnet(m, p + "down_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out, temb);
                if (attn) attention(m, p + "down_blocks." + i + ".attentions." + j, out);
            }
            if (i < n - 1) Layouts.conv(m, p + "down_blocks." + i + ".downsamplers.0.conv", out, out, 3);
        }
        int last = ch[n - 1];
        Layouts.resnet(m, p + "mid_block.resnets.0", last, last, temb);
        attention(m, p + "mid_block.attentions.0", last);
        Layouts.resnet(m, p + "mid_block.resnets.1", last, last, temb);
        out = last;
        for (int i = 0; i < n; i++) {
            int r = n - 1 - i, prev = out;
            out = ch[r];
            int skipIn = ch[Math.max(r - 1, 0)];
            boolean attn = i < n - 1;
            for (int j = 0; j < 3; j++) {
                int skip = j == 2 ? skipIn : out;
                Layouts.resnet(m, p + "up_blocks." + i + ".resnets." + j, (j == 0 ? prev : out) + skip, out, temb);
                if (attn) attention(m, p + "up_blocks." + i + ".attentions." + j, out);
            }
            if (i < n - 1) Layouts.conv(m, p + "up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
        }
        Layouts.norm(m, p + "conv_norm_out", ch[0]);
        Layouts.conv(m, p + "conv_out", ch[0], ch[0], 3);
    }

    /** diffusers Attention of UNet2DModel's attention blocks: group_norm, biased to_q/to_k/to_v, to_out.0. */
    private static void attention(Map<String, int[]> m, String p, int c) {
        Layouts.norm(m, p + ".group_norm", c);
        for (String q : new String[] {"to_q", "to_k", "to_v", "to_out.0"}) Layouts.linear(m, p + "." + q, c, c);
    }

    /** DCVC DepthConvBlock4: DepthConv (conv1.0, depth_conv, conv2, adaptor when in != out) then ConvFFN3. */
    private static void dcb4(Map<String, int[]> m, String p, int in, int out) {
        Layouts.conv(m, p + ".block.0.conv1.0", in, in, 1);
        m.put(p + ".block.0.depth_conv.weight", new int[] {in, 1, 3, 3});
        m.put(p + ".block.0.depth_conv.bias", new int[] {in});
        Layouts.conv(m, p + ".block.0.conv2", out, in, 1);
        if (in != out) Layouts.conv(m, p + ".block.0.adaptor", out, in, 1);
        Layouts.conv(m, p + ".block.1.conv", 4 * out, out, 1);
        Layouts.conv(m, p + ".block.1.conv_out", out, 2 * out, 1);
    }

    /** DCVC ResidualBlockUpsample(in, out, 2): subpel_conv.0 and upsample.0 (1x1 to 4 out), conv (3x3). */
    private static void rbu(Map<String, int[]> m, String p, int in, int out) {
        Layouts.conv(m, p + ".subpel_conv.0", 4 * out, in, 1);
        Layouts.conv(m, p + ".conv", out, out, 3);
        Layouts.conv(m, p + ".upsample.0", 4 * out, in, 1);
    }

    /** VQGAN ResnetBlock: biasless convs; nin_shortcut (out -> out, the quirk) when in != out. */
    private static void resnet(Map<String, int[]> m, String p, int in, int out) {
        Layouts.norm(m, p + ".norm1", in);
        m.put(p + ".conv1.weight", new int[] {out, in, 3, 3});
        Layouts.norm(m, p + ".norm2", out);
        m.put(p + ".conv2.weight", new int[] {out, out, 3, 3});
        if (in != out) m.put(p + ".nin_shortcut.weight", new int[] {out, out, 1, 1});
    }

    /** VQGAN AttnBlock: norm, q, k, v, proj_out (1x1 convs with bias). */
    private static void attn(Map<String, int[]> m, String p, int c) {
        Layouts.norm(m, p + ".norm", c);
        for (String q : new String[] {"q", "k", "v", "proj_out"}) Layouts.conv(m, p + "." + q, c, c, 1);
    }
}
