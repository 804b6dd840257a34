package dev.sodec.codec.api;

import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Batch-dimension helpers for batched network calls. */
final class Batches {
    private Batches() {}

    /** Tensors of one shape (1, ...) stacked along dimension 0 into (N, ...); one tensor is returned as it is. */
    static Tensor stack(Tensor... items) {
        if (items.length == 1) return items[0];
        int[] one = items[0].shape();
        if (one.length == 0 || one[0] != 1) throw new IllegalArgumentException("stack takes (1, ...) tensors, got " + Arrays.toString(one));
        int[] shape = one.clone();
        shape[0] = items.length;
        Tensor out = Tensor.zeros(Arena.ofAuto(), items[0].dtype(), shape);
        long each = items[0].byteSize();
        for (int i = 0; i < items.length; i++) {
            if (!Arrays.equals(items[i].shape(), one) || items[i].dtype() != items[0].dtype()) {
                throw new IllegalArgumentException("stack takes tensors of one shape and type: " + items[0] + " and " + items[i]);
            }
            Tensor src = items[i].contiguous();
            MemorySegment.copy(src.data(), 0, out.data(), i * each, each);
        }
        return out;
    }
}
