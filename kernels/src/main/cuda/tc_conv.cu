// Implicit-GEMM convolution on tensor cores (machinery in tc_gemm.cuh), F16/BF16 storage, F32 accumulation.
//
// Layouts. The input is NHWC (channels contiguous, Cin a multiple of 8): a 16-byte cp.async chunk is 8 channels of
// one input pixel, so the im2col rows are gathered with aligned asynchronous copies and no per-element index math;
// NCHW activations get there with one transpose (TensorCoreKernels.nchwToNhwc), or stay NHWC when this kernel's
// own output is NHWC. Weights are packed once (tc_pack_conv_weight / tc_pack_deconv_weight) as
// (Cout, KH, KW, Cin). The output (and the residual, which has the output's layout) is NCHW or NHWC by a flag.
//
// GEMM view: M = output pixels (batch folded in), N = Cout, K = KH x KW x Cin in (tap, channel) order; A = im2col
// rows, B = packed weights (NK). K steps of 32 walk one tap's channels; a filter iterator (ky, kx, c0) advances by
// additions only: per step and row the source is img + (iy * W + ix) * Cin + c with iy = iy0 + ky * dh, no division
// anywhere in the loop (each thread divides once per block to place its 4 rows). Channels past Cin (the last step
// of a tap when 32 does not divide Cin) and taps outside the image are zero-filled copies.
//
// Transposed convolution runs as sh x sw stride-1 convolutions, one per output phase (oy + pad) mod s (the
// stride-phase decomposition): phase r uses taps ky = r + s t, packed flipped, with output rows
// oy = oy0 + osy * qy. So the kernel computes output pixel (qy, qx) of a "phase grid" OHp x OWp and stores it at
// (oy0 + osy qy, ox0 + osx qx) of an OH x OW output; a plain convolution is oy0 = ox0 = 0, osy = osx = 1.
// Epilogue: bias[co], activation, residual, scale (TcEpilogue with alpha 1).
#include "tc_gemm.cuh"

template <class T>
struct TcConvLoader {
    const T* x;
    const T* w;
    const T* img[4];   // this thread's 4 A rows: image base (NHWC)
    int iy0[4], ix0[4];
    const T* wrow[2];  // this thread's 2 B rows (output channels), null past Cout
    int H, W, Cin, KW, dh, dw;
    int ky, kx, c0, woff;

    __device__ __forceinline__ TcConvLoader(const T* x_, const T* w_, int H_, int W_, int Cin_, int Cout, int KH,
                                            int KW_, int sh, int sw, int ph, int pw, int dh_, int dw_, int OHp,
                                            int OWp, int Mtot, int m0, int n0)
        : x(x_), w(w_), H(H_), W(W_), Cin(Cin_), KW(KW_), dh(dh_), dw(dw_), ky(0), kx(0), c0(0), woff(0) {
        const int r = threadIdx.x >> 2;
        const int P = OHp * OWp;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int m = m0 + r + 32 * i;
            if (m < Mtot) {
                const int b = m / P, rem = m - b * P, qy = rem / OWp, qx = rem - qy * OWp;
                img[i] = x + (long long) b * H * W * Cin;
                iy0[i] = qy * sh - ph;
                ix0[i] = qx * sw - pw;
            } else {
                img[i] = x;
                iy0[i] = -(1 << 29);   // never inside the image, whatever the tap offset
                ix0[i] = -(1 << 29);
            }
        }
        const long long ktot = (long long) KH * KW * Cin;
#pragma unroll
        for (int i = 0; i < 2; i++) {
            const int n = n0 + r + 32 * i;
            wrow[i] = n < Cout ? w + n * ktot : nullptr;
        }
    }

    __device__ __forceinline__ void load(T* stage) {
        T* As = stage;
        T* Bs = stage + TC_A_ELEMS;
        const int tid = threadIdx.x, r = tid >> 2, c = (tid & 3) * 8;
        const int ci = c0 + c;
        const bool cok = ci < Cin;
        const int oy = ky * dh, ox = kx * dw;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int iy = iy0[i] + oy, ix = ix0[i] + ox;
            const bool ok = cok && (unsigned) iy < (unsigned) H && (unsigned) ix < (unsigned) W;
            cp_async_cg16(As + (r + 32 * i) * TC_LDA + c, ok ? img[i] + ((long long) iy * W + ix) * Cin + ci : x,
                          ok ? 16 : 0);
        }
#pragma unroll
        for (int i = 0; i < 2; i++) {
            const bool ok = cok && wrow[i] != nullptr;
            cp_async_cg16(Bs + (r + 32 * i) * TC_LDA + c, ok ? wrow[i] + woff + ci : w, ok ? 16 : 0);
        }
        // next K step: the next 32 channels of this tap, else the first channels of the next tap
        c0 += TC_BK;
        if (c0 >= Cin) {
            c0 = 0;
            woff += Cin;
            if (++kx == KW) {
                kx = 0;
                ++ky;
            }
        }
    }
};

