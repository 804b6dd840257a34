// Small kernels that pin down the execution-model features the real kernels rely on (barriers, dynamic shared
// memory, warp shuffles, ballots, atomics across blocks). The emulator tests run them; on a GPU they run unchanged,
// so the emulator and the hardware can be compared on the same code.
#include "sodec_cuda.h"

// out[i] = in[blockDim.x - 1 - i] per block, through dynamic shared memory: wrong without the barrier.
extern "C" __global__ void selftest_reverse(const int* in, int* out) {
    SODEC_DYNAMIC_SHARED(int, buf);
    int base = blockIdx.x * blockDim.x;
    buf[threadIdx.x] = in[base + threadIdx.x];
    __syncthreads();
    out[base + threadIdx.x] = buf[blockDim.x - 1 - threadIdx.x];
}
SODEC_EXPORT(selftest_reverse)

// selftest_reverse without its barrier: a race. The emulator runs threads in reverse order between barriers on
// poisoned shared memory, so the bug must show up on every run, not once in a while.
extern "C" __global__ void selftest_reverse_racy(const int* in, int* out) {
    SODEC_DYNAMIC_SHARED(int, buf);
    int base = blockIdx.x * blockDim.x;
    buf[threadIdx.x] = in[base + threadIdx.x];
    out[base + threadIdx.x] = buf[blockDim.x - 1 - threadIdx.x];
}
SODEC_EXPORT(selftest_reverse_racy)

// Per thread i (1-D block, multiple of 32 threads): out[5i..5i+4] = warp sum, shfl_down 1, shfl_up 3,
// shfl idx 5 within segments of 8, ballot of (value > 0) as a float.
extern "C" __global__ void selftest_warp(const float* in, float* out) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = in[i];
    out[5 * i + 0] = warp_sum(v);
    out[5 * i + 1] = __shfl_down_sync(SODEC_FULL_MASK, v, 1);
    out[5 * i + 2] = __shfl_up_sync(SODEC_FULL_MASK, v, 3);
    out[5 * i + 3] = __shfl_sync(SODEC_FULL_MASK, v, 5, 8);
    out[5 * i + 4] = (float) __ballot_sync(SODEC_FULL_MASK, v > 0.f);
}
SODEC_EXPORT(selftest_warp)

// Histogram of in[i] mod 16 over all blocks plus a float total: cooperating blocks through global atomics.
extern "C" __global__ void selftest_atomic(const int* in, int n, int* hist, float* total) {
    __shared__ int local[16];
    if (threadIdx.x < 16) local[threadIdx.x] = 0;
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        atomicAdd(&local[((in[i] % 16) + 16) % 16], 1);
        atomicAdd(total, 1.0f);
    }
    __syncthreads();
    if (threadIdx.x < 16) atomicAdd(&hist[threadIdx.x], local[threadIdx.x]);
}
SODEC_EXPORT(selftest_atomic)

// Lane 0 of warp 0 shuffles while everyone else waits at __syncthreads: a deadlock the emulator must report
// (undefined behaviour on a GPU; never launch it there).
extern "C" __global__ void selftest_deadlock(float* out) {
    float v = (float) threadIdx.x;
    if (threadIdx.x == 0) v = __shfl_sync(SODEC_FULL_MASK, v, 1);
    __syncthreads();
    out[threadIdx.x] = v;
}
SODEC_EXPORT(selftest_deadlock)

// 3-D index check: out[linear thread id over the grid] = packed (block, thread) coordinates.
extern "C" __global__ void selftest_index(int* out) {
    int b = (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
    int t = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
    int nt = blockDim.x * blockDim.y * blockDim.z;
    out[b * nt + t] = ((blockIdx.z * 16 + blockIdx.y) * 16 + blockIdx.x) * 4096
            + (threadIdx.z * 16 + threadIdx.y) * 16 + threadIdx.x;
}
SODEC_EXPORT(selftest_index)

// Thread `who` of block 1 traps: the emulator must turn the fault into a launch error naming block and thread
// (on a GPU a trap kills the context; never launch it there).
extern "C" __global__ void selftest_trap(int who) {
    if (blockIdx.x == 1 && (int) threadIdx.x == who) __trap();
    __syncthreads();
}
SODEC_EXPORT(selftest_trap)
