package dev.sodec.engine.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as Linux reports it in /proc/self/status (VmRSS now, VmHWM the high-water mark).
 * Off-heap tensors and mmapped weights count; the JVM's own heap settings do not bound them, so this is the number
 * that says what a decode costs.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {}

    /** VmHWM in bytes, or -1 where /proc is not available. */
    public static long peakRssBytes() {
        return field("VmHWM:");
    }

    /** VmRSS in bytes, or -1 where /proc is not available. */
    public static long rssBytes() {
        return field("VmRSS:");
    }

    /**
     * Resets VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs), so the next {@link #peakRssBytes()}
     * covers only what runs after this call. Returns false where the kernel does not allow it.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L; // reported in kB
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
