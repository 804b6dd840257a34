package dev.sodec.engine.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ActivationPlannerTest {
    static final int N = 4096;
    static final long BYTES = N * 4L;

    /** x -> a chain of 6 ops with one long-lived value (a) that the last op reads again. */
    static Tensor chain(Backend b, Tensor x) {
        Tensor a = b.scale(x, 2f, 1f);
        Tensor t = b.silu(a);
        for (int i = 0; i < 4; i++) t = b.scale(t, 0.5f, 0.25f);
        return b.add(t, a);
    }

    static Tensor input() {
        float[] v = new float[N];
        for (int i = 0; i < N; i++) v[i] = (i % 17) * 0.3f - 2f;
        return Tensor.fromFloats(v, N);
    }

    @Test
    void replaysAreExactAndReuseMemoryByLifetime() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor x = input();
            float[] ref = chain(cpu, x).toFloatArray();
            ActivationPlanner p = new ActivationPlanner();
            String key = ActivationPlanner.key(x);
            Tensor first = p.run(cpu, key, b -> chain(b, x));
            Tensor second = p.run(cpu, key, b -> chain(b, x));
            Tensor third = p.run(cpu, key, b -> chain(b, x));
            assertArrayEquals(ref, first.toFloatArray());
            assertArrayEquals(ref, second.toFloatArray());
            assertArrayEquals(ref, third.toFloatArray());
            // results are copied out of the arena: the third run did not overwrite the second's result
            assertNotEquals(second.storage().address(), third.storage().address());
            assertEquals(7, p.bufferCount(key));
            assertEquals(7 * BYTES, p.unplannedBytes(key));
            // at most a (alive to the end), the chain's two latest values and the result are live at once
            assertTrue(p.arenaBytes(key) <= 4 * BYTES, "arena " + p.arenaBytes(key));
        }
    }

    @Test
    void aForwardThatChangesItsAllocationsIsRefused() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor x = input();
            ActivationPlanner p = new ActivationPlanner();
            p.run(cpu, "k", b -> chain(b, x));
            Function<Backend, Tensor> other = b -> b.scale(b.concat(0, x, x), 1f, 0f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.run(cpu, "k", other));
            assertTrue(e.getMessage().contains("plan mismatch"), e.getMessage());
            Function<Backend, Tensor> shorter = b -> b.scale(x, 2f, 1f);
            e = assertThrows(IllegalStateException.class, () -> p.run(cpu, "k", shorter));
            assertTrue(e.getMessage().contains("plan mismatch"), e.getMessage());
        }
    }

    @Test
    void nothingIsPlannedOutsideARun() {
        assertTrue(!ActivationAllocator.CURRENT.isBound());
        assertEquals(null, ActivationAllocator.allocateIfPlanned(16));
    }
}
