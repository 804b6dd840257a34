// Host emulation of the CUDA execution model, so the kernel sources in src/main/cuda compile with g++ into a host
// library that tests can run without a GPU. Included by sodec_cuda.h when __CUDACC__ is not defined; never include it
// from nvcc-compiled code.
//
// Model: every CUDA thread of a block is a fiber (its own stack, ucontext switching) on one host worker thread; the
// block's fibers run until each reaches a barrier (__syncthreads, a warp sync inside a shuffle, ...) and the barrier
// opens when every live thread of its scope has arrived, exactly the CUDA rule. Blocks of a grid are spread over a few
// host worker threads, so blocks really run concurrently and inter-block atomics are real atomics. Fibers instead of
// one OS thread per CUDA thread keep a 1024-thread block cheap on a 2-core machine, make barrier deadlocks
// detectable (no runnable fiber left), and run the threads of a block in a fixed reverse order, so a missing
// __syncthreads shows up deterministically instead of once in a while.
//
// __shared__ maps to `static thread_local`: all fibers of a block run on the same worker thread and therefore see
// the same variable, while blocks running on other workers see their own copy.
#pragma once

#include <atomic>
#include <cmath>
#include <math.h>  // expf, erff, ... in the global namespace, as device code spells them
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __shared__ static thread_local
#define __launch_bounds__(...)
#define __align__(n) alignas(n)

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
using uint3 = dim3;

namespace sodec_emu {

struct Fiber;    // one CUDA thread
struct Block;    // the block a worker runs now

extern thread_local Fiber* tls_fiber;
extern thread_local Block* tls_block;

// Accessors defined in sodec_emu.cpp so the structs stay private to the runtime.
const dim3& thread_idx();
const dim3& block_idx();
const dim3& block_dim();
const dim3& grid_dim();
unsigned char* dynamic_smem();

void syncthreads();
void syncwarp(unsigned mask);
// Writes `bits` into this lane's exchange slot, syncs the warp, reads the slot of the lane `mode` selects, syncs again.
// mode: 0 = idx, 1 = up, 2 = down, 3 = xor (CUDA's __shfl_sync family; width splits the warp into segments).
std::uint64_t shfl(unsigned mask, std::uint64_t bits, int mode, int arg, int width);
unsigned ballot(unsigned mask, bool pred);
[[noreturn]] void trap(const char* why);

template <class T>
inline T shfl_t(unsigned mask, T v, int mode, int arg, int width) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffle of an unsupported type");
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    bits = shfl(mask, bits, mode, arg, width);
    T r;
    std::memcpy(&r, &bits, sizeof(T));
    return r;
}

// ---- kernel registry: SODEC_EXPORT(kernel) records the name, the parameter signature and a thunk ----

using Thunk = void (*)(void (*fn)(), void** args);

bool register_kernel(const char* name, void (*fn)(), Thunk thunk, const char* kinds, const int* sizes, int nargs);

template <class A>
constexpr char kind_of() {
    using D = std::remove_cv_t<std::remove_reference_t<A>>;
    if constexpr (std::is_pointer_v<D>) return 'p';
    else if constexpr (std::is_floating_point_v<D>) return 'f';
    else if constexpr (std::is_integral_v<D>) return 'i';
    else return '?';
}

template <class... A>
struct Signature {
    static constexpr char kinds[sizeof...(A) + 1] = {kind_of<A>()..., '\0'};
    static constexpr int sizes[sizeof...(A) + 1] = {static_cast<int>(sizeof(A))..., 0};

    template <std::size_t... I>
    static void call(void (*f)(A...), void** args, std::index_sequence<I...>) {
        f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(args[I])...);
    }

    static void thunk(void (*fn)(), void** args) {
        call(reinterpret_cast<void (*)(A...)>(fn), args, std::index_sequence_for<A...>{});
    }
};

template <class... A>
bool register_fn(const char* name, void (*f)(A...)) {
    return register_kernel(name, reinterpret_cast<void (*)()>(f), &Signature<A...>::thunk, Signature<A...>::kinds,
                           Signature<A...>::sizes, static_cast<int>(sizeof...(A)));
}

}  // namespace sodec_emu

#define threadIdx (::sodec_emu::thread_idx())
#define blockIdx (::sodec_emu::block_idx())
#define blockDim (::sodec_emu::block_dim())
#define gridDim (::sodec_emu::grid_dim())
#define warpSize 32

