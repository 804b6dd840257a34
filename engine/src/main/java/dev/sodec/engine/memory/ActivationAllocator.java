package dev.sodec.engine.memory;

import java.lang.foreign.MemorySegment;

/**
 * Where op outputs ({@code Tensor.zeros(int...)}) get their memory while a planned forward runs on this thread; when
 * none is bound they come from a GC-managed arena. Bound with {@link ScopedValue} by {@link ActivationPlanner}, so
 * a binding never outlives the forward it was made for; worker threads of a parallel op do not see it and keep the
 * default.
 */
public interface ActivationAllocator {
    ScopedValue<ActivationAllocator> CURRENT = ScopedValue.newInstance();

    /** A zero-filled segment of {@code bytes} bytes, 64-byte aligned. */
    MemorySegment allocate(long bytes);

    /** The bound allocator's segment, or null when none is bound (callers then allocate as usual). */
    static MemorySegment allocateIfPlanned(long bytes) {
        return CURRENT.isBound() ? CURRENT.get().allocate(bytes) : null;
    }
}
