package dev.sodec.convert.torch;

import java.util.List;

/** A Python tuple from a pickle (immutable, so usable as a dict key). */
public record PyTuple(List<Object> items) {
    public int size() { return items.size(); }

    public Object get(int i) { return items.get(i); }
}
