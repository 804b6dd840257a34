package dev.sodec.convert.compressai;

import dev.sodec.engine.tensor.Tensor;
import java.util.Map;

/**
 * Builds the CompressAI entropy tables ({@code *._quantized_cdf}, {@code *._offset}, {@code *._cdf_length},
 * {@code gaussian_conditional.scale_table}) exactly like {@code net.update(force=True)}, for checkpoints saved before
 * update() (CompressAI's train.py writes those). The converter cannot depend on the codec module, so the caller
 * passes the codec's implementation in {@code Converter.Options} when the user opts in (CLI
 * {@code --build-entropy-tables}). Recomputed tables can differ from CompressAI's in rare entries (its float32
 * tanh/exp round a few near-tie probabilities differently), so without that opt-in such checkpoints are refused.
 */
public interface EntropyTableBuilder {
    /**
     * @param stateDict the whole state dict in CompressAI naming (learned parameters present, tables empty)
     * @param config the model config ({@code N}, {@code M}, architecture)
     * @return the table tensors by state-dict key, replacing the empty ones; update(force=True)'s tables as closely as float32 allows
     */
    Map<String, Tensor> build(Map<String, Tensor> stateDict, Map<String, Object> config) throws Exception;
}
