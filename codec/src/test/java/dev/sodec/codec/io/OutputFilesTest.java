package dev.sodec.codec.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFilesTest {
    @TempDir
    Path tmp;

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.count();
        }
    }

    @Test
    void newFilesGetTheModeAnOrdinaryCreateGives() throws Exception {
        Path reference = Files.createFile(tmp.resolve("reference")); // 0666 less this process's umask
        Path out = tmp.resolve("x.sdc");
        OutputFiles.write(new byte[] {1, 2, 3}, out);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out));
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(out));
        assertEquals(2, entries(), "no temporary file is left");
    }

    @Test
    void replacingAFileKeepsItsMode() throws Exception {
        Path out = tmp.resolve("x.sdc");
        Files.write(out, new byte[] {9});
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
        OutputFiles.write(new byte[] {1}, out);
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(out));
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(out));
    }

    @Test
    void failuresNameTheOutputNeverATemporaryFile() throws Exception {
        Path file = Files.write(tmp.resolve("in.png"), new byte[] {1});
        String m = assertThrows(IOException.class, () -> OutputFiles.write(new byte[1], file.resolve("x.sdc"))).getMessage();
        assertTrue(m.contains("x.sdc") && m.contains("in.png is a file, not a folder"), m);
        m = assertThrows(IOException.class, () -> OutputFiles.write(new byte[1], tmp.resolve("no/such/x.sdc"))).getMessage();
        assertTrue(m.contains("folder " + tmp.resolve("no/such") + " does not exist"), m);
        m = assertThrows(IOException.class, () -> OutputFiles.write(new byte[1], tmp)).getMessage();
        assertTrue(m.contains("it is a folder"), m);
        // a folder the process cannot create files in, even as root
        Path proc = Path.of("/proc/x.sdc");
        m = assertThrows(IOException.class, () -> OutputFiles.write(new byte[1], proc)).getMessage();
        assertTrue(m.startsWith("cannot write /proc/x.sdc: "), m);
        assertFalse(m.contains(".part"), m);
        assertEquals(1, entries());
    }

    @Test
    void inputsThatAreNotFilesAreNamed() throws Exception {
        String m = assertThrows(IOException.class, () -> InputFiles.read(tmp.toString(), 100)).getMessage();
        assertTrue(m.contains("is a folder, not a file"), m);
        assertThrows(NoSuchFileException.class, () -> InputFiles.read(tmp.resolve("none").toString(), 100));
        Path big = Files.write(tmp.resolve("big"), new byte[101]);
        m = assertThrows(IOException.class, () -> InputFiles.read(big.toString(), 100)).getMessage();
        assertTrue(m.contains("101 bytes"), m);
        assertArrayEquals(new byte[] {1, 2}, InputFiles.readStream(new java.io.ByteArrayInputStream(new byte[] {1, 2}), "stdin", 2));
        assertThrows(IOException.class, () -> InputFiles.readStream(new java.io.ByteArrayInputStream(new byte[3]), "stdin", 2));
    }
}
