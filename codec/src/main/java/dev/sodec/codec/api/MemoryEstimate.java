package dev.sodec.codec.api;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.compression.Tiling;
import dev.sodec.engine.backend.Backend;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * What a hyperprior compress or decode will need before it starts, against what this JVM may still allocate, so
 * that an image too large for the JVM's limits is refused with one line naming the need and the setting instead of
 * failing part way with an {@link OutOfMemoryError}.
 *
 * <p>Two pools: direct memory (off-heap tensors: the planned activation arena of one transform window, read from
 * the compiled graph, plus the latents) and the Java heap (the input and output images, the host-side latents of the
 * entropy coder and h_s). The per-pixel terms were measured on the shipped models (N=64, M=96) and are scaled by M.
 *
 * @param direct bytes of direct memory needed
 * @param heap bytes of heap needed
 * @param tiling the tiling used, or null for a whole-image run
 */
record MemoryEstimate(long direct, long heap, Tiling tiling) {
    /**
     * Latent-sized buffers alive at once, counted in floats per latent value: y, z_hat's h_s outputs (scales, means,
     * their 3M/2-channel intermediate), indexes, symbols and y_hat, native and heap copies.
     */
    private static final int LATENT_COPIES = 12;
    /** Bytes per coded pixel of an untiled run besides the arena: the float image, its padded copy, the output. */
    private static final int WHOLE_IMAGE_DIRECT_PER_PIXEL = 24, WHOLE_IMAGE_HEAP_PER_PIXEL = 36;
    /** The input and the output image (TYPE_INT_RGB). */
    private static final int IMAGE_HEAP_PER_PIXEL = 8;

    static MemoryEstimate forEncode(HyperpriorCodec codec, Backend b, int codedWidth, int codedHeight, Tiling tiling) {
        boolean whole = tiling == null || tiling.isSingleWindow(codedHeight, codedWidth);
        int wh = whole ? codedHeight : tiling.window(codedHeight), ww = whole ? codedWidth : tiling.window(codedWidth);
        return of(codec, b, () -> codec.analysisArenaBytes(b, wh, ww), codedWidth, codedHeight, whole ? null : tiling);
    }

    static MemoryEstimate forDecode(HyperpriorCodec codec, Backend b, int codedWidth, int codedHeight, Tiling tiling) {
        boolean whole = tiling == null || tiling.isSingleWindow(codedHeight, codedWidth);
        int wh = whole ? codedHeight : tiling.window(codedHeight), ww = whole ? codedWidth : tiling.window(codedWidth);
        return of(codec, b, () -> codec.synthesisArenaBytes(b, wh / 16, ww / 16), codedWidth, codedHeight, whole ? null : tiling);
    }

    private static MemoryEstimate of(HyperpriorCodec codec, Backend b, LongSupplier arena, int codedWidth, int codedHeight, Tiling tiling) {
        long pixels = (long) codedWidth * codedHeight;
        long latentBytes = pixels / 256 * codec.config().M() * 4L;
        // a GPU's arena is device memory, which the JVM's limits do not cover
        boolean hostArena = !b.name().startsWith("cuda") || b.name().startsWith("cuda-emulated");
        long direct = (hostArena ? arena.getAsLong() : 0)
                + latentBytes * LATENT_COPIES / 2 + (tiling == null ? pixels * WHOLE_IMAGE_DIRECT_PER_PIXEL : 0);
        long heap = pixels * IMAGE_HEAP_PER_PIXEL + latentBytes * LATENT_COPIES / 2
                + (tiling == null ? pixels * WHOLE_IMAGE_HEAP_PER_PIXEL : 0);
        return new MemoryEstimate(direct, heap, tiling);
    }

    /** Refuses, naming the need and the settings, when the JVM cannot give what this estimate says. */
    void check(String what) {
        if (fits()) return;
        // what is in use counts garbage too (and native tensors the collector has not freed yet): collect, then judge
        System.gc();
        if (fits()) return;
        Runtime rt = Runtime.getRuntime();
        long maxHeap = rt.maxMemory(), heapInUse = rt.totalMemory() - rt.freeMemory();
        long maxDirect = maxDirectMemory(), directInUse = directInUse();
        boolean directShort = direct > maxDirect - directInUse, heapShort = heap > maxHeap - heapInUse;
        if (!directShort && !heapShort) return;
        // -Xmx bounds the heap and, unless -XX:MaxDirectMemorySize is set, direct memory too
        long xmx = Math.max(direct + directInUse, heap + heapInUse) * 5 / 4;
        String tiles = tiling == null ? "the whole image at once" : tiling.tile() + "-pixel tiles";
        throw new InsufficientMemoryException(String.format(Locale.ROOT,
                "%s with %s needs about %s of %s memory, but this JVM has %s left (limit %s): raise it with -Xmx%dg"
                        + " (for the sodec command: SODEC_JAVA_OPTS=-Xmx%dg)%s",
                what, tiles, gib(directShort ? direct : heap), directShort ? "direct" : "heap",
                gib(directShort ? maxDirect - directInUse : maxHeap - heapInUse), gib(directShort ? maxDirect : maxHeap),
                gibCeil(xmx), gibCeil(xmx), tiling == null ? " or code it in tiles (--tile 1024)"
                        : tiling.tile() > Tiling.MULTIPLE * 4 ? " or use smaller tiles (--tile " + tiling.tile() / 2 + ")" : ""));
    }

    private boolean fits() {
        Runtime rt = Runtime.getRuntime();
        return direct <= maxDirectMemory() - directInUse() && heap <= rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", Math.max(0, bytes) / (double) (1L << 30));
    }

    private static long gibCeil(long bytes) {
        return Math.max(1, (bytes + (1L << 30) - 1) >> 30);
    }

    /** -XX:MaxDirectMemorySize, or the heap limit it defaults to. */
    static long maxDirectMemory() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long v = Long.parseLong(hs.getVMOption("MaxDirectMemorySize").getValue());
            if (v > 0) return v;
        } catch (RuntimeException e) {
            // not HotSpot, or the option is not reported: the JDK's default applies
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** Direct memory reserved now (native tensors count here as direct buffers do). */
    static long directInUse() {
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) return Math.max(0, p.getMemoryUsed());
        }
        return 0;
    }
}
