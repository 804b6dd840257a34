// The block-level machinery shared by the tensor-core GEMM (tc_gemm.cu) and implicit-GEMM convolution
// (tc_conv.cu): C (M x N) = A (M x K) B^T, B given as N x K ("NK": linear weights, packed conv weights, attention
// keys) or K x N ("KN": attention values, a plain right-hand matrix).
//
// Tile: 128 x 64 outputs per block of 128 threads; 4 warps as 2 (M) x 2 (N), each warp 64 x 32 outputs = 4 x 4
// mma tiles of 16 x 8, F32 accumulators in registers (64 per thread). K runs in steps of 32 through a 3-stage
// cp.async pipeline in dynamic shared memory (tile k + 2 loads while tile k is multiplied; one __syncthreads per
// step). Shared rows are padded by 8 elements (A and NK-B rows 80 bytes, KN-B rows 144 bytes: an odd number of
// 16-byte units), so the 8 row addresses of every ldmatrix phase fall in distinct bank groups and cp.async's 16-byte
// stores stay aligned. 3 x (128 + 64) x 40 x 2 bytes = 46080 bytes: under the 48 KiB of a launch without opt-in,
// so up to 4 blocks share an SM (228 KiB on H100, 164 KiB on A100).
//
// Loaders (the only part that differs between GEMM and convolution) fill one stage per call with 16-byte cp.async
// chunks (zero-filled where out of range) and advance their own K iterator; see TcDenseLoader and tc_conv.cu.
#pragma once

#include "mma.cuh"

#define TC_BM 128
#define TC_BN 64
#define TC_BK 32
#define TC_STAGES 3
#define TC_THREADS 128
#define TC_LDA (TC_BK + 8)                                // A and NK-B shared row stride (elements)
#define TC_LDB_KN (TC_BN + 8)                             // KN-B shared row stride (elements)
#define TC_A_ELEMS (TC_BM * TC_LDA)
#define TC_B_ELEMS (TC_BN * TC_LDA)                       // >= TC_BK * TC_LDB_KN
#define TC_STAGE_ELEMS (TC_A_ELEMS + TC_B_ELEMS)
#define TC_SMEM_BYTES (TC_STAGES * TC_STAGE_ELEMS * 2)    // 46080

static_assert(TC_BK * TC_LDB_KN <= TC_B_ELEMS, "a KN tile must fit the B stage");

/** Bytes of a 16-byte chunk starting at element `at` of a row of `len` elements that lie inside the row. */
__device__ __forceinline__ int tc_chunk_bytes(int at, int len) {
    const int left = len - at;
    return left >= 8 ? 16 : (left > 0 ? 2 * left : 0);
}

/** One K step (32) of the warp's 64 x 32 tile from one pipeline stage. */
template <class T, bool B_KN>
__device__ __forceinline__ void tc_warp_mma(const T* As, const T* Bs, float (&acc)[4][4][4], int wm, int wn, int lane) {
#pragma unroll
    for (int kk = 0; kk < TC_BK; kk += 16) {
        uint32_t a[4][4], b[4][2];
#pragma unroll
        for (int mi = 0; mi < 4; mi++) {
            ldsm_x4<false>(a[mi], As + (wm * 64 + mi * 16 + (lane & 15)) * TC_LDA + kk + (lane >> 4) * 8);
        }
#pragma unroll
        for (int np = 0; np < 2; np++) {
            uint32_t r[4];
            if (B_KN) {
                // matrices (k 0-7, n 0-7), (k 8-15, n 0-7), (k 0-7, n 8-15), (k 8-15, n 8-15), transposed
                ldsm_x4<true>(r, Bs + (kk + ((lane >> 3) & 1) * 8 + (lane & 7)) * TC_LDB_KN + wn * 32 + np * 16
                                         + (lane >> 4) * 8);
            } else {
                // matrices (n 0-7, k 0-7), (n 0-7, k 8-15), (n 8-15, k 0-7), (n 8-15, k 8-15)
                ldsm_x4<false>(r, Bs + (wn * 32 + np * 16 + (lane >> 4) * 8 + (lane & 7)) * TC_LDA + kk
                                          + ((lane >> 3) & 1) * 8);
            }
            b[2 * np][0] = r[0];
            b[2 * np][1] = r[1];
            b[2 * np + 1][0] = r[2];
            b[2 * np + 1][1] = r[3];
        }
#pragma unroll
        for (int mi = 0; mi < 4; mi++) {
#pragma unroll
            for (int ni = 0; ni < 4; ni++) mma_16816<T>(acc[mi][ni], a[mi], b[ni]);
        }
    }
}

