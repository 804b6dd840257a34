package dev.sodec.codec.sodec;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.sodec.unet.UNet2DConditionModel;
import dev.sodec.codec.sodec.vae.VaeDecoder;
import dev.sodec.codec.sodec.vit.ClipVisionModel;
import dev.sodec.convert.names.NameMaps;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** A config that does not fit the weights (or weights that do not fit the config) fails at load time, naming the key. */
class ModelLoadingErrorsTest {

    private static GoldenCase open(String id) throws Exception {
        return GoldenCase.open(Path.of(System.getProperty("sodec.shared")).resolve("golden").resolve(id));
    }

    private static StateDict stateDict(GoldenCase c, Map<String, Tensor> weights) {
        return new StateDict(NameMaps.toEngine(c.naming(), weights), c.id());
    }

    /** The config of case {@code c} with {@code key} replaced by {@code value} (a JSON literal). */
    private static Config withKey(GoldenCase c, String key, String value) {
        Map<String, Object> m = new LinkedHashMap<>(c.config().asMap());
        m.put(key, Json.parse(value));
        return new Config(m, c.id() + ".config");
    }

    private static void assertMessageHas(Throwable t, String... parts) {
        for (String p : parts) assertTrue(t.getMessage().contains(p), "message '" + t.getMessage() + "' should name '" + p + "'");
    }

    /** Runs {@code loader} on the case's weights minus {@code key}; the error must name that key. */
    private static void missingKeyIsNamed(String id, String key, BiConsumer<StateDict, Config> loader) throws Exception {
        try (GoldenCase c = open(id)) {
            Map<String, Tensor> w = new LinkedHashMap<>(c.weights());
            assertTrue(w.remove(key) != null, "test setup: " + key + " should be in " + id);
            Throwable e = assertThrows(RuntimeException.class, () -> loader.accept(stateDict(c, w), c.config()));
            assertMessageHas(e, key);
        }
    }

    /** An extra, unused weight is reported by requireAllConsumed with its name. */
    private static void extraKeyIsNamed(String id, BiConsumer<StateDict, Config> loader) throws Exception {
        try (GoldenCase c = open(id)) {
            Map<String, Tensor> w = new LinkedHashMap<>(c.weights());
            w.put("stray.weight", Tensor.fromFloats(new float[] {1f}, 1));
            StateDict sd = stateDict(c, w);
            loader.accept(sd, c.config());
            Throwable e = assertThrows(RuntimeException.class, sd::requireAllConsumed);
            assertMessageHas(e, "stray.weight");
        }
    }

    private static final BiConsumer<StateDict, Config> UNET = UNet2DConditionModel::load;

    @Test
    void unetMissingWeightIsNamed() throws Exception {
        missingKeyIsNamed("model.unet2d_condition.sd21_t999",
                "up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight", UNET);
        missingKeyIsNamed("model.unet2d_condition.sd15_t10", "mid_block.resnets.1.time_emb_proj.bias", UNET);
    }

    @Test
    void unetExtraWeightIsNamed() throws Exception {
        extraKeyIsNamed("model.unet2d_condition.sd15_t999", UNET);
    }

    @Test
    void unetWrongBlockOutChannelsNamesTheWeight() throws Exception {
        try (GoldenCase c = open("model.unet2d_condition.sd15_t10")) {
            Throwable e = assertThrows(RuntimeException.class,
                    () -> UNet2DConditionModel.load(stateDict(c, c.weights()), withKey(c, "block_out_channels", "[16, 32, 64]")));
            // level 2 is the first with a different width: its first resnet's conv1 no longer fits
            assertMessageHas(e, "down_blocks.2.resnets.0.conv1.weight", "[32, 32, 3, 3]");
        }
    }

    @Test
    void unetWrongProjectionKindNamesTheWeight() throws Exception {
        try (GoldenCase c = open("model.unet2d_condition.sd21_t999")) {
            // linear projection weights (2-D) read as 1x1 conv weights (4-D)
            Throwable e = assertThrows(RuntimeException.class,
                    () -> UNet2DConditionModel.load(stateDict(c, c.weights()), withKey(c, "use_linear_projection", "false")));
            assertMessageHas(e, "down_blocks.0.attentions.0.proj_in.weight");
        }
    }

