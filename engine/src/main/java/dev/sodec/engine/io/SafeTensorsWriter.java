package dev.sodec.engine.io;

import dev.sodec.engine.json.Json;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files. Tensors are streamed in chunks, so writing a multi-GB model needs no heap of its size.
 * The file is written to a temporary sibling and renamed, so a failed write never leaves a half file behind.
 */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {}

    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long off = 0;
        List<Tensor> order = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype().name());
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add((long) d);
            info.put("shape", shape);
            info.put("data_offsets", List.of(off, off + t.byteSize()));
            header.put(e.getKey(), info);
            off += t.byteSize();
            order.add(t);
        }
        byte[] hb = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (hb.length + 7) & ~7;
        byte[] hpad = new byte[padded];
        System.arraycopy(hb, 0, hpad, 0, hb.length);
        for (int i = hb.length; i < padded; i++) hpad[i] = ' ';

        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            os.write(hpad);
            byte[] chunk = new byte[1 << 20];
            for (Tensor t : order) {
                MemorySegment d = t.contiguous().data();
                long n = d.byteSize();
                for (long p = 0; p < n; p += chunk.length) {
                    int len = (int) Math.min(chunk.length, n - p);
                    MemorySegment.copy(d, ValueLayout.JAVA_BYTE, p, chunk, 0, len);
                    os.write(chunk, 0, len);
                }
            }
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
