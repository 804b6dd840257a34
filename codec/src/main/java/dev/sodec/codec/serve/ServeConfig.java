package dev.sodec.codec.serve;

import dev.sodec.codec.api.CodecOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@code sodec serve} is configured with (the CLI's options, or a test's choice).
 *
 * @param host address to bind (loopback by default: exposing the port is a deliberate choice)
 * @param port TCP port; 0 picks a free one ({@link SodecServer#port()} tells which)
 * @param codec backend, threads, pixel limit and background of every loaded model
 * @param models models to load: shipped names or model files; empty and no modelDir: the shipped models
 * @param modelDir a folder whose {@code *.safetensors} files are loaded too (null: none)
 * @param maxBatch the most decodes run as one network call
 * @param batchWindowMillis how long the first decode of a batch waits for others
 * @param workers network calls (batches or compressions) running at once
 * @param queueCapacity requests admitted at once (running or waiting); more are answered 503
 * @param maxBodyBytes the largest request body; larger is answered 413
 * @param deadlineMillis a request not answered by then is answered 504 and its work dropped
 * @param readTimeoutMillis a request whose head and body do not arrive within this is answered 408 and closed
 * @param drainMillis how long shutdown waits for requests in flight
 * @param token the bearer token every /v1 request must carry; null: no authentication
 */
public record ServeConfig(String host, int port, CodecOptions codec, List<String> models, Path modelDir, int maxBatch,
                          int batchWindowMillis, int workers, int queueCapacity, long maxBodyBytes, long deadlineMillis,
                          long readTimeoutMillis, long drainMillis, String token) {
    public static final long DEFAULT_MAX_BODY_BYTES = 64L << 20;

    public ServeConfig {
        models = List.copyOf(models);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1");
        if (batchWindowMillis < 0) throw new IllegalArgumentException("batchWindowMillis must be >= 0");
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1");
        if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be >= 1");
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE) throw new IllegalArgumentException("maxBodyBytes must be 1..2^31-1");
        if (deadlineMillis < 1 || readTimeoutMillis < 1 || drainMillis < 0) throw new IllegalArgumentException("timeouts must be positive");
    }

    /** The batch size used when none is given: 8 on a GPU backend, 1 on the CPU (where batching measured no gain). */
    public static int defaultMaxBatch(String backend) {
        return backend.startsWith("cuda") && !backend.startsWith("cuda-emulated") ? 8 : 1;
    }

    /** Loopback, a free port, the shipped models, defaults for the rest (tests start from it). */
    public static ServeConfig defaults(CodecOptions codec) {
        return new ServeConfig("127.0.0.1", 0, codec, List.of(), null, defaultMaxBatch(codec.backend()), 5, 1, 64,
                DEFAULT_MAX_BODY_BYTES, 30_000, 30_000, 30_000, null);
    }

    public ServeConfig withPort(int p) {
        return new ServeConfig(host, p, codec, models, modelDir, maxBatch, batchWindowMillis, workers, queueCapacity, maxBodyBytes,
                deadlineMillis, readTimeoutMillis, drainMillis, token);
    }

    public ServeConfig withModels(List<String> m) {
        return new ServeConfig(host, port, codec, m, modelDir, maxBatch, batchWindowMillis, workers, queueCapacity, maxBodyBytes,
                deadlineMillis, readTimeoutMillis, drainMillis, token);
    }

    public ServeConfig withBatching(int batch, int windowMillis) {
        return new ServeConfig(host, port, codec, models, modelDir, batch, windowMillis, workers, queueCapacity, maxBodyBytes,
                deadlineMillis, readTimeoutMillis, drainMillis, token);
    }

    public ServeConfig withLimits(int queue, long bodyBytes, long deadline, long readTimeout) {
        return new ServeConfig(host, port, codec, models, modelDir, maxBatch, batchWindowMillis, workers, queue, bodyBytes,
                deadline, readTimeout, drainMillis, token);
    }

    public ServeConfig withWorkers(int w) {
        return new ServeConfig(host, port, codec, models, modelDir, maxBatch, batchWindowMillis, w, queueCapacity, maxBodyBytes,
                deadlineMillis, readTimeoutMillis, drainMillis, token);
    }

    public ServeConfig withToken(String t) {
        return new ServeConfig(host, port, codec, models, modelDir, maxBatch, batchWindowMillis, workers, queueCapacity, maxBodyBytes,
                deadlineMillis, readTimeoutMillis, drainMillis, t);
    }

    public ServeConfig withDrainMillis(long d) {
        return new ServeConfig(host, port, codec, models, modelDir, maxBatch, batchWindowMillis, workers, queueCapacity, maxBodyBytes,
                deadlineMillis, readTimeoutMillis, d, token);
    }
}
