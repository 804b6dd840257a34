package dev.sodec.engine.cuda;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;

/**
 * GEMM through our own kernels, for devices without a usable cuBLAS (no libcublas.so.12, e.g. a CUDA 13 install):
 * a row-major C (m, n) = A (m, k) B (k, n) is exactly a 1x1 convolution whose weight is A (m output channels of k
 * inputs) over an image B of k channels, 1 x n pixels. Transposed operands are first made row-major with the
 * transpose kernel. Each batch entry is one conv2d launch (the conv kernel batches images, not weights).
 */
final class KernelGemm {
    private static final Conv2dParams ONE_BY_ONE = Conv2dParams.of(1, 0);

    private KernelGemm() {}

    static void gemm(Device device, CudaKernels kernels, DType t, int batch, int m, int n, int k, long a, long strideA,
                     boolean transA, long b, long strideB, boolean transB, long c) {
        if (batch < 1 || m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException("gemm sizes must be >= 1: batch " + batch + ", m " + m + ", n " + n + ", k " + k);
        }
        long matA = (long) m * k, matB = (long) k * n;
        checkStride("A", strideA, matA);
        checkStride("B", strideB, matB);
        long es = t.byteSize;
        long tmpA = 0, tmpB = 0;
        try {
            if (transA) {
                int count = strideA == 0 ? 1 : batch;
                tmpA = device.malloc(count * matA * es);
                kernels.transpose(t, a, tmpA, count, k, m);
                a = tmpA;
            }
            if (transB) {
                int count = strideB == 0 ? 1 : batch;
                tmpB = device.malloc(count * matB * es);
                kernels.transpose(t, b, tmpB, count, n, k);
                b = tmpB;
            }
            for (int i = 0; i < batch; i++) {
                long ai = a + (strideA == 0 ? 0 : i * matA * es);
                long bi = b + (strideB == 0 ? 0 : i * matB * es);
                long ci = c + i * (long) m * n * es;
                kernels.conv2d(t, bi, ai, 0, ci, 1, k, 1, n, m, 1, 1, ONE_BY_ONE);
            }
        } finally {
            // Temporaries are freed after the queued launches that read them are done.
            if (tmpA != 0 || tmpB != 0) device.synchronize();
            if (tmpA != 0) device.free(tmpA);
            if (tmpB != 0) device.free(tmpB);
        }
    }

    private static void checkStride(String which, long stride, long matrix) {
        if (stride != 0 && stride != matrix) {
            throw new IllegalArgumentException("gemm batch stride of " + which + " must be 0 or the matrix size " + matrix + ", got " + stride);
        }
    }
}
