// Row softmax and batched transpose: the pieces of attention that does not fit the fused kernel (head dims above
// 160, e.g. the VAE mid-block's single 512-wide head, done as GEMM + softmax + GEMM) and of the NCHW <-> token
// layout changes around transformer blocks.
#include "sodec_cuda.h"

// y[r] = softmax(x[r] * scale) over cols, scale > 0. One block per row (blockDim.x a multiple of 32): block max,
// block sum of exp((x - max) * scale), then the normalised write; three reads of the row, fixed reduction order.
template <class T>
__device__ __forceinline__ void softmax_body(const T* __restrict__ x, T* __restrict__ y, int rows, int cols, float scale) {
    __shared__ float scratch[32];
    const long long row = blockIdx.x;
    if (row >= rows) return;
    const T* xr = x + row * cols;
    T* yr = y + row * cols;
    float m = -INFINITY;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) m = fmaxf(m, load_f32(xr + i));
    m = block_max(m, scratch);
    const float k = scale * 1.4426950408889634f;   // exp(z) = exp2(z * log2 e)
    float s = 0.f;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) s += exp2f((load_f32(xr + i) - m) * k);
    s = block_sum(s, scratch);
    const float inv = 1.f / s;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) store_f32(yr + i, exp2f((load_f32(xr + i) - m) * k) * inv);
}

// y (batch, cols, rows) = x (batch, rows, cols) transposed per batch, through 32 x 33 shared tiles (the padding
// column keeps the transposed read conflict-free). Block (32, 8); grid (ceil(cols / 32), ceil(rows / 32), batch).
template <class T>
__device__ __forceinline__ void transpose_body(const T* __restrict__ x, T* __restrict__ y, int rows, int cols) {
    __shared__ T tile[32][33];
    const long long base = (long long) blockIdx.z * rows * cols;
    const int c0 = blockIdx.x * 32, r0 = blockIdx.y * 32;
    for (int j = threadIdx.y; j < 32; j += blockDim.y) {
        const int r = r0 + j, c = c0 + threadIdx.x;
        if (r < rows && c < cols) tile[j][threadIdx.x] = x[base + (long long) r * cols + c];
    }
    __syncthreads();
    for (int j = threadIdx.y; j < 32; j += blockDim.y) {
        const int c = c0 + j, r = r0 + threadIdx.x;
        if (r < rows && c < cols) y[base + (long long) c * rows + r] = tile[threadIdx.x][j];
    }
}

#define SODEC_LAYOUT(sfx, T)                                                                                      \
    extern "C" __global__ void __launch_bounds__(256) softmax_##sfx(const T* x, T* y, int rows, int cols,         \
                                                                    float scale) {                                \
        softmax_body<T>(x, y, rows, cols, scale);                                                                 \
    }                                                                                                             \
    SODEC_EXPORT(softmax_##sfx)                                                                                   \
    extern "C" __global__ void __launch_bounds__(256) transpose_##sfx(const T* x, T* y, int rows, int cols) {     \
        transpose_body<T>(x, y, rows, cols);                                                                      \
    }                                                                                                             \
    SODEC_EXPORT(transpose_##sfx)

SODEC_FOR_EACH_DTYPE(SODEC_LAYOUT)
