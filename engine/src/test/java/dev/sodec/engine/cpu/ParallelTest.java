package dev.sodec.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    /** Every item of [0, n) is run exactly once, whatever the thread count, grain and size. */
    @Test
    void everyItemRunsExactlyOnce() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (Parallel par = new Parallel(threads)) {
                for (int n : new int[] {1, 2, 7, 64, 1000, 4097}) {
                    for (int grain : new int[] {1, 3, 64}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        par.forRange(n, grain, (from, to) -> {
                            assertTrue(0 <= from && from < to && to <= n, from + ".." + to);
                            for (int i = from; i < to; i++) hits.incrementAndGet(i);
                        });
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits.get(i), "threads " + threads + " n " + n + " grain " + grain + " item " + i);
                        }
                    }
                }
            }
        }
    }

    /** The pool's threads take part (not only the caller), and after they have parked they are woken again. */
    @Test
    void workersShareStepsAndWakeFromParking() throws InterruptedException {
        try (Parallel par = new Parallel(2)) {
            for (int round = 0; round < 3; round++) {
                Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 + 20);   // workers have parked by now
                var runners = ConcurrentHashMap.<Thread>newKeySet();
                // chunks block until a second thread has joined in, so the step only ends if a worker woke up
                AtomicInteger arrived = new AtomicInteger();
                par.forRange(8, 1, (from, to) -> {
                    runners.add(Thread.currentThread());
                    arrived.incrementAndGet();
                    long deadline = System.nanoTime() + 2_000_000_000L;
                    while (runners.size() < 2 && System.nanoTime() < deadline) Thread.onSpinWait();
                });
                assertEquals(2, runners.size(), "round " + round + ": a parked worker did not take part");
                assertEquals(8, arrived.get());
            }
        }
    }

    /** A body's own forRange runs on its thread, without deadlock, and covers its range. */
    @Test
    void nestedCallsRunInline() {
        try (Parallel par = new Parallel(3)) {
            int[][] sums = new int[12][];
            par.forRange(12, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int[] inner = new int[50];
                    Thread outer = Thread.currentThread();
                    par.forRange(50, 1, (a, b) -> {
                        assertEquals(outer, Thread.currentThread());
                        for (int j = a; j < b; j++) inner[j] += j;
                    });
                    sums[i] = inner;
                }
            });
            int[] expected = new int[50];
            for (int j = 0; j < 50; j++) expected[j] = j;
            for (int[] s : sums) assertArrayEquals(expected, s);
        }
    }

    /** Several threads calling one pool at once each get their whole range done. */
    @Test
    void concurrentCallersEachGetTheirRange() throws InterruptedException {
        try (Parallel par = new Parallel(2)) {
            int callers = 4, n = 3000;
            AtomicIntegerArray[] hits = new AtomicIntegerArray[callers];
            Thread[] ts = new Thread[callers];
            for (int t = 0; t < callers; t++) {
                AtomicIntegerArray h = hits[t] = new AtomicIntegerArray(n);
                ts[t] = new Thread(() -> {
                    for (int rep = 0; rep < 200; rep++) par.forRange(n, 16, (a, b) -> {
                        for (int i = a; i < b; i++) h.incrementAndGet(i);
                    });
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            for (AtomicIntegerArray h : hits) {
                for (int i = 0; i < n; i++) assertEquals(200, h.get(i));
            }
        }
    }

    /** A failing chunk's exception reaches the caller, and the pool keeps working afterwards. */
    @Test
    void failuresReachTheCaller() {
        try (Parallel par = new Parallel(2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> par.forRange(100, 1, (a, b) -> {
                if (a <= 50 && 50 < b) throw new IllegalArgumentException("item 50");
            }));
            assertEquals("item 50", e.getMessage());
            AtomicInteger count = new AtomicInteger();
            par.forRange(100, 1, (a, b) -> count.addAndGet(b - a));
            assertEquals(100, count.get());
        }
    }

    /** close() stops the workers; so does dropping a pool that was never closed (once the GC finds it). */
    @Test
    void workersStopOnCloseAndWhenThePoolIsDropped() throws InterruptedException {
        Parallel closed = new Parallel(3);
        closed.forRange(100, 1, (a, b) -> { });
        Thread[] closedWorkers = closed.workerThreads();
        closed.close();
        for (Thread t : closedWorkers) {
            t.join(10_000);
            assertTrue(!t.isAlive(), t.getName() + " still runs after close()");
        }
        Thread[] dropped = startAndDrop();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (anyAlive(dropped) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(!anyAlive(dropped), "the workers of an unreachable pool still run");
    }

    private static Thread[] startAndDrop() {
        Parallel p = new Parallel(3);
        p.forRange(100, 1, (a, b) -> { });
        return p.workerThreads();
    }

    private static boolean anyAlive(Thread[] threads) {
        for (Thread t : threads) {
            if (t.isAlive()) return true;
        }
        return false;
    }

    @Test
    void closedPoolRefusesWork() {
        Parallel par = new Parallel(2);
        par.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> par.forRange(100, 1, (a, b) -> { }));
        assertEquals("thread pool closed", e.getMessage());
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
    }
}
