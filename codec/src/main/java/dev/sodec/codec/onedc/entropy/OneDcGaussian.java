package dev.sodec.codec.onedc.entropy;

import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.Normal;
import dev.sodec.codec.entropy.QuantizedCdf;

/**
 * OneDC's Gaussian entropy model for y ({@code GaussianEncoder('gaussian')}): 256 zero-mean Gaussian CDF tables at
 * scales exp(linspace(ln 0.11, ln 64, 256)), and the scale index rule that picks one per symbol. Both are pure
 * functions of constants, so encoder and decoder agree on every machine.
 *
 * <p><b>Tables</b> ({@code update(force=True)}), all float32 as torch computes them (the scales themselves are
 * torch's bits, {@code SCALE_TABLE_BITS}): for scale s,
 * Phi(v) = 0.5 (1 + erf(v * (1/s) / sqrt 2)); the centre c is the smallest i in [2, 50] with Phi(i) > 0.9999
 * (else 50); pmf(v) = Phi(v + 0.5) - Phi(v - 0.5) for v in [-c, c], tail = 2 Phi(-c - 0.5); the row is
 * {@code pmf_to_quantized_cdf(pmf ++ [tail], 16)} ({@link QuantizedCdf}), cdf_length = 2c + 3, offset = -c, rows
 * padded to 103 entries.
 *
 * <p><b>Index</b> ({@code build_indexes}): {@code int(clamp((ln max(s, 1e-5) - ln 0.11) / step, 0, 255))} with
 * step = (ln 64 - ln 0.11) / 255, every operation in float32 with the constants rounded to float32 (a floor, not
 * CompressAI's "first table entry >= s"). A NaN scale gives index 0, as the reference does on x86 (int(NaN) is
 * INT_MIN, which its int16 cast turns into 0).
 */
public final class OneDcGaussian {
    public static final int LEVELS = 256;
    public static final double SCALE_MIN = 0.11;
    public static final double SCALE_MAX = 64.0;
    /** Row stride of the table: 2 * 50 + 3. */
    public static final int ROW_STRIDE = 103;
    private static final int MAX_CENTER = 50;
    private static final int MIN_CENTER = 2;

    private static final float SIGMA_FLOOR = 1e-5f;
    private static final float LOG_SCALE_MIN = (float) Math.log(SCALE_MIN);
    private static final float LOG_SCALE_STEP = (float) ((Math.log(SCALE_MAX) - Math.log(SCALE_MIN)) / (LEVELS - 1));
    private static final float SQRT2 = (float) Math.sqrt(2);

