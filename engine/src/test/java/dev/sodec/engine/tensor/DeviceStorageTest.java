package dev.sodec.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Tensor's device-resident mode: shape work without data, one download on first host access, then a host tensor. */
class DeviceStorageTest {
    /** A "device" holding 0, 1, 2, ... that counts its downloads and releases. */
    private static final class Counting extends DeviceStorage {
        final int n;
        int downloads, releases;

        Counting(int n) {
            this.n = n;
        }

        @Override
        protected MemorySegment download() {
            downloads++;
            MemorySegment s = Arena.ofAuto().allocate(n * 4L, 64);
            for (int i = 0; i < n; i++) s.setAtIndex(Tensor.F32_LE, i, i);
            return s;
        }

        @Override
        protected void releaseDevice() {
            releases++;
        }
    }

    @Test
    void viewsStayOnTheDeviceUntilTheFirstHostAccess() {
        Counting dev = new Counting(24);
        Tensor t = Tensor.onDevice(dev, DType.F32, 2, 3, 4);
        Tensor r = t.reshape(6, 4), s = t.slice(1, 1, 3), p = t.permute(2, 0, 1);
        assertTrue(t.onDevice() && r.onDevice() && s.onDevice() && p.onDevice());
        assertSame(dev, r.deviceStorage());
        assertSame(t, t.contiguous(), "contiguous() of a contiguous device tensor is itself, no download");
        assertSame(t, t.toF32());
        assertEquals(0, dev.downloads);

        // a strided read: the permuted view copies through host memory
        float[] permuted = p.toFloatArray();
        assertEquals(1, dev.downloads);
        assertEquals(1, dev.releases);
        assertFalse(t.onDevice() || r.onDevice() || s.onDevice());
        assertNull(t.deviceStorage());
        assertEquals(4 * 2 * 3, permuted.length);
        assertEquals(4, permuted[1], "p[0,0,1] = t[0,1,0]");
        assertEquals(12, permuted[3], "p[0,1,0] = t[1,0,0]");
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23}, s.toFloatArray(), "slice of dim 1 from 1");

        // host writes land in the one host copy every view shares
        r.setFloat(0, -7f);
        assertEquals(-7f, t.getFloat(0));
        assertSame(t.storage(), p.storage());
        assertEquals(1, dev.downloads, "never downloaded twice");
    }

    @Test
    void everyHostAccessorDownloads() {
        for (int which = 0; which < 6; which++) {
            Counting dev = new Counting(6);
            Tensor t = Tensor.onDevice(dev, DType.F32, 2, 3);
            Tensor copy = Tensor.zeros(2, 3);
            switch (which) {
                case 0 -> assertEquals(5f, t.getFloat(5));
                case 1 -> assertEquals(24, t.data().byteSize());
                case 2 -> assertEquals(24, t.storage().byteSize());
                case 3 -> t.copyInto(copy);
                case 4 -> assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toFloatArray());
                default -> assertEquals(Float.floatToFloat16(3f), t.toFloatType(DType.F16).data().getAtIndex(Tensor.I16_LE, 3));
            }
            assertEquals(1, dev.downloads, "accessor " + which);
            if (which == 3) assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, copy.toFloatArray());
        }
    }
}
