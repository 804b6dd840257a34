// Tensor-core building blocks for the mma kernels (tc_*.cu): ldmatrix, mma.sync m16n8k16 with F32 accumulation,
// cp.async with its group waits, and 16-bit packing. Under nvcc each is one inline PTX instruction; under g++ the
// emulator runs the same instruction's exact semantics (kernels/emu/sodec_emu_tc.h), including cp.async poisoning
// its destination until the matching wait. Kernels use only these wrappers, never raw PTX.
//
// Conventions: T is __half or __nv_bfloat16 (the element type of both mma operands); fragments are uint32_t
// registers holding two 16-bit elements, the lower column in the low half. Shared-memory operands of ldmatrix and
// cp.async live in dynamic shared memory (the emulator checks it). Fragment layouts (PTX ISA, mma.m16n8k16):
//   A 16x16 (row): a[0] (g, 2t..2t+1), a[1] (g+8, 2t..), a[2] (g, 2t+8..), a[3] (g+8, 2t+8..)
//   B 16x8 (col):  b[0] (2t..2t+1, g), b[1] (2t+8.., g)
//   C/D 16x8 F32:  d[0] (g, 2t), d[1] (g, 2t+1), d[2] (g+8, 2t), d[3] (g+8, 2t+1)
// with g = lane / 4 and t = lane % 4.
#pragma once

#include "sodec_cuda.h"

#ifndef __CUDACC__
#include "sodec_emu_tc.h"
#endif

template <class T>
struct tc_is_bf16 {
    static constexpr bool value = false;
};
template <>
struct tc_is_bf16<__nv_bfloat16> {
    static constexpr bool value = true;
};

#ifdef __CUDACC__

__device__ __forceinline__ unsigned tc_smem(const void* p) { return static_cast<unsigned>(__cvta_generic_to_shared(p)); }

/** ldmatrix .x4: lane l addresses row l % 8 of matrix l / 8; r[i] gets matrix i's fragment (transposed with TRANS). */
template <bool TRANS>
__device__ __forceinline__ void ldsm_x4(uint32_t (&r)[4], const void* row) {
    if (TRANS) {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(tc_smem(row)));
    } else {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(tc_smem(row)));
    }
}

/** ldmatrix .x2: lanes 0-15 address the rows of two matrices. */
template <bool TRANS>
__device__ __forceinline__ void ldsm_x2(uint32_t (&r)[2], const void* row) {
    if (TRANS) {
        asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0, %1}, [%2];\n"
                     : "=r"(r[0]), "=r"(r[1]) : "r"(tc_smem(row)));
    } else {
        asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0, %1}, [%2];\n"
                     : "=r"(r[0]), "=r"(r[1]) : "r"(tc_smem(row)));
    }
}

/** ldmatrix .x1: lanes 0-7 address the rows of one matrix. */
template <bool TRANS>
__device__ __forceinline__ void ldsm_x1(uint32_t (&r)[1], const void* row) {
    if (TRANS) {
        asm volatile("ldmatrix.sync.aligned.m8n8.x1.trans.shared.b16 {%0}, [%1];\n" : "=r"(r[0]) : "r"(tc_smem(row)));
    } else {
        asm volatile("ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%0}, [%1];\n" : "=r"(r[0]) : "r"(tc_smem(row)));
    }
}

/** d += A B on the tensor cores (m16n8k16, F32 accumulation). */
template <class T>
__device__ __forceinline__ void mma_16816(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
    if (tc_is_bf16<T>::value) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
                     "{%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
    } else {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
                     "{%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
    }
}

/** cp.async.cg (L2 only) of 16 bytes, of which src_bytes (0..16) are read and the rest zero-filled. */
__device__ __forceinline__ void cp_async_cg16(void* smem, const void* gmem, int src_bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(tc_smem(smem)), "l"(gmem), "r"(src_bytes)
                 : "memory");
}

/** cp.async.ca (L1 and L2) of N = 4, 8 or 16 bytes, src_bytes of them read, the rest zero-filled. */
template <int N>
__device__ __forceinline__ void cp_async_ca(void* smem, const void* gmem, int src_bytes) {
    static_assert(N == 4 || N == 8 || N == 16, "cp.async.ca copies 4, 8 or 16 bytes");
    asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;\n" ::"r"(tc_smem(smem)), "l"(gmem), "n"(N),
                 "r"(src_bytes)
                 : "memory");
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

/** Waits until at most N of this thread's committed cp.async groups are still in flight. */
template <int N>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_all;\n" ::: "memory"); }

