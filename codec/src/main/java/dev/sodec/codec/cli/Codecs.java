package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The codecs a decoding command needs, one per model file, loaded on first use and shared by its jobs (each file
 * may name another model).
 */
final class Codecs implements AutoCloseable {
    private final String modelOption;
    private final CodecOptions options;
    private final Map<Path, SodecCodec> loaded = new HashMap<>();

    Codecs(String modelOption, CodecOptions options) {
        this.modelOption = modelOption;
        this.options = options;
    }

    /** The codec for a stream made with model {@code id}. */
    synchronized SodecCodec forModelId(byte[] id) throws Exception {
        Path p = ModelLocator.resolve(modelOption, id);
        SodecCodec c = loaded.get(p);
        if (c == null) {
            c = SodecCodec.load(p, options);
            loaded.put(p, c);
        }
        return c;
    }

    @Override
    public synchronized void close() {
        for (SodecCodec c : loaded.values()) c.close();
        loaded.clear();
    }
}
