// The emulator's tensor-core instructions (see sodec_emu_tc.h): ldmatrix and mma.sync exchange each lane's
// operands through the warp's collective buffer and compute what the PTX ISA says every lane receives; cp.async
// keeps a per-thread list of copies in flight and poisons their destinations until the matching wait.
#include "sodec_emu_tc.h"

#include "sodec_emu_runtime.h"

namespace sodec_emu {

namespace {

constexpr std::uint16_t kPoison = 0xFF81;   // NaN as F16 (quiet), BF16 and, paired, F32 (signalling)

/** Puts this lane's `bytes` into the warp's next exchange buffer, waits for the full warp, returns the buffer. */
const unsigned char (*exchange(const void* mine, int bytes, const char* what))[kExchangeBytes] {
    Block* b = tls_block;
    Fiber* f = tls_fiber;
    WarpState& ws = b->warps[f->warp];
    if (ws.existing != 0xffffffffu) {
        kernel_fault(std::string(what) + " needs a full warp of 32 threads (the block size must be a multiple of 32)");
    }
    int p = f->xphase;
    f->xphase ^= 1;
    std::memcpy(ws.exchange[p][f->lane], mine, (std::size_t) bytes);
    warp_sync_collective(0xffffffffu);
    return ws.exchange[p];
}

bool in_dynamic_smem(const void* p, int bytes) {
    const unsigned char* s = tls_block->smem.data();
    const unsigned char* q = static_cast<const unsigned char*>(p);
    return q >= s && q + bytes <= s + tls_block->smem.size();
}

std::string hex(const void* p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%p", p);
    return buf;
}

float to_float(std::uint16_t bits, bool bf16) {
    return bf16 ? __bfloat162float(__nv_bfloat16{bits}) : __half2float(__half{bits});
}

std::uint32_t word(const unsigned char* slot, int reg) {
    std::uint32_t w;
    std::memcpy(&w, slot + 4 * reg, 4);
    return w;
}

void complete(AsyncCopy& c) { std::memcpy(c.dst, c.data, (std::size_t) c.bytes); }

}  // namespace

void ldmatrix(std::uint32_t* regs, int count, bool trans, const void* row) {
    Fiber* f = tls_fiber;
    if (count != 1 && count != 2 && count != 4) kernel_fault("ldmatrix takes 1, 2 or 4 matrices");
    if (f->lane < 8 * count) {
        if ((reinterpret_cast<std::uintptr_t>(row) & 15u) != 0) {
            kernel_fault("ldmatrix row address " + hex(row) + " is not 16-byte aligned");
        }
        if (!in_dynamic_smem(row, 16)) {
            kernel_fault("ldmatrix row address " + hex(row) + " is not in the block's dynamic shared memory");
        }
    }
    std::uintptr_t mine = reinterpret_cast<std::uintptr_t>(row);
    const auto* x = exchange(&mine, (int) sizeof mine, "ldmatrix");
    const int g = f->lane >> 2, t = f->lane & 3;
    auto rowOf = [&](int lane) {
        std::uintptr_t a;
        std::memcpy(&a, x[lane], sizeof a);
        return reinterpret_cast<const std::uint16_t*>(a);
    };
    for (int i = 0; i < count; i++) {
        std::uint16_t lo, hi;
        if (!trans) {
            const std::uint16_t* r = rowOf(8 * i + g);
            lo = r[2 * t];
            hi = r[2 * t + 1];
        } else {
            // element (g, 2t + j) of the transpose is element (2t + j, g) of the stored matrix
            lo = rowOf(8 * i + 2 * t)[g];
            hi = rowOf(8 * i + 2 * t + 1)[g];
        }
        regs[i] = (std::uint32_t) lo | ((std::uint32_t) hi << 16);
    }
}

void mma_m16n8k16(float* d, const std::uint32_t* a, const std::uint32_t* b, bool bf16) {
    std::uint32_t mine[6] = {a[0], a[1], a[2], a[3], b[0], b[1]};
    const auto* x = exchange(mine, (int) sizeof mine, "mma.sync");
    const int lane = tls_fiber->lane, g = lane >> 2, t = lane & 3;
    // A (row r, col k): lane 4 (r % 8) + (k % 8) / 2, register (r / 8) + 2 (k / 8), half k % 2.
    // B (row k, col n): lane 4 n + (k % 8) / 2, register 4 + k / 8, half k % 2.
    float arow[2][16], bcol[2][16];
    for (int h = 0; h < 2; h++) {
        const int r = g + 8 * h, n = 2 * t + h;
        for (int k = 0; k < 16; k++) {
            std::uint32_t wa = word(x[4 * (r & 7) + ((k & 7) >> 1)], (r >> 3) + 2 * (k >> 3));
            std::uint32_t wb = word(x[4 * n + ((k & 7) >> 1)], 4 + (k >> 3));
            arow[h][k] = to_float((std::uint16_t) ((k & 1) ? wa >> 16 : wa), bf16);
            bcol[h][k] = to_float((std::uint16_t) ((k & 1) ? wb >> 16 : wb), bf16);
        }
    }
    // D layout: d0 (g, 2t), d1 (g, 2t + 1), d2 (g + 8, 2t), d3 (g + 8, 2t + 1).
    for (int i = 0; i < 4; i++) {
        const float* ar = arow[i >> 1];
        const float* bc = bcol[i & 1];
        double s = d[i];
        for (int k = 0; k < 16; k++) s += (double) ar[k] * (double) bc[k];
        d[i] = (float) s;
    }
}

void cp_async(void* dst, const void* src, int cp_size, int src_size, bool cg) {
    if (cp_size != 4 && cp_size != 8 && cp_size != 16) kernel_fault("cp.async copies 4, 8 or 16 bytes");
    if (cg && cp_size != 16) kernel_fault("cp.async.cg copies 16 bytes only");
    if (src_size < 0 || src_size > cp_size) {
        kernel_fault("cp.async src-size " + std::to_string(src_size) + " outside 0.." + std::to_string(cp_size));
    }
    const std::uintptr_t m = (std::uintptr_t) cp_size - 1;
    if ((reinterpret_cast<std::uintptr_t>(dst) & m) != 0 || (reinterpret_cast<std::uintptr_t>(src) & m) != 0) {
        kernel_fault("cp.async addresses " + hex(dst) + " <- " + hex(src) + " are not aligned to " + std::to_string(cp_size));
    }
    if (!in_dynamic_smem(dst, cp_size)) {
        kernel_fault("cp.async destination " + hex(dst) + " is not in the block's dynamic shared memory");
    }
    AsyncCopy c;
    c.dst = static_cast<unsigned char*>(dst);
    c.bytes = cp_size;
    c.group = -1;
    std::memset(c.data, 0, sizeof c.data);
    if (src_size > 0) std::memcpy(c.data, src, (std::size_t) src_size);
    for (int i = 0; i < cp_size; i += 2) std::memcpy(c.dst + i, &kPoison, 2);
    tls_fiber->async.push_back(c);
}

void cp_async_commit() {
    Fiber* f = tls_fiber;
    for (AsyncCopy& c : f->async) {
        if (c.group < 0) c.group = f->committed;
    }
    f->committed++;
}

void cp_async_wait(int n) {
    Fiber* f = tls_fiber;
    std::vector<AsyncCopy>& q = f->async;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < q.size(); i++) {
        bool done = n < 0 || (q[i].group >= 0 && q[i].group < f->committed - n);
        if (done) {
            complete(q[i]);
        } else {
            q[kept++] = q[i];
        }
    }
    q.resize(kept);
}

}  // namespace sodec_emu
