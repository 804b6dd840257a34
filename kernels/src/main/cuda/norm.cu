// LayerNorm over the last axis and GroupNorm(+SiLU) over NCHW groups. Statistics are Welford (count, mean, M2)
// partials merged in a fixed order, so results are deterministic and stable for large means.
#include "sodec_cuda.h"

// x, y (rows, cols); gamma/beta (cols) or null for no affine. One block per row; blockDim.x a multiple of 32.
template <class T>
__device__ __forceinline__ void layer_norm_body(const T* __restrict__ x, T* __restrict__ y, const T* gamma,
                                                const T* beta, int rows, int cols, float eps) {
    __shared__ float scratch[96];
    const long long row = blockIdx.x;
    if (row >= rows) return;  // uniform per block: no barrier is skipped by part of a block
    const T* xr = x + row * cols;
    T* yr = y + row * cols;
    float n = 0.f, mean = 0.f, m2 = 0.f;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        float v = load_f32(xr + i);
        n += 1.f;
        float d = v - mean;
        mean += d / n;
        m2 += d * (v - mean);
    }
    block_welford(n, mean, m2, scratch);
    float rstd = rsqrtf(m2 / n + eps);
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        float v = (load_f32(xr + i) - mean) * rstd;
        if (gamma != nullptr) v *= load_f32(gamma + i);
        if (beta != nullptr) v += load_f32(beta + i);
        store_f32(yr + i, v);
    }
}

// GroupNorm, pass 1. Group ng = (batch, group) covers the contiguous range [ng * groupLen, (ng + 1) * groupLen) of
// NCHW data (channels of a group are adjacent). Block (chunk, ng) reduces [chunk * chunkLen, ...) of that range into
// partial[(ng * chunks + chunk) * 3 + {0, 1, 2}] = (count, mean, M2). Several blocks per group keep a GPU busy
// when there are few groups and many pixels; pass 2 merges the partials in chunk order.
template <class T>
__device__ __forceinline__ void group_norm_stats_body(const T* __restrict__ x, float* __restrict__ partial,
                                                      long long groupLen, long long chunkLen) {
    __shared__ float scratch[96];
    const int chunk = blockIdx.x, chunks = gridDim.x, ng = blockIdx.y;
    const long long begin = (long long) chunk * chunkLen;
    long long end = begin + chunkLen;
    if (end > groupLen) end = groupLen;
    const T* xg = x + (long long) ng * groupLen;
    float n = 0.f, mean = 0.f, m2 = 0.f;
    for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
        float v = load_f32(xg + i);
        n += 1.f;
        float d = v - mean;
        mean += d / n;
        m2 += d * (v - mean);
    }
    block_welford(n, mean, m2, scratch);
    if (threadIdx.x == 0) {
        float* p = partial + ((long long) ng * chunks + chunk) * 3;
        p[0] = n;
        p[1] = mean;
        p[2] = m2;
    }
}

// GroupNorm, pass 2: block (chunk, ng) merges the group's partials (every block the same way, in chunk order),
// then normalises its chunk: y = (x - mean) * rstd * gamma[c] + beta[c], then SiLU when silu != 0.
template <class T>
__device__ __forceinline__ void group_norm_apply_body(const T* __restrict__ x, T* __restrict__ y,
                                                      const float* __restrict__ partial, const T* gamma,
                                                      const T* beta, int channels, int groups, long long hw,
                                                      long long chunkLen, float eps, int silu) {
    const int chunk = blockIdx.x, chunks = gridDim.x, ng = blockIdx.y;
    const int cpg = channels / groups, g = ng % groups;
    const long long groupLen = (long long) cpg * hw;
    float n = 0.f, mean = 0.f, m2 = 0.f;
    const float* p = partial + (long long) ng * chunks * 3;
    for (int c = 0; c < chunks; c++) welford_merge(n, mean, m2, p[3 * c], p[3 * c + 1], p[3 * c + 2]);
    const float rstd = rsqrtf(m2 / n + eps);
    const long long begin = (long long) chunk * chunkLen;
    long long end = begin + chunkLen;
    if (end > groupLen) end = groupLen;
    const long long base = (long long) ng * groupLen;
    for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
        const int ch = g * cpg + (int) (i / hw);
        float v = (load_f32(x + base + i) - mean) * rstd;
        if (gamma != nullptr) v *= load_f32(gamma + ch);
        if (beta != nullptr) v += load_f32(beta + ch);
        if (silu) v = silu_f(v);
        store_f32(y + base + i, v);
    }
}

#define SODEC_NORM(sfx, T)                                                                                        \
    extern "C" __global__ void __launch_bounds__(256) layer_norm_##sfx(const T* x, T* y, const T* gamma,         \
                                                                        const T* beta, int rows, int cols,        \
                                                                        float eps) {                              \
        layer_norm_body<T>(x, y, gamma, beta, rows, cols, eps);                                                   \
    }                                                                                                             \
    SODEC_EXPORT(layer_norm_##sfx)                                                                                \
    extern "C" __global__ void __launch_bounds__(256) group_norm_stats_##sfx(const T* x, float* partial,         \
                                                                              long long groupLen,                 \
                                                                              long long chunkLen) {               \
        group_norm_stats_body<T>(x, partial, groupLen, chunkLen);                                                 \
    }                                                                                                             \
    SODEC_EXPORT(group_norm_stats_##sfx)                                                                          \
    extern "C" __global__ void __launch_bounds__(256) group_norm_apply_##sfx(                                    \
            const T* x, T* y, const float* partial, const T* gamma, const T* beta, int channels, int groups,      \
            long long hw, long long chunkLen, float eps, int silu) {                                              \
        group_norm_apply_body<T>(x, y, partial, gamma, beta, channels, groups, hw, chunkLen, eps, silu);          \
    }                                                                                                             \
    SODEC_EXPORT(group_norm_apply_##sfx)

SODEC_FOR_EACH_DTYPE(SODEC_NORM)
