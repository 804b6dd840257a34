package dev.sodec.bench.serve;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.models.BundledModels;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Load and fault generator for {@code sodec serve}, against loopback only and bounded in time and count: N clients
 * (virtual threads, one connection each) send requests for T seconds or R requests in all, whichever comes first,
 * then it prints throughput, p50/p95/p99 latency of the good requests and counts by outcome.
 *
 * <p>Every good request's answer is compared with what the API gives in this process for the same input (the
 * bytes {@code sodec compress} writes, the pixels {@code sodec decompress} writes; the service tests check that the
 * API and the CLI agree): a mismatch is a failure. With {@code --fault}, one request in four is a fault instead:
 * a garbage body (must be answered 4xx), a truncated upload (the client closes mid-body), a slow client (its good
 * request trickled in chunks; must still be answered correctly) or a disconnect (the client leaves before the
 * answer). Afterwards the server must answer {@code /healthz} and {@code /readyz} and decode correctly once more.
 *
 * <pre>
 * LoadGen --url http://127.0.0.1:8080 --clients 4 --seconds 15 [--requests 100000] [--mode decompress|compress|mixed]
 *         [--model low] [--fault] IMAGE...
 * </pre>
 * Exit status 0 when every good request was answered correctly (and, with --fault, the server is healthy after).
 */
public final class LoadGen {
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    record Case(String path, byte[] body, byte[] expected, String accept) {}

    private final URI base;
    private final List<Case> cases;
    private final boolean fault;
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger mismatches = new AtomicInteger();

    LoadGen(URI base, List<Case> cases, boolean fault) {
        this.base = base;
        this.cases = cases;
        this.fault = fault;
    }

    public static void main(String[] args) throws Exception {
        try {
            System.exit(run(args) ? 0 : 1);
        } catch (IllegalArgumentException e) {
            System.err.println("LoadGen: " + e.getMessage());
            System.exit(2);
        }
    }

