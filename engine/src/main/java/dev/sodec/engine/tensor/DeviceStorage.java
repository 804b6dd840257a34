package dev.sodec.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Data of a {@link Tensor} that lives on an accelerator. A backend subclasses this to keep its results on the
 * device between ops; the tensor (and every view of it) stays device-resident until host code first touches its
 * memory, at which point {@link #download} copies the whole buffer to host memory once, the device copy is
 * released and the host copy becomes the only copy. From then on the tensor is an ordinary host tensor, so host
 * writes are never lost and host reads always see the device's result. Host tensors carry no DeviceStorage, so
 * the CPU path pays one null check per storage access.
 */
public abstract class DeviceStorage {
    private MemorySegment host;

    /**
     * Copies the buffer to new host memory as the tensor's dtype, contiguous, all of its elements (views index it by
     * their element offset and strides). Called at most once.
     */
    protected abstract MemorySegment download();

    /** The device copy is no longer needed (the host copy replaced it). Called at most once, after download. */
    protected abstract void releaseDevice();

    final synchronized MemorySegment host() {
        if (host == null) {
            MemorySegment h = download();
            releaseDevice();
            host = h;
        }
        return host;
    }

    /** Downloads the data now if it is still on the device (a backend does this before it closes). */
    public final void toHost() {
        host();
    }

    /** True while the data lives only on the device (host code has not touched it). */
    public final synchronized boolean onDevice() {
        return host == null;
    }
}
