// conv2d and conv_transpose2d as implicit GEMMs: per (batch, group), Y[co][p] = sum_k W[co][k] * X[k][p] + bias[co], where
// k = (ci, ky, kx) in weight order (Cout, Cin/groups, kH, kW) and X[k][p] is the im2col matrix, gathered on the fly
// from the input (zero outside the padded image) and never stored. Zero padding, any stride / dilation / groups.
//
// Tiles: 64 output channels x 64 output pixels per block, K in steps of 16 through shared memory; 256 threads, each
// owning a 4 x 4 register tile at rows ty + 16 i and columns tx + 16 j. Grid: (ceil(OH*OW / 64),
// ceil((Cout/groups) / 64), N * groups). Each output's K sum runs in ascending k, one thread per output:
// deterministic, and the same order as the CPU reference. The transposed form spends K steps on the taps a strided
// output pixel does not use (3/4 of them at stride 2): correct everywhere, cuDNN is the faster path where present.
#include "sodec_cuda.h"

#define CONV_BM 64
#define CONV_BN 64
#define CONV_BK 16
#define CONV_THREADS 256

// TRANSPOSED: conv_transpose2d in gather form over the same tiles. Weight (Cin, Cout/groups, kH, kW); output
// pixel (oy, ox) takes input (iy, ix) through tap (ky, kx) when oy + ph - ky * dh = iy * sh (and likewise for x),
// so the "im2col" entry is x[ci][iy][ix] when that division is exact and in range, else 0.
template <class T, bool TRANSPOSED>
__device__ __forceinline__ void conv2d_body(const T* __restrict__ x, const T* __restrict__ w, const T* bias,
                                            T* __restrict__ y, int cin, int h, int wd, int cout, int kh, int kw,
                                            int sh, int sw, int ph, int pw, int dh, int dw, int groups, int oh,
                                            int ow) {
    __shared__ float As[CONV_BK][CONV_BM];
    __shared__ float Bs[CONV_BK][CONV_BN];
    const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    const int cpg = cin / groups, opg = cout / groups;
    const int khw = kh * kw;
    const int K = cpg * khw;
    const int ohw = oh * ow;
    const int p0 = blockIdx.x * CONV_BN, co0 = blockIdx.y * CONV_BM;
    const int b = blockIdx.z / groups, g = blockIdx.z % groups;
    const T* xb = x + ((long long) b * cin + (long long) g * cpg) * h * wd;
    const T* wg = w + (long long) g * opg * K;

    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int co = co0 + ty + 16 * i;
        const float bv = (bias != nullptr && co < opg) ? load_f32(bias + g * opg + co) : 0.f;
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = bv;
    }

    for (int k0 = 0; k0 < K; k0 += CONV_BK) {
#pragma unroll
        for (int r = 0; r < (CONV_BM * CONV_BK) / CONV_THREADS; r++) {
            const int e = tid + r * CONV_THREADS;
            const int kk = e / CONV_BM, m = e % CONV_BM;
            const int co = co0 + m, kg = k0 + kk;
            float a = 0.f;
            if (co < opg && kg < K) {
                if (TRANSPOSED) {
                    const int ci = kg / khw, rr = kg - ci * khw;
                    a = load_f32(w + (((long long) g * cpg + ci) * opg + co) * khw + rr);
                } else {
                    a = load_f32(wg + (long long) co * K + kg);
                }
            }
            As[kk][m] = a;
        }
#pragma unroll
        for (int r = 0; r < (CONV_BN * CONV_BK) / CONV_THREADS; r++) {
            const int e = tid + r * CONV_THREADS;
            const int kk = e / CONV_BN, nn = e % CONV_BN;
            const int p = p0 + nn, kg = k0 + kk;
            float v = 0.f;
            if (p < ohw && kg < K) {
                const int ci = kg / khw, rr = kg - ci * khw;
                const int ky = rr / kw, kx = rr - ky * kw;
                const int oy = p / ow, ox = p - oy * ow;
                int iy, ix;
                bool in;
                if (TRANSPOSED) {
                    const int ty = oy + ph - ky * dh, tx = ox + pw - kx * dw;
                    iy = ty / sh;
                    ix = tx / sw;
                    in = ty >= 0 && tx >= 0 && iy * sh == ty && ix * sw == tx && iy < h && ix < wd;
                } else {
                    iy = oy * sh - ph + ky * dh;
                    ix = ox * sw - pw + kx * dw;
                    in = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                }
                if (in) v = load_f32(xb + ((long long) ci * h + iy) * wd + ix);
            }
            Bs[kk][nn] = v;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < CONV_BK; kk++) {
            float a[4], bv[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = As[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) bv[j] = Bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++) {
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] += a[i] * bv[j];
            }
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int co = co0 + ty + 16 * i;
        if (co >= opg) continue;
        T* yc = y + ((long long) b * cout + (long long) g * opg + co) * ohw;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const int p = p0 + tx + 16 * j;
            if (p < ohw) store_f32(yc + p, acc[i][j]);
        }
    }
}

#define SODEC_CONV(sfx, T)                                                                                        \
    extern "C" __global__ void __launch_bounds__(CONV_THREADS) conv2d_##sfx(                                      \
            const T* x, const T* w, const T* bias, T* y, int cin, int h, int wd, int cout, int kh, int kw, int sh, \
            int sw, int ph, int pw, int dh, int dw, int groups, int oh, int ow) {                                 \
        conv2d_body<T, false>(x, w, bias, y, cin, h, wd, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow);   \
    }                                                                                                             \
    SODEC_EXPORT(conv2d_##sfx)                                                                                    \
    extern "C" __global__ void __launch_bounds__(CONV_THREADS) conv_transpose2d_##sfx(                            \
            const T* x, const T* w, const T* bias, T* y, int cin, int h, int wd, int cout, int kh, int kw, int sh, \
            int sw, int ph, int pw, int dh, int dw, int groups, int oh, int ow) {                                 \
        conv2d_body<T, true>(x, w, bias, y, cin, h, wd, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow);    \
    }                                                                                                             \
    SODEC_EXPORT(conv_transpose2d_##sfx)

SODEC_FOR_EACH_DTYPE(SODEC_CONV)
