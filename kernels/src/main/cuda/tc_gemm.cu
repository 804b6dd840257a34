// Tensor-core batched GEMM with F16/BF16 operands and F32 accumulation (machinery in tc_gemm.cuh):
//   C[z] (M x N) = epilogue(A[z] (M x K, row-major) op(B[z]))
// op(B) = B^T for B stored N x K ("nk": linear weights (out, in), attention keys) or B for B stored K x N ("kn":
// attention values). Epilogue: alpha, bias[n] (per output column, as a linear layer's), an activation, a residual
// with C's layout, a final scale. The "_f32out" form stores F32 (attention scores: scaled scores never round to F16,
// so they cannot overflow). Grid (ceil(M / 128), ceil(N / 64), batch), 128 threads, TC_SMEM_BYTES dynamic shared.
// Two-level batch: z = zo * zin + zi addresses operand X at zo * sX2 + zi * sX (e.g. batch items and heads of an
// attention in one launch); zin = batch and sX2 = 0 is the plain strided batch. C must be 4-byte aligned (8 for F32).
#include "tc_gemm.cuh"

template <class T, class TO, bool B_KN>
__device__ __forceinline__ void tc_gemm_body(const T* a, const T* b, const T* bias, const TO* res, TO* c, int M, int N,
                                             int K, int lda, int ldb, int ldc, long long sa, long long sb,
                                             long long sc, int zin, long long sa2, long long sb2, long long sc2,
                                             TcEpilogue ep) {
    SODEC_DYNAMIC_SHARED(T, smem);
    const int m0 = blockIdx.x * TC_BM, n0 = blockIdx.y * TC_BN;
    const long long zo = blockIdx.z / zin, zi = blockIdx.z - zo * zin;
    a += zo * sa2 + zi * sa;
    b += zo * sb2 + zi * sb;
    const long long coff = zo * sc2 + zi * sc;
    c += coff;
    if (res != nullptr) res += coff;
    TcDenseLoader<T, B_KN> ld(a, b, M, N, K, lda, ldb, m0, n0);
    float acc[4][4][4];
    tc_mainloop<T, B_KN>(ld, (K + TC_BK - 1) / TC_BK, smem, acc);

    // Each thread holds column pairs (n, n + 1), n even: one aligned pair store when both exist and ldc is even.
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
    const int wm = warp & 1, wn = warp >> 1;
    const bool pairs = (ldc & 1) == 0;
#pragma unroll
    for (int mi = 0; mi < 4; mi++) {
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int m = m0 + wm * 64 + mi * 16 + g + 8 * h;
            if (m >= M) continue;
            const long long row = (long long) m * ldc;
#pragma unroll
            for (int ni = 0; ni < 4; ni++) {
                const int n = n0 + wn * 32 + ni * 8 + 2 * t;
                if (n >= N) continue;
                const float v0 = ep.apply(acc[mi][ni][2 * h], bias, n, res, row + n);
                if (n + 1 < N) {
                    const float v1 = ep.apply(acc[mi][ni][2 * h + 1], bias, n + 1, res, row + n + 1);
                    if (pairs) {
                        store_pair(c + row + n, v0, v1);
                    } else {
                        store_f32(c + row + n, v0);
                        store_f32(c + row + n + 1, v1);
                    }
                } else {
                    store_f32(c + row + n, v0);
                }
            }
        }
    }
}

#define SODEC_TC_GEMM(name, T, TO, KN)                                                                           \
    extern "C" __global__ void __launch_bounds__(TC_THREADS) name(                                               \
            const T* a, const T* b, const T* bias, const TO* res, TO* c, int m, int n, int k, int lda, int ldb,   \
            int ldc, long long sa, long long sb, long long sc, int zin, long long sa2, long long sb2,             \
            long long sc2, float alpha, int act, float actParam, float outScale) {                               \
        tc_gemm_body<T, TO, KN>(a, b, bias, res, c, m, n, k, lda, ldb, ldc, sa, sb, sc, zin, sa2, sb2, sc2,     \
                                TcEpilogue{alpha, act, actParam, outScale});                                     \
    }                                                                                                            \
    SODEC_EXPORT(name)

SODEC_TC_GEMM(tc_gemm_nk_f16, __half, __half, false)
SODEC_TC_GEMM(tc_gemm_nk_bf16, __nv_bfloat16, __nv_bfloat16, false)
SODEC_TC_GEMM(tc_gemm_kn_f16, __half, __half, true)
SODEC_TC_GEMM(tc_gemm_kn_bf16, __nv_bfloat16, __nv_bfloat16, true)
SODEC_TC_GEMM(tc_gemm_nk_f16_f32out, __half, float, false)
SODEC_TC_GEMM(tc_gemm_nk_bf16_f32out, __nv_bfloat16, float, false)
