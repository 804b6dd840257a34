package dev.sodec.codec.entropy;

import dev.sodec.convert.compressai.EntropyTableBuilder;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The converter's entropy table builder (a {@code ServiceLoader} service, so {@code sodec convert} and the
 * conformance runner build the tables of CompressAI checkpoints saved before {@code update()} by default):
 * CompressAI's {@code net.update(force=True)} with the default scale table, i.e. the entropy bottleneck's tables from
 * its learned parameters ({@link BottleneckTables}) and the Gaussian conditional's from
 * {@link GaussianConditional#defaultScaleTable()}.
 *
 * <p>Exactness: bit for bit what CompressAI 1.2.4 on torch 1.13 (CPU, Debian 12's build) stores. Where that result
 * depends on the thread counts of the machine that ran update() the build is refused with a message saying so.
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
