// Tensor-core instructions for the emulator: what mma.cuh calls under g++ in place of its inline PTX. Each is the
// PTX instruction's exact data movement (which lane holds which element, per the PTX ISA's fragment tables), run as
// a warp-collective operation: every lane of a full warp must execute it, as the .sync.aligned forms require.
#pragma once

#include "sodec_emu.h"

namespace sodec_emu {

/**
 * ldmatrix.sync.aligned.m8n8.{x1,x2,x4}[.trans].shared.b16: `count` 8x8 matrices of 16-bit elements; lane
 * 8 i + r supplies the address of row r of matrix i (16 bytes, 16-byte aligned, in the block's dynamic shared
 * memory); lane l receives in regs[i] elements (l / 4, 2 (l % 4)) and (l / 4, 2 (l % 4) + 1) of matrix i, or of its
 * transpose with `trans`, lower column in the low half.
 */
void ldmatrix(std::uint32_t* regs, int count, bool trans, const void* row);

/**
 * mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}.{f16,bf16}.f32 with D = C in place: d[4] += A (16x16) B (16x8),
 * a[4] / b[2] the A and B fragments of this lane (two 16-bit elements per register). Products are exact, the sum of
 * the 16 products and C is formed in double and rounded once to F32.
 */
void mma_m16n8k16(float* d, const std::uint32_t* a, const std::uint32_t* b, bool bf16);

/**
 * cp.async.{ca,cg}.shared.global [dst], [src], cp_size, src_size: copies src_size bytes (the rest of cp_size
 * zero-filled) into shared memory, asynchronously: until a wait covers it, the destination holds a NaN pattern
 * (0xFF81 per 16-bit word: NaN as F16, BF16 and F32), so a kernel reading it early computes NaNs.
 */
void cp_async(void* dst, const void* src, int cp_size, int src_size, bool cg);

/** cp.async.commit_group: the thread's uncommitted copies become its newest group. */
void cp_async_commit();

/** cp.async.wait_group n (n >= 0): completes all but the n newest committed groups; n < 0: cp.async.wait_all. */
void cp_async_wait(int n);

}  // namespace sodec_emu
