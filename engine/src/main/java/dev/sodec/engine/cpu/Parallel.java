package dev.sodec.engine.cpu;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Splits a range of independent work items over a fixed set of threads: the caller and {@code threads - 1}
 * workers. Items are whole outputs (rows, channels, tiles), never parts of one reduction, so results are
 * bit-identical for any thread count and any assignment of chunks to threads.
 *
 * <p>Why not a {@code ForkJoinPool}: a network run dispatches a thousand or more short parallel steps (two per GEMM,
 * one per norm or attention), and waking parked pool threads costs 70-150 us per dispatch on a VM (measured: a 40 us
 * step took 90-170 us when the threads had parked between steps) while the caller sat idle. Here the caller claims
 * chunks itself, so a late worker only shares less of the work, and workers spin for {@link #SPIN_NANOS} after a
 * step before parking, so back-to-back steps find them awake.
 *
 * <p>A body that calls {@link #forRange} again (on a worker, or on the caller inside a step) runs that inner range on
 * its own thread; other threads calling in while a step runs wait for it. The workers stop on {@link #close}, or
 * once the pool is unreachable (they hold only its {@link Crew}), so a pool that was never closed does not keep
 * threads forever.
 */
public final class Parallel implements AutoCloseable {
    /** Work on items [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle worker polls for the next step before parking (property {@code sodec.cpu.spinMicros}). */
    static final long SPIN_NANOS = Long.getLong("sodec.cpu.spinMicros", 200L) * 1000L;

    private static final Cleaner CLEANER = Cleaner.create();

    private final int threads;
    private final Crew crew;
    private final Cleaner.Cleanable stopCrew;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.crew = new Crew(threads - 1);
        this.stopCrew = CLEANER.register(this, crew::stop);
    }

    /** What the workers share with the callers: the step in progress, and the workers themselves. */
    private static final class Crew {
        private final Worker[] workers;
        private final ReentrantLock callers = new ReentrantLock();
        /** The current step; replaced (never mutated) per step, published through {@link #epoch}. */
        private Step step;
        /** Bumped once per step after {@link #step} is set; workers compare it with the last epoch they ran. */
        private volatile long epoch;
        private volatile boolean closed;

        Crew(int workerCount) {
            workers = new Worker[workerCount];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        void stop() {
            closed = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    /** The worker threads (for tests: that they stop). */
    Thread[] workerThreads() {
        return crew.workers.clone();
    }

    public int threads() { return threads; }

    /**
     * Up to this many chunks per thread: enough that a step of a few large items (a GEMM's ten C tiles) is claimed
     * item by item. With 4, ten tiles went out as five chunks of two, split 6:4 between two threads; with 16 the
     * UNet-256's settled calls took 1.06-1.16 s against 1.13-1.21 s (means of four alternating pairs of processes).
     */
    static final int CHUNKS_PER_THREAD = 16;

    /** Runs body over [0, n) in chunks of at least {@code grain} items. */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(grain, 1)));
        Crew c = crew;
        if (c.workers.length == 0 || chunks <= 1 || c.callers.isHeldByCurrentThread() || isOwnWorker()) {
            body.run(0, n);
            return;
        }
        c.callers.lock();
        try {
            if (c.closed) throw new IllegalStateException("thread pool closed");
            Step s = new Step(body, n, (n + chunks - 1) / chunks, chunks);
            c.step = s;
            c.epoch = c.epoch + 1;   // volatile write after the step: a worker that sees the epoch sees the step
            for (Worker w : c.workers) {
                if (w.parked) LockSupport.unpark(w);
            }
            s.work();
            s.awaitDone();
            c.step = null;
            if (s.failure != null) rethrow(s.failure);
        } finally {
            c.callers.unlock();
            Reference.reachabilityFence(this);   // the cleaner must not stop the crew while a step runs
        }
    }

    private boolean isOwnWorker() {
        return Thread.currentThread() instanceof Worker w && w.crew == crew;
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }

    /** One forRange call: chunks are claimed by whichever thread comes first. */
    private static final class Step {
        private final RangeBody body;
        private final int n, size, chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable failure;

        Step(RangeBody body, int n, int size, int chunks) {
            this.body = body;
            this.n = n;
            this.size = size;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure == null) {
                        int from = c * size;
                        if (from < n) body.run(from, Math.min(n, from + size));
                    }
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        /** Waits until every claimed chunk has finished (the caller has claimed the rest, so this is short). */
        void awaitDone() {
            for (int spins = 0; done.get() < chunks; spins++) {
                if (spins < 1 << 14) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();   // a worker was descheduled mid-chunk: let it run
                }
            }
        }
    }

    private static final class Worker extends Thread {
        private final Crew crew;
        /** Set before parking so a caller knows to unpark this thread. */
        volatile boolean parked;

        Worker(Crew crew, int index) {
            super("sodec-cpu-" + index);
            this.crew = crew;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = crew.epoch;
            while (!crew.closed) {
                long idleSince = System.nanoTime();
                while (crew.epoch == seen && !crew.closed) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        // re-check after publishing 'parked': a caller that bumped the epoch before seeing the flag
                        // is seen here; one that bumps it after sees the flag and unparks
                        if (crew.epoch == seen && !crew.closed) LockSupport.park(this);
                        parked = false;
                        idleSince = System.nanoTime();
                    }
                }
                if (crew.closed) return;
                seen = crew.epoch;
                Step s = crew.step;
                if (s != null) s.work();
            }
        }
    }

    @Override
    public void close() {
        stopCrew.clean();
    }
}
