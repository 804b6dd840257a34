// Runtime of the kernel emulator: kernel registry, fiber scheduler per block, block workers, and the C entry points
// that Java calls through FFM (sodec_emu_launch and friends). See sodec_emu.h for the execution model.
#include "sodec_emu_runtime.h"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

namespace sodec_emu {

namespace {

// CUDA's limits for a launch without opt-in attributes: we hold kernels to what a real launch accepts.
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr unsigned kMaxBlockZ = 64;
constexpr unsigned kMaxGridYZ = 65535;
constexpr int kMaxDynamicSmem = 48 * 1024;

}  // namespace

std::vector<Kernel>& registry() {
    static std::vector<Kernel> r;
    return r;
}

thread_local Fiber* tls_fiber = nullptr;
thread_local Block* tls_block = nullptr;

const dim3& thread_idx() { return tls_fiber->idx; }
const dim3& block_idx() { return tls_block->bid; }
const dim3& block_dim() { return tls_block->bdim; }
const dim3& grid_dim() { return tls_block->gdim; }
unsigned char* dynamic_smem() { return tls_block->smem.data(); }

namespace {

void fiber_entry();

#if defined(__x86_64__)
// Saves the callee-saved registers on the current stack, stores the stack pointer in *save and continues on the
// stack `next` (which was saved the same way, or prepared by init_fiber). A few instructions instead of
// swapcontext's signal-mask system call: a barrier costs two switches per thread, and the tests run millions.
extern "C" void sodec_emu_switch(void** save, void* next);
asm(R"(
    .text
    .p2align 4
    .globl sodec_emu_switch
    .hidden sodec_emu_switch
    .type sodec_emu_switch, @function
sodec_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size sodec_emu_switch, .-sodec_emu_switch
)");

void init_fiber(Fiber& f, unsigned char* stack, std::size_t bytes) {
    auto top = reinterpret_cast<std::uintptr_t>(stack + bytes) & ~std::uintptr_t(15);
    void** sp = reinterpret_cast<void**>(top);
    *--sp = nullptr;                                    // fiber_entry's return address slot: it never returns
    *--sp = reinterpret_cast<void*>(&fiber_entry);      // where the first switch's ret lands
    for (int i = 0; i < 6; i++) *--sp = nullptr;        // rbp rbx r12..r15
    f.sp = sp;
}
inline void to_fiber(Block* b, Fiber* f) { sodec_emu_switch(&b->schedSp, f->sp); }
inline void to_scheduler(Block* b, Fiber* f) { sodec_emu_switch(&f->sp, b->schedSp); }
#else
void init_fiber(Fiber& f, unsigned char* stack, std::size_t bytes) {
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = stack;
    f.ctx.uc_stack.ss_size = bytes;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, fiber_entry, 0);
}
inline void to_fiber(Block* b, Fiber* f) { swapcontext(&b->sched, &f->ctx); }
inline void to_scheduler(Block* b, Fiber* f) { swapcontext(&f->ctx, &b->sched); }
#endif

// Thrown never: kernel-side failures switch back to the scheduler, which abandons the block.
[[noreturn]] void fail_in_fiber(const std::string& why) {
    Block* b = tls_block;
    Fiber* f = tls_fiber;
    if (b->error.empty()) b->error = why;
    f->state = State::Done;
    to_scheduler(b, f);
    std::abort();  // the scheduler never resumes a fiber after an error
}

void release_block(Block* b) {
    for (Fiber& f : b->fibers) {
        if (f.state == State::WaitBlock) f.state = State::Runnable;
    }
    b->waitingBlock = 0;
}

void release_warp(Block* b, int w) {
    int base = w * kWarp;
    int end = std::min(base + kWarp, b->nthreads);
    for (int i = base; i < end; i++) {
        if (b->fibers[i].state == State::WaitWarp) b->fibers[i].state = State::Runnable;
    }
    b->warps[w].waiting = 0;
    b->warps[w].needed = 0;
}

void fiber_entry() {
    Block* b = tls_block;
    Fiber* f = tls_fiber;
    b->kernel->thunk(b->kernel->fn, b->args);
    // Thread exit: barriers count live threads only, so an exit may open a barrier others wait at.
    f->state = State::Done;
    b->live--;
    WarpState& ws = b->warps[f->warp];
    ws.done |= 1u << f->lane;
    if (b->waitingBlock > 0 && b->waitingBlock == b->live) release_block(b);
    if (ws.waiting > 0) {
        b->error = "warp " + std::to_string(f->warp) + ": lane " + std::to_string(f->lane)
                + " exited while other lanes wait in a warp-synchronous call that includes it";
    }
    to_scheduler(b, f);
}

std::string where(const Block* b) {
    return "block (" + std::to_string(b->bid.x) + "," + std::to_string(b->bid.y) + "," + std::to_string(b->bid.z) + ")";
}

// Runs one block to completion; returns false with b->error set on a kernel fault or a deadlock.
bool run_block(Block* b) {
    int n = b->nthreads;
    for (int i = 0; i < n; i++) {
        Fiber& f = b->fibers[i];
        f.linear = i;
        f.idx.x = i % b->bdim.x;
        f.idx.y = (i / b->bdim.x) % b->bdim.y;
        f.idx.z = i / (b->bdim.x * b->bdim.y);
        f.warp = i / kWarp;
        f.lane = i % kWarp;
        f.state = State::Runnable;
        f.async.clear();
        f.committed = 0;
        f.xphase = 0;
        init_fiber(f, b->stacks + (std::size_t) i * kStackBytes, kStackBytes);
    }
    for (std::size_t w = 0; w < b->warps.size(); w++) {
        WarpState& ws = b->warps[w];
        int lanes = std::min(kWarp, n - (int) w * kWarp);
        ws.existing = lanes == kWarp ? 0xffffffffu : ((1u << lanes) - 1u);
        ws.done = 0;
        ws.waiting = 0;
        ws.needed = 0;
    }
    b->live = n;
    b->waitingBlock = 0;
    // Poison dynamic shared memory: a kernel that reads it before writing gets NaNs, not stale data.
    std::memset(b->smem.data(), 0xff, b->smem.size());
    while (b->live > 0) {
        bool progressed = false;
        // Reverse order: a consumer that forgot __syncthreads runs before its producer and reads garbage.
        for (int i = n - 1; i >= 0; i--) {
            Fiber& f = b->fibers[i];
            if (f.state != State::Runnable) continue;
            tls_fiber = &f;
            to_fiber(b, &f);
            tls_fiber = nullptr;
            progressed = true;
            if (!b->error.empty()) {
                b->error = where(b) + ", thread " + std::to_string(f.linear) + ": " + b->error;
                return false;
            }
        }
        if (!progressed) {
            int atBlock = 0, atWarp = 0;
            for (int i = 0; i < n; i++) {
                if (b->fibers[i].state == State::WaitBlock) atBlock++;
                if (b->fibers[i].state == State::WaitWarp) atWarp++;
            }
            b->error = where(b) + ": deadlock: " + std::to_string(atBlock) + " threads wait at __syncthreads, "
                    + std::to_string(atWarp) + " at a warp sync, " + std::to_string(n - b->live)
                    + " exited (a barrier inside divergent code?)";
            return false;
        }
    }
    return true;
}

void warp_barrier(unsigned mask) {
    Block* b = tls_block;
    Fiber* f = tls_fiber;
    WarpState& ws = b->warps[f->warp];
    unsigned lanes = mask & ws.existing;
    if ((lanes & (1u << f->lane)) == 0) {
        fail_in_fiber("lane " + std::to_string(f->lane) + " calls a warp-synchronous function with a mask that excludes it");
    }
    if (lanes & ws.done) {
        fail_in_fiber("warp-synchronous call names lanes that have already exited (mask " + std::to_string(mask) + ")");
    }
    int needed = __builtin_popcount(lanes);
    if (ws.waiting > 0 && ws.needed != needed) {
        fail_in_fiber("lanes of one warp sync with different masks at the same time");
    }
    ws.needed = needed;
    ws.waiting++;
    f->state = State::WaitWarp;
    if (ws.waiting == ws.needed) release_warp(b, f->warp);
    to_scheduler(b, f);
}

}  // namespace

