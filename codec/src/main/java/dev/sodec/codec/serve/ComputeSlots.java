package dev.sodec.codec.serve;

import java.util.concurrent.Semaphore;

/**
 * How many network calls (a compression, or a batch of decodes) run at once. Each call already spreads over the
 * backend's threads, so a few at a time keep the cores busy without thrashing them; waiting for a slot is
 * interruptible, so a request whose client left or whose deadline passed gives up its place in line.
 */
final class ComputeSlots {
    private final Semaphore slots;

    ComputeSlots(int count) {
        slots = new Semaphore(count, true);
    }

    /** Runs {@code work} in a slot. */
    <T> T run(Work<T> work) throws Exception {
        slots.acquire();
        try {
            return work.call();
        } finally {
            slots.release();
        }
    }

    /** Takes every slot (tests: nothing runs until {@link #releaseAll}). */
    void holdAll(int count) throws InterruptedException {
        slots.acquire(count);
    }

    void releaseAll(int count) {
        slots.release(count);
    }

    @FunctionalInterface
    interface Work<T> {
        T call() throws Exception;
    }
}
