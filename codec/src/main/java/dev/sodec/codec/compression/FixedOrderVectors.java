package dev.sodec.codec.compression;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FixedOrderConv}'s inner accumulation on the Vector API. Loaded only when
 * {@link dev.sodec.engine.cpu.VectorApi#enabled()}; lane i computes exactly the scalar statement for element i
 * ({@code a + (w * x)}, two roundings, never fused), so the result is the same with or without it.
 */
final class FixedOrderVectors {
    private FixedOrderVectors() {}

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int CB = FixedOrderConv.CB;
    /** Floats per vector: shorter rows gain nothing here. */
    static final int LANES = SPECIES.length();

    static void accumulate(float[][] acc, int nb, float[] w, int wOff, int wStride, float[] src, int srcOff,
                           int from, int to) {
        int i = from;
        int vlen = SPECIES.length();
        if (nb == CB) {
            float w0 = w[wOff], w1 = w[wOff + wStride], w2 = w[wOff + 2 * wStride], w3 = w[wOff + 3 * wStride];
            float[] a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
            for (; i + vlen <= to; i += vlen) {
                FloatVector xv = FloatVector.fromArray(SPECIES, src, srcOff + i);
                FloatVector.fromArray(SPECIES, a0, i).add(xv.mul(w0)).intoArray(a0, i);
                FloatVector.fromArray(SPECIES, a1, i).add(xv.mul(w1)).intoArray(a1, i);
                FloatVector.fromArray(SPECIES, a2, i).add(xv.mul(w2)).intoArray(a2, i);
                FloatVector.fromArray(SPECIES, a3, i).add(xv.mul(w3)).intoArray(a3, i);
            }
        }
        for (int j = 0; j < nb; j++) {
            float wj = w[wOff + j * wStride];
            float[] a = acc[j];
            int k = i;
            if (nb != CB) {
                for (; k + vlen <= to; k += vlen) {
                    FloatVector xv = FloatVector.fromArray(SPECIES, src, srcOff + k);
                    FloatVector.fromArray(SPECIES, a, k).add(xv.mul(wj)).intoArray(a, k);
                }
            }
            for (; k < to; k++) a[k] += wj * src[srcOff + k];
        }
    }
}
