package dev.sodec.codec.api;

/** A memory-mapped model file changed on disk while a {@link SodecCodec} used it; the codec cannot go on. */
public final class ModelFileChangedException extends IllegalStateException {
    public ModelFileChangedException(String message) {
        super(message);
    }
}
