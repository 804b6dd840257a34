package dev.sodec.codec.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a whole input named on the command line: a file, or {@code -} for standard input, up to a size limit. */
public final class InputFiles {
    private InputFiles() {}

    /** The argument that means standard input / standard output. */
    public static final String STDIO = "-";

    /** How an input is named in messages: the path, or {@code stdin}. */
    public static String displayName(String arg) {
        return STDIO.equals(arg) ? "stdin" : arg;
    }

    /**
     * All bytes of {@code arg}. Fails with a one-line message naming the input when it is missing, a folder,
     * unreadable, or larger than {@code maxBytes}.
     */
    public static byte[] read(String arg, long maxBytes) throws IOException {
        if (STDIO.equals(arg)) return readStream(System.in, "stdin", maxBytes);
        Path p = Path.of(arg);
        if (Files.isDirectory(p)) throw new IOException(arg + ": is a folder, not a file");
        if (!Files.exists(p)) throw new NoSuchFileException(arg, null, "no such file");
        if (!Files.isRegularFile(p)) throw new IOException(arg + ": not a regular file");
        long size = Files.size(p);
        if (size > maxBytes) throw new IOException(arg + ": " + size + " bytes is more than this input may have (" + maxBytes + ")");
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new IOException(arg + ": " + IoMessages.reason(e), e);
        }
    }

    static byte[] readStream(InputStream in, String name, long maxBytes) throws IOException {
        int cap = (int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 16);
        byte[] b = in.readNBytes(cap);
        if (b.length > maxBytes) throw new IOException(name + ": more than " + maxBytes + " bytes, more than this input may have");
        return b;
    }
}