    /**
     * torch's {@code exp(linspace(ln 0.11, ln 64, 256))} in float32, as IEEE bit patterns: stored rather than
     * recomputed because torch's vectorised exp is not correctly rounded (a correctly rounded exp differs by one ulp
     * in 79 of the 256 entries). The CDF rows below are computed from these exact scales.
     */
    private static final int[] SCALE_TABLE_BITS = {
            0x3de147ae, 0x3de6f998, 0x3decd05c, 0x3df2cceb, 0x3df8f03b, 0x3dff3b40, 0x3e02d77f, 0x3e06263f,
            0x3e098a67, 0x3e0d0481, 0x3e10951d, 0x3e143cca, 0x3e17fc1e, 0x3e1bd3b3, 0x3e1fc424, 0x3e23ce14,
            0x3e27f228, 0x3e2c3108, 0x3e308b62, 0x3e3501e6, 0x3e39954d, 0x3e3e4652, 0x3e4315b2, 0x3e480432,
            0x3e4d129f, 0x3e5241c3, 0x3e579275, 0x3e5d058c, 0x3e629be6, 0x3e68566b, 0x3e6e3602, 0x3e743b9a,
            0x3e7a682b, 0x3e805e59, 0x3e839d18, 0x3e86f0d7, 0x3e8a5a1e, 0x3e8dd97a, 0x3e916f77, 0x3e951ca8,
            0x3e98e1a6, 0x3e9cbf08, 0x3ea0b56d, 0x3ea4c576, 0x3ea8efca, 0x3ead3514, 0x3eb19600, 0x3eb61342,
            0x3ebaad94, 0x3ebf65ad, 0x3ec43c50, 0x3ec93244, 0x3ece4853, 0x3ed37f4c, 0x3ed8d804, 0x3ede5355,
            0x3ee3f221, 0x3ee9b54c, 0x3eef9dc1, 0x3ef5ac73, 0x3efbe258, 0x3f012037, 0x3f0463dc, 0x3f07bca2,
            0x3f0b2b10, 0x3f0eafb3, 0x3f124b1a, 0x3f15fdda, 0x3f19c888, 0x3f1dabc0, 0x3f21a821, 0x3f25be4e,
            0x3f29eeec, 0x3f2e3aa8, 0x3f32a232, 0x3f37263c, 0x3f3bc77f, 0x3f4086b9, 0x3f4564ac, 0x3f4a621d,
            0x3f4f7fda, 0x3f54beb3, 0x3f5a1f7e, 0x3f5fa317, 0x3f654a60, 0x3f6b163e, 0x3f7107a0, 0x3f771f77,
            0x3f7d5ebd, 0x3f81e338, 0x3f852bcc, 0x3f8889a0, 0x3f8bfd3c, 0x3f8f872f, 0x3f93280a, 0x3f96e05f,
            0x3f9ab0c7, 0x3f9e99de, 0x3fa29c44, 0x3fa6b89c, 0x3faaef8f, 0x3faf41c8, 0x3fb3aff8, 0x3fb83ad4,
            0x3fbce315, 0x3fc1a97a, 0x3fc68ec7, 0x3fcb93c2, 0x3fd0b938, 0x3fd5fffd, 0x3fdb68e8, 0x3fe0f4d4,
            0x3fe6a4a7, 0x3fec7947, 0x3ff273a2, 0x3ff894ad, 0x3ffedd62, 0x4002a761, 0x4005f4ea, 0x400957d3,
            0x400cd0a6, 0x40105ff2, 0x40140646, 0x4017c43a, 0x401b9a65, 0x401f8964, 0x402391d8, 0x4027b466,
            0x402bf1b6, 0x40304a76, 0x4034bf56, 0x4039510f, 0x403e0058, 0x4042cdf4, 0x4047baa4, 0x404cc734,
            0x4051f470, 0x4057432d, 0x405cb444, 0x40624891, 0x406800f9, 0x406dde68, 0x4073e1c9, 0x407a0c15,
            0x40802f25, 0x40836cb2, 0x4086bf39, 0x408a273e, 0x408da550, 0x409139fc, 0x4094e5d4, 0x4098a96d,
            0x409c8563, 0x40a07a52, 0x40a488de, 0x40a8b1aa, 0x40acf561, 0x40b154b2, 0x40b5d04d, 0x40ba68ec,
            0x40bf1f4a, 0x40c3f426, 0x40c8e847, 0x40cdfc76, 0x40d33184, 0x40d88846, 0x40de0193, 0x40e39e4d,
            0x40e95f58, 0x40ef45a3, 0x40f55219, 0x40fb85b5, 0x4100f0b9, 0x4104332b, 0x41078ab5, 0x410af7e2,
            0x410e7b3a, 0x4112154d, 0x4115c6b0, 0x41198ffb, 0x411d71c5, 0x41216cae, 0x4125815a, 0x4129b06d,
            0x412dfa94, 0x4132607f, 0x4136e2df, 0x413b826e, 0x41403fec, 0x41451c14, 0x414a17af, 0x414f338a,
            0x41547078, 0x4159cf48, 0x415f50d9, 0x4164f60d, 0x416abfcd, 0x4170aefe, 0x4176c497, 0x417d0190,
            0x4181b374, 0x4184fad2, 0x41885769, 0x418bc9c2, 0x418f5268, 0x4192f1ec, 0x4196a8e3, 0x419a77e4,
            0x419e5f8a, 0x41a26076, 0x41a67b4b, 0x41aab0b0, 0x41af0154, 0x41b36de3, 0x41b7f712, 0x41bc9d9d,
            0x41c16244, 0x41c645c2, 0x41cb48e4, 0x41d06c76, 0x41d5b14d, 0x41db183a, 0x41e0a21c, 0x41e64fd6,
            0x41ec2250, 0x41f21a78, 0x41f83941, 0x41fe7faa, 0x42027755, 0x4205c3a7, 0x42092551, 0x420c9cdd,
            0x42102ad9, 0x4213cfd6, 0x42178c68, 0x421b612a, 0x421f4eb8, 0x422355b0, 0x422776b8, 0x422bb278,
            0x423009a1, 0x42347cde, 0x42390ce8, 0x423dba78, 0x42428652, 0x42477132, 0x424c7be6, 0x4251a73b,
            0x4256f403, 0x425c631c, 0x4261f55b, 0x4267aba9, 0x426d86ee, 0x4273881a, 0x4279b021, 0x42800000,
    };
    private static final float[] SCALE_TABLE = scalesFromBits();
    private static final CdfTables TABLES = build(SCALE_TABLE);

