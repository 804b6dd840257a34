// Internal to the emulator runtime (sodec_emu.cpp, sodec_emu_tc.cpp): the structures behind a block's fibers and
// warps. Kernel sources never include this; they see sodec_emu.h (and sodec_emu_tc.h through mma.cuh).
#pragma once

#include "sodec_emu.h"

#include <sys/mman.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

#include <string>
#include <vector>

namespace sodec_emu {

constexpr int kWarp = 32;
constexpr std::size_t kStackBytes = 128 * 1024;
// Bytes each lane may put into a warp-collective exchange (ldmatrix: one address; mma: 6 registers).
constexpr int kExchangeBytes = 32;

struct Kernel {
    std::string name;
    void (*fn)();
    Thunk thunk;
    std::string kinds;
    std::vector<int> sizes;
};

std::vector<Kernel>& registry();

enum class State { Runnable, WaitBlock, WaitWarp, Done };

/** One cp.async in flight: its destination stays poisoned until a wait completes it. */
struct AsyncCopy {
    unsigned char* dst;
    int bytes;
    int group;                  // -1 until a commit_group takes it
    unsigned char data[16];     // the source bytes (zero-filled past src-size), read at issue
};

struct Fiber {
#if defined(__x86_64__)
    void* sp = nullptr;  // saved stack pointer while switched out
#else
    ucontext_t ctx;
#endif
    dim3 idx;
    int linear = 0;
    int warp = 0;
    int lane = 0;
    State state = State::Done;
    // cp.async state of this thread (copies are per thread, as on the GPU)
    std::vector<AsyncCopy> async;
    int committed = 0;          // commit_group calls so far
    // warp-collective exchange buffer this lane uses next (0/1, alternating)
    int xphase = 0;
};

struct WarpState {
    unsigned existing = 0;  // lanes that exist in this warp (a partial last warp has fewer than 32)
    unsigned done = 0;      // lanes that have returned
    int waiting = 0;
    int needed = 0;         // arrivals that open the current warp barrier
    std::uint64_t slot[kWarp];
    // Two alternating exchange buffers for warp-collective instructions: one barrier per collective is enough,
    // because no lane can write buffer p again before every lane has left the collective that read it.
    alignas(16) unsigned char exchange[2][kWarp][kExchangeBytes];
};

struct Block {
    dim3 bid, bdim, gdim;
    int nthreads = 0;
    int live = 0;
    int waitingBlock = 0;
    std::vector<Fiber> fibers;
    std::vector<WarpState> warps;
    std::vector<unsigned char> smem;
#if defined(__x86_64__)
    void* schedSp = nullptr;
#else
    ucontext_t sched;
#endif
    std::string error;
    // launch-wide
    const Kernel* kernel = nullptr;
    void** args = nullptr;
    // fiber stacks, reused across blocks of a launch
    unsigned char* stacks = nullptr;
    std::size_t stackCount = 0;

    ~Block() {
        if (stacks) munmap(stacks, stackCount * kStackBytes);
    }
};

/** Ends the calling thread's block with an error (the launch fails with `why`); never returns. */
[[noreturn]] void kernel_fault(const std::string& why);

/** Waits until every lane of `mask` (that exists) in the caller's warp has arrived; faults on misuse. */
void warp_sync_collective(unsigned mask);

}  // namespace sodec_emu
