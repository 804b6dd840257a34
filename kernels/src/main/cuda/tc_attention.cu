// Flash-attention-2-style fused attention on tensor cores: O = softmax(Q K^T * scale) V per (batch, head), F16/BF16
// storage, F32 accumulation and F32 softmax statistics, one pass over the keys.
//
// Block: 4 warps, 64 queries (16 per warp) of one (batch, head); grid (ceil(Tq / 64), heads, batch). Head dim d is
// a multiple of 8 up to 160, padded to DP (a multiple of 16) with zero-filled columns; one kernel per DP. Keys and
// values stream through shared memory in tiles of BKV rows (64 for DP <= 80, else 32), double-buffered with cp.async
// (tile j + 1 loads while tile j is used); the Q tile is staged once through the second buffer and kept in
// registers as mma A fragments. Per tile and warp: S = Q K^T (mma, K rows read by ldmatrix as the col-major B
// operand), scaled by scale * log2(e) in F32, masked past the last key; the online softmax keeps the running row
// max m and sum l in registers (rows split over the 4 lanes of a quad: two xor shuffles per row statistic), rescales
// the O accumulators by exp2(m_old - m_new), and turns the S accumulators into P's A fragments in place (the C
// layout of two 16x8 tiles is the A layout of one 16x16 tile), rounded to T; O += P V with V read by ldmatrix.trans.
// Scores and statistics never leave F32, so no F16 overflow whatever the logits.
// Shared rows are DP + 8 elements (an odd number of 16-byte units: conflict-free ldmatrix). Dynamic shared memory
// 2 stages x (K + V) x BKV x (DP + 8) x 2 bytes: 45056 bytes at DP 80, 43008 at DP 160.
// Layout by element strides per batch, head and token (multiples of 8), head dim contiguous, as attention_*.
#include "mma.cuh"

#define TCA_WARPS 4
#define TCA_BQ 64

__host__ __device__ constexpr int tca_bkv(int dp) { return dp <= 80 ? 64 : 32; }

/** Copies `rows` rows of the head-dim slice [0, DP) (zero past d and past `valid` rows) into shared rows of LD. */
template <class T, int DP, int LD>
__device__ __forceinline__ void tca_load_rows(T* dst, const T* src, long long stride, int first, int rows, int valid,
                                              int d) {
    constexpr int CH = DP / 8;
    for (int e = threadIdx.x; e < rows * CH; e += TCA_WARPS * 32) {
        const int r = e / CH, c = e - r * CH;
        const bool ok = first + r < valid && c * 8 < d;
        cp_async_cg16(dst + r * LD + c * 8, ok ? src + (long long) (first + r) * stride + c * 8 : src, ok ? 16 : 0);
    }
}

