package dev.sodec.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** Writes a file with the given raw header JSON and data bytes, as a hostile producer could. */
    private Path raw(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private String error(Path p) {
        return assertThrows(SafeTensorsException.class, () -> SafeTensors.open(p).close()).getMessage();
    }

    @Test
    void roundTripKeepsValuesShapesAndMetadata() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a.weight", Tensor.fromFloats(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3));
        t.put("b", Tensor.fromInts(new int[] {7, 8, 9}, 3));
        t.put("empty", Tensor.fromFloats(new float[0], 0, 4));
        t.put("bytes", Tensor.fromBytes(new byte[] {1, (byte) 200}));
        Path p = dir.resolve("x.safetensors");
        SafeTensorsWriter.write(p, t, Map.of("config", "{\"k\":1}"));
        try (SafeTensors st = SafeTensors.open(p)) {
            assertEquals("{\"k\":1}", st.metadata().get("config"));
            assertEquals(java.util.List.of("a.weight", "b", "empty", "bytes"), java.util.List.copyOf(st.names()));
            assertArrayEquals(new float[] {1, -2, 3.5f, 4, 5, 6}, st.get("a.weight").toFloatArray());
            assertArrayEquals(new int[] {2, 3}, st.get("a.weight").shape());
            assertArrayEquals(new int[] {7, 8, 9}, st.get("b").toIntArray());
            assertArrayEquals(new int[] {0, 4}, st.get("empty").shape());
            assertArrayEquals(new byte[] {1, (byte) 200}, st.get("bytes").toByteArray());
            assertEquals(DType.U8, st.get("bytes").dtype());
        }
    }

    @Test
    void headerLengthBeyondFileIsRefused() throws IOException {
        Path p = dir.resolve("h.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Files.write(p, b.array());
        assertTrue(error(p).contains("header length 1099511627776 exceeds file size"), error(p));
    }

    @Test
    void negativeHeaderLengthIsRefused() throws IOException {
        Path p = dir.resolve("neg.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0).array());
        assertTrue(error(p).contains("exceeds file size"), error(p));
    }

    @Test
    void tooShortFileIsRefused() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(error(p).contains("too short"), error(p));
    }

    @Test
    void offsetsBeyondDataAreRefusedBeforeMapping() throws IOException {
        Path p = raw("eof.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[512,512],\"data_offsets\":[0,1048576]}}", 64);
        String m = error(p);
        assertTrue(m.contains("eof.safetensors") && m.contains("data_offsets end 1048576 exceeds the 64-byte data section"), m);
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        Path p = raw("ov.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[0,64]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[32,96]}}", 96);
        String m = error(p);
        assertTrue(m.contains("tensor b data_offsets [32,96] overlap tensor a [0,64]"), m);
    }

    @Test
    void sizeNotMatchingShapeTimesDtypeIsRefused() throws IOException {
        Path p = raw("sz.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertTrue(error(p).contains("tensor a has 8 bytes but shape [3] x F32 needs 12"), error(p));
    }

    @Test
    void unknownDtypeIsRefused() throws IOException {
        Path p = raw("dt.safetensors", "{\"a\":{\"dtype\":\"F8_E9\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        assertTrue(error(p).contains("tensor a has unknown dtype F8_E9"), error(p));
    }

    @Test
    void duplicateNamesAreRefused() throws IOException {
        Path p = raw("dup.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", 4);
        assertTrue(error(p).contains("duplicate key 'a'"), error(p));
    }

    @Test
    void gapsAndTrailingBytesAreRefused() throws IOException {
        Path gap = raw("gap.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", 4);
        assertTrue(error(gap).contains("gap before tensor a"), error(gap));
        Path tail = raw("tail.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 6);
        assertTrue(error(tail).contains("cover 2 bytes but the data section has 6"), error(tail));
    }

    @Test
    void invalidJsonAndShapesAreRefused() throws IOException {
        assertTrue(error(raw("j.safetensors", "{\"a\":", 0)).contains("not valid JSON"));
        assertTrue(error(raw("s.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0))
                .contains("invalid shape"));
        assertTrue(error(raw("o.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[4,2]}}", 4))
                .contains("are invalid"));
        assertTrue(error(raw("big.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],"
                + "\"data_offsets\":[0,4]}}", 4)).contains("overflows"));
    }

    @Test
    void sharedBrokenFilesAreRefusedWithTheExpectedProblem() {
        Path broken = Path.of(System.getProperty("sodec.shared")).resolve("checkpoints/broken");
        assertTrue(error(broken.resolve("header_too_long.safetensors"))
                .contains("header_too_long.safetensors: header length 1099511627776 exceeds file size"));
        assertTrue(error(broken.resolve("overlap.safetensors"))
                .contains("overlap.safetensors: tensor b data_offsets [32,96] overlap tensor a [0,64]"));
        assertTrue(error(broken.resolve("past_eof.safetensors"))
                .contains("past_eof.safetensors: tensor w data_offsets end 1048576 exceeds the 64-byte data section"));
    }

    @Test
    void goldenFilesOpenAndViewsAreZeroCopy() throws IOException {
        Path io = Path.of(System.getProperty("sodec.shared")).resolve("golden/op.conv2d.k3s1p1/io.safetensors");
        try (SafeTensors st = SafeTensors.open(io)) {
            Tensor x = st.get("in.x");
            assertArrayEquals(new int[] {1, 8, 9, 9}, x.shape());
            assertTrue(x.storage().isReadOnly(), "views of the mapping must not copy");
            assertEquals("op.conv2d.k3s1p1", st.metadata().get("case"));
        }
    }
}
