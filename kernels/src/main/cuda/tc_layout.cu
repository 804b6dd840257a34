// Layout kernels of the tensor-core path.
//
// GroupNorm(+SiLU) apply with the layout change to NHWC fused in: the norm that precedes most convolutions of the
// UNet and VAE writes the tensor-core convolution's input layout directly, instead of an NCHW tensor that a
// separate transpose rewrites (one read and one write of the activation saved per convolution).
//
// Pass 1 is group_norm_stats_* (norm.cu): Welford partials per (batch, group, chunk). This pass merges, per channel
// of its tile, the group's partials in chunk order exactly as group_norm_apply_* does, normalises
// y = (x - mean) * rstd * gamma[c] + beta[c] (then SiLU), and transposes through a 32 x 33 float tile: reads are
// coalesced along pixels (NCHW), writes along channels (NHWC). Block (32, 8); grid (ceil(hw / 32), ceil(C / 32),
// batch). Statistics in F32.
//
// Window partition / merge (OneDC's VAE runs its mid-block attention block on non-overlapping 16 x 16 latent
// windows, GroupNorm per window): partition copies a region of windows of x (B, C, H, W) into a batch
// (B * nwy * nwx, C, wh, ww) of NCHW windows (row-major over windows), merge writes such a batch back. A region is
// nwy x nwx windows of wh x ww pixels starting at (y0, x0); full windows are one region, partial edge windows (the
// right column, the bottom row, the corner) are up to three more, each a uniform batch for the attention kernels.
#include "sodec_cuda.h"

template <class T, bool MERGE>
__device__ __forceinline__ void tc_window_body(const T* __restrict__ src, T* __restrict__ dst, int channels, int h,
                                               int w, int y0, int x0, int wh, int ww, int nwy, int nwx, long long n) {
    for (long long e = blockIdx.x * (long long) blockDim.x + threadIdx.x; e < n; e += (long long) gridDim.x * blockDim.x) {
        long long r = e;
        const int ix = (int) (r % ww);
        r /= ww;
        const int iy = (int) (r % wh);
        r /= wh;
        const int c = (int) (r % channels);
        r /= channels;
        const int wx = (int) (r % nwx);
        r /= nwx;
        const int wy = (int) (r % nwy);
        const long long b = r / nwy;
        const long long img = ((b * channels + c) * h + y0 + wy * wh + iy) * w + x0 + wx * ww + ix;
        if (MERGE) dst[img] = src[e];
        else dst[e] = src[img];
    }
}

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

#define SODEC_TC_WINDOW(sfx, T)                                                                                   \
    extern "C" __global__ void tc_window_partition_##sfx(const T* x, T* y, int channels, int h, int w, int y0,    \
                                                         int x0, int wh, int ww, int nwy, int nwx, long long n) { \
        tc_window_body<T, false>(x, y, channels, h, w, y0, x0, wh, ww, nwy, nwx, n);                               \
    }                                                                                                             \
    SODEC_EXPORT(tc_window_partition_##sfx)                                                                       \
    extern "C" __global__ void tc_window_merge_##sfx(const T* y, T* x, int channels, int h, int w, int y0,        \
                                                     int x0, int wh, int ww, int nwy, int nwx, long long n) {     \
        tc_window_body<T, true>(y, x, channels, h, w, y0, x0, wh, ww, nwy, nwx, n);                                \
    }                                                                                                             \
    SODEC_EXPORT(tc_window_merge_##sfx)

SODEC_TC_WINDOW(f16, __half)
SODEC_TC_WINDOW(bf16, __nv_bfloat16)
