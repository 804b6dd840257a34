package dev.sodec.engine.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator in front of {@link Device#malloc}: freed blocks are kept by size class and handed out again,
 * so a network that runs the same shapes repeatedly stops calling cuMemAlloc/cuMemFree after its first pass. Size
 * classes are powers of two up to 1 MiB and multiples of 1 MiB above, so a block wastes less than 1 MiB. When the
 * device runs out of memory the cache is emptied and the allocation retried once. Reuse is safe without events because the device has one stream:
 * a block released here is only handed to work queued after the work that used it.
 */
final class DevicePool implements AutoCloseable {
    private static final long MIB = 1L << 20;

    private final Device device;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private final Map<Long, Long> sizeOf = new HashMap<>();
    private long cachedBytes, usedBytes, peakBytes;

    DevicePool(Device device) {
        this.device = device;
    }

    static long sizeClass(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("allocation of " + bytes + " bytes");
        if (bytes <= 256) return 256;
        if (bytes <= MIB) return Long.highestOneBit(bytes - 1) << 1;
        return Math.ceilDiv(bytes, MIB) * MIB;
    }

    synchronized long allocate(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Long> list = free.get(size);
        long ptr;
        if (list != null && !list.isEmpty()) {
            ptr = list.pop();
            cachedBytes -= size;
        } else {
            try {
                ptr = device.malloc(size);
            } catch (RuntimeException oom) {
                if (cachedBytes == 0) throw oom;
                trim();
                ptr = device.malloc(size);
            }
        }
        sizeOf.put(ptr, size);
        usedBytes += size;
        peakBytes = Math.max(peakBytes, usedBytes);
        return ptr;
    }

    synchronized void release(long ptr) {
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
        trim();
        for (long p : sizeOf.keySet()) device.free(p);
        sizeOf.clear();
        usedBytes = 0;
    }
}
