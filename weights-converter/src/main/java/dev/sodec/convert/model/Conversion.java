package dev.sodec.convert.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A converted model and the open files its weights still point into (zero-copy); close after writing.
 *
 * @param source one line naming the input files (stored in the output's metadata)
 */
public record Conversion(EngineModel model, String source, List<AutoCloseable> resources) implements AutoCloseable {
    public Conversion {
        resources = new ArrayList<>(resources);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) first = new IllegalStateException("closing " + source + " failed", e);
            }
        }
        if (first != null) throw first;
    }
}
