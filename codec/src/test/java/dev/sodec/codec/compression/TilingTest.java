package dev.sodec.codec.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The windows a tiling computes: they cover the image, give every tile its context, and have one size. */
class TilingTest {
    @Test
    void spansCoverTheSideOnceWithContextAndOneWindowSize() {
        for (int tile : new int[] {64, 128, 1024}) {
            Tiling t = new Tiling(tile);
            for (int length = 64; length <= 4096; length += 64) {
                List<Tiling.Span> spans = t.spans(length);
                int next = 0;
                for (Tiling.Span s : spans) {
                    assertEquals(next, s.outStart(), "tiles are contiguous");
                    assertTrue(s.outEnd() > s.outStart());
                    next = s.outEnd();
                    assertEquals(t.window(length), s.window(), "one window size per side");
                    assertTrue(s.windowStart() >= 0 && s.windowStart() + s.window() <= length);
                    // context: HALO pixels on each side, unless the window reaches the image edge there
                    assertTrue(s.windowStart() == 0 || s.outStart() - s.windowStart() >= Tiling.HALO, s + " at " + length);
                    int end = s.windowStart() + s.window();
                    assertTrue(end == length || end - s.outEnd() >= Tiling.HALO, s + " at " + length);
                    assertEquals(0, s.windowStart() % 16, "windows start on a latent position");
                }
                assertEquals(length, next, "tiles cover the side");
            }
        }
    }

    @Test
    void aSideThatFitsOneWindowIsOneSpan() {
        Tiling t = new Tiling(128);
        assertEquals(List.of(new Tiling.Span(0, 256, 0, 256)), t.spans(256));
        assertTrue(t.isSingleWindow(256, 192));
        assertEquals(3, t.spans(320).size());
    }

    @Test
    void windowsNeverExceedATileWithItsContextAndTilesAreEven() {
        Tiling t = new Tiling(1024);
        for (int length = 64; length <= 16384; length += 64) {
            List<Tiling.Span> spans = t.spans(length);
            assertTrue(t.window(length) <= 1024 + 2 * Tiling.HALO, "window " + t.window(length) + " at " + length);
            int widest = 0, narrowest = Integer.MAX_VALUE;
            for (Tiling.Span s : spans) {
                widest = Math.max(widest, s.outEnd() - s.outStart());
                narrowest = Math.min(narrowest, s.outEnd() - s.outStart());
            }
            // no sliver tile: the last is at most a few z positions narrower than the others
            assertTrue(spans.size() == 1 || widest - narrowest <= 64 * spans.size(), length + ": " + spans);
        }
        // just above one window: two tiles of 640, windows of 768 (a 1024 tile and a 192 sliver would need two 1152 windows)
        assertEquals(List.of(new Tiling.Span(0, 640, 0, 768), new Tiling.Span(640, 1216, 448, 768)), t.spans(1216));
    }

    @Test
    void tileSizesOtherThanMultiplesOf64AreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Tiling(0));
        assertThrows(IllegalArgumentException.class, () -> new Tiling(100));
        assertThrows(IllegalArgumentException.class, () -> new Tiling(-64));
    }
}
