package dev.sodec.codec.serve;

/**
 * The bounded request queue: at most {@code capacity} requests are admitted (running or waiting for the network);
 * one more is refused at once (503 with Retry-After) rather than queued without bound. Shutdown waits here for the
 * admitted ones to finish.
 */
final class Admission {
    private final int capacity;
    private int admitted;

    Admission(int capacity) {
        this.capacity = capacity;
    }

    synchronized boolean tryEnter() {
        if (admitted >= capacity) return false;
        admitted++;
        return true;
    }

    synchronized void leave() {
        if (admitted <= 0) throw new IllegalStateException("leave without enter");
        if (--admitted == 0) notifyAll();
    }

    synchronized int admitted() {
        return admitted;
    }

    /** Waits until no request is admitted or {@code millis} passed; true when drained. */
    synchronized boolean awaitDrained(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (admitted > 0) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) return false;
            wait(left);
        }
        return true;
    }
}
