package dev.sodec.engine.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which path each convolution shape takes on one backend: a convolution library (cuDNN) or our kernels. At the
 * first use of a shape both run it on the program's own buffers, timed with device events, and the faster one is
 * kept for the life of the backend (the process, in the CLI); every choice is reported as a line ("conv 3x3
 * 320->320 64x64 f16: cudnn algo 1 (implicit precomp GEMM) 0.21 ms vs ours 0.35 ms"). This happens before a program
 * records its device graph, so nothing is allocated or timed while recording; the library's workspace is one buffer
 * per backend, allocated at the first choice (runs on one backend are serialized, so one suffices).
 * {@code SODEC_CUDA_CONV=cudnn} takes the library wherever it can run a shape, untimed; {@code =ours} never asks it.
 */
final class ConvPaths implements AutoCloseable {
    /** Scratch the library's algorithms may use: algorithms that need more are not considered. */
    static final long WORKSPACE_BYTES = 64L << 20;
    /** Timed runs per path after one untimed warm-up run (the warm-up loads the library's kernels). */
    static final int TIMED_RUNS = 3;

    enum Policy {
        AUTO, CUDNN, OURS;

        /** From {@code SODEC_CUDA_CONV} (auto, cudnn, ours; unset: auto); a clear error for anything else. */
        static Policy of(String value) {
            if (value == null || value.isEmpty()) return AUTO;
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "cudnn" -> CUDNN;
                case "ours" -> OURS;
                default -> throw new IllegalArgumentException("SODEC_CUDA_CONV must be auto, cudnn or ours, got '" + value + "'");
            };
        }
    }

    /** Milliseconds one run of {@code work} takes on the device. */
    interface Timer {
        double millis(Runnable work);
    }

    /** One convolution node of a program, offered both ways on its own buffers. */
    interface Trial {
        /** {@code library} set up for the node's shape on the node's buffers ({@link ConvLibrary#prepare}); throws saying why not. */
        ConvLibrary.Conv prepare(ConvLibrary library, long workspace, long workspaceBytes);

        /** The whole node (product, bias, epilogue) once with the library's convolution. */
        void runLibrary(ConvLibrary.Conv c);

        /** The whole node once on our kernels. */
        void runOurs();
    }

    /** The path of a shape: {@code library} null for our kernels; {@code line} says what was chosen and why. */
    record Choice(ConvShape shape, ConvLibrary.Conv library, String line) {}

    private final Policy policy;
    private final ConvLibrary library;
    private final String libraryStatus;
    private final Device device;
    private final long workspaceBytes;
    private final Timer timer;
    private final Map<ConvShape, Choice> chosen = new LinkedHashMap<>();
    private long workspace;

    /**
     * @param library null where none is loaded; {@code libraryStatus} then says why
     * @param device where the library's workspace is allocated
     */
    ConvPaths(Policy policy, ConvLibrary library, String libraryStatus, Device device, long workspaceBytes, Timer timer) {
        this.policy = policy;
        this.library = library;
        this.libraryStatus = library != null ? library.path() : libraryStatus;
        this.device = device;
        this.workspaceBytes = workspaceBytes;
        this.timer = timer;
    }

    /** Device-event timing: one warm-up run, then {@link #TIMED_RUNS} runs between two events. */
    static Timer eventTimer(Device d) {
        return work -> {
            work.run();
            long start = d.recordEvent();
            for (int i = 0; i < TIMED_RUNS; i++) work.run();
            return d.elapsedMillis(start, d.recordEvent()) / TIMED_RUNS;
        };
    }

    /** Whether shapes are offered to the library at all. */
    synchronized boolean active() {
        return library != null && policy != Policy.OURS;
    }

    /** The path of {@code s}: the cached choice, or one made now through {@code trial}. */
    synchronized Choice choose(ConvShape s, Trial trial) {
        Choice c = chosen.get(s);
        if (c == null) {
            c = decide(s, trial);
            chosen.put(s, c);
        }
        return c;
    }

    private Choice decide(ConvShape s, Trial trial) {
        String name = s.label();
        if (!active()) return new Choice(s, null, name + ": ours (" + (library == null ? libraryStatus : "SODEC_CUDA_CONV=ours") + ")");
        if (!s.cudnnExpressible()) return new Choice(s, null, name + ": ours (the library cannot express it)");
        ConvLibrary.Conv lib;
        try {
            if (workspace == 0) workspace = device.malloc(workspaceBytes);
            lib = trial.prepare(library, workspace, workspaceBytes);
        } catch (RuntimeException e) {
            return new Choice(s, null, name + ": ours (" + e.getMessage() + ")");
        }
        if (policy == Policy.CUDNN) return new Choice(s, lib, name + ": " + lib.algorithm() + " (SODEC_CUDA_CONV=cudnn, not timed)");
        double libMs;
        try {
            libMs = timer.millis(() -> trial.runLibrary(lib));
        } catch (RuntimeException e) {
            lib.close();
            return new Choice(s, null, name + ": ours (" + lib.algorithm() + " failed: " + e.getMessage() + ")");
        }
        double oursMs = timer.millis(trial::runOurs);
        if (libMs < oursMs) {
            return new Choice(s, lib, String.format(Locale.ROOT, "%s: %s %.3f ms vs ours %.3f ms", name, lib.algorithm(), libMs, oursMs));
        }
        String line = String.format(Locale.ROOT, "%s: ours %.3f ms vs %s %.3f ms", name, oursMs, lib.algorithm(), libMs);
        lib.close();
        return new Choice(s, null, line);
    }

    /** One line per shape chosen so far, in the order of first use. */
    synchronized List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Choice c : chosen.values()) out.add(c.line());
        return out;
    }

    /** For the backend's description: what the library is (or why there is none) and the choices so far. */
    synchronized String describe() {
        if (!active()) return "our kernels (" + (library == null ? libraryStatus : "SODEC_CUDA_CONV=ours, " + libraryStatus) + ")";
        long lib = chosen.values().stream().filter(c -> c.library() != null).count();
        return "per shape the faster of " + libraryStatus + " and our kernels, timed at first use"
                + (policy == Policy.CUDNN ? " (SODEC_CUDA_CONV=cudnn: the library wherever it runs, untimed)" : "")
                + "; " + chosen.size() + " shapes so far, " + lib + " on the library";
    }

    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (Choice c : chosen.values()) {
            if (c.library() == null) continue;
            try {
                c.library().close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        chosen.clear();
        if (workspace != 0) {
            device.synchronize();
            device.free(workspace);
            workspace = 0;
        }
        if (first != null) throw first;
    }
}
