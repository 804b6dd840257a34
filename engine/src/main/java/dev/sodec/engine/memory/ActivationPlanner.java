package dev.sodec.engine.memory;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Plans the activation memory of a network forward per input shape and reuses it by lifetime (the idea of ggml's
 * graph allocator).
 *
 * <p>The first forward for a shape key runs on GC-managed memory through a {@link LivenessBackend} that records,
 * for every op output, the op that made it and the last op that read it. From those intervals the planner lays all
 * outputs into one arena (largest first, each at the lowest offset free of every buffer alive at the same time); the
 * arena's size is the peak of simultaneously live activations plus fragmentation. Later forwards with the same key
 * take their outputs from that arena in allocation order, with no allocator calls; the result is copied out, since
 * its memory is reused by the next forward.
 *
 * <p>Requirements on the forward: deterministic (the same ops and output sizes in the same order for the same key),
 * and reading activations only through the backend it is given (plus views of them). A forward that allocates in a
 * different order than it recorded fails with an exception rather than sharing live memory. One forward per plan at a
 * time: a concurrent caller with the same key runs unplanned (correct, just without reuse).
 */
public final class ActivationPlanner {
    static final long ALIGN = 64;

    private final Map<String, Plan> plans = new ConcurrentHashMap<>();

    /**
     * Runs {@code forward} with planned activations for {@code shapeKey} (a string naming every input shape).
     * The returned tensor is the forward's result in memory of its own.
     */
    public Tensor run(Backend backend, String shapeKey, Function<Backend, Tensor> forward) {
        Plan plan = plans.get(shapeKey);
        if (plan == null) {
            Recorder rec = new Recorder();
            Tensor out = ScopedValue.where(ActivationAllocator.CURRENT, rec)
                    .call(() -> forward.apply(new LivenessBackend(backend, rec)));
            plans.putIfAbsent(shapeKey, rec.plan(out));
            return out;
        }
        if (!plan.lock.tryLock()) return forward.apply(backend);
        try {
            Replayer rp = new Replayer(plan);
            Tensor out = ScopedValue.where(ActivationAllocator.CURRENT, rp).call(() -> forward.apply(backend));
            rp.finish();
            Tensor copy = Tensor.zeros(Arena.ofAuto(), out.dtype(), out.shape());
            out.copyInto(copy);
            return copy;
        } finally {
            plan.lock.unlock();
        }
    }

    /** Bytes of the planned arena for a key (0 when not planned yet). */
    public long arenaBytes(String shapeKey) {
        Plan p = plans.get(shapeKey);
        return p == null ? 0 : p.arena.byteSize();
    }

    /** Sum of all output sizes of the recorded forward: what it allocates without a plan. */
    public long unplannedBytes(String shapeKey) {
        Plan p = plans.get(shapeKey);
        return p == null ? 0 : p.totalBytes;
    }

    /** Buffers a planned forward takes from the arena. */
    public int bufferCount(String shapeKey) {
        Plan p = plans.get(shapeKey);
        return p == null ? 0 : p.sizes.length;
    }

    /** A laid-out forward: per allocation (in order) its size and arena offset. */
    static final class Plan {
        final long[] sizes, offsets;
        final long totalBytes;
        final MemorySegment arena;
        final ReentrantLock lock = new ReentrantLock();

        Plan(long[] sizes, long[] offsets, long arenaBytes, long totalBytes) {
            this.sizes = sizes;
            this.offsets = offsets;
            this.totalBytes = totalBytes;
            this.arena = Arena.ofAuto().allocate(Math.max(arenaBytes, 1), ALIGN);
        }
    }

    /** One op output of the recorded forward: alive from the op that made it to the last op that read it. */
    static final class Buffer {
        final int index;
        final long bytes;
        final int birth;
        int lastUse;

        Buffer(int index, long bytes, int birth) {
            this.index = index;
            this.bytes = bytes;
            this.birth = birth;
            this.lastUse = birth;
        }
    }

