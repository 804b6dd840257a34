package dev.sodec.engine.backend;

import dev.sodec.engine.cpu.CpuBackend;

/** Creates a backend by its command-line name. */
public final class Backends {
    private Backends() {}

    public static final String DEFAULT = "cpu";

    /** @param threads 0 for all cores */
    public static Backend create(String name, int threads) {
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return switch (name) {
            case "cpu" -> new CpuBackend(t);
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (available: cpu)");
        };
    }
}