template <class T>
__device__ __forceinline__ void tc_conv_body(const T* x, const T* w, const T* bias, const T* res, T* y, int batch,
                                             int H, int W, int Cin, int Cout, int KH, int KW, int sh, int sw, int ph,
                                             int pw, int dh, int dw, int OHp, int OWp, int OH, int OW, int oy0,
                                             int ox0, int osy, int osx, int outNhwc, TcEpilogue ep) {
    SODEC_DYNAMIC_SHARED(T, smem);
    const int Mtot = batch * OHp * OWp;
    const int m0 = blockIdx.x * TC_BM, n0 = blockIdx.y * TC_BN;
    TcConvLoader<T> ld(x, w, H, W, Cin, Cout, KH, KW, sh, sw, ph, pw, dh, dw, OHp, OWp, Mtot, m0, n0);
    float acc[4][4][4];
    tc_mainloop<T, false>(ld, KH * KW * ((Cin + TC_BK - 1) / TC_BK), smem, acc);

    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
    const int wm = warp & 1, wn = warp >> 1;
    const int P = OHp * OWp;
    const long long plane = (long long) OH * OW;
    const bool pairs = outNhwc && (Cout & 1) == 0;
#pragma unroll
    for (int mi = 0; mi < 4; mi++) {
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int m = m0 + wm * 64 + mi * 16 + g + 8 * h;
            if (m >= Mtot) continue;
            const int b = m / P, rem = m - b * P, qy = rem / OWp, qx = rem - qy * OWp;
            const long long pix = (long long) (oy0 + osy * qy) * OW + ox0 + osx * qx;
            // element (b, co, pixel): NHWC (b * plane + pixel) * Cout + co, NCHW (b * Cout + co) * plane + pixel
            const long long base = outNhwc ? ((long long) b * plane + pix) * Cout : (long long) b * Cout * plane + pix;
            const long long step = outNhwc ? 1 : plane;
#pragma unroll
            for (int ni = 0; ni < 4; ni++) {
                const int co = n0 + wn * 32 + ni * 8 + 2 * t;
                if (co >= Cout) continue;
                const long long idx = base + co * step;
                const float v0 = ep.apply(acc[mi][ni][2 * h], bias, co, res, idx);
                if (co + 1 >= Cout) {
                    store_f32(y + idx, v0);
                    continue;
                }
                const float v1 = ep.apply(acc[mi][ni][2 * h + 1], bias, co + 1, res, idx + step);
                if (pairs) {
                    store_pair(y + idx, v0, v1);   // NHWC, Cout even: channels co, co + 1 adjacent and aligned
                } else {
                    store_f32(y + idx, v0);
                    store_f32(y + idx + step, v1);
                }
            }
        }
    }
}

// out (Cout, KH, KW, Cin) = w (Cout, Cin, KH, KW) permuted: conv2d weights into the (tap, channel) K order.
template <class T>
__device__ __forceinline__ void tc_pack_conv_weight_body(const T* w, T* out, int cout, int cin, int kh, int kw) {
    const long long n = (long long) cout * cin * kh * kw;
    for (long long e = blockIdx.x * (long long) blockDim.x + threadIdx.x; e < n; e += (long long) gridDim.x * blockDim.x) {
        long long r = e;
        const int ci = (int) (r % cin);
        r /= cin;
        const int kx = (int) (r % kw);
        r /= kw;
        const int ky = (int) (r % kh);
        const int co = (int) (r / kh);
        out[e] = w[(((long long) co * cin + ci) * kh + ky) * kw + kx];
    }
}

// One phase (ry, rx) of a transposed convolution's weights w (Cin, Cout, KH, KW): out (Cout, ty, tx, Cin) with
// out[co][uy][ux][ci] = w[ci][co][ry + sh (ty - 1 - uy)][rx + sw (tx - 1 - ux)] (taps flipped: a stride-1 conv).
template <class T>
__device__ __forceinline__ void tc_pack_deconv_weight_body(const T* w, T* out, int cin, int cout, int kh, int kw,
                                                           int ry, int rx, int ty, int tx, int sh, int sw) {
    const long long n = (long long) cout * ty * tx * cin;
    for (long long e = blockIdx.x * (long long) blockDim.x + threadIdx.x; e < n; e += (long long) gridDim.x * blockDim.x) {
        long long r = e;
        const int ci = (int) (r % cin);
        r /= cin;
        const int ux = (int) (r % tx);
        r /= tx;
        const int uy = (int) (r % ty);
        const int co = (int) (r / ty);
        const int ky = ry + sh * (ty - 1 - uy), kx = rx + sw * (tx - 1 - ux);
        out[e] = w[(((long long) ci * cout + co) * kh + ky) * kw + kx];
    }
}

#define SODEC_TC_CONV(sfx, T)                                                                                     \
    extern "C" __global__ void __launch_bounds__(TC_THREADS) tc_conv2d_##sfx(                                     \
            const T* x, const T* w, const T* bias, const T* res, T* y, int batch, int h, int wd, int cin,          \
            int cout, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int ohp, int owp, int oh,    \
            int ow, int oy0, int ox0, int osy, int osx, int outNhwc, int act, float actParam, float outScale) {    \
        tc_conv_body<T>(x, w, bias, res, y, batch, h, wd, cin, cout, kh, kw, sh, sw, ph, pw, dh, dw, ohp, owp, oh,  \
                        ow, oy0, ox0, osy, osx, outNhwc, TcEpilogue{1.f, act, actParam, outScale});               \
    }                                                                                                             \
    SODEC_EXPORT(tc_conv2d_##sfx)                                                                                 \
    extern "C" __global__ void tc_pack_conv_weight_##sfx(const T* w, T* out, int cout, int cin, int kh, int kw) { \
        tc_pack_conv_weight_body<T>(w, out, cout, cin, kh, kw);                                                   \
    }                                                                                                             \
    SODEC_EXPORT(tc_pack_conv_weight_##sfx)                                                                       \
    extern "C" __global__ void tc_pack_deconv_weight_##sfx(const T* w, T* out, int cin, int cout, int kh, int kw, \
                                                           int ry, int rx, int ty, int tx, int sh, int sw) {      \
        tc_pack_deconv_weight_body<T>(w, out, cin, cout, kh, kw, ry, rx, ty, tx, sh, sw);                         \
    }                                                                                                             \
    SODEC_EXPORT(tc_pack_deconv_weight_##sfx)

SODEC_TC_CONV(f16, __half)
SODEC_TC_CONV(bf16, __nv_bfloat16)