    private static boolean run(String[] args) throws Exception {
        String url = "http://127.0.0.1:8080", mode = "decompress", model = "low";
        int clients = 4, seconds = 15, requests = 1_000_000;
        boolean fault = false;
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--clients" -> clients = number(args, ++i);
                case "--seconds" -> seconds = number(args, ++i);
                case "--requests" -> requests = number(args, ++i);
                case "--mode" -> mode = args[++i];
                case "--model" -> model = args[++i];
                case "--fault" -> fault = true;
                default -> images.add(Path.of(args[i]));
            }
        }
        URI base = URI.create(url);
        if (!LOOPBACK.contains(base.getHost())) throw new IllegalArgumentException("loopback only: " + base.getHost());
        if (images.isEmpty()) throw new IllegalArgumentException("give one or more image files");
        if (clients < 1 || clients > 256 || seconds < 1 || seconds > 600) throw new IllegalArgumentException("1..256 clients, 1..600 s");
        List<Case> cases = cases(images, mode, model);
        return new LoadGen(base, cases, fault).run(clients, seconds, requests);
    }

    private static int number(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        try {
            return Integer.parseInt(args[i]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " expects an integer, got '" + args[i] + "'");
        }
    }

    /** The requests to send, each with the answer the API gives for it. */
    static List<Case> cases(List<Path> images, String mode, String model) throws Exception {
        List<Case> out = new ArrayList<>();
        try (SodecCodec codec = SodecCodec.load(BundledModels.byName(model).orElseThrow(), CodecOptions.defaults())) {
            for (Path p : images) {
                byte[] file = Files.readAllBytes(p);
                BufferedImage img = ImageFiles.decode(file, p.toString(), CodecOptions.DEFAULT_MAX_PIXELS, 0xFFFFFF).image();
                byte[] sdc = codec.compress(img);
                if (!mode.equals("compress")) out.add(new Case("/v1/decompress", sdc, rgb(codec.decompress(sdc)), "application/octet-stream"));
                if (!mode.equals("decompress")) out.add(new Case("/v1/compress?model=" + model, file, sdc, null));
            }
        }
        return out;
    }

    static byte[] rgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        for (int y = 0, o = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                out[o++] = (byte) (p >> 16);
                out[o++] = (byte) (p >> 8);
                out[o++] = (byte) p;
            }
        }
        return out;
    }

    boolean run(int clients, int seconds, int maxRequests) throws Exception {
        // one untimed request per case first: the server compiles its graphs for each shape on first use
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (Case c : cases) good(http, c);
        }
        latencies.clear();
        outcomes.clear();
        double[] batchesBefore = batchCountAndSum();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicInteger budget = new AtomicInteger(maxRequests);
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int id = c;
            threads.add(Thread.ofVirtual().start(() -> client(id, end, budget)));
        }
        for (Thread t : threads) t.join();
        double wall = (System.nanoTime() - t0) / 1e9;
        long[] lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "clients %d, %.1f s, %d good requests answered: %.2f req/s%n", clients, wall, lat.length, lat.length / wall);
        if (lat.length > 0) {
            System.out.printf(Locale.ROOT, "latency ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f%n", pct(lat, 50), pct(lat, 95), pct(lat, 99),
                    lat[lat.length - 1] / 1e6);
        }
        double[] batchesAfter = batchCountAndSum();
        double calls = batchesAfter[0] - batchesBefore[0];
        if (calls > 0) {
            System.out.printf(Locale.ROOT, "decode network calls %.0f, mean batch %.2f%n", calls, (batchesAfter[1] - batchesBefore[1]) / calls);
        }
        List<String> keys = new ArrayList<>(outcomes.keySet());
        keys.sort(null);
        for (String k : keys) System.out.printf("  %-34s %d%n", k, outcomes.get(k).sum());
        boolean ok = mismatches.get() == 0 && outcomes.keySet().stream().noneMatch(k -> k.startsWith("good ") && !k.equals("good 200"));
        if (fault) ok &= healthyAfter();
        System.out.println(ok ? "RESULT: every good request answered with the API's bytes" + (fault ? "; server healthy after the faults" : "")
                : "RESULT: FAILED (" + mismatches.get() + " mismatched answers)");
        return ok;
    }

    /** sodec_batch_size count and sum from the server's /metrics (0, 0 when absent). */
    private double[] batchCountAndSum() throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String m = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            double count = 0, sum = 0;
            for (String line : m.split("\n")) {
                if (line.startsWith("sodec_batch_size_count ")) count = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
                if (line.startsWith("sodec_batch_size_sum ")) sum = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
            return new double[] {count, sum};
        }
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    private void client(int id, long end, AtomicInteger budget) {
        SplittableRandom rnd = new SplittableRandom(id * 7919L + 1);
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build()) {
            int i = id;
            while (System.nanoTime() < end && budget.getAndDecrement() > 0) {
                Case c = cases.get(i++ % cases.size());
                try {
                    if (fault && rnd.nextInt(4) == 0) {
                        Faults.one(base, c, rnd, this::count, this::checkAnswer);
                    } else {
                        good(http, c);
                    }
                } catch (Exception e) {
                    count("good exception " + e.getClass().getSimpleName());
                }
            }
        }
    }

    private void good(HttpClient http, Case c) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(c.path())).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        if (c.accept() != null) b.header("Accept", c.accept());
        long t = System.nanoTime();
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        long took = System.nanoTime() - t;
        count("good " + r.statusCode());
        if (r.statusCode() == 200) {
            latencies.add(took);
            checkAnswer(c, r.body());
        }
    }

    /** A good request's answer must be the API's. */
    void checkAnswer(Case c, byte[] body) {
        if (!Arrays.equals(c.expected(), body)) {
            mismatches.incrementAndGet();
            count("MISMATCH " + c.path());
        }
    }

    private boolean healthyAfter() throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            int live = http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            int ready = http.send(HttpRequest.newBuilder(base.resolve("/readyz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            Case c = cases.get(0);
            int before = mismatches.get();
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(c.path())).POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
            if (c.accept() != null) b.header("Accept", c.accept());
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200) checkAnswer(c, r.body());
            boolean ok = live == 200 && ready == 200 && r.statusCode() == 200 && mismatches.get() == before;
            System.out.printf("after the run: /healthz %d, /readyz %d, a good request %d%s%n", live, ready, r.statusCode(),
                    mismatches.get() == before ? " with the right bytes" : " with WRONG bytes");
            return ok;
        }
    }
}
