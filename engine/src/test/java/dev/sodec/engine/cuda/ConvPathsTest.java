package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Choosing cuDNN or our kernels per convolution shape, with a stand-in library and an injected timer: the faster
 * path wins, a shape is timed once and cached, a library that cannot run a shape leaves it on our kernels with the
 * reason, SODEC_CUDA_CONV forces either side, and every choice is reported.
 */
class ConvPathsTest {
    private static final ConvShape SHAPE = new ConvShape(false, DType.F16, 1, 320, 64, 64, 320, 3, 3, Conv2dParams.of(1, 1), true, "");

    /** A library convolution that only counts. */
    static final class FakeConv implements ConvLibrary.Conv {
        int runs, closes;

        @Override
        public String algorithm() {
            return "cudnn algo 1 (implicit precomp GEMM)";
        }

        @Override
        public void run(long x, long w, long y) {
            runs++;
        }

        @Override
        public void close() {
            closes++;
        }
    }

    static final ConvLibrary NAMED = new ConvLibrary() {
        @Override
        public String path() {
            return "cuDNN 9.9.9 (stand-in)";
        }

        @Override
        public ConvLibrary.Conv prepare(ConvShape s, long x, long w, long y, long workspace, long workspaceBytes) {
            throw new UnsupportedOperationException("trials prepare through ConvPaths.Trial here");
        }
    };

    /** A node offered both ways: counts each, and tells the timer which path it just ran. */
    static final class FakeTrial implements ConvPaths.Trial {
        final FakeConv conv = new FakeConv();
        final RuntimeException prepareFails;
        int prepares, libraryRuns, oursRuns;
        long workspace = -1, workspaceBytes = -1;
        String last;

        FakeTrial(RuntimeException prepareFails) {
            this.prepareFails = prepareFails;
        }

        @Override
        public ConvLibrary.Conv prepare(ConvLibrary library, long workspace, long workspaceBytes) {
            assertSame(NAMED, library);
            prepares++;
            this.workspace = workspace;
            this.workspaceBytes = workspaceBytes;
            if (prepareFails != null) throw prepareFails;
            return conv;
        }

        @Override
        public void runLibrary(ConvLibrary.Conv c) {
            assertSame(conv, c);
            libraryRuns++;
            last = "library";
        }

        @Override
        public void runOurs() {
            oursRuns++;
            last = "ours";
        }
    }

    /** Runs the work, then reports the time set for the path it ran. */
    private static ConvPaths.Timer timer(FakeTrial[] current, Map<String, Double> ms) {
        return work -> {
            work.run();
            return ms.get(current[0].last);
        };
    }

    @Test
    void theFasterPathWinsAndIsTimedOncePerShape() {
        try (EmulatedDevice dev = new EmulatedDevice(1, false)) {
            FakeTrial[] current = {new FakeTrial(null)};
            Map<String, Double> ms = new HashMap<>(Map.of("library", 0.21, "ours", 0.35));
            ConvPaths paths = new ConvPaths(ConvPaths.Policy.AUTO, NAMED, null, dev, 4096, timer(current, ms));
            assertTrue(paths.active());
            ConvPaths.Choice c = paths.choose(SHAPE, current[0]);
            assertSame(current[0].conv, c.library());
            assertEquals("conv 3x3 320->320 64x64 f16: cudnn algo 1 (implicit precomp GEMM) 0.210 ms vs ours 0.350 ms", c.line());
            assertEquals(1, current[0].libraryRuns, "timed once through the injected timer");
            assertEquals(1, current[0].oursRuns);
            assertEquals(4096, current[0].workspaceBytes);
            assertEquals(1, dev.liveBlocks(), "one workspace for the backend, allocated at the first choice");
            long workspace = current[0].workspace;

            FakeTrial again = new FakeTrial(null);
            assertSame(c, paths.choose(SHAPE, again), "cached");
            assertEquals(0, again.prepares + again.libraryRuns + again.oursRuns, "a chosen shape is not tried again");

            // the same geometry with a fused epilogue is another key: here ours is faster, and the library is let go
            ConvShape fused = new ConvShape(false, DType.F16, 1, 320, 64, 64, 320, 3, 3, Conv2dParams.of(1, 1), true, "+silu+residual");
            current[0] = new FakeTrial(null);
            ms.put("library", 0.50);
            ConvPaths.Choice f = paths.choose(fused, current[0]);
            assertNull(f.library());
            assertEquals("conv 3x3 320->320 64x64 f16+silu+residual: ours 0.350 ms vs cudnn algo 1 (implicit precomp GEMM) 0.500 ms", f.line());
            assertEquals(1, current[0].conv.closes, "the losing library convolution is released");
            assertEquals(workspace, current[0].workspace, "every shape gets the same workspace");
            assertEquals(1, dev.liveBlocks());
            assertEquals(List.of(c.line(), f.line()), paths.lines());
            assertTrue(paths.describe().startsWith("per shape the faster of cuDNN 9.9.9 (stand-in) and our kernels, timed at first use"),
                    paths.describe());
            assertTrue(paths.describe().endsWith("2 shapes so far, 1 on the library"), paths.describe());

            // a tie stays on our kernels
            ConvShape f32 = new ConvShape(false, DType.F32, 1, 320, 64, 64, 320, 3, 3, Conv2dParams.of(1, 1), true, "");
            current[0] = new FakeTrial(null);
            ms.put("library", 0.35);
            assertNull(paths.choose(f32, current[0]).library());

            FakeConv kept = (FakeConv) c.library();
            paths.close();
            assertEquals(1, kept.closes, "closing releases the chosen library convolutions");
            assertEquals(0, dev.liveBlocks(), "and the workspace");
        }
    }

