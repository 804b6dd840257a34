package dev.sodec.engine.cpu;

import static dev.sodec.engine.tensor.Tensor.F32_LE;

import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.graph.Act;
import dev.sodec.engine.graph.Attrs;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.graph.Op;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * 3x3, stride-1, undilated, ungrouped convolution by Winograd F(m x m, 3x3) ({@link Tile}): each m x m output tile
 * is {@code A^T [(G g G^T) . (B^T d B)] A} of its (m+2) x (m+2) input tile d, so the element-wise products over
 * channels become (m+2)^2 GEMMs {@code M[xi] = U[xi] (K x C) * V[xi] (C x tiles)}: F(4x4) takes 4 times fewer
 * multiply-adds than im2col (36 per 16 outputs instead of 144), F(2x2) 2.25 times (16 per 4 instead of 36) for a U
 * of 16/9 of the weight instead of 4 times it.
 *
 * <p>The filter transform U is made once per weight ({@link Filter}, held beside the resident constant). Per call,
 * tiles go in blocks whose transformed input and products fit the node's planned workspace: input transform
 * (split over channels), the 36 GEMMs (split over the transform index, each one on one thread), output transform
 * with bias and the residual of an epilogue without activation (split over output channels); an activation then
 * runs over each finished image. No work item is a part of a reduction, so results are bit-identical for any
 * thread count.
 */
final class WinogradConv {
    /*
     * Where it measured faster than im2col (Prof runs on 2 threads, same process, loaded machine): 64 channels lost
     * at every size (the transforms cost more than the GEMM saves); 128 channels won at 64x64 and 128x128 outputs
     * but lost ~10% at 32x32; 256 and 512 channels won 1.5-2.5x from 32x32 (64 tiles) up. Fewer tiles are left
     * alone also because U is 4x the weight's memory: with 32x32 outputs admitted for wide convs, the SD/OneDC UNets'
     * 640- and 1280-channel levels took U and the peak RSS of a OneDC 768x512 decode went from 7.7 to 11.4 GiB for a
     * 10% faster UNet. So a filter is transformed only where it is reused over a 64x64 output or more (the VAE
     * decoder, whose convs are the big win, and a UNet's top level).
     * Exception (2026-12-02, Intel AVX-512 machine): 256-512-channel convs from 32x32 (64 tiles) up, where im2col's
     * GEMM has few columns: the SD VAE decoder's ten 512-channel 32x32 convs at a 256x256 image went from 459 to
     * 227 ms (105 -> 213 GFLOP/s effective) for about 380 MB of U; wider convs (the UNets' 640 and 1280 channels)
     * keep the 64x64 rule, which is what held the OneDC peak down.
     * Extended (2026-12-03, Zen 4): inputs up to 1024 channels into 256-512 outputs, i.e. an SD UNet's top-level
     * up-block convs after the skip concat (960 and 640 into 320 at a 256x256 image): the 960 -> 320 conv went from
     * 31.6 to 16.5 ms and the UNet's per-node sum by 30-120 ms (noisy VM), for about 100 MB of U. Wider outputs
     * keep the rule above.
     */
    /*
     * F(2x2) (2026-12-03, Zen 4, 2 threads, SD 2.1 UNet at 256x256): the 640- and 1280-channel convs at 16x16 and
     * 32x32 outputs, which the F(4x4) rules leave on im2col for U's memory (and which F(4x4) at 16 tiles runs with
     * half-empty register tiles and U streamed from memory per call). 640 -> 640 at 16x16 went from 11.5-12 to
     * 5.8-6.5 ms, 1280 -> 1280 at 16x16 from 43 to 23 ms, the UNet's per-node sum from 1156 to 985 ms; peak RSS
     * 4.55 -> 4.75 GiB at 256x256 and 4.80 -> 5.57 GiB at 512x512. At 8x8 (16 tiles) a transposed variant with U
     * made per call (no memory over im2col) did not pay (bench/README.md).
     * F2_ROWS (2026-12-03, same machine): that transposed variant with U kept, packed as the B operand. 2560 -> 1280
     * at 8x8 went from 23.5 to 14.4 ms (its U, 210 MB, streams at about 15 GB/s; this VM reads 25 GB/s), the
     * UNet's 8x8-level convs from 150 to 102 ms per call, the UNet 4.3% faster at 256x256 and 2.8% at 512x512; peak
     * RSS 4758 -> 5322 MiB at 256x256 and 5441 -> 6315 MiB at 512x512.
     */
    /** Fewer input or output channels than this stay on im2col. */
    static final int MIN_CHANNELS = 128;
    /** Fewest 4x4 output tiles (a 64x64 output). */
    static final int MIN_TILES = 256;
    /**
     * Fewest tiles (a 32x32 output) for convs of {@link #NARROW_MIN} to {@link #NARROW_MAX} output and up to
     * {@link #NARROW_MAX_IN} input channels.
     */
    static final int NARROW_MIN_TILES = 64;
    static final int NARROW_MIN = 256, NARROW_MAX = 512;
    /** Most input channels of a narrow conv (its output channels stay at most {@link #NARROW_MAX}). */
    static final int NARROW_MAX_IN = 1024;
    /**
     * Fewest tiles (a 16x16 output) for any 128+ channel conv under {@link Reach#WIDE}: an SD-size UNet's 640- and
     * 1280-channel levels, which the rules above leave on im2col for their memory.
     */
    static final int WIDE_MIN_TILES = 16;
    /** Fewest 2x2 output tiles (a 16x16 output) for the F(2x2) rule. */
    static final int F2_MIN_TILES = 64;
    /** Fewest 2x2 output tiles (an 8x8 output) for {@link Tile#F2_ROWS}, below {@link #F2_MIN_TILES}. */
    static final int F2_ROWS_MIN_TILES = 16;
    /** Floats of transformed input plus products per tile block (16 MiB). */
    static final long BLOCK_FLOATS = 1 << 22;