#define SODEC_EMU_CAT2(a, b) a##b
#define SODEC_EMU_CAT(a, b) SODEC_EMU_CAT2(a, b)
// Registers an extern "C" kernel for sodec_emu_launch; a no-op under nvcc.
#define SODEC_EXPORT(fn) \
    static const bool SODEC_EMU_CAT(sodec_emu_registered_, fn) = ::sodec_emu::register_fn(#fn, &fn);

inline void __syncthreads() { ::sodec_emu::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { ::sodec_emu::syncwarp(mask); }
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_block() { std::atomic_thread_fence(std::memory_order_seq_cst); }
[[noreturn]] inline void __trap() { ::sodec_emu::trap("__trap() called by the kernel"); }

template <class T>
inline T __shfl_sync(unsigned mask, T v, int src, int width = 32) { return ::sodec_emu::shfl_t(mask, v, 0, src, width); }
template <class T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned d, int width = 32) { return ::sodec_emu::shfl_t(mask, v, 1, (int) d, width); }
template <class T>
inline T __shfl_down_sync(unsigned mask, T v, unsigned d, int width = 32) { return ::sodec_emu::shfl_t(mask, v, 2, (int) d, width); }
template <class T>
inline T __shfl_xor_sync(unsigned mask, T v, int m, int width = 32) { return ::sodec_emu::shfl_t(mask, v, 3, m, width); }
inline unsigned __ballot_sync(unsigned mask, int pred) { return ::sodec_emu::ballot(mask, pred != 0); }
inline int __any_sync(unsigned mask, int pred) { return ::sodec_emu::ballot(mask, pred != 0) != 0; }
inline int __all_sync(unsigned mask, int pred) { return ::sodec_emu::ballot(mask, pred != 0) == ::sodec_emu::ballot(mask, true); }

// Atomics: real host atomics, because blocks run concurrently on several workers.
template <class T>
inline T atomicAdd(T* p, T v) { return std::atomic_ref<T>(*p).fetch_add(v); }
template <class T>
inline T atomicSub(T* p, T v) { return std::atomic_ref<T>(*p).fetch_sub(v); }
template <class T>
inline T atomicExch(T* p, T v) { return std::atomic_ref<T>(*p).exchange(v); }
template <class T>
inline T atomicCAS(T* p, T expected, T desired) {
    std::atomic_ref<T>(*p).compare_exchange_strong(expected, desired);
    return expected;   // the old value either way, as CUDA returns
}
template <class T>
inline T atomicMax(T* p, T v) {
    std::atomic_ref<T> a(*p);
    T old = a.load();
    while (old < v && !a.compare_exchange_weak(old, v)) {}
    return old;
}
template <class T>
inline T atomicMin(T* p, T v) {
    std::atomic_ref<T> a(*p);
    T old = a.load();
    while (old > v && !a.compare_exchange_weak(old, v)) {}
    return old;
}

// Device math intrinsics that have no host spelling.
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __saturatef(float x) { return x < 0.f ? 0.f : (x > 1.f ? 1.f : x); }
template <class T>
inline T __ldg(const T* p) { return *p; }

// ---- 16-bit float storage types with the CUDA conversion functions (round to nearest even) ----

struct __half {
    std::uint16_t bits;
};
struct __nv_bfloat16 {
    std::uint16_t bits;
};

inline float __half2float(__half h) {
    std::uint32_t s = (h.bits & 0x8000u) << 16, e = (h.bits >> 10) & 0x1f, m = h.bits & 0x3ff, f;
    if (e == 0x1f) {
        f = s | 0x7f800000u | (m << 13);                 // inf / nan
    } else if (e != 0) {
        f = s | ((e + 112) << 23) | (m << 13);           // normal: rebias 15 -> 127
    } else if (m == 0) {
        f = s;                                           // signed zero
    } else {                                             // subnormal: normalise
        int shift = 0;
        while ((m & 0x400u) == 0) { m <<= 1; ++shift; }
        f = s | ((std::uint32_t)(113 - shift) << 23) | ((m & 0x3ffu) << 13);
    }
    float r;
    std::memcpy(&r, &f, 4);
    return r;
}

inline __half __float2half(float v) {
    std::uint32_t f;
    std::memcpy(&f, &v, 4);
    std::uint32_t s = (f >> 16) & 0x8000u;
    std::uint32_t a = f & 0x7fffffffu;
    std::uint16_t out;
    if (a >= 0x7f800000u) {
        out = (std::uint16_t)(s | 0x7c00u | (a > 0x7f800000u ? 0x200u | ((a >> 13) & 0x3ffu) : 0u));
    } else if (a >= 0x477ff000u) {                       // rounds to >= 65520: overflow to inf
        out = (std::uint16_t)(s | 0x7c00u);
    } else if (a >= 0x38800000u) {                       // normal half
        std::uint32_t r = a - 0x38000000u;               // rebias 127 -> 15 (in place, mantissa kept)
        r = r + 0xfffu + ((r >> 13) & 1u);               // round to nearest even on the 13 dropped bits
        out = (std::uint16_t)(s | (r >> 13));
    } else if (a > 0x33000000u) {                        // subnormal half
        // value = m * 2^(e-150) and the half subnormal unit is 2^-24, so q = m * 2^(e-126) = m >> (126 - e)
        std::uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u;
        int shift = (int)(126 - e);
        std::uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (q & 1u))) ++q;
        out = (std::uint16_t)(s | q);
    } else {
        out = (std::uint16_t) s;                          // below half the smallest subnormal (ties go to even 0)
    }
    return __half{out};
}

inline float __bfloat162float(__nv_bfloat16 b) {
    std::uint32_t f = (std::uint32_t) b.bits << 16;
    float r;
    std::memcpy(&r, &f, 4);
    return r;
}

inline __nv_bfloat16 __float2bfloat16(float v) {
    std::uint32_t f;
    std::memcpy(&f, &v, 4);
    if ((f & 0x7fffffffu) > 0x7f800000u) return __nv_bfloat16{(std::uint16_t)((f >> 16) | 0x40u)};
    f += 0x7fffu + ((f >> 16) & 1u);
    return __nv_bfloat16{(std::uint16_t)(f >> 16)};
}
