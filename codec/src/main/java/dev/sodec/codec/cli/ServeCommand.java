package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.serve.ServeConfig;
import dev.sodec.codec.serve.SodecServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code sodec serve}: the HTTP service ({@link SodecServer}). Runs until SIGTERM or SIGINT, then drains. This class
 * names the serve package only inside {@link #run}, so the other commands never load Netty.
 */
final class ServeCommand {
    private ServeCommand() {}

    static final String TOKEN_ENV = "SODEC_SERVE_TOKEN";

    static final CommandSpec SPEC = new CommandSpec("serve", "",
            "run the HTTP service: compress, decompress (batched), models, health, metrics", List.of(
            Option.valued("--port", "P", "TCP port (default 8080; 0 picks a free one, printed on start)"),
            Option.valued("--host", "H", "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)"),
            Option.valued("--model", "M", "a model to serve: a shipped name or a model file (repeat for several);"
                    + " default: every shipped model"),
            Option.valued("--models", "DIR", "serve every *.safetensors file in DIR too (named by file name)"),
            CommonOptions.BACKEND,
            CommonOptions.THREADS,
            CommonOptions.MAX_PIXELS,
            Option.valued("--max-batch", "N", "most decodes run as one network call (default 1 on cpu, where batching"
                    + " measured no gain; 8 on cuda)"),
            Option.valued("--batch-window-ms", "MS", "how long a decode waits for others to batch with (default 5)"),
            Option.valued("--workers", "N", "network calls running at once (default 1)"),
            Option.valued("--queue", "N", "requests admitted at once, running or waiting; more get 503 (default 64)"),
            Option.valued("--max-body", "BYTES", "largest request body; larger gets 413 (default "
                    + ServeConfig.DEFAULT_MAX_BODY_BYTES + ")"),
            Option.valued("--deadline-ms", "MS", "answer 504 and drop the work of a request not done by then (default 30000)"),
            Option.valued("--read-timeout-ms", "MS", "a request must arrive whole within this, else 408 (default 30000)"),
            Option.valued("--drain-ms", "MS", "on shutdown, how long requests in flight may finish (default 30000)"),
            Option.valued("--token-file", "F", "require Authorization: Bearer TOKEN on /v1 routes, the token read from F"
                    + " (or $" + TOKEN_ENV + ")")), """
            Endpoints: POST /v1/compress?model=NAME|quality=Q (image body -> .sdc), POST /v1/decompress (.sdc or OneDC
            .bin body -> image/png, image/jpeg or raw RGB by Accept), GET /v1/models, /healthz, /readyz, /metrics
            (Prometheus). Errors are JSON: {"error": "one line", "status": N}. Requests name loaded models only, never
            paths. SIGTERM drains: the port closes, /readyz answers 503, requests in flight finish.""");

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        if (!a.positional().isEmpty()) throw new UsageException("serve takes no arguments, got '" + a.positional().get(0) + "'");
        CodecOptions codec = CommonOptions.codecOptions(a);
        ServeConfig d = ServeConfig.defaults(codec);
        String modelDir = a.get("--models", null);
        int port = a.getInt("--port", 8080, 0);
        if (port > 65535) throw new UsageException("--port must be at most 65535, got " + port);
        ServeConfig cfg;
        try {
            cfg = new ServeConfig(a.get("--host", d.host()), port, codec, a.all("--model"),
                    modelDir == null ? null : Path.of(modelDir), a.getInt("--max-batch", d.maxBatch(), 1),
                    a.getInt("--batch-window-ms", d.batchWindowMillis(), 0), a.getInt("--workers", d.workers(), 1),
                    a.getInt("--queue", d.queueCapacity(), 1), longOption(a, "--max-body", d.maxBodyBytes()),
                    longOption(a, "--deadline-ms", d.deadlineMillis()), longOption(a, "--read-timeout-ms", d.readTimeoutMillis()),
                    longOption(a, "--drain-ms", d.drainMillis()), token(a.get("--token-file", null)));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        SodecServer server = SodecServer.start(cfg, err);
        Thread hook = new Thread(server::close, "sodec-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("sodec serve: listening on http://" + cfg.host() + ":" + server.port() + " (backend " + codec.backend()
                + ", max batch " + cfg.maxBatch() + ", " + (cfg.token() == null ? "no authentication" : "bearer token required") + ")");
        out.flush();
        server.awaitStopped();
        return 0;
    }

    private static long longOption(Args a, String name, long dflt) throws UsageException {
        String v = a.get(name, null);
        if (v == null) return dflt;
        try {
            long n = Long.parseLong(v);
            if (n < 1) throw new UsageException(name + " must be at least 1, got " + n);
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " expects an integer, got '" + v + "'");
        }
    }

    /** The token from the file (first line, trimmed), else the environment, else null; an empty token is refused. */
    static String token(String file) throws IOException, UsageException {
        String t;
        if (file != null) {
            t = Files.readString(Path.of(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            if (t.isEmpty()) throw new UsageException("--token-file " + file + " holds no token");
            return t;
        }
        t = System.getenv(TOKEN_ENV);
        return t == null || t.isBlank() ? null : t.trim();
    }
}
