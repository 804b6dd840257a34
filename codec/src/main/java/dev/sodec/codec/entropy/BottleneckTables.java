package dev.sodec.codec.entropy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * CompressAI's {@code EntropyBottleneck.update(force=True)}: the quantized CDF tables from the learned density,
 * equal to what CompressAI 1.2.4 on torch 1.13 (CPU) stores, bit for bit.
 *
 * <p>Per channel c: {@code minima = max(ceil(median - q_low), 0)}, {@code maxima = max(ceil(q_high - median), 0)},
 * samples {@code median - minima + j} for j below the longest channel's {@code minima + maxima + 1}; the pmf of
 * each sample's unit interval ({@link FactorizedDensity#likelihood}) over the whole (C, max length) tensor, the tail
 * mass {@code sigmoid(lower[c, 0]) + sigmoid(-upper[c, max length - 1])} (taken at the longest channel's last
 * sample), and {@link QuantizedCdf} of the channel's pmf followed by its tail mass.
 *
 * <p>Where torch's result depends on the reference machine's thread counts (tensors of 32768+ elements, large
 * products with 8+ filters) every possible split is computed: tables that come out the same for all are returned,
 * otherwise the build is refused, since no single table is CompressAI's.
 */
final class BottleneckTables {
    private BottleneckTables() {}

    /** Thrown when the tables CompressAI would store cannot be known (they depend on the reference machine). */
    static final class NotReproducibleException extends IllegalArgumentException {
        NotReproducibleException(String message) {
            super(message);
        }
    }

    static CdfTables build(float[] quantiles, FactorizedDensity density) {
        int channels = density.channels();
        int[] minima = new int[channels], pmfLength = new int[channels];
        float[] pmfStart = new float[channels];
        int maxLength = 0;
        for (int c = 0; c < channels; c++) {
            float median = quantiles[3 * c + 1];
            float below = (float) Math.ceil(median - quantiles[3 * c]);
            float above = (float) Math.ceil(quantiles[3 * c + 2] - median);
            // Both extents must fit one CDF of 2^16 symbols (pmf + tail); NaN fails the comparisons too.
            int limit = QuantizedCdf.MAX_SYMBOLS - 2;
            if (!(below <= limit && above <= limit)) {
                throw new IllegalArgumentException("entropy_bottleneck.quantiles of channel " + c + " ("
                        + quantiles[3 * c] + ", " + median + ", " + quantiles[3 * c + 2] + ") span too many symbols");
            }
            int lo = Math.max((int) below, 0), hi = Math.max((int) above, 0);
            if (lo + hi + 1 > limit) {
                throw new IllegalArgumentException("entropy_bottleneck.quantiles of channel " + c + " span " + (lo + hi + 1) + " symbols");
            }
            minima[c] = lo;
            pmfLength[c] = lo + hi + 1;
            pmfStart[c] = median - (float) lo;
            maxLength = Math.max(maxLength, pmfLength[c]);
        }
        if ((long) channels * (maxLength + 2) > CdfTables.MAX_ENTRIES) throw new IllegalArgumentException("entropy_bottleneck tables too large");
        int k = maxLength;
        if (!density.threadFree(k)) {
            throw new NotReproducibleException("entropy_bottleneck: with these filter widths and " + k + " samples per"
                    + " channel torch's result depends on the thread counts of the machine that runs update(), so the"
                    + " tables cannot be rebuilt exactly; run update(force=True) in CompressAI and save the state_dict");
        }
        float[] samples = new float[channels * k];
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < k; j++) samples[c * k + j] = (float) j + pmfStart[c];
        }
        FactorizedDensity.Likelihood lh = density.likelihood(samples, k);
        int[] offset = new int[channels];
        for (int c = 0; c < channels; c++) offset[c] = -minima[c];
        float[] pmf = lh.pmf(1);
        int[][] rows = new int[channels][];
        for (int c = 0; c < channels; c++) rows[c] = row(lh, pmf, k, pmfLength[c], c, 1);
        // Other thread counts change the scalar tails; only channels whose pmf or tail inputs change need a new row.
        Set<String> splits = new HashSet<>();
        splits.add(split(channels, k, 1));
        for (int threads = 2; threads <= FactorizedDensity.MAX_THREADS; threads++) {
            if (!splits.add(split(channels, k, threads))) continue;
            float[] other = lh.pmf(threads);
            boolean tailSplit = !Arrays.equals(TorchKernels.chunks(channels, threads), TorchKernels.chunks(channels, 1));
            for (int c = 0; c < channels; c++) {
                int from = c * k, to = from + pmfLength[c];
                if (!tailSplit && Arrays.equals(pmf, from, to, other, from, to)) continue;
                if (!Arrays.equals(rows[c], row(lh, other, k, pmfLength[c], c, threads))) {
                    throw new NotReproducibleException("entropy_bottleneck: the " + channels + " x " + k + " table comes out"
                            + " differently depending on how many threads torch uses on the machine that runs update(), so"
                            + " it cannot be rebuilt exactly; run update(force=True) in CompressAI and save the state_dict");
                }
            }
        }
        return CdfTables.fromRows(rows, offset);
    }

    /** How {@code threads} threads split the two element-wise kernels whose results depend on it (pmf, tail). */
    private static String split(int channels, int k, int threads) {
        return Arrays.toString(TorchKernels.chunks(channels * k, threads)) + Arrays.toString(TorchKernels.chunks(channels, threads));
    }

    /** Channel c's CDF row as torch with {@code threads} intra-op threads computes it, from that run's pmf. */
    private static int[] row(FactorizedDensity.Likelihood lh, float[] pmf, int k, int n, int c, int threads) {
        int channels = lh.lower().length / k;
        // tail_mass = sigmoid(lower[:, 0, :1]) + sigmoid(-upper[:, 0, -1:]). The first operand is a strided view
        // (scalar kernel for every element) unless each channel has one sample, which makes it contiguous.
        int[] tailChunks = TorchKernels.chunks(channels, threads);
        float first = lh.lower()[c * k], last = -lh.upper()[c * k + k - 1];
        float lowerTail = k > 1 || TorchKernels.scalarPath(tailChunks, c)
                ? TorchKernels.sigmoidScalar(first) : TorchKernels.sigmoidVector(first);
        float upperTail = TorchKernels.scalarPath(tailChunks, c)
                ? TorchKernels.sigmoidScalar(last) : TorchKernels.sigmoidVector(last);
        float[] p = new float[n + 1];
        System.arraycopy(pmf, c * k, p, 0, n);
        p[n] = lowerTail + upperTail;
        return QuantizedCdf.fromPmf(p);
    }
}
