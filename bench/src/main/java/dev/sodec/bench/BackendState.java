package dev.sodec.bench;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Shared set-up of the op benchmarks that go through the Backend SPI: the backend by name (JMH param
 * {@code backend}, e.g. {@code cpu}; a GPU backend is measured the same way where one is built and a device is
 * present) and seeded random inputs.
 */
final class BackendState {
    private BackendState() {}

    static Backend open(String name, int threads) {
        return Backends.create(name, threads);
    }

    static Tensor random(long seed, int... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() - 0.5);
        return Tensor.fromFloats(v, shape);
    }
}
