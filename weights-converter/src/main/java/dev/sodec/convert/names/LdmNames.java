package dev.sodec.convert.names;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Original Stable Diffusion single-file names (CompVis/Stability LDM: {@code model.diffusion_model.*},
 * {@code first_stage_model.*}) to diffusers names. The block structure (levels, resnets per level) is read from the
 * keys themselves, so any SD-shaped UNet/VAE maps, not only the 320-channel ones.
 */
public final class LdmNames {
    public static final String UNET_PREFIX = "model.diffusion_model.";
    public static final String VAE_PREFIX = "first_stage_model.";

    private static final Pattern INPUT = Pattern.compile("input_blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern MIDDLE = Pattern.compile("middle_block\\.(\\d+)\\.(.+)");
    private static final Pattern OUTPUT = Pattern.compile("output_blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_DOWN = Pattern.compile("encoder\\.down\\.(\\d+)\\.(block\\.(\\d+)|downsample)\\.(.+)");
    private static final Pattern VAE_UP = Pattern.compile("decoder\\.up\\.(\\d+)\\.(block\\.(\\d+)|upsample)\\.(.+)");
    private static final Pattern VAE_MID = Pattern.compile("(encoder|decoder)\\.mid\\.(block_1|block_2|attn_1)\\.(.+)");

    private LdmNames() {}

    /** The UNet structure read from LDM keys: number of resolution levels and resnets per level. */
    public record UNetStructure(int levels, int layersPerBlock) {}

    /** Keys under {@code prefix}, with the prefix removed. */
    public static Map<String, Tensor> under(Map<String, Tensor> sd, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    public static UNetStructure unetStructure(Map<String, Tensor> unet, String file) throws CheckpointException {
        TreeSet<Integer> downsamplers = new TreeSet<>(), outputs = new TreeSet<>();
        for (String k : unet.keySet()) {
            Matcher m = INPUT.matcher(k);
            if (m.matches() && m.group(3).startsWith("op.")) downsamplers.add(Integer.parseInt(m.group(1)));
            Matcher o = OUTPUT.matcher(k);
            if (o.matches()) outputs.add(Integer.parseInt(o.group(1)));
        }
        int levels = downsamplers.size() + 1;
        if (outputs.isEmpty() || outputs.size() % levels != 0 || outputs.last() != outputs.size() - 1) {
            throw new CheckpointException(file + ": LDM UNet has " + outputs.size() + " output blocks for " + levels
                    + " levels: not an SD-shaped UNet");
        }
        int lpb = outputs.size() / levels - 1;
        for (int i = 0; i < levels - 1; i++) {
            if (!downsamplers.contains((i + 1) * (lpb + 1))) {
                throw new CheckpointException(file + ": LDM UNet downsampler of level " + i + " is not input_blocks."
                        + (i + 1) * (lpb + 1) + ": not an SD-shaped UNet");
            }
        }
        return new UNetStructure(levels, lpb);
    }

    /** UNet keys (prefix already removed) to diffusers UNet2DConditionModel names. */
    public static Map<String, Tensor> unet(Map<String, Tensor> unet, String file) throws CheckpointException {
        UNetStructure s = unetStructure(unet, file);
        int per = s.layersPerBlock() + 1;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : unet.entrySet()) {
            String k = e.getKey();
            String d = unetName(k, per);
            if (d == null) throw new CheckpointException(file + ": unrecognised LDM UNet key " + UNET_PREFIX + k);
            if (out.put(d, e.getValue()) != null) throw new CheckpointException(file + ": two LDM keys map to " + d);
        }
        return out;
    }

    private static String unetName(String k, int per) {
        if (k.startsWith("time_embed.0.")) return "time_embedding.linear_1." + k.substring(13);
        if (k.startsWith("time_embed.2.")) return "time_embedding.linear_2." + k.substring(13);
        if (k.startsWith("input_blocks.0.0.")) return "conv_in." + k.substring(17);
        if (k.startsWith("out.0.")) return "conv_norm_out." + k.substring(6);
        if (k.startsWith("out.2.")) return "conv_out." + k.substring(6);
        Matcher m = INPUT.matcher(k);
        if (m.matches()) {
            int n = Integer.parseInt(m.group(1)), sub = Integer.parseInt(m.group(2));
            String rest = m.group(3);
            int level = (n - 1) / per, j = (n - 1) % per;
            if (j == per - 1) {
                return sub == 0 && rest.startsWith("op.") ? "down_blocks." + level + ".downsamplers.0.conv." + rest.substring(3) : null;
            }
            if (sub == 0) return resnet("down_blocks." + level + ".resnets." + j + ".", rest);
            if (sub == 1) return "down_blocks." + level + ".attentions." + j + "." + rest;
            return null;
        }
        m = MIDDLE.matcher(k);
        if (m.matches()) {
            String rest = m.group(2);
            return switch (m.group(1)) {
                case "0" -> resnet("mid_block.resnets.0.", rest);
                case "1" -> "mid_block.attentions.0." + rest;
                case "2" -> resnet("mid_block.resnets.1.", rest);
                default -> null;
            };
        }
        m = OUTPUT.matcher(k);
        if (m.matches()) {
            int n = Integer.parseInt(m.group(1)), sub = Integer.parseInt(m.group(2));
            String rest = m.group(3);
            int level = n / per, j = n % per;
            if (sub == 0) return resnet("up_blocks." + level + ".resnets." + j + ".", rest);
            if (rest.startsWith("conv.") && j == per - 1) return "up_blocks." + level + ".upsamplers.0.conv." + rest.substring(5);
            if (sub == 1) return "up_blocks." + level + ".attentions." + j + "." + rest;
            return null;
        }
        return null;
    }

    private static String resnet(String p, String rest) {
        String[][] map = {{"in_layers.0.", "norm1."}, {"in_layers.2.", "conv1."}, {"emb_layers.1.", "time_emb_proj."},
                {"out_layers.0.", "norm2."}, {"out_layers.3.", "conv2."}, {"skip_connection.", "conv_shortcut."}};
        for (String[] r : map) if (rest.startsWith(r[0])) return p + r[1] + rest.substring(r[0].length());
        return null;
    }

    /** Number of VAE resolution levels (decoder.up.N) in LDM VAE keys (prefix removed). */
    public static int vaeLevels(Map<String, Tensor> vae) {
        TreeSet<Integer> ups = new TreeSet<>();
        for (String k : vae.keySet()) {
            Matcher m = VAE_UP.matcher(k);
            if (m.matches()) ups.add(Integer.parseInt(m.group(1)));
        }
        return ups.size();
    }

    /**
     * VAE keys (prefix removed) to diffusers AutoencoderKL names. The mid-block attention's 1x1-conv q/k/v/proj_out
     * weights [C,C,1,1] become the Linear [C,C] diffusers stores.
     */
    public static Map<String, Tensor> vae(Map<String, Tensor> vae, String file) throws CheckpointException {
        int n = vaeLevels(vae);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : vae.entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            String d = vaeName(k, n);
            if (d == null) throw new CheckpointException(file + ": unrecognised LDM VAE key " + VAE_PREFIX + k);
            if (d.contains(".attentions.0.to_") && d.endsWith(".weight") && t.rank() == 4) {
                if (t.dim(2) != 1 || t.dim(3) != 1) throw new CheckpointException(file + ": " + VAE_PREFIX + k + " is not a 1x1 conv weight");
                t = t.reshape(t.dim(0), t.dim(1));
            }
            if (out.put(d, t) != null) throw new CheckpointException(file + ": two LDM keys map to " + d);
        }
        return out;
    }

    private static String vaeName(String k, int n) {
        for (String side : new String[] {"encoder.", "decoder."}) {
            if (k.startsWith(side + "conv_in.") || k.startsWith(side + "conv_out.")) return k;
            if (k.startsWith(side + "norm_out.")) return side + "conv_norm_out." + k.substring(side.length() + 9);
        }
        if (k.startsWith("quant_conv.") || k.startsWith("post_quant_conv.")) return k;
        Matcher m = VAE_DOWN.matcher(k);
        if (m.matches()) {
            String p = "encoder.down_blocks." + m.group(1) + ".";
            if (m.group(3) != null) return vaeResnet(p + "resnets." + m.group(3) + ".", m.group(4));
            return m.group(4).startsWith("conv.") ? p + "downsamplers.0." + m.group(4) : null;
        }
        m = VAE_UP.matcher(k);
        if (m.matches()) {
            String p = "decoder.up_blocks." + (n - 1 - Integer.parseInt(m.group(1))) + ".";
            if (m.group(3) != null) return vaeResnet(p + "resnets." + m.group(3) + ".", m.group(4));
            return m.group(4).startsWith("conv.") ? p + "upsamplers.0." + m.group(4) : null;
        }
        m = VAE_MID.matcher(k);
        if (m.matches()) {
            String p = m.group(1) + ".mid_block.";
            String rest = m.group(3);
            return switch (m.group(2)) {
                case "block_1" -> vaeResnet(p + "resnets.0.", rest);
                case "block_2" -> vaeResnet(p + "resnets.1.", rest);
                default -> {
                    String[][] map = {{"norm.", "group_norm."}, {"q.", "to_q."}, {"k.", "to_k."}, {"v.", "to_v."},
                            {"proj_out.", "to_out.0."}};
                    for (String[] r : map) if (rest.startsWith(r[0])) yield p + "attentions.0." + r[1] + rest.substring(r[0].length());
                    yield null;
                }
            };
        }
        return null;
    }

    private static String vaeResnet(String p, String rest) {
        if (rest.startsWith("nin_shortcut.")) return p + "conv_shortcut." + rest.substring(13);
        for (String s : new String[] {"norm1.", "conv1.", "norm2.", "conv2."}) if (rest.startsWith(s)) return p + rest;
        return null;
    }
}
