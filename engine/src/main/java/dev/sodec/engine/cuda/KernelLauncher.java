package dev.sodec.engine.cuda;

/**
 * Launches one of our CUDA kernels by its extern "C" name. The same interface serves the GPU (a cuModuleLoadData of
 * the fatbin and cuLaunchKernel) and the host emulator, so the launch geometry in {@link CudaKernels} is the code
 * the emulator tests exercise. Pointers in {@link KernelArgs} are device addresses of the launcher's device (host
 * addresses for the emulator).
 */
public interface KernelLauncher extends AutoCloseable {
    /** Short description of the device, e.g. "emulator (4 workers)". */
    String name();

    /**
     * Runs {@code kernel} over {@code grid} blocks of {@code block} threads with {@code sharedBytes} of dynamic
     * shared memory; returns when the kernel has finished (the emulator) or has been queued in order (a GPU
     * stream). Throws {@link KernelLaunchException} when the launch is refused or the kernel faults.
     */
    void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

    @Override
    default void close() {}
}
