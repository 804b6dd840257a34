package dev.sodec.convert.model;

import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one engine weight file holds: the model kind, its architecture config (engine JSON, stored in
 * {@code __metadata__['config']}) and the weights in engine naming. Weights are {@link Pending} so that merges and
 * dtype conversion run one tensor at a time while the file is written.
 *
 * @param kind e.g. {@code unet2d_condition}, {@code vae_decoder}, {@code clip_vision}, {@code compressai.mbt2018_mean}
 * @param exactF32 weights never narrowed by {@code --dtype} (entropy-model parameters: the decoder must recompute
 *                 the encoder's CDF indexes bit for bit)
 */
public record EngineModel(String kind, Map<String, Object> config, Map<String, Pending> weights,
                          java.util.function.Predicate<String> exactF32) {

    public static EngineModel of(String kind, Map<String, Object> config, Map<String, Tensor> tensors) {
        Map<String, Pending> w = new LinkedHashMap<>();
        tensors.forEach((k, t) -> w.put(k, Pending.of(t)));
        return new EngineModel(kind, config, w, k -> false);
    }

    public EngineModel withExactF32(java.util.function.Predicate<String> keys) {
        return new EngineModel(kind, config, weights, keys);
    }
}