    private static final Parallel SERIAL = new Parallel(1);

    private WinogradConv() {}

    /**
     * The tile sizes: output edge m, input edge a = m + 2, n = a^2 transforms (GEMMs), and which way round the GEMMs
     * run.
     */
    enum Tile {
        /** F(4x4, 3x3): 36 GEMMs per 16 outputs; U is 4x the weight. */
        F4(4, false),
        /** F(2x2, 3x3): 16 GEMMs per 4 outputs; U is 16/9 of the weight. */
        F2(2, false),
        /**
         * F(2x2, 3x3) over few tiles (16 to 63: square outputs of 7x7 to 14x14), run transposed: {@code M[xi]^T (tiles x K) =
         * V[xi]^T (tiles x C) * U[xi]^T (C x K)}, the tiles as the rows (two full register slivers at 16 tiles, where
         * as the columns they would fill half of one) and U packed as the B operand, read in place.
         */
        F2_ROWS(2, true);

        final int m, a, n;
        /** Tiles are the GEMM's rows, output channels its columns. */
        final boolean rows;

        Tile(int m, boolean rows) {
            this.m = m;
            this.a = m + 2;
            this.n = a * a;
            this.rows = rows;
        }

        /** Sliver width U is packed in: the GEMM driver's A slivers (MR rows), or its B slivers (NR columns) for rows. */
        int width() {
            return rows ? GemmDriver.NR : GemmDriver.MR;
        }

        /** Output tiles of an oh x ow output. */
        int tiles(int oh, int ow) {
            return Math.ceilDiv(oh, m) * Math.ceilDiv(ow, m);
        }
    }

    /** The transformed filter U[n][K][C] of one weight for one tile size, off-heap, freed with the weight's resident form. */
    record Filter(MemorySegment u, Arena arena, int k, int c, Tile tile) {
        void free() {
            arena.close();
        }
    }

    /** What a Winograd filter is made from: a weight and the tile size its convs run with. */
    record Key(Tensor weight, Tile tile) {}

    /**
     * Which convs a backend runs by Winograd (system property {@code sodec.cpu.winograd}): none, those the rules
     * above pick (the default), or F(4x4) also for every 128+ channel conv from a 16x16 output up, where the default
     * takes F(2x2): U is then 4x each such weight instead of 16/9 (measured before F(2x2): peak RSS 0.8 GiB more at
     * 256x256 and 2.9 GiB at 512x512); per conv faster at 32x32, slower at 16x16.
     */
    enum Reach {
        OFF, DEFAULT, WIDE;

