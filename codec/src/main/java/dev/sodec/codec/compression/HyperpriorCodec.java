package dev.sodec.codec.compression;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * compress / decompress of CompressAI's hyperprior models on tensors whose sides are multiples of 64.
 * Stateless apart from the immutable model: safe to call from many threads.
 */
public final class HyperpriorCodec {
    private final HyperpriorNetworks nets;
    private final EntropyCoding entropy;

    public HyperpriorCodec(HyperpriorNetworks nets, EntropyCoding entropy) {
        this.nets = nets;
        this.entropy = entropy;
    }

    public CompressionConfig config() { return nets.config; }

    /** The transforms (for stage-by-stage timing; decompress is entropy decoding then {@code networks().synthesis}). */
    public HyperpriorNetworks networks() { return nets; }

    public EntropyCoding entropy() { return entropy; }

    /** Everything the encoder computes (the golden case compares each). */
    public record Encoded(Tensor y, Tensor z, int[] zSymbols, byte[] zString, Tensor zHat, Tensor scales, Tensor means,
                          int[] yIndexes, int[] ySymbols, byte[] yString) {}

    /** Everything the decoder computes. */
    public record Decoded(Tensor zHat, Tensor scales, Tensor means, int[] yIndexes, Tensor yHat, Tensor xHat) {}

    /** @param par threads for the fixed-order h_s (any count gives the same bits) */
    public Encoded compress(Backend b, Parallel par, Tensor x) {
        int mult = nets.config.sizeMultiple();
        if (x.rank() != 4 || x.dim(0) != 1 || x.dim(1) != 3 || x.dim(2) % mult != 0 || x.dim(3) % mult != 0) {
            throw new IllegalArgumentException("compress expects (1, 3, H, W) with H, W multiples of " + mult + ", got " + Arrays.toString(x.shape()));
        }
        Tensor y = nets.analysis(b, x);
        Tensor z = nets.hyperAnalysis(b, y);
        int zc = z.dim(1), zh = z.dim(2), zw = z.dim(3);
        int[] zSym = entropy.zSymbols(z);
        byte[] zString = entropy.compressZ(zSym, zc, zh * zw);
        // the encoder continues from the decoder's z_hat, so both sides choose CDFs from the same bits
        Tensor zHat = entropy.decompressZ(zString, zh, zw);
        HyperpriorNetworks.HyperOutput hs = nets.hyperSynthesis(par, zHat);
        int[] idx = entropy.buildIndexes(hs.scales());
        int[] ySym = entropy.ySymbols(y, hs.means());
        byte[] yString = entropy.compressY(ySym, idx);
        return new Encoded(y, z, zSym, zString, zHat, hs.scales(), hs.means(), idx, ySym, yString);
    }

    /** Decodes the two strings for a z latent of zh x zw (image sides / 64). */
    public Decoded decompress(Backend b, Parallel par, byte[] yString, byte[] zString, int zh, int zw) {
        Tensor zHat = entropy.decompressZ(zString, zh, zw);
        HyperpriorNetworks.HyperOutput hs = nets.hyperSynthesis(par, zHat);
        int[] idx = entropy.buildIndexes(hs.scales());
        int[] ySym = entropy.decompressYSymbols(yString, idx);
        Tensor yHat = EntropyCoding.dequantizeY(ySym, hs.means(), hs.scales().shape());
        Tensor xHat = nets.synthesis(b, yHat);
        return new Decoded(zHat, hs.scales(), hs.means(), idx, yHat, xHat);
    }
}