[[noreturn]] void kernel_fault(const std::string& why) { fail_in_fiber(why); }

void warp_sync_collective(unsigned mask) { warp_barrier(mask); }

void syncthreads() {
    Block* b = tls_block;
    Fiber* f = tls_fiber;
    f->state = State::WaitBlock;
    b->waitingBlock++;
    if (b->waitingBlock == b->live) release_block(b);
    to_scheduler(b, f);
}

void syncwarp(unsigned mask) { warp_barrier(mask); }

std::uint64_t shfl(unsigned mask, std::uint64_t bits, int mode, int arg, int width) {
    Block* b = tls_block;
    Fiber* f = tls_fiber;
    if (width < 1 || width > kWarp || (width & (width - 1)) != 0) fail_in_fiber("shuffle width must be a power of two <= 32");
    WarpState& ws = b->warps[f->warp];
    int lane = f->lane;
    ws.slot[lane] = bits;
    warp_barrier(mask);
    int segBase = lane & ~(width - 1);
    int src = lane;
    switch (mode) {
        case 0: src = segBase + (arg & (width - 1)); break;
        case 1: src = lane - arg; if (src < segBase) src = lane; break;
        case 2: src = lane + arg; if (src >= segBase + width) src = lane; break;
        default: src = lane ^ arg; if (src < segBase || src >= segBase + width) src = lane; break;
    }
    unsigned lanes = mask & ws.existing;
    // Reading a lane that does not take part is undefined in CUDA: flag it instead of returning junk.
    if (src < 0 || src >= kWarp || (lanes & (1u << src)) == 0) {
        fail_in_fiber("shuffle reads lane " + std::to_string(src) + " which is not in the mask or does not exist");
    }
    std::uint64_t r = ws.slot[src];
    warp_barrier(mask);  // nobody may overwrite a slot before every lane has read
    return r;
}

