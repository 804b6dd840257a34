package dev.sodec.codec.serve;

import dev.sodec.codec.api.PreparedDecode;
import dev.sodec.codec.api.SodecCodec;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching of decodes. Prepared decodes wait in one group per batch key (model and latent shape); a runner
 * takes the group whose oldest decode came first once it holds {@code maxBatch} decodes or its oldest has waited
 * {@code windowMillis}, and runs them as one network call ({@link SodecCodec#decompressBatch}). While every runner is
 * busy, decodes gather, so load forms batches without the window. Batches are powers of two (5 waiting run as 4, then
 * 1) so that a latent shape compiles at most log2(maxBatch) + 1 graphs. Decodes whose request was cancelled (client
 * gone, deadline passed) are dropped before they run. Decodes that cannot batch run alone, through the same queue.
 */
final class DecodeBatcher implements AutoCloseable {
    private record Item(SodecCodec codec, PreparedDecode decode, CompletableFuture<BufferedImage> result, long arrivedNanos) {}

    private final int maxBatch;
    private final long windowNanos;
    private final ComputeSlots slots;
    private final ServeMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Waiting decodes by batch key, groups in the order their oldest decode arrived. */
    private final LinkedHashMap<Object, ArrayDeque<Item>> groups = new LinkedHashMap<>();
    private final List<Thread> runners = new ArrayList<>();
    private int waiting;
    private boolean closed;

    DecodeBatcher(int maxBatch, int windowMillis, int runnerCount, ComputeSlots slots, ServeMetrics metrics) {
        this.maxBatch = maxBatch;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.slots = slots;
        this.metrics = metrics;
        for (int i = 0; i < runnerCount; i++) {
            runners.add(Thread.ofPlatform().daemon().name("sodec-batch-" + i).start(this::runLoop));
        }
    }

    /** Queues a decode; the future completes with its image, or exceptionally with the decode's error. */
    CompletableFuture<BufferedImage> submit(SodecCodec codec, PreparedDecode decode) {
        CompletableFuture<BufferedImage> f = new CompletableFuture<>();
        Object key = decode.batchKey() != null ? decode.batchKey() : new Object(); // a group of its own
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("the batcher is closed");
            groups.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Item(codec, decode, f, System.nanoTime()));
            waiting++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return f;
    }

    /** Decodes waiting for a runner. */
    int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    private void runLoop() {
        while (true) {
            List<Item> batch;
            try {
                batch = next();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) return;
            run(batch);
        }
    }

    /** Blocks until a batch is due; null when closed and nothing waits. */
    private List<Item> next() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                dropCancelled();
                Map.Entry<Object, ArrayDeque<Item>> first = groups.isEmpty() ? null : groups.entrySet().iterator().next();
                if (first == null) {
                    if (closed) return null;
                    changed.await();
                    continue;
                }
                ArrayDeque<Item> g = first.getValue();
                long wait = g.peekFirst().arrivedNanos() + windowNanos - System.nanoTime();
                boolean alone = g.peekFirst().decode().batchKey() == null;
                if (!alone && g.size() < maxBatch && wait > 0 && !closed) {
                    changed.awaitNanos(wait);
                    continue;
                }
                int n = Integer.highestOneBit(Math.min(g.size(), maxBatch));
                List<Item> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) batch.add(g.pollFirst());
                if (g.isEmpty()) groups.remove(first.getKey());
                waiting -= n;
                return batch;
            }
        } finally {
            lock.unlock();
        }
    }

    private void dropCancelled() {
        for (Iterator<ArrayDeque<Item>> it = groups.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Item> g = it.next();
            int before = g.size();
            g.removeIf(i -> i.result().isDone());
            waiting -= before - g.size();
            if (g.isEmpty()) it.remove();
        }
    }

    private void run(List<Item> batch) {
        try {
            slots.run(() -> {
                List<Item> live = batch.stream().filter(i -> !i.result().isDone()).toList();
                if (live.isEmpty()) return null;
                long t0 = System.nanoTime();
                for (Item i : live) metrics.stage("batch_wait", t0 - i.arrivedNanos());
                List<BufferedImage> images = live.get(0).codec().decompressBatch(live.stream().map(Item::decode).toList());
                metrics.stage("network", System.nanoTime() - t0);
                metrics.batchSize(live.size());
                for (int i = 0; i < live.size(); i++) live.get(i).result().complete(images.get(i));
                return null;
            });
        } catch (Throwable e) {
            for (Item i : batch) i.result().completeExceptionally(e);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
    }

    /** Runs what waits, then stops the runners. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread t : runners) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
