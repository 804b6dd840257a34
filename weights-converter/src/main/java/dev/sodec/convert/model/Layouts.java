package dev.sodec.convert.model;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The state-dict layout (key -> shape) that a diffusers UNet2DConditionModel or AutoencoderKL config implies. A
 * converted file is checked against it, so a config that does not describe the weights is an error naming the key
 * instead of a model that loads and computes garbage.
 */
public final class Layouts {
    private Layouts() {}

    /** Every weight key of {@code UNet2DConditionModel(config)} (SD 1.x/2.x family) with its shape. */
    public static Map<String, int[]> unet(Config c) {
        for (String k : List.of("class_embed_type", "addition_embed_type", "encoder_hid_dim", "time_cond_proj_dim",
                "num_class_embeds", "time_embedding_dim")) {
            if (c.has(k)) throw new IllegalArgumentException("unet config key '" + k + "' = " + c.asMap().get(k) + " is not supported");
        }
        if (c.getBool("only_cross_attention", false) || c.getBool("dual_cross_attention", false)) {
            throw new IllegalArgumentException("unet config: only_cross_attention / dual_cross_attention are not supported");
        }
        String mid = c.getString("mid_block_type", "UNetMidBlock2DCrossAttn");
        if (!mid.equals("UNetMidBlock2DCrossAttn")) throw new IllegalArgumentException("unet config: mid_block_type " + mid + " is not supported");
        int[] boc = c.getIntList("block_out_channels");
        int n = boc.length;
        List<String> down = c.getStringList("down_block_types"), up = c.getStringList("up_block_types");
        if (down.size() != n || up.size() != n) throw new IllegalArgumentException("unet config: " + n + " block_out_channels but "
                + down.size() + " down and " + up.size() + " up block types");
        int[] lpb = perBlock(c, "layers_per_block", n, 2);
        int[] heads = c.has("num_attention_heads") ? perBlock(c, "num_attention_heads", n, 8) : perBlock(c, "attention_head_dim", n, 8);
        int[] tlpb = perBlock(c, "transformer_layers_per_block", n, 1);
        int cross = c.getInt("cross_attention_dim", 1280);
        boolean linear = c.getBool("use_linear_projection", false);
        int kin = c.getInt("conv_in_kernel", 3), kout = c.getInt("conv_out_kernel", 3);
        int temb = 4 * boc[0];

        Map<String, int[]> m = new LinkedHashMap<>();
        conv(m, "conv_in", boc[0], c.getInt("in_channels", 4), kin);
        linear(m, "time_embedding.linear_1", temb, boc[0]);
        linear(m, "time_embedding.linear_2", temb, temb);
        int out = boc[0];
        for (int i = 0; i < n; i++) {
            int in = out;
            out = boc[i];
            boolean attn = isCrossAttn(down.get(i), "Down");
            for (int j = 0; j < lpb[i]; j++) {
                resnet(m, "down_blocks." + i + ".resnets." + j, j == 0 ? in : out, out, temb);
                if (attn) transformer(m, "down_blocks." + i + ".attentions." + j, out, heads[i], out / heads[i], tlpb[i], cross, linear);
            }
            if (i < n - 1) conv(m, "down_blocks." + i + ".downsamplers.0.conv", out, out, 3);
        }
        int last = boc[n - 1];
        resnet(m, "mid_block.resnets.0", last, last, temb);
        transformer(m, "mid_block.attentions.0", last, heads[n - 1], last / heads[n - 1], tlpb[n - 1], cross, linear);
        resnet(m, "mid_block.resnets.1", last, last, temb);
        out = boc[n - 1];
        for (int i = 0; i < n; i++) {
            int r = n - 1 - i; // reversed index into per-block lists
            int prev = out;
            out = boc[r];
            int in = boc[Math.max(r - 1, 0)];
            int layers = lpb[r] + 1;
            boolean attn = isCrossAttn(up.get(i), "Up");
            for (int j = 0; j < layers; j++) {
                int skip = j == layers - 1 ? in : out;
                int rin = j == 0 ? prev : out;
                resnet(m, "up_blocks." + i + ".resnets." + j, rin + skip, out, temb);
                if (attn) transformer(m, "up_blocks." + i + ".attentions." + j, out, heads[r], out / heads[r], tlpb[r], cross, linear);
            }
            if (i < n - 1) conv(m, "up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
        }
        norm(m, "conv_norm_out", boc[0]);
        conv(m, "conv_out", c.getInt("out_channels", 4), boc[0], kout);
        return m;
    }

    /** Every weight key of {@code AutoencoderKL(config)}; with {@code decoderOnly} the encoder half is left out. */
    public static Map<String, int[]> vae(Config c, boolean decoderOnly) {
        int[] boc = c.getIntList("block_out_channels");
        int n = boc.length;
        int lpb = c.getInt("layers_per_block", 1);
        int lat = c.getInt("latent_channels", 4);
        for (String t : c.getStringList("down_block_types")) {
            if (!t.equals("DownEncoderBlock2D")) throw new IllegalArgumentException("vae config: down block type " + t + " is not supported");
        }
        for (String t : c.getStringList("up_block_types")) {
            if (!t.equals("UpDecoderBlock2D")) throw new IllegalArgumentException("vae config: up block type " + t + " is not supported");
        }
        if (!c.getBool("use_quant_conv", true) || !c.getBool("use_post_quant_conv", true)) {
            throw new IllegalArgumentException("vae config: AutoencoderKL without (post_)quant_conv is not supported");
        }
        Map<String, int[]> m = new LinkedHashMap<>();
        int last = boc[n - 1];
        if (!decoderOnly) {
            conv(m, "encoder.conv_in", boc[0], c.getInt("in_channels", 3), 3);
            int out = boc[0];
            for (int i = 0; i < n; i++) {
                int in = out;
                out = boc[i];
                for (int j = 0; j < lpb; j++) resnet(m, "encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : out, out, 0);
                if (i < n - 1) conv(m, "encoder.down_blocks." + i + ".downsamplers.0.conv", out, out, 3);
            }
            vaeMid(m, "encoder.mid_block", last);
            norm(m, "encoder.conv_norm_out", last);
            conv(m, "encoder.conv_out", 2 * lat, last, 3);
            conv(m, "quant_conv", 2 * lat, 2 * lat, 1);
        }
        conv(m, "post_quant_conv", lat, lat, 1);
        conv(m, "decoder.conv_in", last, lat, 3);
        vaeMid(m, "decoder.mid_block", last);
        int out = last;
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = boc[n - 1 - i];
            for (int j = 0; j < lpb + 1; j++) resnet(m, "decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out, 0);
            if (i < n - 1) conv(m, "decoder.up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
        }
        norm(m, "decoder.conv_norm_out", boc[0]);
        conv(m, "decoder.conv_out", c.getInt("out_channels", 3), boc[0], 3);
        return m;
    }

    /**
     * Checks that {@code tensors} hold exactly the keys of {@code expected} with those shapes; the first problem is
     * reported with its key.
     */
    public static void check(String what, Map<String, int[]> expected, Map<String, Tensor> tensors) throws CheckpointException {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, t) -> shapes.put(k, t.shape()));
        checkShapes(what, expected, shapes);
    }

    /** {@link #check} on key -> shape (for weights not materialised yet, e.g. pending LoRA merges). */
    public static void checkShapes(String what, Map<String, int[]> expected, Map<String, int[]> tensors) throws CheckpointException {
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            int[] t = tensors.get(e.getKey());
            if (t == null) throw new CheckpointException(what + ": weight " + e.getKey() + " " + Arrays.toString(e.getValue())
                    + " required by the config is missing");
            if (!Arrays.equals(t, e.getValue())) {
                throw new CheckpointException(what + ": weight " + e.getKey() + " has shape " + Arrays.toString(t)
                        + " but the config implies " + Arrays.toString(e.getValue()));
            }
        }
        TreeSet<String> extra = new TreeSet<>(tensors.keySet());
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) {
            throw new CheckpointException(what + ": " + extra.size() + " weight(s) not described by the config, e.g. " + extra.first());
        }
    }

    private static boolean isCrossAttn(String type, String dir) {
        if (type.equals("CrossAttn" + dir + "Block2D")) return true;
        if (type.equals(dir + "Block2D")) return false;
        throw new IllegalArgumentException("unet config: block type " + type + " is not supported");
    }

    /** A config value that is either one int for all blocks or a list with one per block. */
    private static int[] perBlock(Config c, String key, int n, int dflt) {
        Object v = c.asMap().get(key);
        int[] r = new int[n];
        if (v == null) {
            Arrays.fill(r, dflt);
        } else if (v instanceof List<?>) {
            r = c.getIntList(key);
            if (r.length != n) throw new IllegalArgumentException("config key '" + key + "' has " + r.length + " entries for " + n + " blocks");
        } else {
            Arrays.fill(r, c.getInt(key));
        }
        return r;
    }

    static void conv(Map<String, int[]> m, String p, int out, int in, int k) {
        m.put(p + ".weight", new int[] {out, in, k, k});
        m.put(p + ".bias", new int[] {out});
    }

    static void linear(Map<String, int[]> m, String p, int out, int in) {
        m.put(p + ".weight", new int[] {out, in});
        m.put(p + ".bias", new int[] {out});
    }

    static void norm(Map<String, int[]> m, String p, int c) {
        m.put(p + ".weight", new int[] {c});
        m.put(p + ".bias", new int[] {c});
    }

    static void resnet(Map<String, int[]> m, String p, int in, int out, int temb) {
        norm(m, p + ".norm1", in);
        conv(m, p + ".conv1", out, in, 3);
        if (temb > 0) linear(m, p + ".time_emb_proj", out, temb);
        norm(m, p + ".norm2", out);
        conv(m, p + ".conv2", out, out, 3);
        if (in != out) conv(m, p + ".conv_shortcut", out, in, 1);
    }

    private static void transformer(Map<String, int[]> m, String p, int ch, int heads, int dimHead, int layers, int cross,
                                    boolean linear) {
        int inner = heads * dimHead;
        norm(m, p + ".norm", ch);
        if (linear) linear(m, p + ".proj_in", inner, ch);
        else conv(m, p + ".proj_in", inner, ch, 1);
        for (int k = 0; k < layers; k++) {
            String b = p + ".transformer_blocks." + k;
            norm(m, b + ".norm1", inner);
            attention(m, b + ".attn1", inner, inner);
            norm(m, b + ".norm2", inner);
            attention(m, b + ".attn2", inner, cross);
            norm(m, b + ".norm3", inner);
            linear(m, b + ".ff.net.0.proj", inner * 8, inner); // GEGLU: two halves of 4*inner
            linear(m, b + ".ff.net.2", inner, inner * 4);
        }
        if (linear) linear(m, p + ".proj_out", ch, inner);
        else conv(m, p + ".proj_out", ch, inner, 1);
    }

    private static void attention(Map<String, int[]> m, String p, int inner, int kvIn) {
        m.put(p + ".to_q.weight", new int[] {inner, inner});
        m.put(p + ".to_k.weight", new int[] {inner, kvIn});
        m.put(p + ".to_v.weight", new int[] {inner, kvIn});
        linear(m, p + ".to_out.0", inner, inner);
    }

    private static void vaeMid(Map<String, int[]> m, String p, int c) {
        resnet(m, p + ".resnets.0", c, c, 0);
        norm(m, p + ".attentions.0.group_norm", c);
        for (String q : List.of("to_q", "to_k", "to_v", "to_out.0")) linear(m, p + ".attentions.0." + q, c, c);
        resnet(m, p + ".resnets.1", c, c, 0);
    }
}
