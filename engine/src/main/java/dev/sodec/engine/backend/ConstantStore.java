package dev.sodec.engine.backend;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A backend's resident form of graph constants (keyed by the tensor, or by a record holding it) (an F32 copy of F16 weights on the CPU, a device copy on a GPU),
 * one per tensor object however many programs read it, counted by the programs that hold it and freed when the
 * last one releases it. So the UNet compiled for two image sizes keeps one copy of its weights, and closing a
 * model's programs frees them at once, not when the garbage collector runs.
 */
public final class ConstantStore<K, V> {
    private static final class Entry<V> {
        final V value;
        int holders;

        Entry(V value) {
            this.value = value;
        }
    }

    private final Map<K, Entry<V>> entries = new HashMap<>();   // tensors compare by identity
    private final Function<K, V> make;
    private final Consumer<V> free;

    /** @param make builds the resident form; @param free releases it (called outside no lock but this store's) */
    public ConstantStore(Function<K, V> make, Consumer<V> free) {
        this.make = make;
        this.free = free;
    }

    /** The resident form of {@code t}, made on first use; each call must be matched by one {@link #release}. */
    public synchronized V acquire(K t) {
        Entry<V> e = entries.get(t);
        if (e == null) {
            e = new Entry<>(make.apply(t));
            entries.put(t, e);
        }
        e.holders++;
        return e.value;
    }

    public synchronized void release(K t) {
        Entry<V> e = entries.get(t);
        if (e == null) throw new IllegalStateException("constant " + t + " is not held");
        if (--e.holders == 0) {
            entries.remove(t);
            free.accept(e.value);
        }
    }

    /** Constants held now. */
    public synchronized int size() {
        return entries.size();
    }

    /** Frees everything (the backend closes). */
    public synchronized void clear() {
        for (Entry<V> e : entries.values()) free.accept(e.value);
        entries.clear();
    }
}
