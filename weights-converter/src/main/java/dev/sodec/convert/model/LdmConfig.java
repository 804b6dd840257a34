package dev.sodec.convert.model;

import dev.sodec.convert.CheckpointException;
import dev.sodec.convert.names.LdmNames;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives the diffusers configs of an LDM single file from its keys and shapes. Everything the weights determine
 * (channels, levels, block types, cross-attention width, linear vs conv projections, transformer depth, latent
 * channels) is read from them. What weights cannot tell (attention heads, GroupNorm groups, scaling factor) comes
 * from the LDM config when one is given (checked against the shapes, a mismatch names the key), else from the
 * standard SD 1.x / 2.x inference yaml when the shapes recognise one, else it is an error.
 */
public final class LdmConfig {
    private LdmConfig() {}

    /**
     * Reads an LDM config file: the original .yaml (v1-inference.yaml style) or the same structure as JSON. The
     * JSON may also carry {@code not_in_ldm_yaml.{unet,vae}_norm_num_groups} (LDM hard-codes 32 GroupNorm groups).
     */
    public static Config read(java.nio.file.Path file) throws java.io.IOException {
        String name = file.getFileName().toString();
        String text = java.nio.file.Files.readString(file);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) return new Config(LdmYaml.parse(name, text), name);
        try {
            return Config.parse(text, name);
        } catch (dev.sodec.engine.json.JsonException e) {
            throw new CheckpointException(name + ": not valid JSON (give a .yaml or .json LDM config): " + e.getMessage());
        }
    }

    /** Which standard model the shapes identify, or null. */
    public static String recognise(Map<String, Tensor> unet) {
        Tensor projIn = unet.get("input_blocks.1.1.proj_in.weight");
        Tensor toK = unet.get("input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight");
        if (projIn == null || toK == null || projIn.dim(0) != 320) return null;
        if (projIn.rank() == 4 && toK.dim(1) == 768) return "sd1";
        if (projIn.rank() == 2 && toK.dim(1) == 1024) return "sd2";
        return null;
    }

    /**
     * The diffusers UNet2DConditionModel config for LDM UNet keys (prefix removed).
     *
     * @param ldm the LDM config ({@code model.params...} layout, as a JSON object; may hold {@code not_in_ldm_yaml}),
     *            or null
     */
    public static Map<String, Object> unet(Map<String, Tensor> unet, Config ldm, String file) throws CheckpointException {
        LdmNames.UNetStructure s = LdmNames.unetStructure(unet, file);
        int levels = s.levels(), lpb = s.layersPerBlock(), per = lpb + 1;
        int[] boc = new int[levels];
        List<String> down = new ArrayList<>(), up = new ArrayList<>();
        Tensor projIn = null, toK = null;
        int depth = -1;
        for (int i = 0; i < levels; i++) {
            boc[i] = need(unet, "input_blocks." + (1 + i * per) + ".0.out_layers.3.weight", file).dim(0);
            String attn = "input_blocks." + (1 + i * per) + ".1.";
            boolean cross = unet.containsKey(attn + "proj_in.weight");
            down.add(cross ? "CrossAttnDownBlock2D" : "DownBlock2D");
            boolean upCross = unet.containsKey("output_blocks." + (i * per) + ".1.proj_in.weight");
            up.add(upCross ? "CrossAttnUpBlock2D" : "UpBlock2D");
            if (cross && projIn == null) {
                projIn = unet.get(attn + "proj_in.weight");
                toK = need(unet, attn + "transformer_blocks.0.attn2.to_k.weight", file);
                depth = 0;
                while (unet.containsKey(attn + "transformer_blocks." + depth + ".norm1.weight")) depth++;
            }
        }
        if (!unet.containsKey("middle_block.1.proj_in.weight")) {
            throw new CheckpointException(file + ": LDM UNet middle block has no spatial transformer: not an SD UNet");
        }
        if (projIn == null) {
            projIn = unet.get("middle_block.1.proj_in.weight");
            toK = need(unet, "middle_block.1.transformer_blocks.0.attn2.to_k.weight", file);
            depth = 1;
        }
        if (unet.keySet().stream().anyMatch(k -> k.startsWith("label_emb."))) {
            throw new CheckpointException(file + ": LDM UNet has class embeddings (label_emb.*): upscaler/unCLIP UNets are not supported");
        }
        boolean linear = projIn.rank() == 2;
        int cross = toK.dim(1);
        int in = need(unet, "input_blocks.0.0.weight", file).dim(1);
        int out = need(unet, "out.2.weight", file).dim(0);

        Config p = ldm == null ? null : sub(ldm, "model", "params", "unet_config", "params");
        int[] heads = new int[levels];
        boolean sameHeadsEverywhere = false; // diffusers' conversion then writes one number, not a list
        int groups = 32;
        Long sample = null;
        if (p != null) {
            int mc = p.getInt("model_channels");
            int[] mult = p.getIntList("channel_mult");
            int[] expect = new int[mult.length];
            for (int i = 0; i < mult.length; i++) expect[i] = mc * mult[i];
            agree(file, "unet_config.params.model_channels x channel_mult", Arrays.toString(expect), Arrays.toString(boc));
            agree(file, "unet_config.params.num_res_blocks", p.getInt("num_res_blocks"), lpb);
            agree(file, "unet_config.params.context_dim", p.getInt("context_dim"), cross);
            agree(file, "unet_config.params.in_channels", p.getInt("in_channels"), in);
            agree(file, "unet_config.params.out_channels", p.getInt("out_channels"), out);
            agree(file, "unet_config.params.use_linear_in_transformer", p.getBool("use_linear_in_transformer", false), linear);
            agree(file, "unet_config.params.transformer_depth", p.getInt("transformer_depth", 1), depth);
            int nh = p.getInt("num_heads", -1), nhc = p.getInt("num_head_channels", -1);
            for (int i = 0; i < levels; i++) {
                if (nhc > 0) {
                    if (boc[i] % nhc != 0) throw new CheckpointException(file + ": num_head_channels " + nhc + " does not divide " + boc[i]);
                    heads[i] = boc[i] / nhc;
                } else if (nh > 0) {
                    heads[i] = nh;
                    sameHeadsEverywhere = true;
                } else {
                    throw new CheckpointException(file + ": LDM config has neither num_heads nor num_head_channels");
                }
            }
            groups = ldmGroups(ldm, "unet_norm_num_groups");
            if (p.has("image_size")) sample = (long) p.getInt("image_size");
        } else {
            String std = recognise(unet);
            if (std == null) {
                throw new CheckpointException(file + ": attention heads cannot be read from the weights and the shapes"
                        + " (proj_in " + Arrays.toString(projIn.shape()) + ", context " + cross
                        + ") match neither SD 1.x nor SD 2.x: give the model's LDM config");
            }
            for (int i = 0; i < levels; i++) heads[i] = std.equals("sd1") ? 8 : boc[i] / 64;
            sameHeadsEverywhere = std.equals("sd1"); // v1-inference.yaml: num_heads 8; v2: num_head_channels 64
        }
        Map<String, Object> c = new LinkedHashMap<>();
        if (sample != null) c.put("sample_size", sample);
        c.put("in_channels", (long) in);
        c.put("out_channels", (long) out);
        c.put("layers_per_block", (long) lpb);
        c.put("block_out_channels", ints(boc));
        c.put("down_block_types", down);
        c.put("up_block_types", up); // read per up level: already diffusers order
        c.put("cross_attention_dim", (long) cross);
        // As diffusers' create_unet_diffusers_config: num_heads gives one number, num_head_channels a list per level.
        c.put("attention_head_dim", sameHeadsEverywhere ? (Object) (long) heads[0] : ints(heads));
        c.put("use_linear_projection", linear);
        c.put("norm_num_groups", (long) groups);
        c.put("transformer_layers_per_block", (long) depth);
        c.put("flip_sin_to_cos", true);
        c.put("freq_shift", 0L);
        return c;
    }

    /** The diffusers AutoencoderKL config for LDM VAE keys (prefix removed). */
    public static Map<String, Object> vae(Map<String, Tensor> vae, Config ldm, String file) throws CheckpointException {
        int n = LdmNames.vaeLevels(vae);
        if (n == 0) throw new CheckpointException(file + ": no LDM VAE decoder keys (first_stage_model.decoder.up.*)");
        int[] boc = new int[n];
        for (int i = 0; i < n; i++) boc[i] = need(vae, "decoder.up." + i + ".block.0.conv2.weight", file).dim(0);
        int blocks = 0;
        while (vae.containsKey("decoder.up.0.block." + blocks + ".conv1.weight")) blocks++;
        int lpb = blocks - 1;
        int lat = need(vae, "post_quant_conv.weight", file).dim(0);
        int out = need(vae, "decoder.conv_out.weight", file).dim(0);
        int in = vae.containsKey("encoder.conv_in.weight") ? vae.get("encoder.conv_in.weight").dim(1) : 3;
        int groups = 32;
        double scaling = 0.18215;
        Long sample = null;
        Config dd = ldm == null ? null : sub(ldm, "model", "params", "first_stage_config", "params", "ddconfig");
        if (dd != null) {
            int ch = dd.getInt("ch");
            int[] mult = dd.getIntList("ch_mult");
            int[] expect = new int[mult.length];
            for (int i = 0; i < mult.length; i++) expect[i] = ch * mult[i];
            agree(file, "ddconfig.ch x ch_mult", Arrays.toString(expect), Arrays.toString(boc));
            agree(file, "ddconfig.num_res_blocks", dd.getInt("num_res_blocks"), lpb);
            agree(file, "ddconfig.z_channels", dd.getInt("z_channels"), lat);
            agree(file, "ddconfig.out_ch", dd.getInt("out_ch"), out);
            if (!dd.getList("attn_resolutions").isEmpty()) {
                throw new CheckpointException(file + ": ddconfig.attn_resolutions " + dd.getList("attn_resolutions")
                        + ": attention outside the mid block is not an SD VAE");
            }
            if (dd.has("resolution")) sample = (long) dd.getInt("resolution");
            Config mp = sub(ldm, "model", "params");
            if (mp.has("scale_factor")) scaling = mp.getDouble("scale_factor");
            groups = ldmGroups(ldm, "vae_norm_num_groups");
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in_channels", (long) in);
        c.put("out_channels", (long) out);
        List<String> downT = new ArrayList<>(), upT = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            downT.add("DownEncoderBlock2D");
            upT.add("UpDecoderBlock2D");
        }
        c.put("down_block_types", downT);
        c.put("up_block_types", upT);
        c.put("block_out_channels", ints(boc));
        c.put("layers_per_block", (long) lpb);
        c.put("latent_channels", (long) lat);
        c.put("norm_num_groups", (long) groups);
        if (sample != null) c.put("sample_size", sample);
        c.put("scaling_factor", scaling);
        return c;
    }

    private static int ldmGroups(Config ldm, String key) {
        if (ldm.has("not_in_ldm_yaml")) {
            Config x = ldm.getObject("not_in_ldm_yaml");
            if (x.has(key)) return x.getInt(key);
        }
        return 32; // what CompVis code hard-codes
    }

    private static Config sub(Config c, String... path) {
        Config cur = c;
        for (String p : path) {
            if (!cur.has(p)) return null;
            cur = cur.getObject(p);
        }
        return cur;
    }

    private static Tensor need(Map<String, Tensor> m, String key, String file) throws CheckpointException {
        Tensor t = m.get(key);
        if (t == null) throw new CheckpointException(file + ": expected LDM key " + key + " is missing");
        return t;
    }

    private static void agree(String file, String key, Object config, Object weights) throws CheckpointException {
        if (!config.equals(weights)) {
            throw new CheckpointException(file + ": LDM config " + key + " = " + config + " but the weights say " + weights);
        }
    }

    private static List<Object> ints(int[] a) {
        List<Object> l = new ArrayList<>();
        for (int v : a) l.add((long) v);
        return l;
    }
}
