package dev.sodec.engine.cuda;

import dev.sodec.engine.tensor.Tensor;

/**
 * A convolution weight in the form its tensor-core kernel reads: a conv2d weight packs the same way for any geometry;
 * a transposed convolution's packing (one block per output phase) depends on its strides. The key of the backend's
 * store of packed weights (the tensor compares by identity).
 */
record PackedWeight(Tensor weight, boolean transposed, int strideH, int strideW) {
    static PackedWeight conv2d(Tensor w) {
        return new PackedWeight(w, false, 1, 1);
    }

    static PackedWeight convTranspose2d(Tensor w, int strideH, int strideW) {
        return new PackedWeight(w, true, strideH, strideW);
    }
}
