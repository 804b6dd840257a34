package dev.sodec.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cases of the tensor-core instructions (kernels/src/main/cuda/mma.cuh, tc_selftest.cu) against their PTX ISA
 * definitions, on the emulator (TensorCoreInstructionTest) and, where present, a GPU (TensorCoreGpuTest), so the
 * emulator's semantics and the hardware's are checked by the same assertions: mma.sync m16n8k16 against a plain
 * matrix product with fragments placed by the ISA's tables, ldmatrix x1/x2/x4 (plain and .trans) against the
 * ISA's lane mapping with every lane addressing its own row, and cp.async's group semantics: completed groups hold
 * the data (zero-filled past src-size), groups not covered by a wait read as the poison NaN pattern,
 * deterministically (emulator only: on a GPU their contents are undefined).
 */
abstract class TensorCoreInstructionCases extends TcCases {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    static short bf16Bits(float v) {
        int f = Float.floatToRawIntBits(v);
        f += 0x7fff + ((f >>> 16) & 1);
        return (short) (f >>> 16);
    }

    static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    @ParameterizedTest(name = "bf16={0}")
    @ValueSource(booleans = {false, true})
    void mmaMatchesAPlainMatrixProduct(boolean bf16) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(bf16 ? 7 : 3);
            MemorySegment a = arena.allocate(16 * 16 * 2, 16), b = arena.allocate(16 * 8 * 2, 16);
            MemorySegment c = arena.allocate(16 * 8 * 4, 16), d = arena.allocate(16 * 8 * 4, 16);
            double[][] av = new double[16][16], bv = new double[16][8];
            for (int i = 0; i < 16; i++) {
                for (int k = 0; k < 16; k++) {
                    float v = (float) (r.nextDouble() * 4 - 2);
                    short s = bf16 ? bf16Bits(v) : Float.floatToFloat16(v);
                    a.setAtIndex(U16, i * 16 + k, s);
                    av[i][k] = bf16 ? bf16ToFloat(s) : Float.float16ToFloat(s);
                }
            }
            for (int k = 0; k < 16; k++) {
                for (int n = 0; n < 8; n++) {
                    float v = (float) (r.nextDouble() * 4 - 2);
                    short s = bf16 ? bf16Bits(v) : Float.floatToFloat16(v);
                    b.setAtIndex(U16, k * 8 + n, s);
                    bv[k][n] = bf16 ? bf16ToFloat(s) : Float.float16ToFloat(s);
                }
            }
            float[] cv = new float[128];
            for (int i = 0; i < 128; i++) {
                cv[i] = (float) (r.nextDouble() * 10 - 5);
                c.setAtIndex(F32, i, cv[i]);
            }
            long dd = dev.alloc(d.byteSize());
            dev.launcher().launch(bf16 ? "tc_selftest_mma_bf16" : "tc_selftest_mma_f16", Dim3.of(1), Dim3.of(32), 0,
                    KernelArgs.of().ptr(put(a)).ptr(put(b)).ptr(put(c)).ptr(dd));
            d = dev.get(dd, d.byteSize());
            for (int i = 0; i < 16; i++) {
                for (int n = 0; n < 8; n++) {
                    double s = cv[i * 8 + n];
                    for (int k = 0; k < 16; k++) s += av[i][k] * bv[k][n];
                    float got = d.getAtIndex(F32, i * 8 + n);
                    // F32 accumulation: a few F32 ulps of the largest partial sum at most; a misplaced fragment
                    // element is off by O(1).
                    assertEquals(s, got, 1e-5, "D(" + i + ", " + n + ")");
                }
            }
        }
    }

    @Test
    void ldmatrixFollowsTheIsaLaneMapping() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(32 * 8 * 2, 16), perm = arena.allocate(32 * 4, 16);
            MemorySegment out = arena.allocate(6 * 32 * 4 * 4, 16);
            int[] p = new int[32];
            for (int l = 0; l < 32; l++) {
                p[l] = (l * 7 + 3) % 32;   // every lane addresses a different, shuffled row
                perm.setAtIndex(I32, l, p[l]);
                for (int c = 0; c < 8; c++) src.setAtIndex(U16, l * 8 + c, (short) (l * 8 + c + 1));
            }
            long od = dev.alloc(out.byteSize());
            dev.launcher().launch("tc_selftest_ldmatrix", Dim3.of(1), Dim3.of(32), 32 * 8 * 2,
                    KernelArgs.of().ptr(put(src)).ptr(put(perm)).ptr(od));
            out = dev.get(od, out.byteSize());
            int[] counts = {1, 2, 4, 1, 2, 4};
            for (int variant = 0; variant < 6; variant++) {
                boolean trans = variant >= 3;
                for (int lane = 0; lane < 32; lane++) {
                    int g = lane / 4, t = lane % 4;
                    for (int i = 0; i < 4; i++) {
                        int got = out.getAtIndex(I32, (variant * 32 + lane) * 4 + i);
                        if (i >= counts[variant]) {
                            assertEquals(0, got, "register " + i + " not produced by x" + counts[variant]);
                            continue;
                        }
                        // matrix i, row rr holds src row p[8 i + rr]; element (rr, cc) = that row's word cc
                        int lo = trans ? elem(p, i, 2 * t, g) : elem(p, i, g, 2 * t);
                        int hi = trans ? elem(p, i, 2 * t + 1, g) : elem(p, i, g, 2 * t + 1);
                        assertEquals(lo | hi << 16, got, "variant " + variant + " lane " + lane + " register " + i);
                    }
                }
            }
        }
    }

    private static int elem(int[] perm, int matrix, int row, int col) {
        return perm[8 * matrix + row] * 8 + col + 1;
    }

    /** mode as tc_selftest_cp_async: 0 wait_group 2, 1 wait_all, 2 no wait, 3 wait_group 0 with one copy uncommitted. */
    @ParameterizedTest(name = "mode {0}")
    @ValueSource(ints = {0, 1, 2, 3})   // on a GPU only the completed groups are checked
    void cpAsyncDestinationsArePoisonedUntilTheirWait(int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(352 * 4, 16), out = arena.allocate(32 * 11 * 4, 16);
            for (int i = 0; i < 352; i++) src.setAtIndex(F32, i, i + 0.5f);
            long od = dev.alloc(out.byteSize());
            dev.launcher().launch("tc_selftest_cp_async", Dim3.of(1), Dim3.of(32), 352 * 4,
                    KernelArgs.of().ptr(put(src)).ptr(od).i32(mode));
            out = dev.get(od, out.byteSize());
            boolean g01 = mode != 2, g2 = mode == 1 || mode == 3, g3 = mode == 1;
            for (int lane = 0; lane < 32; lane++) {
                float[] expect = new float[11];
                for (int i = 0; i < 4; i++) expect[i] = lane * 4 + i + 0.5f;
                for (int i = 0; i < 4; i++) expect[4 + i] = 128 + lane * 4 + i + 0.5f;
                expect[8] = 256 + lane * 2 + 0.5f;
                expect[9] = 0f;                                  // past src-size: zero-filled
                expect[10] = 320 + lane + 0.5f;
                for (int i = 0; i < 11; i++) {
                    boolean done = i < 8 ? g01 : i < 10 ? g2 : g3;
                    int bits = out.getAtIndex(I32, lane * 11 + i);
                    if (done) {
                        assertEquals(expect[i], Float.intBitsToFloat(bits), "lane " + lane + " word " + i);
                    } else if (dev.emulated) {
                        assertEquals(0xFF81FF81, bits, "lane " + lane + " word " + i + " must still be poisoned");
                    }
                }
            }
        }
    }

    private long put(MemorySegment host) {
        long a = dev.alloc(host.byteSize());
        dev.device.upload(host, a);
        return a;
    }
}
