// Checks of the tensor-core instructions themselves (mma.cuh), independent of any real kernel: the tests compare
// them with the PTX ISA's fragment tables and a plain matrix product. On a GPU they run unchanged, so the
// emulator's semantics can be compared with the hardware's on the same code. One warp per launch.
#include "mma.cuh"

// D (16x8 F32, row-major) = A (16x16, row-major) B (16x8, row-major) + C, every fragment gathered from global memory
// by the PTX table (not by ldmatrix), so this pins down mma.sync alone.
template <class T>
__device__ __forceinline__ void selftest_mma_body(const T* a, const T* b, const float* c, float* d) {
    const int lane = threadIdx.x, g = lane >> 2, t = lane & 3;
    auto bits = [](const T* p) {
        uint16_t u;
        memcpy(&u, p, 2);
        return (uint32_t) u;
    };
    uint32_t af[4], bf[2];
    for (int i = 0; i < 4; i++) {
        const int row = g + 8 * (i & 1), col = 2 * t + 8 * (i >> 1);
        af[i] = bits(a + row * 16 + col) | bits(a + row * 16 + col + 1) << 16;
    }
    for (int i = 0; i < 2; i++) {
        const int k = 2 * t + 8 * i;
        bf[i] = bits(b + k * 8 + g) | bits(b + (k + 1) * 8 + g) << 16;
    }
    float acc[4];
    for (int i = 0; i < 4; i++) acc[i] = c[(g + 8 * (i >> 1)) * 8 + 2 * t + (i & 1)];
    mma_16816<T>(acc, af, bf);
    for (int i = 0; i < 4; i++) d[(g + 8 * (i >> 1)) * 8 + 2 * t + (i & 1)] = acc[i];
}

extern "C" __global__ void tc_selftest_mma_f16(const __half* a, const __half* b, const float* c, float* d) {
    selftest_mma_body<__half>(a, b, c, d);
}
SODEC_EXPORT(tc_selftest_mma_f16)
extern "C" __global__ void tc_selftest_mma_bf16(const __nv_bfloat16* a, const __nv_bfloat16* b, const float* c, float* d) {
    selftest_mma_body<__nv_bfloat16>(a, b, c, d);
}
SODEC_EXPORT(tc_selftest_mma_bf16)

// src: 32 rows of 8 16-bit words, copied to dynamic shared memory. Lane l addresses row perm[l] (so the test sees
// that every lane's address is honoured); out[(variant * 32 + lane) * 4 + i] = register i of lane `lane` for the
// variants x1, x2, x4, x1.trans, x2.trans, x4.trans (registers a variant does not produce are left alone).
extern "C" __global__ void tc_selftest_ldmatrix(const uint16_t* src, const int* perm, uint32_t* out) {
    SODEC_DYNAMIC_SHARED(uint16_t, rows);
    const int lane = threadIdx.x;
    for (int i = 0; i < 8; i++) rows[lane * 8 + i] = src[lane * 8 + i];
    __syncthreads();
    const uint16_t* mine = rows + perm[lane] * 8;
    uint32_t r1[1], r2[2], r4[4];
    ldsm_x1<false>(r1, mine);
    out[(0 * 32 + lane) * 4] = r1[0];
    ldsm_x2<false>(r2, mine);
    for (int i = 0; i < 2; i++) out[(1 * 32 + lane) * 4 + i] = r2[i];
    ldsm_x4<false>(r4, mine);
    for (int i = 0; i < 4; i++) out[(2 * 32 + lane) * 4 + i] = r4[i];
    ldsm_x1<true>(r1, mine);
    out[(3 * 32 + lane) * 4] = r1[0];
    ldsm_x2<true>(r2, mine);
    for (int i = 0; i < 2; i++) out[(4 * 32 + lane) * 4 + i] = r2[i];
    ldsm_x4<true>(r4, mine);
    for (int i = 0; i < 4; i++) out[(5 * 32 + lane) * 4 + i] = r4[i];
}
SODEC_EXPORT(tc_selftest_ldmatrix)

// cp.async groups: each lane copies 16 bytes (cg) of src[0..127] as group 0, 16 bytes of src[128..255] as group 1,
// 8 bytes (ca, src-size 4: the upper 4 bytes zero-filled) of src[256..] as group 2 and 4 bytes (ca) as group 3,
// then waits per `mode` and writes what it sees in its own destinations to out (4 + 4 + 2 + 1 floats per lane):
// mode 0: wait_group 2 (groups 0 and 1 complete), 1: wait_all, 2: no wait at all, 3: wait_group 0 before the last
// commit (group 3 issued but not committed: wait_group ignores it). The emulator's poisoning makes the incomplete
// groups read as NaN; on a GPU only modes 1 and the completed groups of 0/3 are defined.
extern "C" __global__ void tc_selftest_cp_async(const float* src, float* out, int mode) {
    SODEC_DYNAMIC_SHARED(float, sm);
    const int lane = threadIdx.x;
    cp_async_cg16(sm + lane * 4, src + lane * 4, 16);
    cp_async_commit();
    cp_async_cg16(sm + 128 + lane * 4, src + 128 + lane * 4, 16);
    cp_async_commit();
    cp_async_ca<8>(sm + 256 + lane * 2, src + 256 + lane * 2, 4);
    cp_async_commit();
    cp_async_ca<4>(sm + 320 + lane, src + 320 + lane, 4);
    if (mode == 0) {
        cp_async_commit();
        cp_async_wait<2>();
    } else if (mode == 1) {
        cp_async_wait_all();
    } else if (mode == 3) {
        cp_async_wait<0>();
    }
    float* o = out + lane * 11;
    for (int i = 0; i < 4; i++) o[i] = sm[lane * 4 + i];
    for (int i = 0; i < 4; i++) o[4 + i] = sm[128 + lane * 4 + i];
    for (int i = 0; i < 2; i++) o[8 + i] = sm[256 + lane * 2 + i];
    o[10] = sm[320 + lane];
}
SODEC_EXPORT(tc_selftest_cp_async)

// Misuse the emulator must refuse (never launch on a GPU): 0 = ldmatrix from global memory, 1 = a misaligned
// cp.async, 2 = mma.sync in a warp that is not full (launch with fewer than 32 threads), 3 = cp.async into global
// memory.
extern "C" __global__ void tc_selftest_misuse(__half* g, int what) {
    SODEC_DYNAMIC_SHARED(__half, sm);
    uint32_t r[4] = {0, 0, 0, 0}, b[2] = {0, 0};
    float d[4] = {0.f, 0.f, 0.f, 0.f};
    if (what == 0) ldsm_x4<false>(r, g + threadIdx.x * 8);
    if (what == 1) cp_async_cg16(sm + 4, g, 16);
    if (what == 2) mma_16816<__half>(d, r, b);
    if (what == 3) cp_async_cg16(g + 8 * threadIdx.x, g, 16);
    cp_async_wait_all();
    g[threadIdx.x] = __float2half(d[0] + (float) r[0] + __half2float(sm[threadIdx.x]));
}
SODEC_EXPORT(tc_selftest_misuse)
