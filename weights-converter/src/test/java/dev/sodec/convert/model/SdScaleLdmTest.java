package dev.sodec.convert.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.names.LdmNames;
import dev.sodec.convert.read.Weights;
import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real SD 1.5 / 2.1 single files, without a config: their structure is generated in diffusers naming, renamed to LDM
 * names by an independent forward mapping (the one of diffusers' convert_diffusers_to_original_stable_diffusion.py,
 * written out here), and must come back with the standard configs (heads 8 / head dim 64) and every tensor at the
 * same name. Tensors are U8 views of one shared buffer (only shapes and identity matter), so no GBs are allocated.
 */
class SdScaleLdmTest {
    private static final MemorySegment SHARED = Arena.ofAuto().allocate(1280L * 2560 * 9);

    private static Map<String, Object> sdConfig(boolean v2) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in_channels", 4L);
        c.put("out_channels", 4L);
        c.put("layers_per_block", 2L);
        c.put("block_out_channels", List.of(320L, 640L, 1280L, 1280L));
        c.put("down_block_types", List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"));
        c.put("up_block_types", List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"));
        c.put("cross_attention_dim", v2 ? 1024L : 768L);
        // what diffusers' conversion writes: v1-inference.yaml's num_heads 8 as one number, v2's head dim 64 per level
        c.put("attention_head_dim", v2 ? List.of(5L, 10L, 20L, 20L) : 8L);
        c.put("use_linear_projection", v2);
        c.put("norm_num_groups", 32L);
        return c;
    }

    private static Map<String, Object> vaeConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in_channels", 3L);
        c.put("out_channels", 3L);
        c.put("block_out_channels", List.of(128L, 256L, 512L, 512L));
        c.put("layers_per_block", 2L);
        c.put("latent_channels", 4L);
        c.put("down_block_types", List.of("DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"));
        c.put("up_block_types", List.of("UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"));
        return c;
    }

    private static String resnetToLdm(String rest) {
        String[][] m = {{"norm1.", "in_layers.0."}, {"conv1.", "in_layers.2."}, {"time_emb_proj.", "emb_layers.1."},
                {"norm2.", "out_layers.0."}, {"conv2.", "out_layers.3."}, {"conv_shortcut.", "skip_connection."}};
        for (String[] r : m) if (rest.startsWith(r[0])) return r[1] + rest.substring(r[0].length());
        throw new AssertionError(rest);
    }

    /** diffusers UNet name -> LDM name, as the diffusers-to-original script does for layers_per_block 2. */
    private static String unetToLdm(String k, Map<String, int[]> all) {
        String[] p = k.split("\\.");
        if (k.startsWith("time_embedding.linear_1.")) return "time_embed.0." + p[2];
        if (k.startsWith("time_embedding.linear_2.")) return "time_embed.2." + p[2];
        if (k.startsWith("conv_in.")) return "input_blocks.0.0." + p[1];
        if (k.startsWith("conv_norm_out.")) return "out.0." + p[1];
        if (k.startsWith("conv_out.")) return "out.2." + p[1];
        String rest;
        if (k.startsWith("down_blocks.")) {
            int i = Integer.parseInt(p[1]);
            if (p[2].equals("downsamplers")) return "input_blocks." + (3 * (i + 1)) + ".0.op." + p[5];
            int j = Integer.parseInt(p[3]);
            rest = k.substring(String.join(".", p[0], p[1], p[2], p[3]).length() + 1);
            return "input_blocks." + (3 * i + j + 1) + (p[2].equals("resnets") ? ".0." + resnetToLdm(rest) : ".1." + rest);
        }
        if (k.startsWith("mid_block.")) {
            rest = k.substring(String.join(".", p[0], p[1], p[2]).length() + 1);
            if (p[1].equals("attentions")) return "middle_block.1." + rest;
            return "middle_block." + (p[2].equals("0") ? 0 : 2) + "." + resnetToLdm(rest);
        }
        int i = Integer.parseInt(p[1]);
        if (p[2].equals("upsamplers")) {
            boolean attn = all.containsKey("up_blocks." + i + ".attentions.2.norm.weight");
            return "output_blocks." + (3 * i + 2) + "." + (attn ? 2 : 1) + ".conv." + p[5];
        }
        int j = Integer.parseInt(p[3]);
        rest = k.substring(String.join(".", p[0], p[1], p[2], p[3]).length() + 1);
        return "output_blocks." + (3 * i + j) + (p[2].equals("resnets") ? ".0." + resnetToLdm(rest) : ".1." + rest);
    }

