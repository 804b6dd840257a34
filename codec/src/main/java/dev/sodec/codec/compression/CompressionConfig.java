package dev.sodec.codec.compression;

import dev.sodec.engine.json.Config;

/**
 * The sizes of a hyperprior model: N channels in g_a/g_s/h_a, M latent channels. Read from a config JSON with keys
 * {@code architecture}, {@code N}, {@code M} (the model-file contract, see {@link CompressionModelFile}).
 */
public record CompressionConfig(Architecture architecture, int N, int M) {
    /** Channel counts past this are refused as corrupt: the largest CompressAI zoo models use 320. */
    public static final int MAX_CHANNELS = 4096;

    public CompressionConfig {
        if (N < 1 || M < 1 || N > MAX_CHANNELS || M > MAX_CHANNELS) {
            throw new IllegalArgumentException("compression config: N=" + N + " M=" + M + " out of range 1.."
                    + MAX_CHANNELS);
        }
    }

    /** Image sides must be multiples of this: g_a downsamples by 16, h_a by 4 more. */
    public int sizeMultiple() {
        return 64;
    }

    public static CompressionConfig from(Config c) {
        return new CompressionConfig(Architecture.fromId(c.getString("architecture")), c.getInt("N"), c.getInt("M"));
    }
}
