// GroupNorm(+SiLU) apply with the layout change to NHWC fused in: the norm that precedes most convolutions of the
// UNet and VAE writes the tensor-core convolution's input layout directly, instead of an NCHW tensor that a
// separate transpose rewrites (one read and one write of the activation saved per convolution).
//
// Pass 1 is group_norm_stats_* (norm.cu): Welford partials per (batch, group, chunk). This pass merges, per channel
// of its tile, the group's partials in chunk order exactly as group_norm_apply_* does, normalises
// y = (x - mean) * rstd * gamma[c] + beta[c] (then SiLU), and transposes through a 32 x 33 float tile: reads are
// coalesced along pixels (NCHW), writes along channels (NHWC). Block (32, 8); grid (ceil(hw / 32), ceil(C / 32),
// batch). Statistics in F32.
#include "sodec_cuda.h"

template <class T>
__device__ __forceinline__ void tc_group_norm_nhwc_body(const T* __restrict__ x, T* __restrict__ y,
                                                        const float* __restrict__ partial, int chunks, const T* gamma,
                                                        const T* beta, int channels, int groups, int hw, float eps,
                                                        int silu) {
    __shared__ float tile[32][33];
    __shared__ float smean[32], srstd[32];
    const int p0 = blockIdx.x * 32, c0 = blockIdx.y * 32, b = blockIdx.z;
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int cpg = channels / groups;
    if (ty == 0 && c0 + tx < channels) {
        const int ng = b * groups + (c0 + tx) / cpg;
        const float* p = partial + (long long) ng * chunks * 3;
        float n = 0.f, mean = 0.f, m2 = 0.f;
        for (int c = 0; c < chunks; c++) welford_merge(n, mean, m2, p[3 * c], p[3 * c + 1], p[3 * c + 2]);
        smean[tx] = mean;
        srstd[tx] = rsqrtf(m2 / n + eps);
    }
    __syncthreads();
    const long long plane = (long long) hw;
    for (int j = ty; j < 32; j += 8) {
        const int c = c0 + j, p = p0 + tx;
        if (c < channels && p < hw) {
            float v = (load_f32(x + ((long long) b * channels + c) * plane + p) - smean[j]) * srstd[j];
            if (gamma != nullptr) v *= load_f32(gamma + c);
            if (beta != nullptr) v += load_f32(beta + c);
            if (silu) v = silu_f(v);
            tile[j][tx] = v;
        }
    }
    __syncthreads();
    for (int j = ty; j < 32; j += 8) {
        const int p = p0 + j, c = c0 + tx;
        if (c < channels && p < hw) store_f32(y + ((long long) b * plane + p) * channels + c, tile[tx][j]);
    }
}

#define SODEC_TC_GN_NHWC(sfx, T)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256) tc_group_norm_nhwc_##sfx(                                   \
            const T* x, T* y, const float* partial, int chunks, const T* gamma, const T* beta, int channels,      \
            int groups, int hw, float eps, int silu) {                                                            \
        tc_group_norm_nhwc_body<T>(x, y, partial, chunks, gamma, beta, channels, groups, hw, eps, silu);          \
    }                                                                                                             \
    SODEC_EXPORT(tc_group_norm_nhwc_##sfx)

SODEC_TC_GN_NHWC(f16, __half)
SODEC_TC_GN_NHWC(bf16, __nv_bfloat16)
