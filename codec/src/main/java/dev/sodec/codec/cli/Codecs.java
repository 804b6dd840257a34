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
        return forPath(ModelLocator.resolve(modelOption, id));
    }

    /** The codec of the model given explicitly (--model or $SODEC_MODEL), for input that names none ({@code why}). */
    synchronized SodecCodec explicit(String why) throws Exception {
        return forPath(ModelLocator.explicit(modelOption, why));
    }

    private SodecCodec forPath(Path p) throws Exception {
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
