package dev.sodec.codec.bench;

import dev.sodec.engine.nn.MissingWeightException;
import dev.sodec.engine.nn.StateDict;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Random weights for any network whose loader takes its parameters from a {@link StateDict}, so speed can be
 * measured without a checkpoint. The keys and shapes are not written down a second time here: the loader is the
 * one definition, and we learn them from its own errors (a missing key, then the shape it expected), generating
 * each tensor once. Values are variance-preserving (uniform with standard deviation 1/sqrt(fan-in)) so random
 * activations stay finite and out of the denormal range through deep networks, which would distort timings.
 * Nothing is stored: an SD-size UNet (865M parameters) is generated in seconds.
 */
public final class RandomWeights {
    private static final Pattern MISSING = Pattern.compile("missing weight '([^']+)'");
    private static final Pattern SHAPE = Pattern.compile("weight '([^']+)' has shape \\[[^]]*], expected \\[([^]]*)]");
    /** A loader that keeps failing (an error we do not understand as "missing" or "shape") ends the search. */
    private static final int MAX_ATTEMPTS = 200_000;

    private RandomWeights() {}

    /** A network built by {@code loader} and the weights it consumed. */
    public record Built<M>(M model, Map<String, Tensor> weights) {}

    /**
     * Builds {@code loader}'s network with random weights.
     *
     * @param preset weights known in advance (e.g. entropy tables that must be valid distributions); used as given
     */
    public static <M> Built<M> build(Function<StateDict, M> loader, Map<String, Tensor> preset, long seed) {
        Map<String, Tensor> w = new LinkedHashMap<>(preset);
        long state = seed;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try {
                StateDict sd = new StateDict(w, "random weights");
                M m = loader.apply(sd);
                sd.requireAllConsumed();
                return new Built<>(m, w);
            } catch (MissingWeightException e) {
                String msg = e.getMessage();
                Matcher s = SHAPE.matcher(msg), miss = MISSING.matcher(msg);
                if (s.find() && !preset.containsKey(s.group(1))) {
                    int[] shape = parseShape(s.group(2));
                    state = state * 6364136223846793005L + 1442695040888963407L;
                    w.put(s.group(1), random(s.group(1), shape, state));
                } else if (miss.find() && !w.containsKey(miss.group(1))) {
                    // a scalar placeholder: loaders that take a key without a shape (bounds, pedestals) accept it,
                    // the others answer with the shape they need
                    w.put(miss.group(1), Tensor.zeros(1));
                } else {
                    throw e;
                }
            }
        }
        throw new IllegalStateException("random weights: the loader did not settle after " + MAX_ATTEMPTS + " attempts");
    }

    private static int[] parseShape(String list) {
        if (list.isBlank()) return new int[0];
        String[] parts = list.split(",\\s*");
        int[] shape = new int[parts.length];
        for (int i = 0; i < parts.length; i++) shape[i] = Integer.parseInt(parts[i].trim());
        return shape;
    }

    /**
     * One tensor: norm scales (1-D {@code weight}) and GDN {@code beta} are 1, biases 0, GDN {@code gamma} 0.1 on
     * the diagonal; everything else uniform with variance 1/fan-in (fan-in = elements / first dimension).
     */
    static Tensor random(String key, int[] shape, long seed) {
        Tensor t = Tensor.zeros(shape);
        MemorySegment seg = t.storage();
        long n = t.numel();
        String leaf = key.substring(key.lastIndexOf('.') + 1);
        if (leaf.equals("beta") || (shape.length == 1 && leaf.equals("weight"))) {
            for (long i = 0; i < n; i++) seg.setAtIndex(Tensor.F32_LE, i, 1f);
        } else if (leaf.equals("gamma") && shape.length == 2 && shape[0] == shape[1]) {
            for (int i = 0; i < shape[0]; i++) seg.setAtIndex(Tensor.F32_LE, (long) i * shape[0] + i, 0.1f);
        } else if (leaf.equals("bias") || shape.length == 1 && n <= 1) {
            // zeros
        } else {
            long fanIn = Math.max(1, n / Math.max(1, shape[0]));
            float amp = (float) Math.sqrt(3.0 / fanIn); // uniform(-a, a) has variance a^2/3
            long x = seed | 1;
            for (long i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                float u = (x >>> 40) * 0x1.0p-24f; // [0, 1)
                seg.setAtIndex(Tensor.F32_LE, i, (2 * u - 1) * amp);
            }
        }
        return t;
    }
}
