package dev.sodec.codec.entropy;

/**
 * One lane of SLEEF 3.5.1's AVX2 single-precision functions {@code Sleef_expf8_u10}, {@code Sleef_log1pf8_u10} and
 * {@code Sleef_tanhf8_u10}: the vectorized exp, log1p and tanh of torch 1.13's CPU kernels (Debian's build links the
 * system libsleef, whose dispatcher picks the AVX2 variant on any AVX2 + FMA machine). They are not correctly
 * rounded, so a float32 computation that must equal torch's bit for bit uses these, not {@link Math}.
 *
 * <p>Written from SLEEF's algorithm ({@code sleefsimdsp.c} xexpf, xlog1pf, xtanhf with expk2f, and the double-float
 * helpers of {@code df.h} in their {@code ENABLE_FMA_SP} form), every vector operation replaced by the same IEEE
 * float operation: {@code vmla}/{@code vfma} by {@link Math#fma(float, float, float)}, {@code vrint_vi2_vf} by a
 * round-half-even conversion ({@code cvtps2dq}). Checked against the library itself on all 2^32 - 2^24 non-NaN
 * floats (identical bits for all three; the reference data and how it was made are in the test resources).
 */
final class SleefFloat {
    private SleefFloat() {}

    private static final float L2U = 0.693145751953125f;
    private static final float L2L = 1.428606765330187045e-06f;
    private static final float R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;

    /** Sleef_expf8_u10 (xexpf). */
    static float expf(float d) {
        int q = cvtps(d * R_LN2);
        float s = Math.fma((float) q, -L2U, d);
        s = Math.fma((float) q, -L2L, s);
        float u = 0.000198527617612853646278381f;
        u = Math.fma(u, s, 0.00139304355252534151077271f);
        u = Math.fma(u, s, 0.00833336077630519866943359f);
        u = Math.fma(u, s, 0.0416664853692054748535156f);
        u = Math.fma(u, s, 0.166666671633720397949219f);
        u = Math.fma(u, s, 0.5f);
        u = 1.0f + Math.fma(s * s, u, s);
        u = ldexp2(u, q);
        if (d < -104f) u = 0f;
        if (100f < d) u = Float.POSITIVE_INFINITY;
        return u;
    }

    /** Sleef_log1pf8_u10 (xlog1pf, the non-AVX512 branch). */
    static float log1pf(float d) {
        float dp1 = d + 1f;
        boolean tiny = dp1 < Float.MIN_NORMAL;
        if (tiny) dp1 = dp1 * ((float) (1L << 32) * (float) (1L << 32));
        int e = ilogb2k(dp1 * (1.0f / 0.75f));
        float t = Float.intBitsToFloat(Float.floatToRawIntBits(1f) + (-e << 23)); // vldexp3(1, -e)
        float m = Math.fma(d, t, t - 1f);
        if (tiny) e -= 64;
        // s = dfmul((ln 2 as a double-float), e)
        float fe = (float) e;
        float sx = 0.69314718246459960938f * fe;
        float sy = Math.fma(-1.904654323148236017e-09f, fe, Math.fma(0.69314718246459960938f, fe, -sx));
        // x = dfdiv((m, 0), dfadd(2, m))
        float dx = 2f + m;
        float dy = (2f - dx) + m;
        long x = div(m, 0f, dx, dy);
        float xx = hi(x), xy = lo(x);
        float x2 = xx * xx;
        float p = 0.3027294874e+0f;
        p = Math.fma(p, x2, 0.3996108174e+0f);
        p = Math.fma(p, x2, 0.6666694880e+0f);
        // s = dfadd(s, dfscale(x, 2)); s = dfadd(s, x2 * x * p)
        float ax = xx * 2f, ay = xy * 2f;
        float s1 = sx + ax;
        float s1y = (((sx - s1) + ax) + sy) + ay;
        float w = x2 * xx * p;
        float s2 = s1 + w;
        float s2y = ((s1 - s2) + w) + s1y;
        float r = s2 + s2y;
        if (d > 1e+38f) r = Float.POSITIVE_INFINITY;
        if (-1f > d || Float.isNaN(d)) r = Float.NaN;
        if (d == -1f) r = Float.NEGATIVE_INFINITY;
        if (Float.floatToRawIntBits(d) == 0x80000000) r = -0.0f;
        return r;
    }

