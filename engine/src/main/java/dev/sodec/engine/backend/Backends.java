package dev.sodec.engine.backend;

import dev.sodec.engine.cpu.CpuBackend;
import dev.sodec.engine.cuda.CudaBackend;
import dev.sodec.engine.cuda.EmulatedDevice;
import dev.sodec.engine.cuda.JCudaDevice;
import dev.sodec.engine.tensor.DType;

/**
 * Creates a backend by its command-line name: {@code cpu}, {@code cuda} (a GPU through JCuda) or
 * {@code cuda-emulated} (the CUDA backend's code with kernels in the host emulator and GEMMs on the CPU), the CUDA
 * ones with options after colons: a storage precision {@code f32} (default), {@code f16} or {@code bf16}, and for
 * {@code cuda-emulated} {@code kernel-gemm} (GEMMs through our kernels, the path a GPU without libcublas.so.12
 * takes). Examples: {@code cuda:f16}, {@code cuda-emulated:bf16:kernel-gemm}.
 */
public final class Backends {
    private Backends() {}

    public static final String DEFAULT = "cpu";
    public static final String AVAILABLE = "cpu, cuda[:f16|:bf16], cuda-emulated[:f16|:bf16][:kernel-gemm]";

    /** @param threads 0 for all cores */
    public static Backend create(String name, int threads) {
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        String[] parts = name.split(":", -1);
        String base = parts[0];
        if (base.equals("cpu") && parts.length == 1) return new CpuBackend(t);
        if (!base.equals("cuda") && !base.equals("cuda-emulated")) {
            throw new IllegalArgumentException("unknown backend '" + name + "' (available: " + AVAILABLE + ")");
        }
        DType storage = DType.F32;
        boolean kernelGemm = false;
        for (int i = 1; i < parts.length; i++) {
            switch (parts[i]) {
                case "f32" -> storage = DType.F32;
                case "f16" -> storage = DType.F16;
                case "bf16" -> storage = DType.BF16;
                case "kernel-gemm" -> {
                    if (!base.equals("cuda-emulated")) throw new IllegalArgumentException("option kernel-gemm is for cuda-emulated; cuda picks its GEMM path itself");
                    kernelGemm = true;
                }
                default -> throw new IllegalArgumentException("unknown option '" + parts[i] + "' in backend '" + name + "' (available: " + AVAILABLE + ")");
            }
        }
        if (base.equals("cuda-emulated")) return new CudaBackend(name, new EmulatedDevice(t, kernelGemm), storage, t);
        return new CudaBackend(name, JCudaDevice.open(0), storage, t);
    }
}