template <class T, int DP>
__device__ __forceinline__ void tc_attention_body(const T* __restrict__ q, const T* __restrict__ k,
                                                  const T* __restrict__ v, T* __restrict__ o, int tq, int sk, int d,
                                                  long long qsb, long long qsh, long long qst, long long ksb,
                                                  long long ksh, long long kst, long long vsb, long long vsh,
                                                  long long vst, long long osb, long long osh, long long ost,
                                                  float scale) {
    constexpr int BKV = tca_bkv(DP), LD = DP + 8, STAGE = 2 * BKV * LD;
    constexpr int KS = DP / 16;    // k16 steps of Q K^T
    constexpr int NS = BKV / 8;    // n8 tiles of S
    constexpr int NO = DP / 8;     // n8 tiles of O
    static_assert(TCA_BQ * LD <= STAGE, "the Q tile is staged in one K/V buffer");
    SODEC_DYNAMIC_SHARED(T, smem);
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
    const int q0 = blockIdx.x * TCA_BQ, head = blockIdx.y, batch = blockIdx.z;
    const T* qb = q + batch * qsb + head * qsh;
    const T* kb = k + batch * ksb + head * ksh;
    const T* vb = v + batch * vsb + head * vsh;
    T* ob = o + batch * osb + head * osh;
    const int ntiles = (sk + BKV - 1) / BKV;

    tca_load_rows<T, DP, LD>(smem + STAGE, qb, qst, q0, TCA_BQ, tq, d);
    cp_async_commit();
    tca_load_rows<T, DP, LD>(smem, kb, kst, 0, BKV, sk, d);
    tca_load_rows<T, DP, LD>(smem + BKV * LD, vb, vst, 0, BKV, sk, d);
    cp_async_commit();
    cp_async_wait<1>();   // Q has landed (tile 0 may still be in flight)
    __syncthreads();
    uint32_t qf[KS][4];
#pragma unroll
    for (int ks = 0; ks < KS; ks++) {
        ldsm_x4<false>(qf[ks], smem + STAGE + (warp * 16 + (lane & 15)) * LD + ks * 16 + (lane >> 4) * 8);
    }
    __syncthreads();      // every warp holds its Q fragments: the second buffer may be refilled

    float oacc[NO][4];
#pragma unroll
    for (int i = 0; i < NO; i++) oacc[i][0] = oacc[i][1] = oacc[i][2] = oacc[i][3] = 0.f;
    float mrow[2] = {-INFINITY, -INFINITY}, lrow[2] = {0.f, 0.f};
    const float sl2 = scale * 1.4426950408889634f;

    for (int j = 0; j < ntiles; j++) {
        if (j + 1 < ntiles) {
            T* nxt = smem + ((j + 1) & 1) * STAGE;
            tca_load_rows<T, DP, LD>(nxt, kb, kst, (j + 1) * BKV, BKV, sk, d);
            tca_load_rows<T, DP, LD>(nxt + BKV * LD, vb, vst, (j + 1) * BKV, BKV, sk, d);
        }
        cp_async_commit();
        cp_async_wait<1>();   // tile j has landed
        __syncthreads();
        const T* ks_ = smem + (j & 1) * STAGE;
        const T* vs = ks_ + BKV * LD;

        float s[NS][4];
#pragma unroll
        for (int i = 0; i < NS; i++) s[i][0] = s[i][1] = s[i][2] = s[i][3] = 0.f;
#pragma unroll
        for (int kk = 0; kk < KS; kk++) {
#pragma unroll
            for (int np = 0; np < NS / 2; np++) {
                uint32_t r[4];
                ldsm_x4<false>(r, ks_ + (np * 16 + (lane >> 4) * 8 + (lane & 7)) * LD + kk * 16 + ((lane >> 3) & 1) * 8);
                const uint32_t b0[2] = {r[0], r[1]}, b1[2] = {r[2], r[3]};
                mma_16816<T>(s[2 * np], qf[kk], b0);
                mma_16816<T>(s[2 * np + 1], qf[kk], b1);
            }
        }
        // scale to the log2 domain, mask keys past the end, row maxima (row g: elements 0, 1; row g + 8: 2, 3)
        const int kbase = j * BKV + 2 * t;
        float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
        for (int i = 0; i < NS; i++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const float sv = kbase + i * 8 + (e & 1) < sk ? s[i][e] * sl2 : -INFINITY;
                s[i][e] = sv;
                mx[e >> 1] = fmaxf(mx[e >> 1], sv);
            }
        }
        float alpha[2];
#pragma unroll
        for (int h = 0; h < 2; h++) {
            mx[h] = fmaxf(mx[h], __shfl_xor_sync(SODEC_FULL_MASK, mx[h], 1));
            mx[h] = fmaxf(mx[h], __shfl_xor_sync(SODEC_FULL_MASK, mx[h], 2));
            const float mnew = fmaxf(mrow[h], mx[h]);   // finite: tile 0 holds key 0 for every row
            alpha[h] = exp2f(mrow[h] - mnew);           // 0 on the first tile
            mrow[h] = mnew;
        }
        float ls[2] = {0.f, 0.f};
#pragma unroll
        for (int i = 0; i < NS; i++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const float p = exp2f(s[i][e] - mrow[e >> 1]);
                s[i][e] = p;
                ls[e >> 1] += p;
            }
        }
#pragma unroll
        for (int h = 0; h < 2; h++) lrow[h] = lrow[h] * alpha[h] + ls[h];   // per-lane partial; quad-summed at the end
