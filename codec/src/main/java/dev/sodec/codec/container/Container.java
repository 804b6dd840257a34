package dev.sodec.codec.container;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * end-4 4    CRC-32 (IEEE) of every byte before it
 * </pre>
 * This class checks structure only; whether the model and padding fit is the decoder's check.
 */
public record Container(int architectureCode, byte[] modelId, int width, int height,
                        int padLeft, int padTop, int padRight, int padBottom, List<byte[]> streams) {
    public static final byte[] MAGIC = {(byte) 0x89, 'S', 'D', 'C'};
    public static final int VERSION = 1;
    public static final int MODEL_ID_BYTES = 8;
    public static final int MAX_SIDE = 65535;
    public static final int MAX_STREAMS = 8;
    /** Bytes before the stream lengths. */
    static final int FIXED_HEADER = 23;
    static final int CRC_BYTES = 4;

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
        modelId = modelId.clone();
        streams = List.copyOf(streams);
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
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("container of " + total + " bytes is too large");
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) VERSION).put((byte) architectureCode).put(modelId);
        b.putShort((short) width).putShort((short) height);
        b.put((byte) padLeft).put((byte) padTop).put((byte) padRight).put((byte) padBottom);
        b.put((byte) streams.size());
        for (byte[] s : streams) b.putInt(s.length);
        for (byte[] s : streams) b.put(s);
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
        if (version != VERSION) {
            throw new ContainerException("unsupported container format version " + version + " (this build reads version " + VERSION + ")");
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
        return new Container(arch, modelId, width, height, padL, padT, padR, padB, streams);
    }

    private static ContainerException truncated(long got, long need) {
        return new ContainerException("truncated sodec file: " + got + " bytes, at least " + need + " needed");
    }
}
