package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.compression.Tiling;
import dev.sodec.codec.image.RgbImages;
import dev.sodec.engine.backend.Backends;

/** Options several commands share, and how they become {@link CodecOptions}. */
final class CommonOptions {
    private CommonOptions() {}

    static final Option MODEL = Option.valued("--model", "M", "a model's name (sodec models list) or a model file;"
            + " default $SODEC_MODEL, else the shipped default (low)");
    static final Option THREADS = Option.valued("--threads", "N", "threads per operation, 0 = all cores (default 0, but 1"
            + " when compress or decompress codes a single image of up to 640x480 pixels); the bytes written do not"
            + " depend on it");
    static final Option BACKEND = Option.valued("--backend", "B", "cpu (default), cuda[:f16|:bf16], cuda-emulated[:f16|:bf16]");
    static final Option MAX_PIXELS = Option.valued("--max-pixels", "P", "refuse images of more pixels (default "
            + CodecOptions.DEFAULT_MAX_PIXELS + ")");
    static final Option BACKGROUND = Option.valued("--background", "C", "colour under transparent pixels: white"
            + " (default), black or RRGGBB");
    static final Option TILE = Option.valued("--tile", "N", "run the hyperprior transforms in N x N pixel tiles (a multiple"
            + " of 64) with 64 pixels of overlap, so memory grows with N, not the image; 0 = whole image (default "
            + CodecOptions.DEFAULT_TILE + "; images within N + 128 run whole)");
    static final Option JOBS = Option.valued("-j", "N", "files coded at once, in one process (default 1)");
    static final Option OUTDIR = Option.valued("--outdir", "DIR", "write one output per input into DIR (created if"
            + " missing), named after the input");

    static CodecOptions codecOptions(Args a) throws UsageException {
        int threads = a.getInt("--threads", 0, 0);
        long maxPixels = CodecOptions.DEFAULT_MAX_PIXELS;
        String mp = a.get("--max-pixels", null);
        if (mp != null) {
            try {
                maxPixels = Long.parseLong(mp);
            } catch (NumberFormatException e) {
                throw new UsageException("--max-pixels expects an integer, got '" + mp + "'");
            }
            if (maxPixels < 1) throw new UsageException("--max-pixels must be at least 1, got " + maxPixels);
        }
        int background;
        try {
            background = RgbImages.parseColor(a.get("--background", "white"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--background: " + e.getMessage());
        }
        int tile = a.getInt("--tile", CodecOptions.DEFAULT_TILE, 0);
        if (tile % Tiling.MULTIPLE != 0) throw new UsageException("--tile must be a multiple of " + Tiling.MULTIPLE + " (or 0), got " + tile);
        return new CodecOptions(backendName(a), threads, maxPixels, background, tile);
    }

    /**
     * Up to this many pixels, a call that codes one image on the CPU runs it on one thread unless {@code --threads}
     * is given: in a fresh JVM such a call is mostly the JIT compiling the Vector API kernels, and a second compute
     * thread, still in slow code, only takes a core from the compiler threads (README "Start-up": 0.15 to 0.3 s less
     * wall time and 0.35 to 0.5 CPU-s less for a 451x300 photo on 2 cores). Larger images pay back the second thread.
     */
    static final long ONE_THREAD_MAX_PIXELS = 640 * 480;

    /** The options for a call that codes a single image of {@code pixels} pixels ({@link #ONE_THREAD_MAX_PIXELS}). */
    static CodecOptions forSingleImage(CodecOptions opt, Args a, long pixels) {
        boolean cpu = opt.backend().equals("cpu");
        return cpu && a.get("--threads", null) == null && pixels <= ONE_THREAD_MAX_PIXELS ? opt.withThreads(1) : opt;
    }

    /** --backend checked by its spelling (whether a GPU is there is found out when it is created). */
    static String backendName(Args a) throws UsageException {
        String name = a.get("--backend", Backends.DEFAULT);
        String[] parts = name.split(":", -1);
        boolean ok = parts[0].equals("cpu") ? parts.length == 1 : parts[0].equals("cuda") || parts[0].equals("cuda-emulated");
        for (int i = 1; ok && i < parts.length; i++) {
            ok = java.util.Set.of("f32", "f16", "bf16", "kernel-gemm").contains(parts[i]);
        }
        if (!ok) throw new UsageException("unknown backend '" + name + "' (available: " + Backends.AVAILABLE + ")");
        return name;
    }
}