#pragma unroll
        for (int i = 0; i < NO; i++) {
            oacc[i][0] *= alpha[0];
            oacc[i][1] *= alpha[0];
            oacc[i][2] *= alpha[1];
            oacc[i][3] *= alpha[1];
        }
        // O += P V: P's A fragment for keys 16 kk .. 16 kk + 15 is S tiles 2 kk and 2 kk + 1
#pragma unroll
        for (int kk = 0; kk < BKV / 16; kk++) {
            const uint32_t pa[4] = {pack2<T>(s[2 * kk][0], s[2 * kk][1]), pack2<T>(s[2 * kk][2], s[2 * kk][3]),
                                    pack2<T>(s[2 * kk + 1][0], s[2 * kk + 1][1]),
                                    pack2<T>(s[2 * kk + 1][2], s[2 * kk + 1][3])};
#pragma unroll
            for (int np = 0; np < DP / 16; np++) {
                uint32_t r[4];
                ldsm_x4<true>(r, vs + (kk * 16 + ((lane >> 3) & 1) * 8 + (lane & 7)) * LD + np * 16 + (lane >> 4) * 8);
                const uint32_t b0[2] = {r[0], r[1]}, b1[2] = {r[2], r[3]};
                mma_16816<T>(oacc[2 * np], pa, b0);
                mma_16816<T>(oacc[2 * np + 1], pa, b1);
            }
        }
        __syncthreads();   // every warp is done with buffer j & 1 before tile j + 2 overwrites it
    }

#pragma unroll
    for (int h = 0; h < 2; h++) {
        lrow[h] += __shfl_xor_sync(SODEC_FULL_MASK, lrow[h], 1);
        lrow[h] += __shfl_xor_sync(SODEC_FULL_MASK, lrow[h], 2);
    }
#pragma unroll
    for (int h = 0; h < 2; h++) {
        const int row = q0 + warp * 16 + g + 8 * h;
        if (row >= tq) continue;
        const float inv = 1.f / lrow[h];
        T* orow = ob + (long long) row * ost;
#pragma unroll
        for (int i = 0; i < NO; i++) {
            const int col = i * 8 + 2 * t;
            if (col < d) {
                store2<T>(orow + col, pack2<T>(oacc[i][2 * h] * inv, oacc[i][2 * h + 1] * inv));
            }
        }
    }
}

#define SODEC_TC_ATTENTION_DP(sfx, T, DP)                                                                        \
    extern "C" __global__ void __launch_bounds__(TCA_WARPS * 32) tc_attention_##sfx##_d##DP(                      \
            const T* q, const T* k, const T* v, T* o, int tq, int sk, int d, long long qsb, long long qsh,        \
            long long qst, long long ksb, long long ksh, long long kst, long long vsb, long long vsh,              \
            long long vst, long long osb, long long osh, long long ost, float scale) {                            \
        tc_attention_body<T, DP>(q, k, v, o, tq, sk, d, qsb, qsh, qst, ksb, ksh, kst, vsb, vsh, vst, osb, osh,    \
                                 ost, scale);                                                                     \
    }                                                                                                             \
    SODEC_EXPORT(tc_attention_##sfx##_d##DP)

#define SODEC_TC_ATTENTION(sfx, T)                                                                               \
    SODEC_TC_ATTENTION_DP(sfx, T, 16)                                                                            \
    SODEC_TC_ATTENTION_DP(sfx, T, 32)                                                                            \
    SODEC_TC_ATTENTION_DP(sfx, T, 48)                                                                            \
    SODEC_TC_ATTENTION_DP(sfx, T, 64)                                                                            \
    SODEC_TC_ATTENTION_DP(sfx, T, 80)                                                                            \
    SODEC_TC_ATTENTION_DP(sfx, T, 96)                                                                            \
    SODEC_TC_ATTENTION_DP(sfx, T, 112)                                                                           \
    SODEC_TC_ATTENTION_DP(sfx, T, 128)                                                                           \
    SODEC_TC_ATTENTION_DP(sfx, T, 144)                                                                           \
    SODEC_TC_ATTENTION_DP(sfx, T, 160)

SODEC_TC_ATTENTION(f16, __half)
SODEC_TC_ATTENTION(bf16, __nv_bfloat16)
