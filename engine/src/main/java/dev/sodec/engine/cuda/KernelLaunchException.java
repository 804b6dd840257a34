package dev.sodec.engine.cuda;

/** A kernel launch was refused (unknown kernel, bad geometry or arguments) or the kernel faulted. */
public final class KernelLaunchException extends RuntimeException {
    public KernelLaunchException(String message) {
        super(message);
    }

    public KernelLaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
