// Portability header for every kernel source: under nvcc it is the real CUDA, under g++ the host emulator
// (kernels/emu/sodec_emu.h). Kernels include only this header and use only what it provides, so the same .cu file is
// both the GPU code and the code the JUnit tests run.
//
// Conventions for kernel sources:
// - every launchable kernel is `extern "C" __global__` (the name Java launches, unmangled in the fatbin) and is
//   followed by SODEC_EXPORT(name) so the emulator registry knows it;
// - storage types are float, __half and __nv_bfloat16; arithmetic is float (load_f32 / store_f32);
// - dynamic shared memory is declared with SODEC_DYNAMIC_SHARED(type, name);
// - reductions run in a fixed order (xor butterflies, fixed block partitions): results never depend on timing.
#pragma once

#ifdef __CUDACC__
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cstdint>
#define SODEC_EXPORT(fn)
// One namespace-scope declaration: declaring it inside each kernel (templates included) makes nvcc warn about
// conflicting linkage between the declarations.
extern __shared__ __align__(16) unsigned char sodec_dynamic_smem_[];
#define SODEC_DYNAMIC_SHARED(type, name) type* name = reinterpret_cast<type*>(sodec_dynamic_smem_)
#else
#include "sodec_emu.h"
#define SODEC_DYNAMIC_SHARED(type, name) type* name = reinterpret_cast<type*>(::sodec_emu::dynamic_smem())
#endif

#define SODEC_FULL_MASK 0xffffffffu

__device__ __forceinline__ float load_f32(const float* p) { return *p; }
__device__ __forceinline__ float load_f32(const __half* p) { return __half2float(*p); }
__device__ __forceinline__ float load_f32(const __nv_bfloat16* p) { return __bfloat162float(*p); }

__device__ __forceinline__ void store_f32(float* p, float v) { *p = v; }
__device__ __forceinline__ void store_f32(__half* p, float v) { *p = __float2half(v); }
__device__ __forceinline__ void store_f32(__nv_bfloat16* p, float v) { *p = __float2bfloat16(v); }

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(SODEC_FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(SODEC_FULL_MASK, v, o));
    return v;
}

/**
 * Sum over the whole block, returned to every thread. blockDim.x must be a multiple of 32 (1-D blocks);
 * scratch holds 32 floats of shared memory. Begins with a barrier so scratch may be reused call after call.
 */
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float t = lane < nwarps ? scratch[lane] : 0.f;
    return warp_sum(t);
}

/** Max over the whole block, returned to every thread; same contract as block_sum. */
__device__ __forceinline__ float block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float t = lane < nwarps ? scratch[lane] : -INFINITY;
    return warp_max(t);
}

/** Chan et al.'s merge of two (count, mean, M2) partial statistics; exact in any fixed merge order. */
__device__ __forceinline__ void welford_merge(float& n, float& mean, float& m2, float nb, float meanb, float m2b) {
    float nn = n + nb;
    if (nn == 0.f) return;
    float d = meanb - mean;
    // Fast division: IEEE division is a subroutine call on the GPU that made ptxas spill around the merge loop.
    float wb = __fdividef(nb, nn);
    mean += d * wb;
    m2 += m2b + d * d * n * wb;
    n = nn;
}

/** Welford statistics over the block: each thread passes its partial (count, mean, M2); all get the total. */
__device__ __forceinline__ void block_welford(float& n, float& mean, float& m2, float* scratch /* 96 floats */) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        float nb = __shfl_xor_sync(SODEC_FULL_MASK, n, o);
        float mb = __shfl_xor_sync(SODEC_FULL_MASK, mean, o);
        float qb = __shfl_xor_sync(SODEC_FULL_MASK, m2, o);
        // Merge in lane order so both partners compute the identical result.
        if (lane & o) {
            float n0 = nb, mean0 = mb, m20 = qb;
            welford_merge(n0, mean0, m20, n, mean, m2);
            n = n0; mean = mean0; m2 = m20;
        } else {
            welford_merge(n, mean, m2, nb, mb, qb);
        }
    }
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = n;
        scratch[32 + warp] = mean;
        scratch[64 + warp] = m2;
    }
    __syncthreads();
    // Every thread merges the per-warp partials in the same order: identical results, no broadcast needed.
    n = 0.f; mean = 0.f; m2 = 0.f;
    for (int w = 0; w < nwarps; w++) welford_merge(n, mean, m2, scratch[w], scratch[32 + w], scratch[64 + w]);
}

// __fdividef (2 ulp) instead of IEEE division, whose out-of-line slow path made ptxas spill in fused kernels;
// for x < -88 the denominator is inf and the result -0, the correct limit.
__device__ __forceinline__ float silu_f(float x) { return __fdividef(x, 1.f + expf(-x)); }
__device__ __forceinline__ float gelu_erf_f(float x) { return 0.5f * x * (1.f + erff(x * 0.70710678118654752f)); }
__device__ __forceinline__ float gelu_tanh_f(float x) {
    return 0.5f * x * (1.f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
}

/** Expands MACRO(suffix, type) once per storage type, for extern "C" wrappers of templated kernel bodies. */
#define SODEC_FOR_EACH_DTYPE(MACRO) MACRO(f32, float) MACRO(f16, __half) MACRO(bf16, __nv_bfloat16)
