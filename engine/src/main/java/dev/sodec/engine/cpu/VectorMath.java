package dev.sodec.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transcendental functions on float vectors built only from IEEE lane-wise add/mul/fma/div. The Vector API's own
 * EXP/ERF/TANH may be served by different code before and after JIT compilation (and differ by an ulp), which
 * would make results depend on timing; these always give the same bits for the same input, in every lane and on
 * every path (tails use masked loads through the same code, never a scalar twin).
 */
final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    // exp's constants (shared with ScalarMath, which must compute the same bits)
    private static final float LOG2E = ScalarMath.LOG2E, LN2_HI = ScalarMath.LN2_HI, LN2_LO = ScalarMath.LN2_LO;
    private static final float ROUND_MAGIC = ScalarMath.ROUND_MAGIC, EXP_LO = ScalarMath.EXP_LO, EXP_HI = ScalarMath.EXP_HI;
    private static final int ROUND_MAGIC_BITS = ScalarMath.ROUND_MAGIC_BITS;

    static FloatVector load(MemorySegment seg, long floatIndex) {
        return FloatVector.fromMemorySegment(S, seg, floatIndex * 4, LE);
    }

    static FloatVector load(MemorySegment seg, long floatIndex, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, seg, floatIndex * 4, LE, m);
    }

    static void store(FloatVector v, MemorySegment seg, long floatIndex) {
        v.intoMemorySegment(seg, floatIndex * 4, LE);
    }

    static void store(FloatVector v, MemorySegment seg, long floatIndex, VectorMask<Float> m) {
        v.intoMemorySegment(seg, floatIndex * 4, LE, m);
    }

    /** Lanes [i, n) of a vector starting at i. */
    static VectorMask<Float> tail(long i, long n) {
        return S.indexInRange(i, n);
    }

    /**
     * e^x with a relative error of about 2 ulp, gradual underflow to subnormals like expf, 0 below -104, +inf on
     * overflow, NaN propagates. 2^n is applied as two factors 2^(n/2) 2^(n - n/2) so that n in [-150, 129] never
     * leaves the normal exponent range before the final (correctly rounded) multiplication.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND_MAGIC));
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        // Taylor polynomial of degree 7 on |r| <= ln2/2: truncation error < 6e-9 relative.
        FloatVector p = FloatVector.broadcast(S, 1f / 5040f);
        p = p.fma(r, FloatVector.broadcast(S, 1f / 720f));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 120f));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 24f));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 6f));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        // The integer n sits in t's low mantissa bits.
        IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2).blend(0f, x.lt(EXP_LO));
    }

    /**
     * 2^y for y <= 0, the softmax's exponential (its arguments are x - max, scaled): about half the work of
     * {@link #exp}. n = round(y) and r = y - n (exact) in [-1/2, 1/2]; 2^r by a degree-6 polynomial (8e-8 relative);
     * 2^n as one exponent field, since n >= -127 stays in range (n = -127 gives the bits of +0). Results below 2^-126
     * are flushed to 0, which a softmax weight that small cannot tell from its true value. Small positive y (the
     * rounding of a scaled maximum) are fine: the function holds up to y < 127.5, where 2^n leaves the exponent
     * field. NaN propagates.
     */
    static FloatVector exp2NonPositive(FloatVector y) {
        FloatVector yc = y.max(ScalarMath.EXP2_LO);
        FloatVector t = yc.add(ROUND_MAGIC);
        FloatVector r = yc.sub(t.sub(ROUND_MAGIC));
        FloatVector p = FloatVector.broadcast(S, ScalarMath.EXP2_C6);
        p = p.fma(r, FloatVector.broadcast(S, ScalarMath.EXP2_C5));
        p = p.fma(r, FloatVector.broadcast(S, ScalarMath.EXP2_C4));
        p = p.fma(r, FloatVector.broadcast(S, ScalarMath.EXP2_C3));
        p = p.fma(r, FloatVector.broadcast(S, ScalarMath.EXP2_C2));
        p = p.fma(r, FloatVector.broadcast(S, ScalarMath.EXP2_C1));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        IntVector biased = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS - 127);
        return p.mul(biased.lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** x * sigmoid(a * x) = x / (1 + e^(-a x)). */
    static FloatVector xSigmoid(FloatVector x, float a) {
        return x.div(exp(x.mul(-a)).add(1f));
    }

    static FloatVector silu(FloatVector x) {
        return xSigmoid(x, 1f);
    }

    /** CLIP's quick_gelu: x * sigmoid(1.702 x). */
    static FloatVector quickGelu(FloatVector x) {
        return xSigmoid(x, 1.702f);
    }

    /** 0.5 x (1 + tanh(u)) with u = sqrt(2/pi)(x + 0.044715 x^3), computed as x * sigmoid(2u) (the same function). */
    static FloatVector geluTanh(FloatVector x) {
        FloatVector x3 = x.mul(x).mul(x);
        FloatVector u2 = x3.fma(FloatVector.broadcast(S, 0.044715f), x).mul(2f * 0.7978845608028654f);
        return x.div(exp(u2.neg()).add(1f));
    }

    /**
     * 0.5 x (1 + erf(x / sqrt 2)) = x (1 - erfc(z)/2) for x >= 0 and x erfc(z)/2 for x < 0, z = |x|/sqrt 2. Going
     * through erfc keeps the negative tail accurate relative to its (small) value.
     */
    static FloatVector geluErf(FloatVector x) {
        FloatVector z = x.abs().mul(0.7071067811865476f);
        FloatVector halfErfc = erfc(z).mul(0.5f);
        FloatVector f = halfErfc.neg().add(1f).blend(halfErfc, x.lt(0f));
        return x.mul(f);
    }

    /**
     * erfc(z) for z >= 0 by the Chebyshev-fitted form t exp(-z^2 + P(t)), t = 1/(1 + z/2) (Press et al.,
     * Numerical Recipes, section 6.2), fractional error below 1.2e-7 for all z >= 0.
     */
    static FloatVector erfc(FloatVector z) {
        FloatVector t = FloatVector.broadcast(S, 1f).div(z.fma(FloatVector.broadcast(S, 0.5f), FloatVector.broadcast(S, 1f)));
        FloatVector p = FloatVector.broadcast(S, 0.17087277f);
        p = p.fma(t, FloatVector.broadcast(S, -0.82215223f));
        p = p.fma(t, FloatVector.broadcast(S, 1.48851587f));
        p = p.fma(t, FloatVector.broadcast(S, -1.13520398f));
        p = p.fma(t, FloatVector.broadcast(S, 0.27886807f));
        p = p.fma(t, FloatVector.broadcast(S, -0.18628806f));
        p = p.fma(t, FloatVector.broadcast(S, 0.09678418f));
        p = p.fma(t, FloatVector.broadcast(S, 0.37409196f));
        p = p.fma(t, FloatVector.broadcast(S, 1.00002368f));
        p = p.fma(t, FloatVector.broadcast(S, -1.26551223f));
        FloatVector arg = z.mul(z).neg().add(p);
        return t.mul(exp(arg));
    }

    /** Sum of lanes in lane order (not reduceLanes, whose order is unspecified and may change after JIT). */
    static double sumLanes(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        double s = 0;
        for (int i = 0; i < L; i++) s += scratch[i];
        return s;
    }

    /** Max of lanes (through the scratch array: reduceLanes(MAX) was not intrinsified here and ran its fallback). */
    static float maxLanes(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        float m = scratch[0];
        for (int i = 1; i < L; i++) m = Math.max(m, scratch[i]);
        return m;
    }

    // Blocks of this many elements are summed in float lanes, then added to a double accumulator: float speed,
    // near-double accuracy even for groups of millions of elements.
    private static final int SUM_BLOCK = 1024;

    /** Sum of seg[off, off+n) in a fixed order (four accumulators per block to hide add latency). */
    static double sum(MemorySegment seg, long off, long n, float[] scratch) {
        double total = 0;
        for (long b = 0; b < n; b += SUM_BLOCK) {
            long e = Math.min(n, b + SUM_BLOCK);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            long i = b;
            for (; i + 4 * L <= e; i += 4 * L) {
                a0 = a0.add(load(seg, off + i));
                a1 = a1.add(load(seg, off + i + L));
                a2 = a2.add(load(seg, off + i + 2 * L));
                a3 = a3.add(load(seg, off + i + 3 * L));
            }
            for (; i < e; i += L) a0 = a0.add(load(seg, off + i, S.indexInRange(i - b, e - b)));
            total += sumLanes(a0.add(a1).add(a2.add(a3)), scratch);
        }
        return total;
    }

    /** Sum of (seg[i] - mean)^2 over [off, off+n) in a fixed order. */
    static double sumSquaredDeviation(MemorySegment seg, long off, long n, float mean, float[] scratch) {
        double total = 0;
        FloatVector m = FloatVector.broadcast(S, mean);
        for (long b = 0; b < n; b += SUM_BLOCK) {
            long e = Math.min(n, b + SUM_BLOCK);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            long i = b;
            for (; i + 4 * L <= e; i += 4 * L) {
                FloatVector d0 = load(seg, off + i).sub(m), d1 = load(seg, off + i + L).sub(m);
                FloatVector d2 = load(seg, off + i + 2 * L).sub(m), d3 = load(seg, off + i + 3 * L).sub(m);
                a0 = d0.fma(d0, a0);
                a1 = d1.fma(d1, a1);
                a2 = d2.fma(d2, a2);
                a3 = d3.fma(d3, a3);
            }
            for (; i < e; i += L) {
                VectorMask<Float> k = S.indexInRange(i - b, e - b);
                FloatVector d = load(seg, off + i, k).sub(m).blend(0f, k.not());
                a0 = d.fma(d, a0);
            }
            total += sumLanes(a0.add(a1).add(a2.add(a3)), scratch);
        }
        return total;
    }
}
