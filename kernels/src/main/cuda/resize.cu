// Spatial re-layout kernels over NCHW planes: nearest resize (torch's index rule), bilinear resize
// (align_corners=False, no antialias, as torch.nn.functional.interpolate), and PixelShuffle. Grid-stride loops over
// output elements with 64-bit indices; each output is written by exactly one thread.
#include "sodec_cuda.h"

// torch's nearest source index: identity for equal sizes, dst / 2 for exactly twice, else
// min(floor(dst * scale), in - 1) in float with scale = (float) in / out (passed in, computed once by the caller).
__device__ __forceinline__ int nearest_source(int dst, int in, int out, float scale) {
    if (out == in) return dst;
    if (out == 2 * in) return dst >> 1;
    const int s = (int) floorf((float) dst * scale);
    return s < in - 1 ? s : in - 1;
}

// x (planes, h, w) -> y (planes, oh, ow), nearest neighbour.
template <class T>
__device__ __forceinline__ void upsample_nearest_body(const T* __restrict__ x, T* __restrict__ y, long long planes,
                                                      int h, int w, int oh, int ow, float scaleH, float scaleW) {
    const long long n = planes * oh * ow;
    const long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const int ox = (int) (i % ow);
        const long long t = i / ow;
        const int oy = (int) (t % oh);
        const long long pl = t / oh;
        y[i] = x[(pl * h + nearest_source(oy, h, oh, scaleH)) * w + nearest_source(ox, w, ow, scaleW)];
    }
}

// torch's area_pixel_compute_source_index for align_corners=False: src = (dst + 0.5) * scale - 0.5, clamped at 0;
// scale = in / out (or 1 / scale_factor when the caller gave one).
__device__ __forceinline__ void bilinear_source(int dst, int in, float scale, int& i0, int& i1, float& l1) {
    float src = ((float) dst + 0.5f) * scale - 0.5f;
    if (src < 0.f) src = 0.f;
    i0 = (int) src;
    if (i0 > in - 1) i0 = in - 1;
    i1 = i0 < in - 1 ? i0 + 1 : i0;
    l1 = src - (float) i0;
}

template <class T>
__device__ __forceinline__ void resize_bilinear_body(const T* __restrict__ x, T* __restrict__ y, long long planes,
                                                     int h, int w, int oh, int ow, float scaleH, float scaleW) {
    const long long n = planes * oh * ow;
    const long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const int ox = (int) (i % ow);
        const long long t = i / ow;
        const int oy = (int) (t % oh);
        const T* xp = x + (t / oh) * h * w;
        int y0, y1, x0, x1;
        float ly, lx;
        bilinear_source(oy, h, scaleH, y0, y1, ly);
        bilinear_source(ox, w, scaleW, x0, x1, lx);
        const float hy = 1.f - ly, hx = 1.f - lx;
        float v = hy * (hx * load_f32(xp + y0 * w + x0) + lx * load_f32(xp + y0 * w + x1))
                + ly * (hx * load_f32(xp + y1 * w + x0) + lx * load_f32(xp + y1 * w + x1));
        store_f32(y + i, v);
    }
}

// x (n, c * r * r, h, w) -> y (n, c, h * r, w * r): y[b][ch][oy][ox] = x[b][ch*r*r + (oy%r)*r + ox%r][oy/r][ox/r].
template <class T>
__device__ __forceinline__ void pixel_shuffle_body(const T* __restrict__ x, T* __restrict__ y, long long planesOut,
                                                   int h, int w, int r) {
    const int oh = h * r, ow = w * r;
    const long long n = planesOut * oh * ow;
    const long long stride = (long long) gridDim.x * blockDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const int ox = (int) (i % ow);
        const long long t = i / ow;
        const int oy = (int) (t % oh);
        const long long pl = t / oh;  // = b * c + ch, and the input plane is pl * r * r + sub-pixel
        const long long src = ((pl * r * r + (oy % r) * r + ox % r) * h + oy / r) * w + ox / r;
        y[i] = x[src];
    }
}

#define SODEC_RESIZE(sfx, T)                                                                                      \
    extern "C" __global__ void upsample_nearest_##sfx(const T* x, T* y, long long planes, int h, int w, int oh,   \
                                                      int ow, float scaleH, float scaleW) {                       \
        upsample_nearest_body<T>(x, y, planes, h, w, oh, ow, scaleH, scaleW);                                     \
    }                                                                                                             \
    SODEC_EXPORT(upsample_nearest_##sfx)                                                                          \
    extern "C" __global__ void resize_bilinear_##sfx(const T* x, T* y, long long planes, int h, int w, int oh,    \
                                                     int ow, float scaleH, float scaleW) {                        \
        resize_bilinear_body<T>(x, y, planes, h, w, oh, ow, scaleH, scaleW);                                      \
    }                                                                                                             \
    SODEC_EXPORT(resize_bilinear_##sfx)                                                                           \
    extern "C" __global__ void pixel_shuffle_##sfx(const T* x, T* y, long long planesOut, int h, int w, int r) {  \
        pixel_shuffle_body<T>(x, y, planesOut, h, w, r);                                                          \
    }                                                                                                             \
    SODEC_EXPORT(pixel_shuffle_##sfx)

SODEC_FOR_EACH_DTYPE(SODEC_RESIZE)
