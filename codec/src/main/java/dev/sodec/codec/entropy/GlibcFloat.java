package dev.sodec.codec.entropy;

/**
 * glibc 2.36's x86-64 {@code expf} and {@code log1pf}: what torch 1.13's scalar CPU code ({@code std::exp},
 * {@code std::log1p} on floats, used for the tail elements of its vectorized kernels) returns on Debian 12. Neither
 * is correctly rounded in every case, so {@link Math} cannot stand in for them.
 *
 * <p>{@code expf} is the ARM optimized-routines algorithm of glibc's {@code e_expf.c} (32-entry table of 2^(i/32),
 * cubic polynomial, all in double) as the {@code __expf_fma} ifunc variant computes it on FMA machines: the compiler
 * fuses the range reduction and the polynomial into fused multiply-adds, reproduced here with
 * {@link Math#fma(double, double, double)}. {@code log1pf} is fdlibm's {@code s_log1pf.c} (Copyright (C) 1993 by Sun
 * Microsystems, Inc.; "Permission to use, copy, modify, and distribute this software is freely granted, provided
 * that this notice is preserved."), plain float arithmetic. Both were checked against the system libm on every
 * non-NaN float (identical bits; expf on all of [-103, 88], where results are neither 0 nor infinite).
 */
final class GlibcFloat {
    private GlibcFloat() {}

    /** Bits of double(2^(i/32)) minus i << 47, so that adding k << 47 scales by 2^(k/32) (e_exp2f_data.c's tab). */
    private static final long[] EXP2_TAB = {
        0x3ff0000000000000L, 0x3fefd9b0d3158574L, 0x3fefb5586cf9890fL, 0x3fef9301d0125b51L,
        0x3fef72b83c7d517bL, 0x3fef54873168b9aaL, 0x3fef387a6e756238L, 0x3fef1e9df51fdee1L,
        0x3fef06fe0a31b715L, 0x3feef1a7373aa9cbL, 0x3feedea64c123422L, 0x3feece086061892dL,
        0x3feebfdad5362a27L, 0x3feeb42b569d4f82L, 0x3feeab07dd485429L, 0x3feea47eb03a5585L,
        0x3feea09e667f3bcdL, 0x3fee9f75e8ec5f74L, 0x3feea11473eb0187L, 0x3feea589994cce13L,
        0x3feeace5422aa0dbL, 0x3feeb737b0cdc5e5L, 0x3feec49182a3f090L, 0x3feed503b23e255dL,
        0x3feee89f995ad3adL, 0x3feeff76f2fb5e47L, 0x3fef199bdd85529cL, 0x3fef3720dcef9069L,
        0x3fef5818dcfba487L, 0x3fef7c97337b9b5fL, 0x3fefa4afa2a490daL, 0x3fefd0765b6e4540L,
    };
    private static final double INV_LN2_N = 0x1.71547652b82fep+0 * 32;
    private static final double SHIFT = 0x1.8p+52;
    private static final double C0 = 0x1.c6af84b912394p-5 / 32 / 32 / 32;
    private static final double C1 = 0x1.ebfce50fac4f3p-3 / 32 / 32;
    private static final double C2 = 0x1.62e42ff0c52d6p-1 / 32;

    /** glibc expf (the FMA variant). */
    static float expf(float x) {
        int bits = Float.floatToRawIntBits(x);
        int abstop = (bits >>> 20) & 0x7ff;
        if (abstop >= (Float.floatToRawIntBits(88f) >>> 20)) {
            if (bits == Float.floatToRawIntBits(Float.NEGATIVE_INFINITY)) return 0f;
            if (abstop >= (Float.floatToRawIntBits(Float.POSITIVE_INFINITY) >>> 20)) return x + x;
            if (x > 0x1.62e42ep6f) return Float.POSITIVE_INFINITY; // overflow
            if (x < -0x1.9fe368p6f) return 0f;                     // underflow
        }
        double xd = x;
        // x * 32 / ln 2 = k + r, k rounded to nearest through the shift constant
        double kd = Math.fma(INV_LN2_N, xd, SHIFT);
        long ki = Double.doubleToRawLongBits(kd);
        kd -= SHIFT;
        double r = Math.fma(INV_LN2_N, xd, -kd);
        long t = EXP2_TAB[(int) (ki & 31)] + (ki << 47);
        double s = Double.longBitsToDouble(t);
        double z = Math.fma(C0, r, C1);
        double r2 = r * r;
        double y = Math.fma(C2, r, 1.0);
        y = Math.fma(z, r2, y);
        return (float) (y * s);
    }

    private static final float LN2_HI = 6.9313812256e-01f, LN2_LO = 9.0580006145e-06f;
    private static final float LP1 = 6.6666668653e-01f, LP2 = 4.0000000596e-01f, LP3 = 2.8571429849e-01f,
            LP4 = 2.2222198546e-01f, LP5 = 1.8183572590e-01f, LP6 = 1.5313838422e-01f, LP7 = 1.4798198640e-01f;

    /** glibc log1pf (fdlibm). */
    static float log1pf(float x) {
        int hx = Float.floatToRawIntBits(x);
        int ax = hx & 0x7fffffff;
        int k = 1, hu = 0;
        float f = 0f, c = 0f;
        if (hx < 0x3ed413d7) { // x < 0.41422
            if (ax >= 0x3f800000) { // x <= -1.0
                return x == -1f ? Float.NEGATIVE_INFINITY : Float.NaN;
            }
            if (ax < 0x31000000) { // |x| < 2^-29
                return ax < 0x24800000 ? x : x - x * x * 0.5f;
            }
            if (hx > 0 || hx <= 0xbe95f61f) { // -0.2929 < x < 0.41422
                k = 0;
                f = x;
                hu = 1;
            }
        }
        if (hx >= 0x7f800000) return x + x;
        if (k != 0) {
            float u;
            if (hx < 0x5a000000) {
                u = 1f + x;
                hu = Float.floatToRawIntBits(u);
                k = (hu >> 23) - 127;
                c = k > 0 ? 1f - (u - x) : x - (u - 1f); // correction term
                c /= u;
            } else {
                u = x;
                hu = Float.floatToRawIntBits(u);
                k = (hu >> 23) - 127;
                c = 0f;
            }
            hu &= 0x007fffff;
            if (hu < 0x3504f7) {
                u = Float.intBitsToFloat(hu | 0x3f800000); // normalize u
            } else {
                k += 1;
                u = Float.intBitsToFloat(hu | 0x3f000000); // normalize u/2
                hu = (0x00800000 - hu) >> 2;
            }
            f = u - 1f;
        }
        float hfsq = 0.5f * f * f;
        if (hu == 0) { // |f| < 2^-20
            if (f == 0f) {
                if (k == 0) return 0f;
                c += k * LN2_LO;
                return k * LN2_HI + c;
            }
            float r = hfsq * (1.0f - 0.66666666666666666f * f);
            return k == 0 ? f - r : k * LN2_HI - ((r - (k * LN2_LO + c)) - f);
        }
        float s = f / (2f + f);
        float z = s * s;
        float r = z * (LP1 + z * (LP2 + z * (LP3 + z * (LP4 + z * (LP5 + z * (LP6 + z * LP7))))));
        if (k == 0) return f - (hfsq - s * (hfsq + r));
        return k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f);
    }
}
