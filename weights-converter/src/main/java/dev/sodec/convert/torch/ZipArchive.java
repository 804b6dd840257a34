package dev.sodec.convert.torch;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.io.FileBytes;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A read-only zip archive (read into memory or memory-mapped: {@link FileBytes}) as torch.save writes it (stored records, zip64 for large files). Only the
 * central directory is trusted to list records: a file without its end-of-central-directory record is refused, never
 * recovered by scanning local headers (that would silently return a partial checkpoint). Record data are zero-copy
 * slices of the file's bytes, so a multi-GB checkpoint costs no heap.
 */
public final class ZipArchive implements AutoCloseable {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;

    /** One record: where its (stored) bytes are in the file. */
    public record Entry(String name, int method, long compressedSize, long size, long dataOffset) {}

    private final String fileName;
    private final FileBytes bytes;
    private final MemorySegment file;
    private final Map<String, Entry> entries;

    private ZipArchive(String fileName, FileBytes bytes, MemorySegment file, Map<String, Entry> entries) {
        this.fileName = fileName;
        this.bytes = bytes;
        this.file = file;
        this.entries = entries;
    }

    /** True when the file starts with a zip local-header signature. */
    public static boolean looksLikeZip(MemorySegment head) {
        return head.byteSize() >= 4 && head.get(U32, 0) == LOCAL_SIG;
    }

    public static ZipArchive open(Path path) throws IOException {
        String name = path.getFileName().toString();
        FileBytes bytes = FileBytes.open(path);
        try {
            Map<String, Entry> entries = readCentralDirectory(name, bytes.bytes());
            return new ZipArchive(name, bytes, bytes.bytes(), entries);
        } catch (IOException | RuntimeException e) {
            bytes.close();
            throw e;
        }
    }

    private static CheckpointException corrupt(String file, String what) {
        return new CheckpointException(file + ": truncated or corrupt zip archive: " + what);
    }

    private static Map<String, Entry> readCentralDirectory(String name, MemorySegment f) throws CheckpointException {
        long size = f.byteSize();
        // The EOCD record is 22 bytes plus a comment of at most 65535 bytes: search backwards in that window.
        long eocd = -1;
        for (long p = size - 22; p >= Math.max(0, size - 22 - 65535); p--) {
            if (f.get(U32, p) == EOCD_SIG && p + 22 + Short.toUnsignedInt(f.get(U16, p + 20)) == size) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) throw corrupt(name, "end of central directory not found");
        long count = Short.toUnsignedInt(f.get(U16, eocd + 10));
        long cdSize = Integer.toUnsignedLong(f.get(U32, eocd + 12));
        long cdOffset = Integer.toUnsignedLong(f.get(U32, eocd + 16));
        if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            long loc = eocd - 20;
            if (loc < 0 || f.get(U32, loc) != ZIP64_LOCATOR_SIG) throw corrupt(name, "zip64 end of central directory locator not found");
            long z = f.get(U64, loc + 8);
            if (z < 0 || z > loc - 56 || f.get(U32, z) != ZIP64_EOCD_SIG) throw corrupt(name, "zip64 end of central directory record not found");
            count = f.get(U64, z + 32);
            cdSize = f.get(U64, z + 40);
            cdOffset = f.get(U64, z + 48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > eocd || cdSize > eocd - cdOffset) {
            throw corrupt(name, "central directory [" + cdOffset + ", +" + cdSize + ") lies outside the file");
        }
        // Each central header is at least 46 bytes: the count cannot exceed what the directory holds.
        if (count < 0 || count > cdSize / 46) throw corrupt(name, "central directory claims " + count + " records in " + cdSize + " bytes");
        Map<String, Entry> out = new LinkedHashMap<>();
        long p = cdOffset, end = cdOffset + cdSize;
        for (long i = 0; i < count; i++) {
            if (p + 46 > end || f.get(U32, p) != CENTRAL_SIG) throw corrupt(name, "bad central directory header #" + i);
            int flags = Short.toUnsignedInt(f.get(U16, p + 8));
            int method = Short.toUnsignedInt(f.get(U16, p + 10));
            long csize = Integer.toUnsignedLong(f.get(U32, p + 20));
            long usize = Integer.toUnsignedLong(f.get(U32, p + 24));
            int nlen = Short.toUnsignedInt(f.get(U16, p + 28));
            int xlen = Short.toUnsignedInt(f.get(U16, p + 30));
            int clen = Short.toUnsignedInt(f.get(U16, p + 32));
            long local = Integer.toUnsignedLong(f.get(U32, p + 42));
            if (p + 46 + nlen + xlen + clen > end) throw corrupt(name, "central directory header #" + i + " overruns the directory");
            String ename = new String(f.asSlice(p + 46, nlen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // zip64 extra field: the 64-bit values appear in this order, only for fields saturated at 0xFFFFFFFF.
            long x = p + 46 + nlen, xend = x + xlen;
            while (x + 4 <= xend) {
                int id = Short.toUnsignedInt(f.get(U16, x));
                int len = Short.toUnsignedInt(f.get(U16, x + 2));
                if (x + 4 + len > xend) break;
                if (id == 0x0001) {
                    long q = x + 4, qend = q + len;
                    if (usize == 0xFFFFFFFFL && q + 8 <= qend) { usize = f.get(U64, q); q += 8; }
                    if (csize == 0xFFFFFFFFL && q + 8 <= qend) { csize = f.get(U64, q); q += 8; }
                    if (local == 0xFFFFFFFFL && q + 8 <= qend) { local = f.get(U64, q); }
                }
                x += 4 + len;
            }
            if ((flags & 1) != 0) throw new CheckpointException(name + ": zip record " + ename + " is encrypted");
            if (local < 0 || local + 30 > size || f.get(U32, local) != LOCAL_SIG) {
                throw corrupt(name, "local header of " + ename + " not found at offset " + local);
            }
            long data = local + 30 + Short.toUnsignedInt(f.get(U16, local + 26)) + Short.toUnsignedInt(f.get(U16, local + 28));
            if (csize < 0 || usize < 0 || data > size || csize > size - data) {
                throw corrupt(name, "record " + ename + " (" + csize + " bytes at " + data + ") extends past the end of the "
                        + size + "-byte file");
            }
            if (out.put(ename, new Entry(ename, method, csize, usize, data)) != null) {
                throw corrupt(name, "duplicate record " + ename);
            }
            p += 46 + nlen + xlen + clen;
        }
        return Collections.unmodifiableMap(out);
    }

    public String fileName() { return fileName; }

    public Map<String, Entry> entries() { return entries; }

    public Entry entry(String name) { return entries.get(name); }

    /** The bytes of a stored (uncompressed) record, zero-copy. */
    public MemorySegment data(Entry e) throws CheckpointException {
        if (e.method() != 0 || e.compressedSize() != e.size()) {
            throw new CheckpointException(fileName + ": zip record " + e.name() + " is compressed (method " + e.method()
                    + "); torch.save writes stored records, re-save the checkpoint with torch.save");
        }
        return file.asSlice(e.dataOffset(), e.size());
    }

    @Override
    public void close() {
        bytes.close();
    }
}
