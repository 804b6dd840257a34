// GDN / inverse GDN (CompressAI) fused per pixel: norm[i] = beta[i] + sum_j gamma[i][j] * x[j]^2, then
// y[i] = x[i] / sqrt(norm[i]) (GDN) or x[i] * sqrt(norm[i]) (IGDN). beta and gamma are the effective
// (reparametrised) values.
//
// Block (TP pixels, CY channel rows); grid (ceil(HW / TP), N). The block squares the TP pixels' C channel values
// once into shared memory (C * TP floats, dynamic), then each thread produces channels i = threadIdx.y, +CY, ...
// for its pixel. A warp's 32 lanes are 32 pixels of one channel, so every gamma load is a broadcast and every
// shared-memory read is conflict-free. The j sum runs in ascending order, as the CPU reference does.
#include "sodec_cuda.h"

template <class T>
__device__ __forceinline__ void gdn_body(const T* __restrict__ x, T* __restrict__ y, const T* __restrict__ beta,
                                         const T* __restrict__ gamma, int channels, long long hw, int inverse) {
    SODEC_DYNAMIC_SHARED(float, xsq);  // [channels][TP]
    const int tp = blockDim.x, px = threadIdx.x;
    const long long p = (long long) blockIdx.x * tp + px;
    const bool valid = p < hw;
    const long long base = (long long) blockIdx.y * channels * hw;
    for (int j = threadIdx.y; j < channels; j += blockDim.y) {
        float v = valid ? load_f32(x + base + (long long) j * hw + p) : 0.f;
        xsq[j * tp + px] = v * v;
    }
    __syncthreads();
    if (!valid) return;
    for (int i = threadIdx.y; i < channels; i += blockDim.y) {
        float norm = load_f32(beta + i);
        const T* gi = gamma + (long long) i * channels;
        for (int j = 0; j < channels; j++) norm += load_f32(gi + j) * xsq[j * tp + px];
        float xv = load_f32(x + base + (long long) i * hw + p);
        store_f32(y + base + (long long) i * hw + p, inverse ? xv * sqrtf(norm) : xv / sqrtf(norm));
    }
}

#define SODEC_GDN(sfx, T)                                                                                         \
    extern "C" __global__ void __launch_bounds__(256) gdn_##sfx(const T* x, T* y, const T* beta, const T* gamma, \
                                                                 int channels, long long hw, int inverse) {       \
        gdn_body<T>(x, y, beta, gamma, channels, hw, inverse);                                                    \
    }                                                                                                             \
    SODEC_EXPORT(gdn_##sfx)

SODEC_FOR_EACH_DTYPE(SODEC_GDN)
