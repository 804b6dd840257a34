package dev.sodec.codec.container;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;

/**
 * One compressed image (format version 1; byte table in codec/CONTAINER.md). All integers little-endian.
 *
 * <pre>
 * off  size  field
 * 0    4     magic 0x89 'S' 'D' 'C'
 * 4    1     format version (1)
 * 5    1     architecture code (1 mbt2018-mean, 2 bmshj2018-hyperprior)
 * 6    8     model id: first 8 bytes of SHA-256 of the model's weights file
 * 14   2     original width  (1..65535)
 * 16   2     original height (1..65535)
 * 18   4     padding left, top, right, bottom (one byte each)
 * 22   1     stream count n (1..8)
 * 23   4n    stream lengths
 * ..         the streams, in order
 * ..         version 2 only: chunk count k (1..8), then k chunks: 4-byte ASCII tag, 4-byte length, the bytes
 * end-4 4    CRC-32 (IEEE) of every byte before it
 * </pre>
 * A container with chunks (the image's ICC profile and EXIF block, {@link #ICC} and {@link #EXIF}) is written as
 * version 2, one without as version 1, byte for byte what builds before chunks wrote; both versions are read.
 * This class checks structure only; whether the model and padding fit is the decoder's check.
 *
 * @param chunks optional data about the image beside the streams, at most one per tag, in the order written
 */
