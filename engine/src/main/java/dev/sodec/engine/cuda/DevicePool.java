package dev.sodec.engine.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator in front of {@link Device#malloc}: freed blocks are kept by size class and handed out again,
 * so a network that runs the same shapes repeatedly stops calling cuMemAlloc/cuMemFree after its first pass. Size
 * classes are powers of two up to 1 MiB and multiples of 1 MiB above, so a block wastes less than 1 MiB. When the
 * device runs out of memory the cache is emptied and the allocation retried, after a garbage collection (see
 * {@link #mallocOrReclaim}). Reuse is safe without events because the device has one stream:
 * a block released here is only handed to work queued after the work that used it.
 */
final class DevicePool implements BlockSource, AutoCloseable {
    private static final long MIB = 1L << 20;

    private final Device device;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private final Map<Long, Long> sizeOf = new HashMap<>();
    private long cachedBytes, usedBytes, peakBytes;
    private boolean closed;

    DevicePool(Device device) {
        this.device = device;
    }

    static long sizeClass(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("allocation of " + bytes + " bytes");
        if (bytes <= 256) return 256;
        if (bytes <= MIB) return Long.highestOneBit(bytes - 1) << 1;
        return Math.ceilDiv(bytes, MIB) * MIB;
    }

    @Override
    public synchronized long allocate(long bytes) {
        if (closed) throw new IllegalStateException("device pool is closed");
        long size = sizeClass(bytes);
        ArrayDeque<Long> list = free.get(size);
        long ptr;
        if (list != null && !list.isEmpty()) {
            ptr = list.pop();
            cachedBytes -= size;
        } else {
            ptr = mallocOrReclaim(size);
        }
        sizeOf.put(ptr, size);
        usedBytes += size;
        peakBytes = Math.max(peakBytes, usedBytes);
        return ptr;
    }

    /**
     * cuMemAlloc, and when the device is out of memory: return the cached blocks and retry; then, since device
     * tensors give their blocks back when the garbage collector finds them unreachable (and device memory puts no
     * pressure on the Java heap), ask for a collection, wait for their Cleaners (wait() lets them in) and retry.
     */
    private long mallocOrReclaim(long size) {
        RuntimeException last;
        for (int attempt = 0; ; attempt++) {
            try {
                return device.malloc(size);
            } catch (RuntimeException oom) {
                last = oom;
            }
            if (attempt == 3) throw last;
            if (attempt > 0) {
                System.gc();
                try {
                    wait(20L << attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw last;
                }
                ArrayDeque<Long> list = free.get(size);
                if (list != null && !list.isEmpty()) {   // a collected tensor gave back a block of this class
                    cachedBytes -= size;
                    return list.pop();
                }
            }
            trim();
        }
    }

    @Override
    public synchronized void release(long ptr) {
        if (closed) return;   // a tensor collected after its backend closed: the pool already freed everything
        Long size = sizeOf.remove(ptr);
        if (size == null) throw new IllegalStateException("device block 0x" + Long.toHexString(ptr) + " was not allocated by this pool");
        usedBytes -= size;
        cachedBytes += size;
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(ptr);
    }

    /** Returns every cached block to the device. */
    synchronized void trim() {
        device.synchronize();
        for (ArrayDeque<Long> list : free.values()) {
            for (long p : list) device.free(p);
        }
        free.clear();
        cachedBytes = 0;
    }

    synchronized long usedBytes() {
        return usedBytes;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long peakBytes() {
        return peakBytes;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        trim();
        for (long p : sizeOf.keySet()) device.free(p);
        sizeOf.clear();
        usedBytes = 0;
    }
}