        /** The reach a property value names: {@code false}, {@code true} or {@code wide}. */
        static Reach parse(String value) {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "false", "off" -> OFF;
                case "true", "default" -> DEFAULT;
                case "wide" -> WIDE;
                default -> throw new IllegalArgumentException(
                        "sodec.cpu.winograd must be true, false or wide, got '" + value + "'");
            };
        }
    }

    /**
     * The tile size conv {@code n} runs by under {@code reach}, or null for im2col (the weight must be a graph
     * constant: U is made once). F(4x4) where the rules above pick it (and under {@link Reach#WIDE} from 16 of its
     * tiles up); otherwise F(2x2) for a 128+ channel conv from a 16x16 output up.
     */
    static Tile tileFor(Node n, Reach reach) {
        if (reach == Reach.OFF || n.op != Op.CONV2D || n.input(1).op != Op.CONSTANT) return null;
        Conv2dParams p = n.attrs(Attrs.Conv.class).params();
        int[] ws = n.input(1).shape();
        if (!applies(ws, p)) return null;
        int oh = n.dim(2), ow = n.dim(3);
        boolean narrow = Math.min(ws[0], ws[1]) >= NARROW_MIN && ws[0] <= NARROW_MAX && ws[1] <= NARROW_MAX_IN;
        int minTiles = reach == Reach.WIDE ? WIDE_MIN_TILES : narrow ? NARROW_MIN_TILES : MIN_TILES;
        if (Tile.F4.tiles(oh, ow) >= minTiles) return Tile.F4;
        int tiles = Tile.F2.tiles(oh, ow);
        return tiles >= F2_MIN_TILES ? Tile.F2 : tiles >= F2_ROWS_MIN_TILES ? Tile.F2_ROWS : null;
    }

    static boolean applies(int[] ws, Conv2dParams p) {
        return ws[2] == 3 && ws[3] == 3 && p.groups() == 1 && p.strideH() == 1 && p.strideW() == 1
                && p.dilationH() == 1 && p.dilationW() == 1 && ws[0] >= MIN_CHANNELS && ws[1] >= MIN_CHANNELS;
    }

    /** Tiles per block: as many as the block budget holds, a multiple of the GEMM's sliver the tiles run along. */
    static int tileBlock(Tile tile, int c, int k, int tiles) {
        int sliver = tile.rows ? GemmDriver.MR : GemmDriver.NR;
        long fit = BLOCK_FLOATS / ((long) tile.n * (c + k));
        int tb = (int) Math.max(sliver, fit / sliver * sliver);
        return Math.min(tb, GemmDriver.roundUp(tiles, sliver));
    }

    /** Workspace bytes of conv node {@code n} on this path with {@code tile}. */
    static long workspaceBytes(Node n, Tile tile) {
        int k = n.dim(1), c = n.input(0).dim(1);
        return workspaceBytes(tile, c, k, tile.tiles(n.dim(2), n.dim(3)));
    }

    static long workspaceBytes(Tile tile, int c, int k, int tiles) {
        return (long) tile.n * (c + k) * tileBlock(tile, c, k, tiles) * 4;
    }

    /**
     * U = G g G^T for every (output, input) channel pair, computed in double and rounded once, stored as the GEMM
     * driver packs an operand ({@link #packedOffset}): its A, so packing a sliver is one copy, or for
     * {@link Tile#F2_ROWS} its B ({@link PackedWeight}'s layout), read in place.
     */
    static Filter transform(Parallel par, Tensor w, Tile tile) {
        int k = w.dim(0), c = w.dim(1), a = tile.a, n = tile.n;
        float[] g = w.toF32().contiguous().toFloatArray();
        int mr = tile.width(), mPad = GemmDriver.roundUp(k, mr);
        Arena arena = Arena.ofShared();
        MemorySegment u = HugePageMemory.allocate(arena, (long) n * mPad * c * 4);   // zero-filled: the padding rows stay 0
        // split over slivers (a program's first run waits for this: 0.1-0.4 s per 1280x1280 weight on one thread)
        par.forRange(mPad / mr, 1, (s0, s1) -> {
            double[] gg = new double[3 * a], uu = new double[n];
            float[] sliver = new float[n * c * mr];   // one MR-row sliver of every U[xi], [xi][i][row]
            for (int r = s0 * mr; r < s1 * mr; r += mr) {
                java.util.Arrays.fill(sliver, 0f);   // rows past K stay 0, as the driver's padding lanes must be
                for (int o = r; o < Math.min(k, r + mr); o++) {
                    for (int i = 0; i < c; i++) {
                        int base = (o * c + i) * 9;
                        for (int col = 0; col < 3; col++) {   // gg (a x 3) = G g
                            transformG(tile, g[base + col], g[base + 3 + col], g[base + 6 + col], gg, col, 3);
                        }
                        for (int row = 0; row < a; row++) {   // uu (a x a) = gg G^T
                            transformG(tile, gg[row * 3], gg[row * 3 + 1], gg[row * 3 + 2], uu, row * a, 1);
                        }
                        for (int xi = 0; xi < n; xi++) sliver[(xi * c + i) * mr + (o - r)] = (float) uu[xi];
                    }
                }
                for (int xi = 0; xi < n; xi++) {
                    for (int p0 = 0; p0 < c; p0 += GemmDriver.KC) {
                        int kc = Math.min(GemmDriver.KC, c - p0);
                        MemorySegment.copy(sliver, (xi * c + p0) * mr, u, F32_LE, packedOffset(xi, r, p0, mPad, c, mr) * 4, kc * mr);
                    }
                }
            }
        });
        return new Filter(u, arena, k, c, tile);
    }

    /**
     * Float index of U[xi][o][i]: per xi, K blocks of {@link GemmDriver#KC}, in each slivers of {@code width} output
     * channels stored K-major ({@code kc} x width), the layout {@link GemmDriver} packs A into (width MR) and
     * {@link PackedWeight} holds a B operand in (width NR).
     */
    static long packedOffset(int xi, int o, int i, int mPad, int c, int width) {
        int p0 = i / GemmDriver.KC * GemmDriver.KC, kc = Math.min(GemmDriver.KC, c - p0), r = o / width * width;
        return (long) xi * mPad * c + (long) mPad * p0 + (long) r * kc + (long) (i - p0) * width + (o - r);
    }

    /** The A operand U[xi] as a panel: the driver asks for whole slivers of whole K blocks, each one stored run. */
    private static Panel packedPanel(MemorySegment u, int xi, int mPad, int c) {
        return (dst, off, width, r0, rows, p0, kc) -> {
            if (width != GemmDriver.MR || r0 % GemmDriver.MR != 0 || p0 % GemmDriver.KC != 0
                    || kc != Math.min(GemmDriver.KC, c - p0)) {
                throw new IllegalStateException("winograd filter asked for an unaligned sliver");
            }
            MemorySegment.copy(u, F32_LE, packedOffset(xi, r0, p0, mPad, c, width) * 4, dst, off, width * kc);
        };
    }

    /** The a values G (g0 g1 g2)^T, written {@code stride} apart from {@code off}. */
    private static void transformG(Tile tile, double g0, double g1, double g2, double[] dst, int off, int stride) {
        if (tile.m == 2) {
            dst[off] = g0;
            dst[off + stride] = (g0 + g1 + g2) * 0.5;
            dst[off + 2 * stride] = (g0 - g1 + g2) * 0.5;
            dst[off + 3 * stride] = g2;
            return;
        }
        // products with the reciprocals (double): the division's rounding difference is far below the float result's
        double s02 = g0 + g2, a = g0 * (1.0 / 24) + g2 * (1.0 / 6), b = g1 * (1.0 / 12);
        dst[off] = g0 * 0.25;
        dst[off + stride] = -(s02 + g1) * (1.0 / 6);
        dst[off + 2 * stride] = -(s02 - g1) * (1.0 / 6);
        dst[off + 3 * stride] = a + b;
        dst[off + 4 * stride] = a - b;
        dst[off + 5 * stride] = g2;
    }

    /**
     * y = act(conv(x, w) + bias) + residual with U = {@link #transform}(w, tile); {@code ws} holds
     * {@link #workspaceBytes(Tile, int, int, int)} bytes.
     */
    static void run(Parallel par, Tensor x, Filter f, Tensor bias, Conv2dParams p, Act act, Tensor residual,
                    Tensor out, MemorySegment ws) {
        int nb = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int k = out.dim(1), oh = out.dim(2), ow = out.dim(3);
        if (f.c() != c || f.k() != k) throw new IllegalArgumentException("winograd filter is " + f.k() + "x" + f.c()
                + ", conv is " + k + "x" + c);
        Tile tile = f.tile();
        int n = tile.n, tw = Math.ceilDiv(ow, tile.m), tiles = tile.tiles(oh, ow);
        int tb = tileBlock(tile, c, k, tiles);
        if (ws.byteSize() < workspaceBytes(tile, c, k, tiles)) throw new IllegalArgumentException("winograd workspace too small");
        MemorySegment xd = x.data(), od = out.data(), u = f.u();
        float[] bv = bias == null ? null : bias.toFloatArray();
        MemorySegment rd = act == null && residual != null ? residual.data() : null;
        CpuEpilogue epi = act == null ? null : CpuEpilogue.of(act, residual == null ? null : residual.data());
        int mPad = GemmDriver.roundUp(k, tile.width());
        // float offsets in ws: V[n][C][tb], then M[n][K][tb] (for rows M[n][tb][K], the transposed products)
        long vBase = 0, mBase = (long) n * c * tb;
        int ph = p.padH(), pw = p.padW();
        long inPlane = (long) h * w, outPlane = (long) oh * ow;
        for (int b = 0; b < nb; b++) {
            long xImg = (long) b * c * inPlane, oImg = (long) b * k * outPlane;
            for (int t0 = 0; t0 < tiles; t0 += tb) {
                int nt = Math.min(tb, tiles - t0), ft0 = t0;
                par.forRange(c, 1, (c0, c1) -> inputTransform(tile, xd, xImg, h, w, ph, pw, tw, ft0, nt, tb, c0, c1, c,
                        ws, vBase));
                par.forRange(n, 1, (x0, x1) -> {
                    for (int xi = x0; xi < x1; xi++) {
                        Panel v = SegmentPanel.kMajor(ws, vBase + (long) xi * c * tb, tb);
                        if (tile.rows) {
                            PackedWeight ut = PackedWeight.view(u.asSlice((long) xi * mPad * c * 4, (long) mPad * c * 4), k, c,
                                    tile.width());
                            GemmDriver.run(SERIAL, nt, k, c, v, ut, ws, mBase + (long) xi * k * tb, k, false);
                        } else {
                            GemmDriver.run(SERIAL, k, nt, c, packedPanel(u, xi, mPad, c), v, ws, mBase + (long) xi * k * tb, tb, false);
                        }
                    }
                });
                par.forRange(k, 1, (k0, k1) -> {
                    if (tile.rows) {
                        outputTransformRows(ws, mBase, k, tb, nt, ft0, tw, oh, ow, k0, k1, bv, od, rd, oImg);
                    } else {
                        outputTransform(tile, ws, mBase, k, tb, nt, ft0, tw, oh, ow, k0, k1, bv, od, rd, oImg);
                    }
                });
            }
            if (epi != null) {
                par.forRange(k, 1, (k0, k1) -> epi.applyRange(od, oImg + k0 * outPlane, oImg + k1 * outPlane));
            }
        }
    }

    /** V[xi][ch][t] = (B^T d B)[xi] for the a x a input tile d of tiles t0..t0+nt, channels c0..c1. */
    private static void inputTransform(Tile tile, MemorySegment xd, long xImg, int h, int w, int ph, int pw, int tw,
                                       int t0, int nt, int tb, int c0, int c1, int c, MemorySegment ws, long vBase) {
        int m = tile.m, a = tile.a, n = tile.n;
        // the input rows the block reads, copied into a strip with the zero padding around them in place
        int ty0 = t0 / tw, row0 = ty0 * m - ph, stripRows = ((t0 + nt - 1) / tw - ty0) * m + a;
        int sw = tw * m + 2;   // columns -pw .. tw*m+2-pw
        int r0 = Math.max(row0, 0), r1 = Math.min(row0 + stripRows, h);
        int x0 = Math.max(-pw, 0), x1 = Math.min(sw - pw, w);   // input columns inside the strip
        float[] strip = new float[stripRows * sw];
        float[] v = new float[n * nt];
        float[] d = new float[n], t = new float[n];
        float[] split = new float[8 * (tw + 1)];   // F(2x2): a tile row's 4 input rows, even then odd columns
        for (int ch = c0; ch < c1; ch++) {
            long plane = xImg + ch * (long) h * w;
            for (int y = r0; y < r1 && x1 > x0; y++) {
                MemorySegment.copy(xd, F32_LE, (plane + (long) y * w + x0) * 4, strip, (y - row0) * sw + x0 + pw, x1 - x0);
            }
            for (int j = 0; j < nt; ) {   // one run of tiles along a tile row at a time
                int ti = t0 + j, txFirst = ti % tw, run = Math.min(tw - txFirst, nt - j);
                int rowBase = ((ti / tw) - ty0) * m * sw;
                if (tile.m == 2) {
                    inputRunF2(strip, rowBase, sw, tw + 1, txFirst, run, split, v, nt, j);
                } else {
                    for (int q = 0; q < run; q++) {
                        int base = rowBase + (txFirst + q) * 4;
                        for (int dy = 0; dy < 6; dy++) System.arraycopy(strip, base + dy * sw, d, dy * 6, 6);
                        for (int col = 0; col < 6; col++) transformB(d, col, 6, t, col, 6);     // t = B^T d
                        for (int row = 0; row < 6; row++) transformB(t, row * 6, 1, d, row * 6, 1); // d = t B
                        for (int xi = 0; xi < 36; xi++) v[xi * nt + j + q] = d[xi];
                    }
                }
                j += run;
            }
            for (int xi = 0; xi < n; xi++) {
                MemorySegment.copy(v, xi * nt, ws, F32_LE, (vBase + ((long) xi * c + ch) * tb) * 4, nt);
            }
        }
    }

    /** The 6 values B^T s of the 6 values s (read {@code ss} apart), written {@code ds} apart (F(4x4)). */
    private static void transformB(float[] s, int so, int ss, float[] dst, int d0, int ds) {
        float s0 = s[so], s1 = s[so + ss], s2 = s[so + 2 * ss], s3 = s[so + 3 * ss], s4 = s[so + 4 * ss], s5 = s[so + 5 * ss];
        dst[d0] = 4 * s0 - 5 * s2 + s4;
        dst[d0 + ds] = s3 + s4 - 4 * (s1 + s2);
        dst[d0 + 2 * ds] = s4 - s3 + 4 * (s1 - s2);
        dst[d0 + 3 * ds] = s4 - s2 + 2 * (s3 - s1);
        dst[d0 + 4 * ds] = s4 - s2 - 2 * (s3 - s1);
        dst[d0 + 5 * ds] = 4 * s1 - 5 * s3 + s5;
    }

    /**
     * F(2x2) input transform of {@code run} tiles side by side from tile column {@code tx0} of the tile row whose 4
     * input rows start at {@code rowBase} in the strip; tile q's 16 values go to v[xi * nt + j + q]. The rows are first
     * split into even and odd columns, so tile i's 4x4 window is e[i], o[i], e[i+1], o[i+1] of each row: plain
     * arrays read at i and i+1, no per-tile copies (the transforms had cost about a fifth of these convs' time).
     * B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], applied along each row, then down the columns.
     */
    private static void inputRunF2(float[] strip, int rowBase, int sw, int half, int tx0, int run, float[] split,
                                   float[] v, int nt, int j) {
        for (int r = 0; r < 4; r++) {
            int from = rowBase + r * sw, e = 2 * r * half, o = e + half;
            for (int i = tx0; i <= tx0 + run; i++) {
                split[e + i] = strip[from + 2 * i];
                split[o + i] = strip[from + 2 * i + 1];
            }
        }
        int e0 = 0, o0 = half, e1 = 2 * half, o1 = 3 * half, e2 = 4 * half, o2 = 5 * half, e3 = 6 * half, o3 = 7 * half;
        for (int q = 0; q < run; q++) {
            int i = tx0 + q, at = j + q;
            // along each row: (a, b, c, d) -> (a - c, b + c, c - b, b - d)
            float t00 = split[e0 + i] - split[e0 + i + 1], t01 = split[o0 + i] + split[e0 + i + 1];
            float t02 = split[e0 + i + 1] - split[o0 + i], t03 = split[o0 + i] - split[o0 + i + 1];
            float t10 = split[e1 + i] - split[e1 + i + 1], t11 = split[o1 + i] + split[e1 + i + 1];
            float t12 = split[e1 + i + 1] - split[o1 + i], t13 = split[o1 + i] - split[o1 + i + 1];
            float t20 = split[e2 + i] - split[e2 + i + 1], t21 = split[o2 + i] + split[e2 + i + 1];
            float t22 = split[e2 + i + 1] - split[o2 + i], t23 = split[o2 + i] - split[o2 + i + 1];
            float t30 = split[e3 + i] - split[e3 + i + 1], t31 = split[o3 + i] + split[e3 + i + 1];
            float t32 = split[e3 + i + 1] - split[o3 + i], t33 = split[o3 + i] - split[o3 + i + 1];
            // down the columns, the same combination of rows
            v[at] = t00 - t20;
            v[nt + at] = t01 - t21;
            v[2 * nt + at] = t02 - t22;
            v[3 * nt + at] = t03 - t23;
            v[4 * nt + at] = t10 + t20;
            v[5 * nt + at] = t11 + t21;
            v[6 * nt + at] = t12 + t22;
            v[7 * nt + at] = t13 + t23;
            v[8 * nt + at] = t20 - t10;
            v[9 * nt + at] = t21 - t11;
            v[10 * nt + at] = t22 - t12;
            v[11 * nt + at] = t23 - t13;
            v[12 * nt + at] = t10 - t30;
            v[13 * nt + at] = t11 - t31;
            v[14 * nt + at] = t12 - t32;
            v[15 * nt + at] = t13 - t33;
        }
    }

    /** Output tiles of channels k0..k1: A^T M A + bias (+ the residual, read before the write: it may be y). */
    private static void outputTransform(Tile tile, MemorySegment ws, long mBase, int k, int tb, int nt, int t0, int tw,
                                        int oh, int ow, int k0, int k1, float[] bias, MemorySegment od,
                                        MemorySegment rd, long oImg) {
        int mo = tile.m, a = tile.a, n = tile.n;
        float[] m = new float[n * nt];
        float[] s = new float[n], t = new float[mo * a];
        float[] strip = new float[mo * tw * mo];   // mo output rows of one tile row, mo*tw columns
        long outPlane = (long) oh * ow;
        for (int ch = k0; ch < k1; ch++) {
            for (int xi = 0; xi < n; xi++) {
                MemorySegment.copy(ws, F32_LE, (mBase + ((long) xi * k + ch) * tb) * 4, m, xi * nt, nt);
            }
            float bv = bias == null ? 0f : bias[ch];
            long plane = oImg + ch * outPlane;
            int sw = tw * mo;
            for (int j = 0; j < nt; ) {
                int ty = (t0 + j) / tw, txFirst = (t0 + j) % tw, txEnd = Math.min(tw, txFirst + nt - j);
                if (tile.m == 2) {
                    outputRunF2(m, nt, j, txFirst, txEnd, strip, sw);
                    j += txEnd - txFirst;
                } else {
                    for (int tx = txFirst; tx < txEnd; tx++, j++) {
                        for (int xi = 0; xi < 36; xi++) s[xi] = m[xi * nt + j];
                        for (int col = 0; col < 6; col++) transformA(s, col, 6, t, col, 6);   // t (4x6) = A^T s
                        for (int row = 0; row < 4; row++) transformA(t, row * 6, 1, strip, row * sw + tx * 4, 1); // t A
                    }
                }
                int oy = ty * mo, rows = Math.min(mo, oh - oy);
                int ox0 = txFirst * mo, ox1 = Math.min(ow, txEnd * mo);
                for (int r = 0; r < rows; r++) {
                    int so = r * sw;
                    for (int q = ox0; q < ox1; q++) strip[so + q] += bv;
                    long off = (plane + (long) (oy + r) * ow + ox0) * 4;
                    if (rd != null) {
                        for (int q = ox0; q < ox1; q++) strip[so + q] += rd.get(F32_LE, off + (q - ox0) * 4L);
                    }
                    MemorySegment.copy(strip, so + ox0, od, F32_LE, off, ox1 - ox0);
                }
            }
        }
    }

    /**
     * {@link Tile#F2_ROWS}' output transform: the products lie M[xi][tile][K], so each tile's 16 values of channels
     * k0..k1 are 16 runs; its 2x2 outputs of every channel + bias (+ the residual, read before the write: it may be
     * y), in the order {@link #outputTransform} adds them.
     */
    private static void outputTransformRows(MemorySegment ws, long mBase, int k, int tb, int nt, int t0, int tw,
                                            int oh, int ow, int k0, int k1, float[] bias, MemorySegment od,
                                            MemorySegment rd, long oImg) {
        int nk = k1 - k0;
        float[] m = new float[16 * nk], y = new float[4];
        long outPlane = (long) oh * ow;
        for (int j = 0; j < nt; j++) {
            for (int xi = 0; xi < 16; xi++) {
                MemorySegment.copy(ws, F32_LE, (mBase + ((long) xi * tb + j) * k + k0) * 4, m, xi * nk, nk);
            }
            int oy = (t0 + j) / tw * 2, ox = (t0 + j) % tw * 2;
            int rows = Math.min(2, oh - oy), cols = Math.min(2, ow - ox);
            for (int q = 0; q < nk; q++) {
                outputRunF2(m, nk, q, 0, 1, y, 2);
                float bv = bias == null ? 0f : bias[k0 + q];
                long plane = oImg + (k0 + q) * outPlane;
                for (int r = 0; r < rows; r++) {
                    for (int s = 0; s < cols; s++) {
                        long at = (plane + (long) (oy + r) * ow + ox + s) * 4;
                        float v = y[r * 2 + s] + bv;
                        if (rd != null) v += rd.get(F32_LE, at);
                        od.set(F32_LE, at, v);
                    }
                }
            }
        }
    }

    /** The 4 values A^T s of the 6 values s (read {@code ss} apart), written {@code ds} apart (F(4x4)). */
    private static void transformA(float[] s, int so, int ss, float[] dst, int d0, int ds) {
        float s0 = s[so], s1 = s[so + ss], s2 = s[so + 2 * ss], s3 = s[so + 3 * ss], s4 = s[so + 4 * ss], s5 = s[so + 5 * ss];
        float p12 = s1 + s2, m12 = s1 - s2, p34 = s3 + s4, m34 = s3 - s4;
        dst[d0] = s0 + p12 + p34;
        dst[d0 + ds] = m12 + 2 * m34;
        dst[d0 + 2 * ds] = p12 + 4 * p34;
        dst[d0 + 3 * ds] = m12 + 8 * m34 + s5;
    }

    /**
     * F(2x2) output transform of the tiles tx0..tx1 of one tile row, the first at m[xi * nt + j]: the 2x2 outputs
     * into the strip's two rows. A^T = [1 1 1 0; 0 1 -1 -1], down the columns, then along the rows.
     */
    private static void outputRunF2(float[] m, int nt, int j, int tx0, int tx1, float[] strip, int sw) {
        for (int tx = tx0; tx < tx1; tx++) {
            int at = j + tx - tx0;
            float s00 = m[at], s01 = m[nt + at], s02 = m[2 * nt + at], s03 = m[3 * nt + at];
            float s10 = m[4 * nt + at], s11 = m[5 * nt + at], s12 = m[6 * nt + at], s13 = m[7 * nt + at];
            float s20 = m[8 * nt + at], s21 = m[9 * nt + at], s22 = m[10 * nt + at], s23 = m[11 * nt + at];
            float s30 = m[12 * nt + at], s31 = m[13 * nt + at], s32 = m[14 * nt + at], s33 = m[15 * nt + at];
            float a0 = s00 + s10 + s20, a1 = s01 + s11 + s21, a2 = s02 + s12 + s22, a3 = s03 + s13 + s23;
            float b0 = s10 - s20 - s30, b1 = s11 - s21 - s31, b2 = s12 - s22 - s32, b3 = s13 - s23 - s33;
            strip[2 * tx] = a0 + a1 + a2;
            strip[2 * tx + 1] = a1 - a2 - a3;
            strip[sw + 2 * tx] = b0 + b1 + b2;
            strip[sw + 2 * tx + 1] = b1 - b2 - b3;
        }
    }
}