    /** Sleef_tanhf8_u10 (xtanhf): (e^y - e^-y) / (e^y + e^-y) in double-float arithmetic, y = |x|. */
    static float tanhf(float x) {
        long d = expk2f(Math.abs(x));
        float dx = hi(d), dy = lo(d);
        // e = dfrec(d)
        float ex = 1.0f / dx;
        float ey = ex * Math.fma(-dy, ex, Math.fma(-dx, ex, 1f));
        // dfdiv(dfadd(d, -e), dfadd(d, e)), dfadd being dfadd_vf2_vf2_vf2
        float nx = dx + -ex;
        float ny = (((dx - nx) + -ex) + dy) + -ey;
        float qx = dx + ex;
        float qy = (((dx - qx) + ex) + dy) + ey;
        long q = div(nx, ny, qx, qy);
        float r = hi(q) + lo(q);
        if (Math.abs(x) > 8.664339742f || Float.isNaN(r)) r = 1f;
        r = Float.intBitsToFloat(Float.floatToRawIntBits(r) ^ (Float.floatToRawIntBits(x) & 0x80000000));
        return Float.isNaN(x) ? Float.NaN : r;
    }

    /** expk2f((d, 0)): e^d as a double-float. */
    private static long expk2f(float d) {
        int q = cvtps((d + 0f) * R_LN2);
        // s = dfadd2(dfadd2((d, 0), q * -L2U), q * -L2L)
        long s = add2(d, 0f, (float) q * -L2U);
        s = add2(hi(s), lo(s), (float) q * -L2L);
        float sx = hi(s), sy = lo(s);
        float u = 0.1980960224e-3f;
        u = Math.fma(u, sx, 0.1394256484e-2f);
        u = Math.fma(u, sx, 0.8333456703e-2f);
        u = Math.fma(u, sx, 0.4166637361e-1f);
        // t = dfadd2(dfmul(s, u), 0.1666666594...)
        float mx = sx * u;
        long t = add2(mx, Math.fma(sy, u, Math.fma(sx, u, -mx)), 0.166666659414234244790680580464e+0f);
        // t = dfadd2(dfmul(s, t), 0.5)
        float tx = hi(t), ty = lo(t);
        float px = sx * tx;
        t = add2(px, Math.fma(sx, ty, Math.fma(sy, tx, Math.fma(sx, tx, -px))), 0.5f);
        tx = hi(t);
        ty = lo(t);
        // t = dfadd2(s, dfmul(dfsqu(s), t))
        float qx = sx * sx, qy = Math.fma(sx + sx, sy, Math.fma(sx, sx, -qx));
        float rx = qx * tx;
        float ry = Math.fma(qx, ty, Math.fma(qy, tx, Math.fma(qx, tx, -rx)));
        float ax = sx + rx;
        float av = ax - sx;
        float ay = ((sx - (ax - av)) + (rx - av)) + (sy + ry);
        // t = dfadd(1, t), scaled by 2^q
        float hx = 1f + ax;
        float hy = ((1f - hx) + ax) + ay;
        if (d < -104f) return pack(0f, 0f);
        return pack(ldexp2(hx, q), ldexp2(hy, q));
    }

    /** dfadd2_vf2_vf2_vf: (x, xy) + y as a double-float. */
    private static long add2(float x, float xy, float y) {
        float s = x + y;
        float v = s - x;
        float t = (x - (s - v)) + (y - v);
        return pack(s, t + xy);
    }

    /** dfdiv_vf2_vf2_vf2 in its FMA form: (nx, ny) / (dx, dy) as a double-float. */
    private static long div(float nx, float ny, float dx, float dy) {
        float t = 1.0f / dx;
        float s = nx * t;
        float u = Math.fma(t, nx, -s);
        float v = Math.fma(-dy, t, Math.fma(-dx, t, 1f));
        return pack(s, Math.fma(s, v, Math.fma(ny, t, u)));
    }

    /** A double-float (high, low) carried in one long, so the helpers need no shared state. */
    private static long pack(float hi, float lo) {
        return ((long) Float.floatToRawIntBits(hi) << 32) | (Float.floatToRawIntBits(lo) & 0xFFFF_FFFFL);
    }

    private static float hi(long df) {
        return Float.intBitsToFloat((int) (df >>> 32));
    }

    private static float lo(long df) {
        return Float.intBitsToFloat((int) df);
    }

    /** _mm256_cvtps_epi32: round half to even; NaN and out-of-range give the "integer indefinite" 0x80000000. */
    private static int cvtps(float f) {
        if (!(f >= -2147483648f && f < 2147483648f)) return Integer.MIN_VALUE;
        return (int) Math.rint(f);
    }

    /** vpow2i: 2^q built from its exponent bits (no range check, like the vector code). */
    private static float pow2i(int q) {
        return Float.intBitsToFloat((q + 0x7f) << 23);
    }

    /** vldexp2_vf_vf_vi2: d * 2^(e >> 1) * 2^(e - (e >> 1)). */
    private static float ldexp2(float d, int e) {
        return d * pow2i(e >> 1) * pow2i(e - (e >> 1));
    }

    /** vilogb2k_vi2_vf: the biased exponent field minus 127. */
    private static int ilogb2k(float d) {
        return ((Float.floatToRawIntBits(d) >>> 23) & 0xff) - 0x7f;
    }
}
