package dev.sodec.engine.cpu;

/**
 * {@link VectorMath}'s functions on one float: the same IEEE operations in the same order (an FMA where it uses
 * {@code fma}, the same constants, the same exponent-bit construction of 2^n), so every result has the same bits as
 * the corresponding vector lane. Used by {@link ScalarLoops} when the Vector API is unavailable.
 */
final class ScalarMath {
    private ScalarMath() {}

    static final float LOG2E = 1.44269504088896341f;
    // ln 2 split so that n * LN2_HI is exact for |n| < 2^8 (Cody-Waite reduction).
    static final float LN2_HI = 0.693145751953125f;
    static final float LN2_LO = 1.42860682030941723e-06f;
    // 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to the nearest integer (ties to even).
    static final float ROUND_MAGIC = 12582912f;
    static final int ROUND_MAGIC_BITS = 0x4B400000;
    // Below EXP_LO even the smallest subnormal underflows: result 0. Above EXP_HI the result overflows to +inf
    // through the arithmetic itself.
    static final float EXP_LO = -104f;
    static final float EXP_HI = 89f;

    /** e^x as {@link VectorMath#exp}. */
    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, ROUND_MAGIC);
        float n = t - ROUND_MAGIC;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = 1f / 5040f;
        p = Math.fma(p, r, 1f / 720f);
        p = Math.fma(p, r, 1f / 120f);
        p = Math.fma(p, r, 1f / 24f);
        p = Math.fma(p, r, 1f / 6f);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int ni = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
        int n1 = ni >> 1;
        int n2 = ni - n1;
        float s1 = Float.intBitsToFloat((n1 + 127) << 23);
        float s2 = Float.intBitsToFloat((n2 + 127) << 23);
        float e = p * s1 * s2;
        return x < EXP_LO ? 0f : e;
    }

    // 2^r on |r| <= 1/2 by a degree-6 polynomial fitted for relative error (Lawson-weighted least squares on
    // Chebyshev nodes): 8e-8 relative in float arithmetic, p(0) = 1 exactly.
    static final float EXP2_C1 = 0.6931471824645996f, EXP2_C2 = 0.24022646248340607f, EXP2_C3 = 0.05550328642129898f;
    static final float EXP2_C4 = 0.009618489071726799f, EXP2_C5 = 0.0013399930903688073f, EXP2_C6 = 1.5345810970757157e-4f;
    // 2^y for y below it is taken as 0: 2^-127 is already below the smallest normal float.
    static final float EXP2_LO = -127f;

    /** 2^y for y <= 0 as {@link VectorMath#exp2NonPositive}. */
    static float exp2NonPositive(float y) {
        float yc = Math.max(y, EXP2_LO);
        float t = yc + ROUND_MAGIC;
        float r = yc - (t - ROUND_MAGIC);
        float p = EXP2_C6;
        p = Math.fma(p, r, EXP2_C5);
        p = Math.fma(p, r, EXP2_C4);
        p = Math.fma(p, r, EXP2_C3);
        p = Math.fma(p, r, EXP2_C2);
        p = Math.fma(p, r, EXP2_C1);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_MAGIC_BITS - 127)) << 23);
    }

    static float xSigmoid(float x, float a) {
        return x / (exp(x * -a) + 1f);
    }

    static float silu(float x) {
        return xSigmoid(x, 1f);
    }

    static float quickGelu(float x) {
        return xSigmoid(x, 1.702f);
    }

    static float geluTanh(float x) {
        float x3 = x * x * x;
        float u2 = Math.fma(x3, 0.044715f, x) * (2f * 0.7978845608028654f);
        return x / (exp(-u2) + 1f);
    }

    static float geluErf(float x) {
        float z = Math.abs(x) * 0.7071067811865476f;
        float halfErfc = erfc(z) * 0.5f;
        float f = x < 0f ? halfErfc : -halfErfc + 1f;
        return x * f;
    }

    static float erfc(float z) {
        float t = 1f / Math.fma(z, 0.5f, 1f);
        float p = 0.17087277f;
        p = Math.fma(p, t, -0.82215223f);
        p = Math.fma(p, t, 1.48851587f);
        p = Math.fma(p, t, -1.13520398f);
        p = Math.fma(p, t, 0.27886807f);
        p = Math.fma(p, t, -0.18628806f);
        p = Math.fma(p, t, 0.09678418f);
        p = Math.fma(p, t, 0.37409196f);
        p = Math.fma(p, t, 1.00002368f);
        p = Math.fma(p, t, -1.26551223f);
        float arg = -(z * z) + p;
        return t * exp(arg);
    }
}
