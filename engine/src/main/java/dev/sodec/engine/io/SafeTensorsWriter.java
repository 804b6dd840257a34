package dev.sodec.engine.io;

import dev.sodec.engine.json.Json;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes safetensors files. Tensors are streamed in chunks, so writing a multi-GB model needs no heap of its size.
 * The file is written to a temporary sibling and renamed, so a failed write never leaves a half file behind.
 */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {}

    /**
     * A tensor produced while writing: dtype and shape are known up front (for the header), the data are computed
     * when the writer reaches it, so a converter can stream dtype conversion or LoRA merges one tensor at a time.
     */
    public record Pending(DType dtype, int[] shape, Supplier<Tensor> data) {
        public static Pending of(Tensor t) {
            return new Pending(t.dtype(), t.shape(), () -> t);
        }
    }

    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Pending> pending = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) pending.put(e.getKey(), Pending.of(e.getValue()));
        writePending(path, pending, metadata);
    }

    /** Writes tensors whose data are produced one at a time, in map order; at most one is materialized at once. */
    public static void writePending(Path path, Map<String, Pending> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long off = 0;
        List<Map.Entry<String, Pending>> order = new ArrayList<>();
        for (Map.Entry<String, Pending> e : tensors.entrySet()) {
            Pending t = e.getValue();
            long bytes = Shapes.numel(t.shape()) * t.dtype().byteSize;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype().name());
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add((long) d);
            info.put("shape", shape);
            info.put("data_offsets", List.of(off, off + bytes));
            header.put(e.getKey(), info);
            off += bytes;
            order.add(e);
        }
        byte[] hb = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (hb.length + 7) & ~7;
        byte[] hpad = new byte[padded];
        System.arraycopy(hb, 0, hpad, 0, hb.length);
        for (int i = hb.length; i < padded; i++) hpad[i] = ' ';

        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            os.write(hpad);
            byte[] chunk = new byte[1 << 20];
            for (Map.Entry<String, Pending> e : order) {
                Pending p = e.getValue();
                Tensor t = p.data().get();
                if (t.dtype() != p.dtype() || !Arrays.equals(t.shape(), p.shape())) {
                    throw new IOException(path.getFileName() + ": tensor " + e.getKey() + " was announced as " + p.dtype()
                            + Arrays.toString(p.shape()) + " but produced " + t);
                }
                MemorySegment d = t.contiguous().data();
                long n = d.byteSize();
                for (long q = 0; q < n; q += chunk.length) {
                    int len = (int) Math.min(chunk.length, n - q);
                    MemorySegment.copy(d, ValueLayout.JAVA_BYTE, q, chunk, 0, len);
                    os.write(chunk, 0, len);
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
