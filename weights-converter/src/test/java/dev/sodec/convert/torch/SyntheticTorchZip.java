package dev.sodec.convert.torch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes torch.save-style zip files (stored records archive/data.pkl, archive/data/0, archive/version) for tests that
 * need shapes or sizes no fixture has: a large F32 storage, or a pickle whose claims exceed the record.
 */
public final class SyntheticTorchZip {
    private SyntheticTorchZip() {}

    /** {"w": a 1-D F32 tensor of {@code claimedNumel} elements} whose storage record holds {@code actualNumel} floats i*0.25. */
    public static void write(Path path, long claimedNumel, long actualNumel) throws IOException {
        PickleBytes p = new PickleBytes().proto(2).op('}').binunicode("w");
        p.tensor(() -> p.storage("FloatStorage", "0", claimedNumel), 0, new int[] {(int) Math.min(claimedNumel, Integer.MAX_VALUE)}, new int[] {1});
        p.op('s', '.');
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(path))) {
            stored(z, "archive/data.pkl", p.bytes());
            // The storage is generated in chunks twice (CRC first, as STORED entries need it up front).
            CRC32 crc = new CRC32();
            forEachChunk(actualNumel, crc::update);
            ZipEntry e = new ZipEntry("archive/data/0");
            e.setMethod(ZipEntry.STORED);
            e.setSize(actualNumel * 4);
            e.setCompressedSize(actualNumel * 4);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            OutputStream os = z;
            forEachChunk(actualNumel, b -> {
                try {
                    os.write(b);
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
            z.closeEntry();
            stored(z, "archive/version", "3\n".getBytes());
        }
    }

    public static float value(long i) {
        return (i % 100_003) * 0.25f;
    }

    private static void forEachChunk(long numel, java.util.function.Consumer<byte[]> sink) {
        int chunk = 1 << 18;
        ByteBuffer bb = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < numel; i += chunk) {
            int n = (int) Math.min(chunk, numel - i);
            bb.clear();
            for (int k = 0; k < n; k++) bb.putFloat(value(i + k));
            byte[] out = new byte[n * 4];
            bb.flip();
            bb.get(out);
            sink.accept(out);
        }
    }

    private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 c = new CRC32();
        c.update(data);
        e.setCrc(c.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }
}
