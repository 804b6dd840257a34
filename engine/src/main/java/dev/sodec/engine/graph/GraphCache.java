package dev.sodec.engine.graph;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiled graphs of one network, per backend, caller key and input shapes, least recently used dropped beyond a
 * bound (their arenas freed, their constants released). A network builds its graph only on a miss: a run with
 * known shapes goes straight to the prepared program. Thread-safe.
 */
public final class GraphCache implements AutoCloseable {
    /** Records a network's graph: declares nothing but nodes and outputs (the inputs are given). */
    @FunctionalInterface
    public interface Builder {
        void build(Graph g, Node[] inputs);
    }

    /** Plans kept per cache by default: a few image sizes in flight. */
    public static final int DEFAULT_CAPACITY = 8;

    private record Key(Backend backend, Object key, String shapes) {}

    private final int capacity;
    private final LinkedHashMap<Key, Executable> compiled = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    public GraphCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    public GraphCache() {
        this(DEFAULT_CAPACITY);
    }

    /**
     * The compiled graph for these inputs' shapes, built with {@code builder} on a miss. {@code key} names
     * everything besides the shapes that changes the graph (which network, scalar settings, which outputs).
     */
    public Executable executable(Backend backend, Object key, String[] inputNames, Tensor[] inputs, Builder builder) {
        if (inputNames.length != inputs.length) throw new IllegalArgumentException("input names and tensors differ in count");
        StringBuilder sb = new StringBuilder();
        for (Tensor t : inputs) sb.append(Arrays.toString(t.shape())).append(';');
        Key k = new Key(backend, key, sb.toString());
        synchronized (this) {
            if (closed) throw new IllegalStateException("graph cache is closed");
            Executable e = compiled.get(k);
            if (e != null) return e;
        }
        Graph g = new Graph();
        Node[] in = new Node[inputs.length];
        for (int i = 0; i < in.length; i++) in[i] = g.input(inputNames[i], inputs[i].shape());
        builder.build(g, in);
        Executable made = Executable.compile(backend, g);
        List<Executable> evicted = new ArrayList<>();
        synchronized (this) {
            Executable raced = compiled.get(k);
            if (raced != null || closed) {
                evicted.add(made);
                made = raced;
            } else {
                compiled.put(k, made);
                for (Iterator<Executable> it = compiled.values().iterator(); compiled.size() > capacity && it.hasNext(); ) {
                    evicted.add(it.next());
                    it.remove();
                }
            }
        }
        for (Executable e : evicted) e.close();
        if (made == null) throw new IllegalStateException("graph cache is closed");
        return made;
    }

    /** Compiles on a miss, then runs; the outputs in the order the builder declared them. */
    public Tensor[] run(Backend backend, Object key, String[] inputNames, Tensor[] inputs, Builder builder) {
        return executable(backend, key, inputNames, inputs, builder).run(inputs);
    }

    /** Compiled graphs held now. */
    public synchronized int size() {
        return compiled.size();
    }

    /** The held graphs, least recently used first (for stats). */
    public synchronized List<Executable> held() {
        return new ArrayList<>(compiled.values());
    }

    /** Drops every compiled graph of {@code backend} (it is closing). */
    public void forget(Backend backend) {
        List<Executable> gone = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Map.Entry<Key, Executable>> it = compiled.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Key, Executable> e = it.next();
                if (e.getKey().backend() == backend) {
                    gone.add(e.getValue());
                    it.remove();
                }
            }
        }
        for (Executable e : gone) e.close();
    }

    @Override
    public void close() {
        List<Executable> all;
        synchronized (this) {
            if (closed) return;
            closed = true;
            all = new ArrayList<>(compiled.values());
            compiled.clear();
        }
        for (Executable e : all) e.close();
    }
}
