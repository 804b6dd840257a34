// Fused multi-head attention, flash style: O = softmax(Q K^T * scale) V in one pass over the keys with an online
// softmax (running max m and denominator l per query, accumulator rescaled when m grows), F32 accumulation for every
// storage type. Self- and cross-attention alike (Tq and S independent); no mask (no causal case in the networks).
//
// Layout is given by strides (elements) per batch, head and token for each of Q, K, V, O, with the head dim
// contiguous; so (B, T, H*D) projections and (B, H, T, D) tensors both work without a permute.
//
// Block: 4 warps; each warp owns QW queries (4 when D <= 96, else 2), a block owns 4 * QW queries of one
// (batch, head). Grid: (ceil(Tq / (4 * QW)), heads, batch). Keys go through shared memory in tiles of 32: lane j
// scores key j against the warp's queries (K rows padded to D + 1 floats: conflict-free), the warp max / sum
// update m and l (xor butterflies: deterministic), then every lane accumulates its head-dim slice d = lane + 32 c
// (c < NCH = ceil(D / 32)) of P V. Q is pre-scaled by scale * log2(e) so the exponentials are exp2f.
// Dynamic shared memory (floats): Q [4 QW][D] + K [32][D + 1] + V [32][D] + P [4 QW][32]; at D = 160 that is
// 47232 bytes, under the 48 KiB a launch gets without opt-in. Head dims 1..160.
#include "sodec_cuda.h"

#define ATT_WARPS 4
#define ATT_BK 32

__host__ __device__ constexpr int att_queries_per_warp(int nch) { return nch <= 3 ? 4 : 2; }

