package dev.sodec.convert.lora;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges LoRA modules into base weights in F32: {@code W' = W + scale * (alpha / r) * reshape(B.reshape(out, r) @
 * A.reshape(r, -1), W.shape)}, biases unchanged. Merges are {@link Pending}: each runs when the writer reaches its
 * weight, so only one merged tensor is in memory at a time.
 */
public final class LoraMerge {
    private LoraMerge() {}

    /** Checks that a module's A/B fit its base weight; the error names the module and both shapes. */
    public static void checkShapes(LoraModule m, int[] w, String file) throws CheckpointException {
        long out = w[0], inFlat = 1;
        for (int i = 1; i < w.length; i++) inFlat *= w[i];
        int r = m.rank();
        boolean ok = (w.length == 2 || w.length == 4)
                && m.up().dim(0) == out && m.up().numel() == out * r
                && m.down().numel() == r * inFlat && (m.down().rank() == w.length || (w.length == 4 && w[2] == 1 && w[3] == 1));
        if (ok && w.length == 4 && m.down().rank() == 4) ok = m.down().dim(2) == w[2] && m.down().dim(3) == w[3];
        if (!ok) {
            throw new CheckpointException(file + ": LoRA for " + m.module() + " has down " + Arrays.toString(m.down().shape())
                    + " / up " + Arrays.toString(m.up().shape()) + " that do not fit its weight " + Arrays.toString(w));
        }
    }

    /** The merged F32 weight for one module. */
    public static Tensor merge(Tensor w, LoraModule m, double scale) {
        Tensor base = w.toF32();
        int out = base.dim(0);
        int r = m.rank();
        int in = (int) (base.numel() / out);
        float[] a = m.down().toFloatArray(); // [r, in]
        float[] b = m.up().toFloatArray();   // [out, r]
        float f = (float) (scale * m.factor());
        float[] wv = base.toFloatArray();
        // Row by row: s[i] = sum_k b[o][k] a[k][i] accumulated over k in order (the same float operations as a dot
        // product per element, so the same bits), reading A contiguously instead of with a stride of `in`.
        float[] s = new float[in];
        for (int o = 0; o < out; o++) {
            java.util.Arrays.fill(s, 0f);
            for (int k = 0; k < r; k++) {
                float bk = b[o * r + k];
                int ak = k * in;
                for (int i = 0; i < in; i++) s[i] += bk * a[ak + i];
            }
            int wo = o * in;
            for (int i = 0; i < in; i++) wv[wo + i] += f * s[i];
        }
        return Tensor.fromFloats(wv, base.shape());
    }

    /** Base weights with each LoRA's modules merged (several LoRAs apply in order, each with its own scale). */
    public static Map<String, Pending> apply(Map<String, Pending> base, List<LoraModule> mods, double scale, String file)
            throws CheckpointException {
        Map<String, Pending> out = new LinkedHashMap<>(base);
        for (LoraModule m : mods) {
            String key = m.module() + ".weight";
            Pending p = out.get(key);
            if (p == null) throw new CheckpointException(file + ": LoRA targets " + m.module() + ", which has no weight in the base");
            checkShapes(m, p.shape(), file);
            out.put(key, new Pending(DType.F32, p.shape(), () -> merge(p.data().get(), m, scale)));
        }
        return out;
    }
}
