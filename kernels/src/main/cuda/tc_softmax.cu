// Row softmax from F32 scores to F16/BF16 probabilities, the middle step of the tensor-core attention for wide
// heads (head dim > 160: the VAE mid-block's and OneDC's single 512-wide head): scores = scale Q K^T come from
// tc_gemm_nk_*_f32out (F32, so large logits never overflow a 16-bit type), probabilities in [0, 1] go to
// tc_gemm_kn_* as the A operand of P V. Max, sum and normalisation in F32; one block of 256 threads per row,
// fixed-order reductions (deterministic). p has ldp >= cols elements per row; columns cols .. ldp - 1 are written
// as 0 so the next GEMM's 16-byte chunks read defined padding. Grid (rows).
#include "sodec_cuda.h"

#define TCS_THREADS 256

template <class T>
__device__ __forceinline__ void tc_softmax_body(const float* __restrict__ s, T* __restrict__ p, int cols, int lds,
                                                int ldp) {
    __shared__ float scratch[32];
    const long long row = blockIdx.x;
    const float* sr = s + row * lds;
    T* pr = p + row * ldp;
    float mx = -INFINITY;
    for (int c = threadIdx.x; c < cols; c += TCS_THREADS) mx = fmaxf(mx, sr[c]);
    mx = block_max(mx, scratch);
    float sum = 0.f;
    for (int c = threadIdx.x; c < cols; c += TCS_THREADS) sum += expf(sr[c] - mx);
    sum = block_sum(sum, scratch);
    const float inv = 1.f / sum;
    for (int c = threadIdx.x; c < ldp; c += TCS_THREADS) store_f32(pr + c, c < cols ? expf(sr[c] - mx) * inv : 0.f);
}

#define SODEC_TC_SOFTMAX(sfx, T)                                                                                  \
    extern "C" __global__ void __launch_bounds__(TCS_THREADS) tc_softmax_f32_##sfx(const float* s, T* p,           \
                                                                                  int cols, int lds, int ldp) {  \
        tc_softmax_body<T>(s, p, cols, lds, ldp);                                                                 \
    }                                                                                                             \
    SODEC_EXPORT(tc_softmax_f32_##sfx)

SODEC_TC_SOFTMAX(f16, __half)
SODEC_TC_SOFTMAX(bf16, __nv_bfloat16)