template <class T, int NCH>
__device__ __forceinline__ void attention_body(const T* __restrict__ q, const T* __restrict__ k,
                                               const T* __restrict__ v, T* __restrict__ o, int tq, int sk, int d,
                                               long long qsb, long long qsh, long long qst, long long ksb,
                                               long long ksh, long long kst, long long vsb, long long vsh,
                                               long long vst, long long osb, long long osh, long long ost,
                                               float scale) {
    constexpr int QW = att_queries_per_warp(NCH);
    constexpr int BQ = ATT_WARPS * QW;
    SODEC_DYNAMIC_SHARED(float, smem);
    float* Qs = smem;                        // [BQ][d]
    float* Ks = Qs + BQ * d;                 // [BK][d + 1]
    float* Vs = Ks + ATT_BK * (d + 1);       // [BK][d]
    float* Ps = Vs + ATT_BK * d;             // [BQ][BK]

    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int q0 = blockIdx.x * BQ, head = blockIdx.y, batch = blockIdx.z;
    const T* qb = q + batch * qsb + head * qsh;
    const T* kb = k + batch * ksb + head * ksh;
    const T* vb = v + batch * vsb + head * vsh;
    T* ob = o + batch * osb + head * osh;
    const float qscale = scale * 1.4426950408889634f;  // log2(e): softmax via exp2

    for (int e = tid; e < BQ * d; e += ATT_WARPS * 32) {
        const int r = e / d, dd = e - r * d;
        Qs[e] = q0 + r < tq ? load_f32(qb + (long long) (q0 + r) * qst + dd) * qscale : 0.f;
    }

    float m[QW], l[QW], acc[QW][NCH];
#pragma unroll
    for (int qi = 0; qi < QW; qi++) {
        m[qi] = -INFINITY;
        l[qi] = 0.f;
#pragma unroll
        for (int c = 0; c < NCH; c++) acc[qi][c] = 0.f;
    }
    const float* Qw = Qs + warp * QW * d;
    float* Pw = Ps + warp * QW * ATT_BK;

    for (int kt = 0; kt < sk; kt += ATT_BK) {
        __syncthreads();  // the previous tile is consumed (and, the first time, Q is stored)
        for (int e = tid; e < ATT_BK * d; e += ATT_WARPS * 32) {
            const int j = e / d, dd = e - j * d;
            const bool in = kt + j < sk;
            Ks[j * (d + 1) + dd] = in ? load_f32(kb + (long long) (kt + j) * kst + dd) : 0.f;
            Vs[e] = in ? load_f32(vb + (long long) (kt + j) * vst + dd) : 0.f;
        }
        __syncthreads();

        float s[QW];
#pragma unroll
        for (int qi = 0; qi < QW; qi++) s[qi] = 0.f;
        const float* kr = Ks + lane * (d + 1);
        for (int dd = 0; dd < d; dd++) {
            const float kv = kr[dd];
#pragma unroll
            for (int qi = 0; qi < QW; qi++) s[qi] += Qw[qi * d + dd] * kv;
        }
        const bool valid = kt + lane < sk;
#pragma unroll
        for (int qi = 0; qi < QW; qi++) {
            const float sv = valid ? s[qi] : -INFINITY;
            const float mNew = fmaxf(m[qi], warp_max(sv));  // finite: every tile holds at least one key
            const float p = valid ? exp2f(sv - mNew) : 0.f;
            const float alpha = exp2f(m[qi] - mNew);        // 0 on the first tile (m = -inf)
            l[qi] = l[qi] * alpha + warp_sum(p);
            m[qi] = mNew;
#pragma unroll
            for (int c = 0; c < NCH; c++) acc[qi][c] *= alpha;
            Pw[qi * ATT_BK + lane] = p;
        }
        __syncwarp();
        const int jn = sk - kt < ATT_BK ? sk - kt : ATT_BK;
        for (int j = 0; j < jn; j++) {
#pragma unroll
            for (int c = 0; c < NCH; c++) {
                const int dd = lane + 32 * c;
                const float vv = dd < d ? Vs[j * d + dd] : 0.f;
#pragma unroll
                for (int qi = 0; qi < QW; qi++) acc[qi][c] += Pw[qi * ATT_BK + j] * vv;
            }
        }
        __syncwarp();
    }

#pragma unroll
    for (int qi = 0; qi < QW; qi++) {
        const int row = q0 + warp * QW + qi;
        if (row >= tq) continue;
        const float inv = 1.f / l[qi];
#pragma unroll
        for (int c = 0; c < NCH; c++) {
            const int dd = lane + 32 * c;
            if (dd < d) store_f32(ob + (long long) row * ost + dd, acc[qi][c] * inv);
        }
    }
}

#define SODEC_ATTENTION_NCH(sfx, T, NCH)                                                                          \
    extern "C" __global__ void __launch_bounds__(ATT_WARPS * 32) attention_##sfx##_c##NCH(                        \
            const T* q, const T* k, const T* v, T* o, int tq, int sk, int d, long long qsb, long long qsh,        \
            long long qst, long long ksb, long long ksh, long long kst, long long vsb, long long vsh,              \
            long long vst, long long osb, long long osh, long long ost, float scale) {                            \
        attention_body<T, NCH>(q, k, v, o, tq, sk, d, qsb, qsh, qst, ksb, ksh, kst, vsb, vsh, vst, osb, osh, ost, \
                               scale);                                                                            \
    }                                                                                                             \
    SODEC_EXPORT(attention_##sfx##_c##NCH)

// One kernel per head-dim chunk count, so each keeps its accumulator in registers.
#define SODEC_ATTENTION(sfx, T)                                                                                   \
    SODEC_ATTENTION_NCH(sfx, T, 1)                                                                                \
    SODEC_ATTENTION_NCH(sfx, T, 2)                                                                                \
    SODEC_ATTENTION_NCH(sfx, T, 3)                                                                                \
    SODEC_ATTENTION_NCH(sfx, T, 4)                                                                                \
    SODEC_ATTENTION_NCH(sfx, T, 5)

SODEC_FOR_EACH_DTYPE(SODEC_ATTENTION)
