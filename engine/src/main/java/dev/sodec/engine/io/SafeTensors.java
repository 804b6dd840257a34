package dev.sodec.engine.io;

import dev.sodec.engine.json.Json;
import dev.sodec.engine.json.JsonException;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, read into private memory or memory-mapped ({@link FileBytes}). Tensors are zero-copy views into
 * those bytes, valid until {@link #close()}.
 * Every offset and size in the header is validated against the file before anything is mapped or allocated: the
 * header is untrusted input.
 */
public final class SafeTensors implements AutoCloseable {
    /** Headers beyond this are refused as absurd; real ones are kilobytes (the reference caps at 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /** Where one tensor lives in the data section. */
    public record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    private final String fileName;
    private final FileBytes file;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(String fileName, FileBytes file, MemorySegment data, Map<String, Entry> entries,
                        Map<String, String> metadata) {
        this.fileName = fileName;
        this.file = file;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Opens a safetensors file: read into private memory when it is small, memory-mapped when it is large (see
     * {@link FileBytes}).
     */
    public static SafeTensors open(Path path) throws IOException {
        String name = path.getFileName().toString();
        FileBytes file = FileBytes.open(path);
        try {
            MemorySegment whole = file.bytes();
            long size = whole.byteSize();
            if (size < 8) throw new SafeTensorsException(name + ": file of " + size + " bytes is too short for a safetensors header");
            long headerLen = whole.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen < 0 || headerLen > size - 8) {
                throw new SafeTensorsException(name + ": header length " + Long.toUnsignedString(headerLen)
                        + " exceeds file size " + size);
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw new SafeTensorsException(name + ": header length " + headerLen + " is absurd (limit " + MAX_HEADER_BYTES + ")");
            }
            byte[] hb = whole.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = whole.asSlice(8 + headerLen);
            Parsed p = parseHeader(name, new String(hb, StandardCharsets.UTF_8), data.byteSize());
            return new SafeTensors(name, file, data, p.entries, p.metadata);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The file behind the tensors: whether it is mapped, whether it changed on disk since it was opened. */
    public FileBytes file() { return file; }

    private record Parsed(Map<String, Entry> entries, Map<String, String> metadata) {}

    private static Parsed parseHeader(String name, String header, long dataLen) throws SafeTensorsException {
        Map<String, Object> root;
        try {
            root = Json.parseObject(header);
        } catch (JsonException e) {
            throw new SafeTensorsException(name + ": header is not valid JSON: " + e.getMessage());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : root.entrySet()) {
            String key = e.getKey();
            if (key.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new SafeTensorsException(name + ": __metadata__ is not an object");
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String v)) {
                        throw new SafeTensorsException(name + ": __metadata__ value for '" + me.getKey() + "' is not a string");
                    }
                    meta.put((String) me.getKey(), v);
                }
                continue;
            }
            entries.put(key, parseEntry(name, key, e.getValue(), dataLen));
        }
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry prev = null;
        for (Entry en : sorted) {
            if (prev != null && en.begin < prev.end) {
                throw new SafeTensorsException(name + ": tensor " + en.name + " data_offsets [" + en.begin + "," + en.end
                        + "] overlap tensor " + prev.name + " [" + prev.begin + "," + prev.end + "]");
            }
            if (en.begin != expected) {
                throw new SafeTensorsException(name + ": gap before tensor " + en.name + ": data_offsets start at "
                        + en.begin + ", expected " + expected);
            }
            expected = en.end;
            prev = en;
        }
        if (expected != dataLen) {
            throw new SafeTensorsException(name + ": tensors cover " + expected + " bytes but the data section has " + dataLen);
        }
        return new Parsed(Collections.unmodifiableMap(entries), Collections.unmodifiableMap(meta));
    }

    private static Entry parseEntry(String name, String key, Object v, long dataLen) throws SafeTensorsException {
        if (!(v instanceof Map<?, ?> m)) throw new SafeTensorsException(name + ": entry for tensor " + key + " is not an object");
        if (!(m.get("dtype") instanceof String ds)) throw new SafeTensorsException(name + ": tensor " + key + " has no dtype");
        DType dt = DType.fromSafetensors(ds);
        if (dt == null) throw new SafeTensorsException(name + ": tensor " + key + " has unknown dtype " + ds);
        if (!(m.get("shape") instanceof List<?> sl)) throw new SafeTensorsException(name + ": tensor " + key + " has no shape");
        if (sl.size() > 16) throw new SafeTensorsException(name + ": tensor " + key + " has rank " + sl.size() + " (limit 16)");
        int[] shape = new int[sl.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(sl.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new SafeTensorsException(name + ": tensor " + key + " has invalid shape " + sl);
            }
            shape[i] = (int) (long) d;
        }
        if (!(m.get("data_offsets") instanceof List<?> ol) || ol.size() != 2
                || !(ol.get(0) instanceof Long b) || !(ol.get(1) instanceof Long en)) {
            throw new SafeTensorsException(name + ": tensor " + key + " has invalid data_offsets");
        }
        if (b < 0 || en < b) {
            throw new SafeTensorsException(name + ": tensor " + key + " data_offsets [" + b + "," + en + "] are invalid");
        }
        if (en > dataLen) {
            throw new SafeTensorsException(name + ": tensor " + key + " data_offsets end " + en + " exceeds the "
                    + dataLen + "-byte data section");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Shapes.numel(shape), (long) dt.byteSize);
        } catch (ArithmeticException ex) {
            throw new SafeTensorsException(name + ": tensor " + key + " shape " + sl + " overflows");
        }
        if (bytes != en - b) {
            throw new SafeTensorsException(name + ": tensor " + key + " has " + (en - b) + " bytes but shape " + sl
                    + " x " + dt + " needs " + bytes);
        }
        return new Entry(key, dt, shape, b, en);
    }

    public String fileName() { return fileName; }

    public Map<String, String> metadata() { return metadata; }

    /** Tensor names in header order. */
    public Set<String> names() { return entries.keySet(); }

    public boolean contains(String name) { return entries.containsKey(name); }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException(fileName + ": no tensor named '" + name + "'");
        return e;
    }

    /** A zero-copy view of the named tensor, valid while this file is open. */
    public Tensor get(String name) {
        Entry e = entry(name);
        return Tensor.wrap(data.asSlice(e.begin, e.end - e.begin), e.dtype, e.shape);
    }

    /** All tensors, in header order, as zero-copy views. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : entries.keySet()) out.put(n, get(n));
        return out;
    }

    @Override
    public void close() {
        file.close();
    }
}
