package dev.sodec.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/** Paths into ../shared/checkpoints and exact tensor comparisons shared by the converter tests. */
public final class TestFiles {
    private TestFiles() {}

    public static Path checkpoints() {
        return Path.of(System.getProperty("sodec.shared")).resolve("checkpoints");
    }

    public static Path caseDir(String id) {
        return checkpoints().resolve(id);
    }

    /** Same key set, and every tensor bit-identical (dtype, shape and bytes). */
    public static void assertSameTensors(Map<String, Tensor> exp, Map<String, Tensor> got, String what) {
        assertEquals(new TreeSet<>(exp.keySet()), new TreeSet<>(got.keySet()), what + ": key sets differ");
        for (String k : exp.keySet()) assertSameTensor(exp.get(k), got.get(k), what + " " + k);
    }

    public static void assertSameTensor(Tensor e, Tensor g, String what) {
        assertEquals(e.dtype(), g.dtype(), what + ": dtype");
        assertArrayEquals(e.shape(), g.shape(), what + ": shape");
        byte[] eb = e.contiguous().data().toArray(ValueLayout.JAVA_BYTE);
        byte[] gb = g.contiguous().data().toArray(ValueLayout.JAVA_BYTE);
        if (!java.util.Arrays.equals(eb, gb)) {
            if (e.dtype() == DType.F32) {
                float[] ef = e.toFloatArray(), gf = g.toFloatArray();
                for (int i = 0; i < ef.length; i++) {
                    if (Float.floatToRawIntBits(ef[i]) != Float.floatToRawIntBits(gf[i])) {
                        fail(what + ": element " + i + " is " + gf[i] + ", expected " + ef[i]);
                    }
                }
            }
            fail(what + ": bytes differ");
        }
    }
}