    /** diffusers VAE name -> LDM name. */
    private static String vaeToLdm(String k) {
        String[] p = k.split("\\.");
        String side = p[0];
        if (k.startsWith("quant_conv.") || k.startsWith("post_quant_conv.")) return k;
        if (p[1].equals("conv_in") || p[1].equals("conv_out")) return k;
        if (p[1].equals("conv_norm_out")) return side + ".norm_out." + p[2];
        if (p[1].equals("mid_block")) {
            if (p[2].equals("resnets")) {
                String rest = k.substring(String.join(".", p[0], p[1], p[2], p[3]).length() + 1).replace("conv_shortcut.", "nin_shortcut.");
                return side + ".mid.block_" + (Integer.parseInt(p[3]) + 1) + "." + rest;
            }
            String q = switch (p[4]) {
                case "group_norm" -> "norm";
                case "to_q" -> "q";
                case "to_k" -> "k";
                case "to_v" -> "v";
                case "to_out" -> "proj_out";
                default -> throw new AssertionError(k);
            };
            return side + ".mid.attn_1." + q + "." + p[p.length - 1];
        }
        int i = Integer.parseInt(p[2]);
        int level = side.equals("decoder") ? 3 - i : i;
        String block = side.equals("decoder") ? "up" : "down";
        if (p[3].equals("downsamplers") || p[3].equals("upsamplers")) {
            return side + "." + block + "." + level + "." + (side.equals("decoder") ? "upsample" : "downsample") + ".conv." + p[6];
        }
        String rest = k.substring(String.join(".", p[0], p[1], p[2], p[3], p[4]).length() + 1).replace("conv_shortcut.", "nin_shortcut.");
        return side + "." + block + "." + level + ".block." + p[4] + "." + rest;
    }

    private static Tensor fake(int[] shape) {
        return Tensor.wrap(SHARED, DType.U8, shape);
    }

    @Test
    void sd1AndSd2SingleFilesAreRecognisedFromShapes() throws Exception {
        for (boolean v2 : new boolean[] {false, true}) {
            Map<String, Object> unetCfg = sdConfig(v2);
            Map<String, int[]> unet = Layouts.unet(new Config(unetCfg, "sd"));
            Map<String, int[]> vae = Layouts.vae(new Config(vaeConfig(), "vae"), false);
            Map<String, Tensor> diffusers = new LinkedHashMap<>();
            Map<String, Tensor> ldm = new LinkedHashMap<>();
            unet.forEach((k, s) -> {
                Tensor t = fake(s);
                diffusers.put("unet." + k, t);
                ldm.put(LdmNames.UNET_PREFIX + unetToLdm(k, unet), t);
            });
            vae.forEach((k, s) -> {
                boolean attnW = k.contains("attentions.0.to_") && k.endsWith(".weight");
                Tensor t = fake(attnW ? new int[] {s[0], s[1], 1, 1} : s);
                diffusers.put("vae." + k, t);
                ldm.put(LdmNames.VAE_PREFIX + vaeToLdm(k), t);
            });
            ldm.put("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", fake(new int[] {4940, 768}));
            assertEquals(v2 ? "sd2" : "sd1", LdmConfig.recognise(LdmNames.under(ldm, LdmNames.UNET_PREFIX)));

            try (Conversion u = LdmSingleFile.unet(new Weights("sd.ckpt", "test", ldm, Map.of(), () -> { }), null)) {
                for (Map.Entry<String, Object> e : unetCfg.entrySet()) {
                    assertEquals(Json.write(e.getValue()), Json.write(u.model().config().get(e.getKey())), (v2 ? "SD2 " : "SD1 ") + e.getKey());
                }
                assertEquals(unet.size(), u.model().weights().size());
                for (Map.Entry<String, Pending> e : u.model().weights().entrySet()) {
                    assertTrue(e.getValue().data().get() == diffusers.get("unet." + e.getKey()), e.getKey() + " maps to another tensor");
                }
            }
            try (Conversion v = LdmSingleFile.vae(new Weights("sd.ckpt", "test", ldm, Map.of(), () -> { }), null, false)) {
                assertEquals(vae.size(), v.model().weights().size());
                assertEquals(Json.write(List.of(128L, 256L, 512L, 512L)), Json.write(v.model().config().get("block_out_channels")));
                assertEquals(32L, v.model().config().get("norm_num_groups"));
                for (Map.Entry<String, Pending> e : v.model().weights().entrySet()) {
                    Tensor got = e.getValue().data().get(), src = diffusers.get("vae." + e.getKey());
                    assertArrayEquals(vae.get(e.getKey()), got.shape(), e.getKey());
                    assertTrue(got.storage().address() == src.storage().address(), e.getKey());
                }
            }
        }
    }
}
