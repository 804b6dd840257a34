package dev.sodec.codec.eval;

import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.image.ImageFormat;
import dev.sodec.codec.image.Pnm;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * WebP through the {@code cwebp} and {@code dwebp} commands (Debian's {@code webp} package), found on the PATH. A
 * matched size uses {@code cwebp -size} (its multi-pass search for a target size), raised until the file is at
 * least the target.
 */
public final class WebpPeer implements Peer {
    /** Said in reports when the tools are absent. */
    public static final String MISSING = "WebP not compared: cwebp/dwebp not found on the PATH (Debian/Ubuntu: apt-get install webp)";
    static final long TIMEOUT_SECONDS = 300;

    private final Path cwebp, dwebp;

    WebpPeer(Path cwebp, Path dwebp) {
        this.cwebp = cwebp;
        this.dwebp = dwebp;
    }

    /** The peer when both tools are on the PATH. */
    public static Optional<WebpPeer> find() {
        Optional<Path> c = onPath("cwebp"), d = onPath("dwebp");
        return c.isPresent() && d.isPresent() ? Optional.of(new WebpPeer(c.get(), d.get())) : Optional.empty();
    }

    static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    @Override
    public String name() {
        return "WebP (cwebp -m 6)";
    }

    @Override
    public Coded atLeastBytes(BufferedImage img, long bytes) throws IOException {
        long target = Math.max(1, bytes);
        Coded largest = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            Coded c = run(img, List.of("-size", Long.toString(target), "-pass", "10"), "-size " + target);
            if (c.bytes() >= bytes) return c;
            if (largest == null || c.bytes() > largest.bytes()) largest = c;
            // below the target: ask for proportionally more, at least one byte more
            target = Math.max(target + 1, (long) Math.ceil(target * (double) bytes / Math.max(1, c.bytes()) * 1.02));
        }
        return largest;
    }

    @Override
    public Coded atQuality(BufferedImage img, int quality) throws IOException {
        return run(img, List.of("-q", Integer.toString(quality)), "q=" + quality);
    }

    private Coded run(BufferedImage img, List<String> rateArgs, String setting) throws IOException {
        Path dir = Files.createTempDirectory("sodec-webp");
        try {
            Path in = dir.resolve("in.png"), webp = dir.resolve("out.webp"), ppm = dir.resolve("out.ppm");
            Files.write(in, ImageFiles.encode(img, ImageFormat.PNG));
            List<String> enc = new ArrayList<>(List.of(cwebp.toString(), "-quiet", "-m", "6"));
            enc.addAll(rateArgs);
            enc.addAll(List.of(in.toString(), "-o", webp.toString()));
            exec(enc);
            exec(List.of(dwebp.toString(), "-quiet", webp.toString(), "-ppm", "-o", ppm.toString()));
            BufferedImage dec = Pnm.read(Files.readAllBytes(ppm), Long.MAX_VALUE);
            return new Coded(setting, Files.size(webp), dec);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void exec(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(Path.of(cmd.get(0)).getFileName() + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                String msg = new String(out, StandardCharsets.UTF_8).strip();
                String last = msg.isEmpty() ? "" : ": " + msg.lines().reduce((a, b) -> b).orElse("");
                throw new IOException(Path.of(cmd.get(0)).getFileName() + " failed (exit " + p.exitValue() + ")" + last);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd.get(0), e);
        }
    }
}
