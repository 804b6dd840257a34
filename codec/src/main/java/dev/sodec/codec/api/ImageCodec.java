package dev.sodec.codec.api;

import java.awt.image.BufferedImage;

/** One model family behind {@link SodecCodec}: images to bytes and back on the codec's backend. */
interface ImageCodec {
    byte[] compress(BufferedImage image);

    /** @param fidelity the family's cheap faithful reconstruction instead of its generative decoder, where it has one */
    BufferedImage decompress(byte[] data, boolean fidelity);

    boolean hasGenerativeDecoder();

    byte[] modelId();

    /** The architecture id, e.g. "mbt2018-mean" or "onedc". */
    String architecture();

    /** Frees the compiled graphs (before the backend closes). */
    void release();
}
