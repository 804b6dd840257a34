// Batched GEMM on CUDA cores, our fallback where no cuBLAS can be loaded (and the reference the cuBLAS path can be
// checked against): C[b] = alpha * op(A[b]) op(B[b]) + beta * C[b] + bias[n], row-major with leading dimensions
// (elements between rows) lda / ldb / ldc, op = optional transpose (transA: A stored K x M; transB: B stored N x K,
// as linear-layer weights (out, in) are). Batch strides in elements; 0 broadcasts one operand over the batch.
//
// Same tiling as conv2d.cu: 64 x 64 tiles of C, K in steps of 16 through shared memory, 256 threads with 4 x 4
// register tiles at rows ty + 16 i and columns tx + 16 j; each C element is one thread's ascending-K sum
// (deterministic). Grid (ceil(N / 64), ceil(M / 64), batch). Tile loads walk the contiguous axis of each operand.
#include "sodec_cuda.h"

#define GEMM_BM 64
#define GEMM_BN 64
#define GEMM_BK 16
#define GEMM_THREADS 256

template <class T>
__device__ __forceinline__ void gemm_body(const T* __restrict__ a, const T* __restrict__ b, T* c, const T* bias,
                                          int m, int n, int k, int transA, int transB, int lda, int ldb, int ldc,
                                          long long strideA, long long strideB, long long strideC, float alpha,
                                          float beta) {
    __shared__ float As[GEMM_BK][GEMM_BM];
    __shared__ float Bs[GEMM_BK][GEMM_BN];
    const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    const int n0 = blockIdx.x * GEMM_BN, m0 = blockIdx.y * GEMM_BM;
    const T* ab = a + blockIdx.z * strideA;
    const T* bb = b + blockIdx.z * strideB;
    T* cb = c + blockIdx.z * strideC;

    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = 0.f;
    }

    for (int k0 = 0; k0 < k; k0 += GEMM_BK) {
#pragma unroll
        for (int r = 0; r < (GEMM_BM * GEMM_BK) / GEMM_THREADS; r++) {
            const int e = tid + r * GEMM_THREADS;
            // A(mm, kk): along k when A is M x K, along m when stored transposed.
            const int kk = transA ? e / GEMM_BM : e % GEMM_BK;
            const int mm = transA ? e % GEMM_BM : e / GEMM_BK;
            const int row = m0 + mm, col = k0 + kk;
            float v = 0.f;
            if (row < m && col < k) v = load_f32(ab + (transA ? (long long) col * lda + row : (long long) row * lda + col));
            As[kk][mm] = v;
        }
#pragma unroll
        for (int r = 0; r < (GEMM_BN * GEMM_BK) / GEMM_THREADS; r++) {
            const int e = tid + r * GEMM_THREADS;
            // B(kk, nn): along n when B is K x N, along k when stored transposed (N x K).
            const int kk = transB ? e % GEMM_BK : e / GEMM_BN;
            const int nn = transB ? e / GEMM_BK : e % GEMM_BN;
            const int row = k0 + kk, col = n0 + nn;
            float v = 0.f;
            if (row < k && col < n) v = load_f32(bb + (transB ? (long long) col * ldb + row : (long long) row * ldb + col));
            Bs[kk][nn] = v;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < GEMM_BK; kk++) {
            float av[4], bv[4];
#pragma unroll
            for (int i = 0; i < 4; i++) av[i] = As[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) bv[j] = Bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++) {
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] += av[i] * bv[j];
            }
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int row = m0 + ty + 16 * i;
        if (row >= m) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const int col = n0 + tx + 16 * j;
            if (col >= n) continue;
            T* out = cb + (long long) row * ldc + col;
            float v = alpha * acc[i][j];
            if (beta != 0.f) v += beta * load_f32(out);
            if (bias != nullptr) v += load_f32(bias + col);
            store_f32(out, v);
        }
    }
}

#define SODEC_GEMM(sfx, T)                                                                                        \
    extern "C" __global__ void __launch_bounds__(GEMM_THREADS) gemm_##sfx(                                        \
            const T* a, const T* b, T* c, const T* bias, int m, int n, int k, int transA, int transB, int lda,     \
            int ldb, int ldc, long long strideA, long long strideB, long long strideC, float alpha, float beta) { \
        gemm_body<T>(a, b, c, bias, m, n, k, transA, transB, lda, ldb, ldc, strideA, strideB, strideC, alpha,     \
                     beta);                                                                                       \
    }                                                                                                             \
    SODEC_EXPORT(gemm_##sfx)

SODEC_FOR_EACH_DTYPE(SODEC_GEMM)
