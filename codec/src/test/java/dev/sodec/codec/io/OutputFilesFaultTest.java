package dev.sodec.codec.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output faults: a disk that fills up part way (a channel that writes some bytes, then fails as a full disk does),
 * a failing content writer, and the normal case. Nothing partial is ever left under the name or beside it.
 */
class OutputFilesFaultTest {
    @TempDir
    Path dir;

    /** A real file channel that takes {@code room} bytes, then fails like ENOSPC. */
    static OutputFiles.Opener diskFullAfter(long room) {
        return tmp -> new WritableByteChannel() {
            final FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
            long written;

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (written >= room) throw new IOException("No space left on device");
                int n = (int) Math.min(src.remaining(), room - written);
                ByteBuffer part = src.slice(src.position(), n);
                int w = ch.write(part);
                src.position(src.position() + w);
                written += w;
                return w;
            }

            @Override
            public boolean isOpen() { return ch.isOpen(); }

            @Override
            public void close() throws IOException { ch.close(); }
        };
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void aDiskThatFillsUpMidWriteLeavesNoFileAndSaysSoOnOneLine() throws Exception {
        Path out = dir.resolve("out.sdc");
        byte[] data = new byte[300_000];
        IOException e = assertThrows(IOException.class, () -> OutputFiles.write(data, out, diskFullAfter(100_000)));
        assertEquals("cannot write " + out + ": No space left on device", e.getMessage());
        assertEquals(List.of(), files(), "nothing may be left behind");
    }

    @Test
    void aFailedWriteKeepsThePreviousFileWhole() throws Exception {
        Path out = dir.resolve("out.png");
        byte[] old = "the previous image".getBytes();
        Files.write(out, old);
        assertThrows(IOException.class, () -> OutputFiles.write(new byte[1 << 20], out, diskFullAfter(4096)));
        assertArrayEquals(old, Files.readAllBytes(out));
        assertEquals(List.of(out), files());
    }

    @Test
    void aWriteThatFitsIsComplete() throws Exception {
        Path out = dir.resolve("out.sdc");
        byte[] data = new byte[200_001];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        OutputFiles.write(data, out, diskFullAfter(1 << 20));
        assertArrayEquals(data, Files.readAllBytes(out));
        assertEquals(List.of(out), files());
    }

    @Test
    void aFolderThatVanishedIsReportedAsTheOutputsProblem() throws Exception {
        Path out = dir.resolve("gone").resolve("out.sdc");
        IOException e = assertThrows(IOException.class, () -> OutputFiles.write(new byte[] {1}, out));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("cannot write " + out + ": "), e.getMessage());
        assertEquals(List.of(), files());
    }
}