unsigned ballot(unsigned mask, bool pred) {
    Block* b = tls_block;
    Fiber* f = tls_fiber;
    WarpState& ws = b->warps[f->warp];
    ws.slot[f->lane] = pred ? 1 : 0;
    warp_barrier(mask);
    unsigned r = 0;
    unsigned lanes = mask & ws.existing;
    for (int l = 0; l < kWarp; l++) {
        if ((lanes & (1u << l)) && ws.slot[l]) r |= 1u << l;
    }
    warp_barrier(mask);
    return r;
}

void trap(const char* why) { fail_in_fiber(why); }

bool register_kernel(const char* name, void (*fn)(), Thunk thunk, const char* kinds, const int* sizes, int nargs) {
    registry().push_back(Kernel{name, fn, thunk, kinds, std::vector<int>(sizes, sizes + nargs)});
    return true;
}

namespace {

thread_local std::string last_error;

const Kernel* find_kernel(const char* name) {
    for (const Kernel& k : registry()) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

int fail(const std::string& why) {
    last_error = why;
    return 1;
}

void prepare(Block& b, const Kernel* k, void** args, dim3 grid, dim3 block, int smem) {
    b.kernel = k;
    b.args = args;
    b.gdim = grid;
    b.bdim = block;
    b.nthreads = (int) (block.x * block.y * block.z);
    b.fibers.assign(b.nthreads, Fiber{});
    b.warps.assign((b.nthreads + kWarp - 1) / kWarp, WarpState{});
    b.smem.assign((std::size_t) std::max(smem, 16), 0);
    b.stackCount = (std::size_t) b.nthreads;
    void* mem = mmap(nullptr, b.stackCount * kStackBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    b.stacks = mem == MAP_FAILED ? nullptr : static_cast<unsigned char*>(mem);
    // A no-access page at the bottom of every stack: an overflowing kernel faults instead of silently
    // overwriting the neighbouring thread's stack.
    for (std::size_t i = 0; b.stacks != nullptr && i < b.stackCount; i++) mprotect(b.stacks + i * kStackBytes, 4096, PROT_NONE);
}

}  // namespace

}  // namespace sodec_emu

using namespace sodec_emu;

// The library is built with -fvisibility=hidden: only these entry points are exported, so kernel symbols (plain
// extern "C" names like gemm_f32) can neither clash with nor be interposed by another library in the process.
#define SODEC_EMU_API __attribute__((visibility("default")))

extern "C" {

/** Message of the last failed call on this thread (empty when none). */
SODEC_EMU_API const char* sodec_emu_last_error() { return last_error.c_str(); }

SODEC_EMU_API int sodec_emu_kernel_count() { return (int) registry().size(); }

SODEC_EMU_API const char* sodec_emu_kernel_name(int i) {
    return i >= 0 && i < (int) registry().size() ? registry()[i].name.c_str() : nullptr;
}

/** Parameter kinds of a kernel ('p' pointer, 'i' integer, 'f' float), or null when unknown. */
SODEC_EMU_API const char* sodec_emu_kernel_signature(const char* name) {
    const Kernel* k = find_kernel(name);
    return k ? k->kinds.c_str() : nullptr;
}

/**
 * Runs kernel `name` over grid x block with `smem` bytes of dynamic shared memory, up to `workers` blocks at a
 * time (1 = strictly one after another). args[i] points at the value of parameter i (as cuLaunchKernel's
 * kernelParams); kinds/sizes describe what the caller passes and must match the kernel's signature. Returns 0, or
 * nonzero with sodec_emu_last_error() saying why.
 */
SODEC_EMU_API int sodec_emu_launch(const char* name, int gx, int gy, int gz, int bx, int by, int bz, int smem, int workers,
                     int nargs, const char* kinds, const int* sizes, void** args) {
    last_error.clear();
    if (workers < 1 || workers > 64) return fail("workers must be in 1..64, got " + std::to_string(workers));
    if (name == nullptr) return fail("kernel name is null");
    const Kernel* k = find_kernel(name);
    if (k == nullptr) return fail(std::string("no kernel named '") + name + "' in the emulator library");
    if (nargs != (int) k->sizes.size()) {
        return fail(std::string(name) + ": " + std::to_string(nargs) + " arguments given, the kernel takes "
                    + std::to_string(k->sizes.size()) + " (" + k->kinds + ")");
    }
    for (int i = 0; i < nargs; i++) {
        if (kinds[i] != k->kinds[i] || sizes[i] != k->sizes[i]) {
            return fail(std::string(name) + ": argument " + std::to_string(i) + " is '" + kinds[i] + "' of "
                        + std::to_string(sizes[i]) + " bytes, the kernel expects '" + k->kinds[i] + "' of "
                        + std::to_string(k->sizes[i]) + " bytes");
        }
        if (args[i] == nullptr) return fail(std::string(name) + ": argument " + std::to_string(i) + " has no value");
    }
    if (gx < 1 || gy < 1 || gz < 1 || (unsigned) gy > kMaxGridYZ || (unsigned) gz > kMaxGridYZ) {
        return fail(std::string(name) + ": invalid grid " + std::to_string(gx) + "x" + std::to_string(gy) + "x" + std::to_string(gz));
    }
    if (bx < 1 || by < 1 || bz < 1 || (unsigned) bz > kMaxBlockZ
        || (long long) bx * by * bz > (long long) kMaxThreadsPerBlock) {
        return fail(std::string(name) + ": invalid block " + std::to_string(bx) + "x" + std::to_string(by) + "x" + std::to_string(bz)
                    + " (at most 1024 threads)");
    }
    if (smem < 0 || smem > kMaxDynamicSmem) {
        return fail(std::string(name) + ": " + std::to_string(smem) + " bytes of dynamic shared memory (0.." + std::to_string(kMaxDynamicSmem) + ")");
    }
    dim3 grid{(unsigned) gx, (unsigned) gy, (unsigned) gz};
    dim3 block{(unsigned) bx, (unsigned) by, (unsigned) bz};
    long long total = (long long) gx * gy * gz;
    workers = (int) std::min<long long>(workers, total);
    std::atomic<long long> next{0};
    std::atomic<bool> failed{false};
    std::mutex errLock;
    std::string firstError;

    auto work = [&]() {
        Block b;
        prepare(b, k, args, grid, block, smem);
        if (b.stacks == nullptr) {
            std::lock_guard<std::mutex> g(errLock);
            if (firstError.empty()) firstError = std::string(name) + ": cannot map fiber stacks";
            failed = true;
            return;
        }
        tls_block = &b;
        for (;;) {
            if (failed.load()) break;
            long long i = next.fetch_add(1);
            if (i >= total) break;
            b.bid.x = (unsigned) (i % gx);
            b.bid.y = (unsigned) ((i / gx) % gy);
            b.bid.z = (unsigned) (i / ((long long) gx * gy));
            b.error.clear();
            if (!run_block(&b)) {
                std::lock_guard<std::mutex> g(errLock);
                if (firstError.empty()) firstError = std::string(name) + ": " + b.error;
                failed = true;
                break;
            }
        }
        tls_block = nullptr;
    };
    // Blocks never run on the caller's (JVM) thread: fibers switch stacks, which we keep off threads we do not own.
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; w++) pool.emplace_back(work);
    for (std::thread& t : pool) t.join();
    if (failed.load()) return fail(firstError);
    return 0;
}

}  // extern "C"
