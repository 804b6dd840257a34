package dev.sodec.codec.api;

import java.awt.image.BufferedImage;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A decode split at the point where the network runs: {@link SodecCodec#prepareDecompress} has parsed the stream,
 * checked it against the model and entropy-decoded it on the calling thread; {@link SodecCodec#decompressBatch}
 * then runs the network for several prepared decodes of the same {@link #batchKey()} as one batched call (batch
 * dimension N > 1 through the graph) and crops each image. A service uses it to batch concurrent requests.
 *
 * <p>Decodes whose network cannot take a batch (a generative decoder, OneDC) have a null key and run alone.
 */
public final class PreparedDecode {
    /** Which network and input shape the batch would run; equal keys batch together. Null: runs alone. */
    private final Object batchKey;
    /** What the family's batched path needs (its latents and crop); null when unbatchable. */
    final Object state;
    /** The family codec that made it: only it can finish it. */
    final ImageCodec owner;
    /** The whole decode, for one that runs alone. */
    final Supplier<BufferedImage> alone;

    private PreparedDecode(ImageCodec owner, Object batchKey, Object state, Supplier<BufferedImage> alone) {
        this.owner = owner;
        this.batchKey = batchKey;
        this.state = state;
        this.alone = alone;
    }

    static PreparedDecode batchable(ImageCodec owner, Object batchKey, Object state) {
        return new PreparedDecode(owner, Objects.requireNonNull(batchKey), state, null);
    }

    static PreparedDecode alone(ImageCodec owner, Supplier<BufferedImage> decode) {
        return new PreparedDecode(owner, null, null, decode);
    }

    /** Equal keys (same codec, network and latent shape) may run in one batch; null when this decode runs alone. */
    public Object batchKey() { return batchKey; }
}