    @Test
    void aShapeTheLibraryCannotRunStaysOnOursWithTheReason() {
        try (EmulatedDevice dev = new EmulatedDevice(1, false)) {
            FakeTrial t = new FakeTrial(new IllegalStateException("cuDNN has no usable algorithm for it"));
            ConvPaths paths = new ConvPaths(ConvPaths.Policy.AUTO, NAMED, null, dev, 4096, timer(new FakeTrial[] {t}, Map.of()));
            ConvPaths.Choice c = paths.choose(SHAPE, t);
            assertNull(c.library());
            assertEquals("conv 3x3 320->320 64x64 f16: ours (cuDNN has no usable algorithm for it)", c.line());
            assertEquals(0, t.libraryRuns + t.oursRuns, "nothing timed");

            // a transposed convolution with output padding >= stride has no cuDNN form: not even prepared
            ConvShape odd = new ConvShape(true, DType.F16, 1, 8, 5, 5, 6, 3, 3, new Conv2dParams(1, 1, 1, 1, 2, 2, 1, 1, 1), true, "");
            FakeTrial u = new FakeTrial(null);
            assertEquals("conv_transpose 3x3/d2 8->6 5x5 f16: ours (the library cannot express it)", paths.choose(odd, u).line());
            assertEquals(0, u.prepares);
            paths.close();
        }
    }

    @Test
    void environmentForcesEitherPath() {
        try (EmulatedDevice dev = new EmulatedDevice(1, false)) {
            FakeTrial t = new FakeTrial(null);
            ConvPaths.Timer never = work -> {
                throw new AssertionError("SODEC_CUDA_CONV=cudnn does not time");
            };
            ConvPaths forced = new ConvPaths(ConvPaths.Policy.of("cudnn"), NAMED, null, dev, 4096, never);
            ConvPaths.Choice c = forced.choose(SHAPE, t);
            assertSame(t.conv, c.library());
            assertEquals("conv 3x3 320->320 64x64 f16: cudnn algo 1 (implicit precomp GEMM) (SODEC_CUDA_CONV=cudnn, not timed)", c.line());
            forced.close();

            ConvPaths ours = new ConvPaths(ConvPaths.Policy.of("OURS"), NAMED, null, dev, 4096, never);
            assertFalse(ours.active(), "the library is not offered any shape");
            assertEquals("our kernels (SODEC_CUDA_CONV=ours, cuDNN 9.9.9 (stand-in))", ours.describe());
            ConvPaths none = new ConvPaths(ConvPaths.Policy.AUTO, null, "cuDNN not used: libcudnn.so.9 not loadable", dev, 4096, never);
            assertFalse(none.active());
            assertEquals("our kernels (cuDNN not used: libcudnn.so.9 not loadable)", none.describe());
            assertEquals(0, dev.liveBlocks());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvPaths.Policy.of("fast"));
            assertEquals("SODEC_CUDA_CONV must be auto, cudnn or ours, got 'fast'", e.getMessage());
        }
    }
}
