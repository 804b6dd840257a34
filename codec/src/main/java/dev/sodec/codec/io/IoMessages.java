package dev.sodec.codec.io;

import dev.sodec.engine.io.OneLine;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Human messages for I/O failures. The JDK's file exceptions often carry only a path as their message
 * ({@code AccessDeniedException: /x}); these name what went wrong.
 */
public final class IoMessages {
    private IoMessages() {}

    /** What went wrong, without the path: "permission denied", "no such file or folder", the OS reason ... */
    public static String reason(Throwable e) {
        return switch (e) {
            case FileSystemException f when f.getReason() != null -> f.getReason();
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or folder";
            case NotDirectoryException n -> "not a folder";
            case FileAlreadyExistsException f -> "already exists";
            case DirectoryNotEmptyException d -> "folder not empty";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    /** One line for a failure: the path and reason for file errors, else the message (or the class name). */
    public static String describe(Throwable e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + reason(e);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return "out of memory (" + OneLine.of(String.valueOf(c.getMessage())) + "): give the JVM more with"
                        + " SODEC_JAVA_OPTS=-Xmx... (e.g. -Xmx4g), or use smaller tiles (--tile 512) or a smaller image";
            }
            if (c.getCause() == c) break;
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
