package dev.sodec.codec.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, from {@code /dev/sodec/version.properties} (filled in by Maven at build time). */
final class Version {
    private Version() {}

    static String get() {
        try (InputStream in = Version.class.getResourceAsStream("/dev/sodec/version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String line() {
        return "sodec " + get() + " (Java " + Runtime.version() + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ")";
    }
}