/** Two floats rounded to T, packed lo | hi << 16. */
template <class T>
__device__ __forceinline__ uint32_t pack2(float lo, float hi) {
    uint32_t r;
    if (tc_is_bf16<T>::value) {
        __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
        r = *reinterpret_cast<uint32_t*>(&h);
    } else {
        __half2 h = __floats2half2_rn(lo, hi);
        r = *reinterpret_cast<uint32_t*>(&h);
    }
    return r;
}

/** Stores two packed 16-bit elements at p (4-byte aligned). */
template <class T>
__device__ __forceinline__ void store2(T* p, uint32_t v) { *reinterpret_cast<uint32_t*>(p) = v; }

/** Stores two adjacent F32 values at p (8-byte aligned). */
__device__ __forceinline__ void store_f32x2(float* p, float v0, float v1) { *reinterpret_cast<float2*>(p) = make_float2(v0, v1); }

#else  // the emulator

template <bool TRANS>
inline void ldsm_x4(uint32_t (&r)[4], const void* row) { ::sodec_emu::ldmatrix(r, 4, TRANS, row); }
template <bool TRANS>
inline void ldsm_x2(uint32_t (&r)[2], const void* row) { ::sodec_emu::ldmatrix(r, 2, TRANS, row); }
template <bool TRANS>
inline void ldsm_x1(uint32_t (&r)[1], const void* row) { ::sodec_emu::ldmatrix(r, 1, TRANS, row); }

template <class T>
inline void mma_16816(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
    ::sodec_emu::mma_m16n8k16(d, a, b, tc_is_bf16<T>::value);
}

inline void cp_async_cg16(void* smem, const void* gmem, int src_bytes) {
    ::sodec_emu::cp_async(smem, gmem, 16, src_bytes, true);
}
template <int N>
inline void cp_async_ca(void* smem, const void* gmem, int src_bytes) {
    static_assert(N == 4 || N == 8 || N == 16, "cp.async.ca copies 4, 8 or 16 bytes");
    ::sodec_emu::cp_async(smem, gmem, N, src_bytes, false);
}
inline void cp_async_commit() { ::sodec_emu::cp_async_commit(); }
template <int N>
inline void cp_async_wait() { ::sodec_emu::cp_async_wait(N); }
inline void cp_async_wait_all() { ::sodec_emu::cp_async_wait(-1); }

template <class T>
inline uint32_t pack2(float lo, float hi) {
    std::uint16_t l, h;
    if (tc_is_bf16<T>::value) {
        l = __float2bfloat16(lo).bits;
        h = __float2bfloat16(hi).bits;
    } else {
        l = __float2half(lo).bits;
        h = __float2half(hi).bits;
    }
    return (uint32_t) l | ((uint32_t) h << 16);
}

template <class T>
inline void store2(T* p, uint32_t v) {
    if ((reinterpret_cast<std::uintptr_t>(p) & 3u) != 0) ::sodec_emu::trap("misaligned 4-byte store of two 16-bit elements");
    std::memcpy(p, &v, 4);
}

inline void store_f32x2(float* p, float v0, float v1) {
    if ((reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) ::sodec_emu::trap("misaligned 8-byte store of two floats");
    const float v[2] = {v0, v1};
    std::memcpy(p, v, 8);
}

#endif

/** Stores two adjacent values of an output row (the pair an mma C fragment holds) with one aligned store. */
__device__ __forceinline__ void store_pair(float* p, float v0, float v1) { store_f32x2(p, v0, v1); }
template <class T>
__device__ __forceinline__ void store_pair(T* p, float v0, float v1) { store2<T>(p, pack2<T>(v0, v1)); }

/** Epilogue activations shared by the tensor-core kernels (codes as TensorCoreKernels.ACT_*). */
#define TC_ACT_NONE 0
#define TC_ACT_SILU 1
#define TC_ACT_GELU 2
#define TC_ACT_GELU_TANH 3
#define TC_ACT_LEAKY_RELU 4
#define TC_ACT_QUICK_GELU 5

__device__ __forceinline__ float tc_activate(float v, int act, float param) {
    switch (act) {
        case TC_ACT_SILU: return silu_f(v);
        case TC_ACT_GELU: return gelu_erf_f(v);
        case TC_ACT_GELU_TANH: return gelu_tanh_f(v);
        case TC_ACT_LEAKY_RELU: return v >= 0.f ? v : v * param;
        case TC_ACT_QUICK_GELU: return __fdividef(v, 1.f + expf(-1.702f * v));
        default: return v;
    }
}