public record Container(int architectureCode, byte[] modelId, int width, int height,
                        int padLeft, int padTop, int padRight, int padBottom, List<byte[]> streams, List<Chunk> chunks) {
    public static final byte[] MAGIC = {(byte) 0x89, 'S', 'D', 'C'};
    /** The version written for a container without chunks (and read by every build). */
    public static final int VERSION = 1;
    /** The version written when there are chunks. */
    public static final int VERSION_WITH_CHUNKS = 2;
    public static final int MAX_CHUNKS = 8;
    /** Chunk tag of the ICC colour profile the decoded pixels are in (the profile's bytes as in an ICC file). */
    public static final String ICC = "ICCP";
    /** Chunk tag of the EXIF block (TIFF structure, as after a JPEG APP1's {@code Exif\0\0}); orientation 1. */
    public static final String EXIF = "EXIF";

    /** A tagged block of data beside the streams; the tag is 4 printable ASCII characters. */
    public record Chunk(String tag, byte[] data) {
        public Chunk {
            if (tag == null || tag.length() != 4 || !tag.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException("chunk tag must be 4 printable ASCII characters, got '" + tag + "'");
            }
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Chunk c && c.tag.equals(tag) && Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return tag.hashCode() * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return tag + " (" + data.length + " bytes)";
        }
    }
    public static final int MODEL_ID_BYTES = 8;
    public static final int MAX_SIDE = 65535;
    public static final int MAX_STREAMS = 8;
    /** Bytes before the stream lengths. */
    static final int FIXED_HEADER = 23;
    static final int CRC_BYTES = 4;
    /** Tag and length before a chunk's data. */
    static final int CHUNK_HEADER = 8;

    public Container {
        if (architectureCode < 0 || architectureCode > 255) throw new IllegalArgumentException("architecture code " + architectureCode);
        if (modelId == null || modelId.length != MODEL_ID_BYTES) throw new IllegalArgumentException("model id must be " + MODEL_ID_BYTES + " bytes");
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " does not fit the container (1.." + MAX_SIDE + " per side)");
        }
        for (int p : new int[] {padLeft, padTop, padRight, padBottom}) {
            if (p < 0 || p > 255) throw new IllegalArgumentException("padding " + p + " out of range 0..255");
        }
        if (streams.isEmpty() || streams.size() > MAX_STREAMS) throw new IllegalArgumentException(streams.size() + " streams (1.." + MAX_STREAMS + ")");
        if (chunks.size() > MAX_CHUNKS) throw new IllegalArgumentException(chunks.size() + " chunks (at most " + MAX_CHUNKS + ")");
        if (chunks.stream().map(Chunk::tag).distinct().count() != chunks.size()) {
            throw new IllegalArgumentException("two chunks with the same tag: " + chunks);
        }
        modelId = modelId.clone();
        streams = List.copyOf(streams);
        chunks = List.copyOf(chunks);
    }

    /** A container without chunks (version 1). */
    public Container(int architectureCode, byte[] modelId, int width, int height,
                     int padLeft, int padTop, int padRight, int padBottom, List<byte[]> streams) {
        this(architectureCode, modelId, width, height, padLeft, padTop, padRight, padBottom, streams, List.of());
    }

    /** This container with {@code newChunks} in place of its chunks. */
    public Container withChunks(List<Chunk> newChunks) {
        return new Container(architectureCode, modelId, width, height, padLeft, padTop, padRight, padBottom, streams, newChunks);
    }

    /** The data of the chunk tagged {@code tag}, or null when there is none. */
    public byte[] chunk(String tag) {
        for (Chunk c : chunks) if (c.tag.equals(tag)) return c.data();
        return null;
    }

    /** The format version {@link #encode} writes: 1 without chunks, 2 with. */
    public int version() {
        return chunks.isEmpty() ? VERSION : VERSION_WITH_CHUNKS;
    }

    @Override
    public byte[] modelId() {
        return modelId.clone();
    }

    public String modelIdHex() {
        return HexFormat.of().formatHex(modelId);
    }

    public int paddedWidth() {
        return width + padLeft + padRight;
    }

    public int paddedHeight() {
        return height + padTop + padBottom;
    }

    public byte[] encode() {
        long total = FIXED_HEADER + 4L * streams.size() + CRC_BYTES;
        for (byte[] s : streams) total += s.length;
        if (!chunks.isEmpty()) total += 1;
        for (Chunk c : chunks) total += CHUNK_HEADER + c.data.length;
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("container of " + total + " bytes is too large");
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) version()).put((byte) architectureCode).put(modelId);
        b.putShort((short) width).putShort((short) height);
        b.put((byte) padLeft).put((byte) padTop).put((byte) padRight).put((byte) padBottom);
        b.put((byte) streams.size());
        for (byte[] s : streams) b.putInt(s.length);
        for (byte[] s : streams) b.put(s);
        if (!chunks.isEmpty()) {
            b.put((byte) chunks.size());
            for (Chunk c : chunks) b.put(c.tag.getBytes(StandardCharsets.US_ASCII)).putInt(c.data.length).put(c.data);
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Parses and checks a whole container; any defect is a {@link ContainerException} naming it. */
    /** Whether {@code data} starts with the container magic (it may still be corrupt). */
    public static boolean hasMagic(byte[] data) {
        return data != null && data.length >= MAGIC.length && Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    public static Container parse(byte[] data) {
        if (data == null) throw new ContainerException("no data");
        if (data.length < MAGIC.length || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ContainerException("not a sodec compressed image (bad magic)");
        }
        if (data.length < FIXED_HEADER) throw truncated(data.length, FIXED_HEADER);
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int version = Byte.toUnsignedInt(data[4]);
        if (version != VERSION && version != VERSION_WITH_CHUNKS) {
            throw new ContainerException("unsupported container format version " + version + " (this build reads versions "
                    + VERSION + " and " + VERSION_WITH_CHUNKS + ")");
        }
        int arch = Byte.toUnsignedInt(data[5]);
        byte[] modelId = Arrays.copyOfRange(data, 6, 6 + MODEL_ID_BYTES);
        int width = Short.toUnsignedInt(b.getShort(14));
        int height = Short.toUnsignedInt(b.getShort(16));
        int padL = Byte.toUnsignedInt(data[18]), padT = Byte.toUnsignedInt(data[19]);
        int padR = Byte.toUnsignedInt(data[20]), padB = Byte.toUnsignedInt(data[21]);
        int n = Byte.toUnsignedInt(data[22]);
        if (n < 1 || n > MAX_STREAMS) throw new ContainerException("corrupt header: stream count " + n + " (1.." + MAX_STREAMS + ")");
        long headerEnd = FIXED_HEADER + 4L * n;
        if (data.length < headerEnd) throw truncated(data.length, headerEnd + CRC_BYTES);
        long[] lengths = new long[n];
        long expected = headerEnd + CRC_BYTES;
        for (int i = 0; i < n; i++) {
            lengths[i] = Integer.toUnsignedLong(b.getInt(FIXED_HEADER + 4 * i));
            expected += lengths[i];
        }
        if (data.length < expected) throw truncated(data.length, expected);
        List<Chunk> chunks = new ArrayList<>();
        if (version == VERSION_WITH_CHUNKS) expected = readChunks(data, b, expected - CRC_BYTES, chunks) + CRC_BYTES;
        if (data.length > expected) {
            throw new ContainerException("corrupt container: " + (data.length - expected) + " bytes after the end (" + expected + " expected)");
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - CRC_BYTES);
        int stored = b.getInt(data.length - CRC_BYTES);
        if ((int) crc.getValue() != stored) {
            throw new ContainerException("corrupt container: CRC mismatch (stored " + String.format("%08x", stored)
                    + ", computed " + String.format("%08x", (int) crc.getValue()) + ")");
        }
        if (width == 0 || height == 0) throw new ContainerException("corrupt header: image size " + width + "x" + height);
        List<byte[]> streams = new ArrayList<>(n);
        int off = (int) headerEnd;
        for (int i = 0; i < n; i++) {
            streams.add(Arrays.copyOfRange(data, off, off + (int) lengths[i]));
            off += (int) lengths[i];
        }
        try {
            return new Container(arch, modelId, width, height, padL, padT, padR, padB, streams, chunks);
        } catch (IllegalArgumentException e) {
            throw new ContainerException("corrupt container: " + e.getMessage());
        }
    }

    /**
     * Reads the chunk section starting at {@code at} into {@code out}, each length checked against the bytes before
     * the CRC; returns where the section ends.
     */
    private static long readChunks(byte[] data, ByteBuffer b, long at, List<Chunk> out) {
        long limit = data.length - CRC_BYTES;
        if (at + 1 > limit) throw truncated(data.length, at + 1 + CRC_BYTES);
        int k = Byte.toUnsignedInt(data[(int) at]);
        if (k < 1 || k > MAX_CHUNKS) throw new ContainerException("corrupt header: chunk count " + k + " (1.." + MAX_CHUNKS + ")");
        long pos = at + 1;
        for (int i = 0; i < k; i++) {
            if (pos + CHUNK_HEADER > limit) throw truncated(data.length, pos + CHUNK_HEADER + CRC_BYTES);
            String tag = new String(data, (int) pos, 4, StandardCharsets.ISO_8859_1);
            long len = Integer.toUnsignedLong(b.getInt((int) pos + 4));
            if (pos + CHUNK_HEADER + len > limit) throw truncated(data.length, pos + CHUNK_HEADER + len + CRC_BYTES);
            int from = (int) (pos + CHUNK_HEADER);
            try {
                out.add(new Chunk(tag, Arrays.copyOfRange(data, from, from + (int) len)));
            } catch (IllegalArgumentException e) {
                throw new ContainerException("corrupt container: " + e.getMessage());
            }
            pos += CHUNK_HEADER + len;
        }
        return pos;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Container[architecture ").append(architectureCode).append(", model ")
                .append(modelIdHex()).append(", ").append(width).append('x').append(height).append(", padding ")
                .append(padLeft).append('/').append(padTop).append('/').append(padRight).append('/').append(padBottom)
                .append(", streams");
        for (byte[] st : streams) s.append(' ').append(st.length);
        if (!chunks.isEmpty()) s.append(", chunks ").append(chunks);
        return s.append(']').toString();
    }

    private static ContainerException truncated(long got, long need) {
        return new ContainerException("truncated sodec file: " + got + " bytes, at least " + need + " needed");
    }
}