/** The pipelined main loop over `ktiles` K steps; `ld.load(stage)` fills a stage and advances the loader. */
template <class T, bool B_KN, class Loader>
__device__ __forceinline__ void tc_mainloop(Loader& ld, int ktiles, T* smem, float (&acc)[4][4][4]) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int wm = warp & 1, wn = warp >> 1;
#pragma unroll
    for (int mi = 0; mi < 4; mi++) {
#pragma unroll
        for (int ni = 0; ni < 4; ni++) {
#pragma unroll
            for (int e = 0; e < 4; e++) acc[mi][ni][e] = 0.f;
        }
    }
#pragma unroll
    for (int s = 0; s < TC_STAGES - 1; s++) {
        if (s < ktiles) ld.load(smem + s * TC_STAGE_ELEMS);
        cp_async_commit();   // empty groups too: the group count stays in step with the tile count
    }
    int read = 0, write = TC_STAGES - 1;
    for (int kt = 0; kt < ktiles; kt++) {
        cp_async_wait<TC_STAGES - 2>();   // tile kt has landed (for this thread) ...
        __syncthreads();                  // ... for every thread, and stage `write` is no longer read
        if (kt + TC_STAGES - 1 < ktiles) ld.load(smem + write * TC_STAGE_ELEMS);
        cp_async_commit();
        const T* st = smem + read * TC_STAGE_ELEMS;
        tc_warp_mma<T, B_KN>(st, st + TC_A_ELEMS, acc, wm, wn, lane);
        read = read == TC_STAGES - 1 ? 0 : read + 1;
        write = write == TC_STAGES - 1 ? 0 : write + 1;
    }
}

/**
 * Dense operands: A row-major (M x K, lda), B NK (N x K, ldb) or KN (K x N, ldb); leading dimensions multiples of
 * 8 and base addresses 16-byte aligned, so every chunk is an aligned 16-byte copy; K, M and N are arbitrary (partial
 * chunks copy their valid bytes and zero-fill the rest).
 */
template <class T, bool B_KN>
struct TcDenseLoader {
    const T* a;
    const T* b;
    const T* arow[4];   // this thread's A rows (null past M)
    const T* brow[2];   // NK: this thread's B rows (null past N); KN: unused
    int K, N, n0, k0, ldb;

    __device__ __forceinline__ TcDenseLoader(const T* a_, const T* b_, int M, int N_, int K_, int lda, int ldb_,
                                             int m0, int n0_)
        : a(a_), b(b_), K(K_), N(N_), n0(n0_), k0(0), ldb(ldb_) {
        const int r = threadIdx.x >> 2;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int m = m0 + r + 32 * i;
            arow[i] = m < M ? a + (long long) m * lda : nullptr;
        }
#pragma unroll
        for (int i = 0; i < 2; i++) {
            const int n = n0 + r + 32 * i;
            brow[i] = !B_KN && n < N ? b + (long long) n * ldb : nullptr;
        }
    }

    __device__ __forceinline__ void load(T* stage) {
        T* As = stage;
        T* Bs = stage + TC_A_ELEMS;
        const int tid = threadIdx.x, r = tid >> 2, c = (tid & 3) * 8;
        const int kbytes = tc_chunk_bytes(k0 + c, K);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const bool ok = arow[i] != nullptr && kbytes > 0;
            cp_async_cg16(As + (r + 32 * i) * TC_LDA + c, ok ? arow[i] + k0 + c : a, ok ? kbytes : 0);
        }
        if (B_KN) {
            const int kr = tid >> 3, cn = (tid & 7) * 8;
            const int nbytes = tc_chunk_bytes(n0 + cn, N);
#pragma unroll
            for (int i = 0; i < 2; i++) {
                const int k = k0 + kr + 16 * i;
                const bool ok = k < K && nbytes > 0;
                cp_async_cg16(Bs + (kr + 16 * i) * TC_LDB_KN + cn, ok ? b + (long long) k * ldb + n0 + cn : b,
                              ok ? nbytes : 0);
            }
        } else {
#pragma unroll
            for (int i = 0; i < 2; i++) {
                const bool ok = brow[i] != nullptr && kbytes > 0;
                cp_async_cg16(Bs + (r + 32 * i) * TC_LDA + c, ok ? brow[i] + k0 + c : b, ok ? kbytes : 0);
            }
        }
        k0 += TC_BK;
    }
};

/** The fused epilogue: ((act(alpha acc + bias) + residual) * outScale; bias and residual optional (null). */
struct TcEpilogue {
    float alpha;
    int act;
    float actParam;
    float outScale;

    template <class TB, class TR>
    __device__ __forceinline__ float apply(float acc, const TB* bias, int n, const TR* res, long long idx) const {
        float v = acc * alpha;
        if (bias != nullptr) v += load_f32(bias + n);
        v = tc_activate(v, act, actParam);
        if (res != nullptr) v += load_f32(res + idx);
        return v * outScale;
    }
};
