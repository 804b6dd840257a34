package dev.sodec.codec.conformance;

import dev.sodec.engine.tensor.DType;
import java.util.Set;

/**
 * How an output is compared on a backend that stores activations and weights in F16 or BF16 (math in F32). The
 * golden tolerances are F32 ones (FORMAT.md section 4); every stored value then carries the storage type's rounding,
 * so float outputs are held to bounds scaled by its unit roundoff u (F16 2^-11, BF16 2^-8), set from the errors
 * measured over the shared suite on cuda-emulated (worst rel_l2: ops 8.1e-4 F16 / 5.5e-3 BF16; blocks, models and
 * the pipeline 1.8e-3 / 1.35e-2) with a margin of about 4:
 * <ul>
 *   <li>rel_l2 <= 8 u for op cases, 16 u for block, model and pipeline cases (F16 3.9e-3 / 7.8e-3, BF16 3.1e-2 /
 *       6.3e-2), never below the case's own F32 tolerance;
 *   <li>max_abs <= 64 u max(1, max|expected|);
 *   <li>integer outputs (CDF indexes, symbols, strings, shapes) exactly, as always: the CDF-selecting path runs on
 *       the host in F32 fixed order, whatever the backend;
 *   <li>codec cases are checked decoder-side (FORMAT.md: from the reference strings, or {@code onedc.codec}'s
 *       reference file); their encoder outputs (y, z, symbols, strings, the OneDC file and its FSQ indices) are not
 *       compared, since a reduced-precision analysis transform may round a latent to the
 *       other side of a quantization step.
 * </ul>
 */
final class TolerancePolicy {
    private TolerancePolicy() {}

    /** Encoder-side outputs of the codec kinds. */
    private static final Set<String> ENCODER_OUTPUTS = Set.of("y", "z", "z_symbols", "y_symbols", "z_string", "y_string", "z_shape");
    /** Encoder-side outputs of {@code onedc.codec} (its decoder half runs from the reference file). */
    private static final Set<String> ONEDC_ENCODER_OUTPUTS = Set.of("file", "y", "sem", "z", "z_hat", "z_indices", "params");

    static boolean reduced(DType storage) {
        return storage == DType.F16 || storage == DType.BF16;
    }

    /** Whether {@code output} of a case of {@code kind} is compared on a backend storing {@code storage}. */
    static boolean compared(String kind, String output, DType storage) {
        if (!reduced(storage)) return true;
        if (kind.equals("onedc.codec")) return !ONEDC_ENCODER_OUTPUTS.contains(output);
        boolean codec = kind.startsWith("model.compressai") || kind.equals("pipeline.sodec");
        return !(codec && ENCODER_OUTPUTS.contains(output));
    }

    /**
     * {rel_l2, max_abs} for a float output: the case's own on F32 storage, else the reduced-precision bound.
     *
     * @param golden the case's F32 tolerance {rel_l2, max_abs}
     * @param maxExpected max |expected|
     */
    static double[] tolerance(String kind, double[] golden, double maxExpected, DType storage) {
        if (!reduced(storage)) return golden;
        double u = storage == DType.F16 ? Math.scalb(1.0, -11) : Math.scalb(1.0, -8);
        double rel = (kind.startsWith("op.") ? 8 : 16) * u;
        return new double[] {Math.max(golden[0], rel), Math.max(golden[1], 64 * u * Math.max(1, maxExpected))};
    }
}
