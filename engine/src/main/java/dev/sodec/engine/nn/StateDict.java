package dev.sodec.engine.nn;

import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named weights for building layers. Layers take their parameters by the checkpoint key they load from; when
 * loading is done {@link #requireAllConsumed()} proves that every key in the file was used and (through
 * {@link #take}) that every parameter was found.
 */
public final class StateDict {
    private final Map<String, Tensor> tensors;
    private final Set<String> consumed;
    private final String prefix;
    private final String source;

    public StateDict(Map<String, Tensor> tensors, String source) {
        this(new LinkedHashMap<>(tensors), Collections.synchronizedSet(new LinkedHashSet<>()), "", source);
    }

    private StateDict(Map<String, Tensor> tensors, Set<String> consumed, String prefix, String source) {
        this.tensors = tensors;
        this.consumed = consumed;
        this.prefix = prefix;
        this.source = source;
    }

    /** A view in which every name is relative to {@code sub} (a trailing dot is added). */
    public StateDict scope(String sub) {
        return new StateDict(tensors, consumed, prefix + sub + ".", source);
    }

    public String prefix() { return prefix; }

    public boolean has(String name) {
        return tensors.containsKey(prefix + name);
    }

    /** The tensor named {@code name} under this scope; an error naming the key when missing. */
    public Tensor take(String name) {
        String key = prefix + name;
        Tensor t = tensors.get(key);
        if (t == null) throw new MissingWeightException(source + ": missing weight '" + key + "'");
        consumed.add(key);
        return t;
    }

    /** Like {@link #take} but checks the shape. */
    public Tensor take(String name, int... shape) {
        Tensor t = take(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new MissingWeightException(source + ": weight '" + prefix + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    /** The tensor if present (and marks it used), else null. */
    public Tensor takeOptional(String name) {
        return has(name) ? take(name) : null;
    }

    /** Marks keys as deliberately unused (e.g. buffers recomputed elsewhere). */
    public void ignore(String name) {
        if (has(name)) consumed.add(prefix + name);
    }

    /** Full keys (not relative) under this scope. */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        for (String k : tensors.keySet()) if (k.startsWith(prefix)) out.add(k);
        return out;
    }

    public void requireAllConsumed() {
        List<String> left = new ArrayList<>();
        for (String k : tensors.keySet()) if (!consumed.contains(k)) left.add(k);
        if (!left.isEmpty()) {
            throw new MissingWeightException(source + ": " + left.size() + " weights were not used by the model: "
                    + (left.size() > 8 ? left.subList(0, 8) + " ..." : left));
        }
    }
}