    @Test
    void unetConfigErrorsNameTheKey() throws Exception {
        try (GoldenCase c = open("model.unet2d_condition.sd15_t10")) {
            for (var bad : List.of(
                    List.of("attention_head_dim", "[4, 3, 4]"),          // 32 channels do not split into 3 heads
                    List.of("down_block_types", "[\"CrossAttnDownBlock2D\", \"DownBlock2D\"]"),
                    List.of("class_embed_type", "\"timestep\""),
                    List.of("downsample_padding", "0"),
                    List.of("attention_head_dim", "[4, 4, 4, 4]"),
                    List.of("layers_per_block", "[1, 1]"),
                    List.of("mid_block_type", "\"UNetMidBlock2DSimpleCrossAttn\""))) {
                Throwable e = assertThrows(IllegalArgumentException.class,
                        () -> UNet2DConditionModel.load(stateDict(c, c.weights()), withKey(c, bad.get(0), bad.get(1))));
                assertMessageHas(e, bad.get(0).equals("down_block_types") ? "down_block_types" : bad.get(0));
            }
        }
    }

    private static final BiConsumer<StateDict, Config> VAE = VaeDecoder::load;

    @Test
    void vaeMissingWeightIsNamed() throws Exception {
        missingKeyIsNamed("model.vae_decoder", "decoder.mid_block.attentions.0.to_v.bias", VAE);
        missingKeyIsNamed("model.vae_decoder", "post_quant_conv.weight", VAE);
        missingKeyIsNamed("model.vae_decoder", "decoder.up_blocks.1.upsamplers.0.conv.weight", VAE);
    }

    @Test
    void vaeExtraWeightIsNamed() throws Exception {
        extraKeyIsNamed("model.vae_decoder", VAE);
    }

    @Test
    void vaeWrongConfigNamesTheWeight() throws Exception {
        try (GoldenCase c = open("model.vae_decoder")) {
            Throwable e = assertThrows(RuntimeException.class,
                    () -> VaeDecoder.load(stateDict(c, c.weights()), withKey(c, "block_out_channels", "[16, 32, 64]")));
            assertMessageHas(e, "decoder.conv_in.weight", "[32, 4, 3, 3]");
            e = assertThrows(RuntimeException.class,
                    () -> VaeDecoder.load(stateDict(c, c.weights()), withKey(c, "layers_per_block", "2")));
            assertMessageHas(e, "decoder.up_blocks.0.resnets.2.norm1.weight");
            e = assertThrows(RuntimeException.class,
                    () -> VaeDecoder.load(stateDict(c, c.weights()), withKey(c, "latent_channels", "8")));
            assertMessageHas(e, "post_quant_conv.weight");
        }
    }

    private static final BiConsumer<StateDict, Config> CLIP = ClipVisionModel::load;

    @Test
    void clipMissingWeightIsNamed() throws Exception {
        missingKeyIsNamed("model.clip_vision", "embeddings.class_embedding", CLIP);
        missingKeyIsNamed("model.clip_vision", "encoder.layers.1.self_attn.k_proj.bias", CLIP);
        missingKeyIsNamed("model.clip_vision", "pre_layrnorm.weight", CLIP);
    }

    @Test
    void clipExtraWeightIsNamed() throws Exception {
        extraKeyIsNamed("model.clip_vision", CLIP);
    }

    @Test
    void clipWrongConfigIsNamed() throws Exception {
        try (GoldenCase c = open("model.clip_vision")) {
            Throwable e = assertThrows(RuntimeException.class,
                    () -> ClipVisionModel.load(stateDict(c, c.weights()), withKey(c, "num_hidden_layers", "4")));
            assertMessageHas(e, "encoder.layers.3.layer_norm1.weight");
            StateDict sd = stateDict(c, c.weights());
            ClipVisionModel.load(sd, withKey(c, "num_hidden_layers", "2"));
            e = assertThrows(RuntimeException.class, sd::requireAllConsumed);
            assertMessageHas(e, "encoder.layers.2.");
            e = assertThrows(RuntimeException.class,
                    () -> ClipVisionModel.load(stateDict(c, c.weights()), withKey(c, "patch_size", "16")));
            assertMessageHas(e, "embeddings.patch_embedding.weight");
            e = assertThrows(RuntimeException.class,
                    () -> ClipVisionModel.load(stateDict(c, c.weights()), withKey(c, "hidden_act", "\"relu\"")));
            assertMessageHas(e, "hidden_act");
        }
    }
}