    private OneDcGaussian() {}

    /** The 256 CDF rows (validated, immutable; shared). */
    public static CdfTables tables() {
        return TABLES;
    }

    /** The 256 scales of the rows (a copy). */
    public static float[] scaleTable() {
        return SCALE_TABLE.clone();
    }

    /** The table row for scale {@code sigma}, in [0, 255]. */
    public static int scaleIndex(float sigma) {
        if (Float.isNaN(sigma)) return 0;
        float s = Math.max(sigma, SIGMA_FLOOR);
        float v = ((float) Math.log(s) - LOG_SCALE_MIN) / LOG_SCALE_STEP;
        v = Math.min(Math.max(v, 0f), LEVELS - 1);
        return (int) v;
    }

    /** {@link #scaleIndex} of every element. */
    public static int[] scaleIndexes(float[] sigma) {
        int[] out = new int[sigma.length];
        for (int i = 0; i < sigma.length; i++) out[i] = scaleIndex(sigma[i]);
        return out;
    }

    private static float[] scalesFromBits() {
        float[] t = new float[SCALE_TABLE_BITS.length];
        for (int i = 0; i < t.length; i++) t[i] = Float.intBitsToFloat(SCALE_TABLE_BITS[i]);
        return t;
    }

    private static CdfTables build(float[] scales) {
        int rows = scales.length;
        int[] flat = new int[rows * ROW_STRIDE];
        int[] length = new int[rows];
        int[] offset = new int[rows];
        for (int k = 0; k < rows; k++) {
            float inv = 1f / scales[k];
            int c = MAX_CENTER;
            for (int i = MAX_CENTER; i >= MIN_CENTER; i--) if (phi(i, inv) > 0.9999f) c = i;
            int n = 2 * c + 1;
            float[] pmf = new float[n + 1];
            for (int j = 0; j < n; j++) {
                float v = j - c;
                pmf[j] = phi(v + 0.5f, inv) - phi(v - 0.5f, inv);
            }
            pmf[n] = 2 * phi(-c - 0.5f, inv);
            int[] row = QuantizedCdf.fromPmf(pmf);
            System.arraycopy(row, 0, flat, k * ROW_STRIDE, row.length);
            length[k] = row.length;
            offset[k] = -c;
        }
        return CdfTables.of(flat, ROW_STRIDE, length, offset);
    }

    /** torch Normal(0, s).cdf(v) in float32, with {@code inv} = float32 1/s. */
    private static float phi(float v, float inv) {
        float arg = v * inv / SQRT2;
        return 0.5f * (1f + (float) (1 - Normal.erfc(arg)));
    }
}
