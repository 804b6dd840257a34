package dev.sodec.codec.api;

import java.awt.image.BufferedImage;
import java.util.List;

/** One model family behind {@link SodecCodec}: images to bytes and back on the codec's backend. */
interface ImageCodec {
    byte[] compress(BufferedImage image);

    /** @param fidelity the family's cheap faithful reconstruction instead of its generative decoder, where it has one */
    BufferedImage decompress(byte[] data, boolean fidelity);

    /**
     * Parses, checks and entropy-decodes {@code data}; the network runs in {@link #finish}. Families whose network
     * takes no batch return a decode that runs alone (the whole of {@link #decompress} when finished).
     */
    default PreparedDecode prepare(byte[] data, boolean fidelity) {
        return PreparedDecode.alone(this, () -> decompress(data, fidelity));
    }

    /** Runs the network once for {@code batch} (all of this codec, one batch key, or one decode alone). */
    default List<BufferedImage> finish(List<PreparedDecode> batch) {
        if (batch.size() != 1 || batch.get(0).batchKey() != null) throw new IllegalArgumentException("this model's decodes run one at a time");
        return List.of(batch.get(0).alone.get());
    }

    boolean hasGenerativeDecoder();

    byte[] modelId();

    /** The architecture id, e.g. "mbt2018-mean" or "onedc". */
    String architecture();

    /** Frees the compiled graphs (before the backend closes). */
    void release();
}
