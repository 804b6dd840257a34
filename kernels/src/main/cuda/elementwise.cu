// Elementwise kernels: activations, broadcast binary ops, GEGLU, and the strided slice copy that concat uses.
// All are grid-stride loops over 64-bit element indices, so any grid size covers any tensor.
#include "sodec_cuda.h"

// Unary op codes (must match dev.sodec.engine.cuda.CudaKernels).
#define SODEC_UNARY_SILU 0
#define SODEC_UNARY_GELU 1
#define SODEC_UNARY_GELU_TANH 2
#define SODEC_UNARY_LEAKY_RELU 3
#define SODEC_UNARY_IDENTITY 4
#define SODEC_UNARY_SCALE 5       // x * alpha + beta
#define SODEC_UNARY_CLAMP 6       // min(max(x, alpha), beta); NaN stays NaN
#define SODEC_UNARY_QUICK_GELU 7  // x * sigmoid(1.702 x) (CLIP)

// Binary op codes.
#define SODEC_BINARY_ADD 0
#define SODEC_BINARY_MUL 1
#define SODEC_BINARY_SUB 2

template <class T>
__device__ __forceinline__ void unary_body(const T* __restrict__ x, T* __restrict__ y, long long n, int op, float alpha,
                                           float beta) {
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        float v = load_f32(x + i);
        float r;
        switch (op) {
            case SODEC_UNARY_SILU: r = silu_f(v); break;
            case SODEC_UNARY_GELU: r = gelu_erf_f(v); break;
            case SODEC_UNARY_GELU_TANH: r = gelu_tanh_f(v); break;
            case SODEC_UNARY_LEAKY_RELU: r = v >= 0.f ? v : v * alpha; break;
            case SODEC_UNARY_SCALE: r = v * alpha + beta; break;
            case SODEC_UNARY_CLAMP: r = v < alpha ? alpha : (v > beta ? beta : v); break;
            case SODEC_UNARY_QUICK_GELU: r = __fdividef(v, 1.f + expf(-1.702f * v)); break;
            default: r = v; break;
        }
        store_f32(y + i, r);
    }
}

// y[i] = a[i] op b[(i / inner) % bn]: same-shape when inner = 1 and bn = n, a per-channel vector over NCHW when
// inner = H*W and bn = C, a per-feature vector over (rows, C) when inner = 1 and bn = C.
template <class T>
__device__ __forceinline__ void binary_body(const T* a, const T* b, T* y, long long n, long long inner, long long bn,
                                            int op) {
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        float u = load_f32(a + i);
        float w = load_f32(b + (i / inner) % bn);
        float r = op == SODEC_BINARY_ADD ? u + w : (op == SODEC_BINARY_MUL ? u * w : u - w);
        store_f32(y + i, r);
    }
}

// diffusers GEGLU: x (rows, 2d) -> hidden = x[:, :d], gate = x[:, d:]; y (rows, d) = hidden * gelu(gate).
template <class T>
__device__ __forceinline__ void geglu_body(const T* __restrict__ x, T* __restrict__ y, long long rows, int d) {
    long long n = rows * d;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        long long r = i / d;
        int j = (int) (i - r * d);
        const T* row = x + r * 2 * d;
        store_f32(y + i, load_f32(row + j) * gelu_erf_f(load_f32(row + d + j)));
    }
}

// dst[o * dstInner + dstOffset + i] = src[o * srcInner + i] for o < outer, i < srcInner: concat along any axis is
// one launch per input (inner = that input's extent along the axis times the size of the axes after it).
template <class T>
__device__ __forceinline__ void copy_slice_body(const T* __restrict__ src, T* __restrict__ dst, long long outer,
                                                long long srcInner, long long dstInner, long long dstOffset) {
    long long n = outer * srcInner;
    long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        long long o = i / srcInner;
        long long j = i - o * srcInner;
        dst[o * dstInner + dstOffset + j] = src[i];
    }
}

#define SODEC_ELEMENTWISE(sfx, T)                                                                                 \
    extern "C" __global__ void unary_##sfx(const T* x, T* y, long long n, int op, float alpha, float beta) {      \
        unary_body<T>(x, y, n, op, alpha, beta);                                                                  \
    }                                                                                                             \
    SODEC_EXPORT(unary_##sfx)                                                                                     \
    extern "C" __global__ void binary_##sfx(const T* a, const T* b, T* y, long long n, long long inner,          \
                                            long long bn, int op) {                                               \
        binary_body<T>(a, b, y, n, inner, bn, op);                                                                \
    }                                                                                                             \
    SODEC_EXPORT(binary_##sfx)                                                                                    \
    extern "C" __global__ void geglu_##sfx(const T* x, T* y, long long rows, int d) { geglu_body<T>(x, y, rows, d); } \
    SODEC_EXPORT(geglu_##sfx)                                                                                     \
    extern "C" __global__ void copy_slice_##sfx(const T* src, T* dst, long long outer, long long srcInner,       \
                                                long long dstInner, long long dstOffset) {                        \
        copy_slice_body<T>(src, dst, outer, srcInner, dstInner, dstOffset);                                       \
    }                                                                                                             \
    SODEC_EXPORT(copy_slice_##sfx)

SODEC_FOR_EACH_DTYPE(SODEC_ELEMENTWISE)
