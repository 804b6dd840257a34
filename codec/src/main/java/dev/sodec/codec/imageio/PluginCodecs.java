package dev.sodec.codec.imageio;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.imageio.IIOException;

/**
 * The codecs the ImageIO plugin has loaded, one per model file, kept for the life of the process (ImageIO readers
 * and writers are created per call; loading a model each time would cost more than coding a small image).
 */
final class PluginCodecs {
    private PluginCodecs() {}

    private static final ConcurrentMap<Path, SodecCodec> CODECS = new ConcurrentHashMap<>();

    static SodecCodec forModel(Path model) throws IIOException {
        Path key = model.toAbsolutePath().normalize();
        SodecCodec c = CODECS.get(key);
        if (c != null) return c;
        synchronized (CODECS) {
            c = CODECS.get(key);
            if (c == null) {
                try {
                    c = SodecCodec.load(key, CodecOptions.defaults());
                } catch (IOException | RuntimeException e) {
                    throw new IIOException("cannot load the sodec model " + model + ": " + e.getMessage(), e);
                } catch (LinkageError e) {
                    throw engineUnavailable(e);
                }
                CODECS.put(key, c);
            }
            return c;
        }
    }

    /** A class of the engine or codec could not be linked (a jar missing from the class path, or of another version). */
    static IIOException engineUnavailable(LinkageError e) {
        return new IIOException("the sodec engine could not run (" + e + "); are the sodec-engine and sodec-codec"
                + " jars of the same version on the class path?", e);
    }
}
