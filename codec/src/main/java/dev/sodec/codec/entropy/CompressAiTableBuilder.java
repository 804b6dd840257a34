package dev.sodec.codec.entropy;

import dev.sodec.convert.compressai.EntropyTableBuilder;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The converter's hook for CompressAI checkpoints saved before {@code update()}: CompressAI's
 * {@code net.update(force=True)} with the default scale table, i.e. the entropy bottleneck's tables from its learned
 * parameters ({@link EntropyBottleneck#load(StateDict, boolean)}) and the Gaussian conditional's from
 * {@link GaussianConditional#defaultScaleTable()}.
 *
 * <p>Exactness: the Gaussian tables and scale table match CompressAI bit for bit. The bottleneck tables depend on
 * float32 tanh/exp/log1p results, and torch's vectorized versions are not correctly rounded while ours are: they
 * matched the reference exactly on the golden mbt2018_mean and entropy.bottleneck_update weights, but on the
 * pre-update checkpoint case one row of 16 differs (one pmf entry 0.002 counts from a rounding tie lands on the
 * other side). Because the checkpoint notes ask converters that cannot guarantee a match to refuse, this builder
 * is NOT registered as a ServiceLoader service; pass it explicitly to {@code CompressAi.convert(w, builder)} to
 * accept that risk.
 */
public final class CompressAiTableBuilder implements EntropyTableBuilder {
    @Override
    public Map<String, Tensor> build(Map<String, Tensor> stateDict, Map<String, Object> config) {
        StateDict sd = new StateDict(stateDict, "CompressAI state dict");
        Map<String, Tensor> out = new LinkedHashMap<>();
        EntropyBottleneck eb = EntropyBottleneck.load(sd.scope("entropy_bottleneck"), true);
        eb.tableBuffers().forEach((k, v) -> out.put("entropy_bottleneck." + k, v));
        if (!sd.scope("gaussian_conditional").keys().isEmpty()) {
            GaussianConditional gc = GaussianConditional.load(sd.scope("gaussian_conditional"))
                    .withScaleTable(GaussianConditional.defaultScaleTable());
            gc.tableBuffers().forEach((k, v) -> out.put("gaussian_conditional." + k, v));
        }
        return out;
    }
}
