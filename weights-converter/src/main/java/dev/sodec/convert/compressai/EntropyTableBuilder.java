package dev.sodec.convert.compressai;

import dev.sodec.engine.tensor.Tensor;
import java.util.Map;

/**
 * Builds the CompressAI entropy tables ({@code *._quantized_cdf}, {@code *._offset}, {@code *._cdf_length},
 * {@code gaussian_conditional.scale_table}) exactly like {@code net.update(force=True)}, for checkpoints saved before
 * update() (CompressAI's train.py writes those). The converter cannot depend on the codec module, so the codec's
 * entropy package provides an implementation through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.sodec.convert.compressai.EntropyTableBuilder}). Without one, such checkpoints are
 * refused with a clear message.
 */
public interface EntropyTableBuilder {
    /**
     * @param stateDict the whole state dict in CompressAI naming (learned parameters present, tables empty)
     * @param config the model config ({@code N}, {@code M}, architecture)
     * @return the table tensors by state-dict key, replacing the empty ones; must equal update(force=True) bit for bit
     */
    Map<String, Tensor> build(Map<String, Tensor> stateDict, Map<String, Object> config) throws Exception;
}
