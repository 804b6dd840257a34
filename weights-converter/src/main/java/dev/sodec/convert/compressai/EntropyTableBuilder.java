package dev.sodec.convert.compressai;

import dev.sodec.engine.tensor.Tensor;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Builds the CompressAI entropy tables ({@code *._quantized_cdf}, {@code *._offset}, {@code *._cdf_length},
 * {@code gaussian_conditional.scale_table}) exactly like {@code net.update(force=True)}, for checkpoints saved before
 * update() (CompressAI's train.py writes those) or when a rebuild is asked for. The converter cannot depend on the
 * codec module, which implements it; the implementation is found as a {@link ServiceLoader} service
 * ({@link #installed()}) or passed in {@code Converter.Options}.
 */
public interface EntropyTableBuilder {
    /**
     * @param stateDict the whole state dict in CompressAI naming (learned parameters present, tables empty or stale)
     * @param config the model config ({@code N}, {@code M}, architecture)
     * @return the table tensors by state-dict key, bit-identical to update(force=True)'s
     * @throws Exception with a one-line message when the tables cannot be built exactly
     */
    Map<String, Tensor> build(Map<String, Tensor> stateDict, Map<String, Object> config) throws Exception;

    /** The builder on the class path (the codec module provides one), or null when there is none. */
    static EntropyTableBuilder installed() {
        return ServiceLoader.load(EntropyTableBuilder.class).findFirst().orElse(null);
    }
}