    /** Records allocations (served from GC memory) and, through {@link LivenessBackend}, their uses. */
    static final class Recorder implements ActivationAllocator {
        private final List<Buffer> buffers = new ArrayList<>();
        private final Map<Long, Buffer> byAddress = new HashMap<>();
        private int time;

        @Override
        public MemorySegment allocate(long bytes) {
            MemorySegment seg = Arena.ofAuto().allocate(Math.max(bytes, 1), ALIGN);
            Buffer b = new Buffer(buffers.size(), Math.max(bytes, 1), time);
            buffers.add(b);
            byAddress.put(seg.address(), b);
            return seg;
        }

        /** Starts op number time+1, which reads {@code inputs}. */
        void op(Tensor... inputs) {
            time++;
            for (Tensor t : inputs) {
                if (t == null) continue;
                Buffer b = byAddress.get(t.storage().address());
                if (b != null) b.lastUse = time;
            }
        }

        Plan plan(Tensor result) {
            Buffer out = byAddress.get(result.storage().address());
            if (out != null) out.lastUse = Integer.MAX_VALUE; // the caller keeps it
            int n = buffers.size();
            long[] sizes = new long[n], offsets = new long[n];
            long total = 0;
            Buffer[] bySize = buffers.toArray(new Buffer[0]);
            Arrays.sort(bySize, (a, b) -> a.bytes != b.bytes ? Long.compare(b.bytes, a.bytes) : Integer.compare(a.index, b.index));
            List<Buffer> placed = new ArrayList<>(n);
            long end = 0;
            for (Buffer b : bySize) {
                long off = lowestFreeOffset(b, placed, offsets);
                offsets[b.index] = off;
                sizes[b.index] = b.bytes;
                total += b.bytes;
                end = Math.max(end, off + b.bytes);
                placed.add(b);
            }
            return new Plan(sizes, offsets, end, total);
        }

        /** The lowest aligned offset where {@code b} overlaps no placed buffer whose lifetime meets its own. */
        private static long lowestFreeOffset(Buffer b, List<Buffer> placed, long[] offsets) {
            List<long[]> busy = new ArrayList<>();
            for (Buffer p : placed) {
                if (p.birth <= b.lastUse && b.birth <= p.lastUse) busy.add(new long[] {offsets[p.index], offsets[p.index] + p.bytes});
            }
            busy.sort((x, y) -> Long.compare(x[0], y[0]));
            long off = 0;
            for (long[] r : busy) {
                if (off + b.bytes <= r[0]) break;
                off = Math.max(off, align(r[1]));
            }
            return off;
        }
    }

    static long align(long v) {
        return (v + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Serves a planned forward's allocations from the arena, zero-filled like fresh memory. */
    static final class Replayer implements ActivationAllocator {
        private final Plan plan;
        private int next;

        Replayer(Plan plan) {
            this.plan = plan;
        }

        @Override
        public MemorySegment allocate(long bytes) {
            if (next >= plan.sizes.length || plan.sizes[next] != Math.max(bytes, 1)) {
                throw new IllegalStateException("activation plan mismatch at allocation " + next + ": " + bytes
                        + " bytes requested, plan has " + (next < plan.sizes.length ? plan.sizes[next] + " bytes" : "no more")
                        + " (the forward is not deterministic for its shape key)");
            }
            MemorySegment seg = plan.arena.asSlice(plan.offsets[next], Math.max(bytes, 1));
            next++;
            seg.fill((byte) 0);
            return seg;
        }

        void finish() {
            if (next != plan.sizes.length) {
                throw new IllegalStateException("activation plan mismatch: " + next + " of " + plan.sizes.length + " planned allocations made");
            }
        }
    }

    /** A shape key naming the shape and dtype of each input. */
    public static String key(Tensor... inputs) {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : inputs) sb.append(Arrays.toString(t.shape())).append(t.dtype()).append(';');
        return sb.toString();
    }
}
