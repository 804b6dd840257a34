package dev.sodec.codec.onedc;

import dev.sodec.codec.onedc.entropy.FourPartPrior;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.fsq.Fsq;
import dev.sodec.codec.onedc.fsq.ZPacking;
import dev.sodec.codec.onedc.net.CodecEncoder;
import dev.sodec.codec.onedc.net.IntraNoArConfig;
import dev.sodec.codec.onedc.net.SemanticAdaptor;
import dev.sodec.codec.onedc.unet.OneStepUNet;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Graph;
import dev.sodec.engine.graph.GraphCache;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * OneDC's compress and decompress on tensors (model_sd15_with_codec_stage1.py encode / decode, codec_module.py
 * IntraNoAR _compress / _decompress), split the way determinism needs it:
 * <ul>
 *   <li>the networks that only shape the picture run as planned graphs on the caller's backend, one graph per
 *       direction and size: encode = (VAE encoder mean x scaling_factor,) codec encoder, hyper encoder; decode =
 *       z_semantic, semantic adaptor, codec decoder, UNet at t = 999 with vae_reduction and x0, VAE decoder, crop;</li>
 *   <li>everything that selects CDF tables or feeds y_hat runs on the host: FSQ, the hyper decoder's entropy branch
 *       and the prior networks on the fixed-order path ({@link FixedOrderPrior}), the four-part prior and the rANS
 *       coder, so the bytes and y_hat do not depend on the backend or the thread count.</li>
 * </ul>
 * The encoder quantizes from the codes the decoder will rebuild from the indices, so both sides start the prior from
 * the same bits. Safe to call from many threads.
 */
public final class OneDcCodec implements AutoCloseable {
    private static final String[] X = {"x"}, X_COND = {"x", "cond"}, LATENTS = {"y_hat", "z_hat"};

    private final IntraNoArConfig codecConfig;
    private final double scalingFactor;
    private final OneDcNetworks nets;
    private final FixedOrderPrior prior;
    private final Fsq fsq;
    private final GraphCache graphs = new GraphCache();

    /**
     * @param codecConfig the codec's sizes
     * @param scalingFactor the VAE's scaling factor
     */
    public OneDcCodec(IntraNoArConfig codecConfig, double scalingFactor, OneDcNetworks nets) {
        this.codecConfig = codecConfig;
        this.scalingFactor = scalingFactor;
        this.nets = nets;
        this.prior = new FixedOrderPrior(nets.hyperDecoder(), nets.fusion(), nets.spatialPrior());
        this.fsq = codecConfig.fsq();
    }

    public OneDcNetworks networks() { return nets; }

    /** What the encoder computed (the golden codec case compares each). */
    public record Encoded(OneDcFile file, Tensor cond, Tensor y, Tensor sem, Tensor z, int[] zIndices, Tensor zHat,
                          Tensor params, Tensor yHat) {}

    /**
     * Encodes an image already padded to multiples of 64.
     *
     * @param x (1, 3, padH, padW) in [-1, 1]
     * @param cond the scaled VAE latent (1, cond_ch, padH/8, padW/8), or null to compute it as the VAE encoder's mean
     *     times scaling_factor (the reference samples the latent distribution; the mean is deterministic)
     * @param geometry the original size (its padded size must be x's)
     * @param zOnly write no y stream (the z-only variant)
     */
    public Encoded encode(Backend b, Parallel par, Tensor x, Tensor cond, OneDcGeometry geometry, boolean zOnly) {
        if (nets.encoder() == null || nets.hyperEncoder() == null) throw new IllegalStateException("this OneDC model file has no encoder (decode only)");
        int[] want = {1, 3, geometry.paddedHeight(), geometry.paddedWidth()};
        if (!Arrays.equals(x.shape(), want)) {
            throw new IllegalArgumentException("encode expects x " + Arrays.toString(want) + " for a " + geometry.width() + "x" + geometry.height() + " image, got " + Arrays.toString(x.shape()));
        }
        Tensor[] r;
        if (cond == null) {
            if (nets.vaeEncoder() == null) throw new IllegalStateException("this OneDC model file has no VAE encoder (vae.encoder.*), which compress needs");
            r = graphs.run(b, "encode", X, new Tensor[] {x}, (g, in) -> recordEncode(g, in[0], null));
        } else {
            r = graphs.run(b, "encode-cond", X_COND, new Tensor[] {x, cond}, (g, in) -> recordEncode(g, in[0], in[1]));
        }
        Tensor c = r[0], y = r[1], sem = r[2], z = r[3];
        int[] indices = fsq.indices(fsq.codes(z.toFloatArray()));
        Tensor zHat = codes(indices, z.dim(2), z.dim(3));
        Tensor params = prior.params(par, zHat);
        byte[] yStream = new byte[0];
        Tensor yHat;
        FourPartPrior fp = FourPartPrior.forShape(y.shape());
        if (zOnly) {
            yHat = fp.meansOnly(params, prior.spatial(par));
        } else {
            FourPartPrior.Encoded e = fp.compress(y, params, prior.spatial(par));
            yStream = e.stream();
            yHat = e.yHat();
        }
        OneDcFile file = new OneDcFile(geometry, yStream, ZPacking.pack(indices, fsq.indexBits()));
        return new Encoded(file, c, y, sem, z, indices, zHat, params, yHat);
    }

    /** The encoder's VAE latent: the latent distribution's mean times scaling_factor (1, cond_ch, H/8, W/8). */
    public Tensor latent(Backend b, Tensor x) {
        if (nets.vaeEncoder() == null) throw new IllegalStateException("this OneDC model file has no VAE encoder (vae.encoder.*)");
        return graphs.run(b, "latent", X, new Tensor[] {x}, (g, in) -> g.output("cond", g.scale(nets.vaeEncoder().mean(g, in[0]), (float) scalingFactor, 0f)))[0];
    }

    private void recordEncode(Graph g, Node x, Node cond) {
        g.stage("vae_enc");
        Node c = cond != null ? cond : g.scale(nets.vaeEncoder().mean(g, x), (float) scalingFactor, 0f);
        g.stage("codec_enc");
        CodecEncoder.Output o = nets.encoder().forward(g, x, c);
        Node z = nets.hyperEncoder().forward(g, o.y(), o.sem());
        g.stage(null);
        g.output("cond", c);
        g.output("y", o.y());
        g.output("sem", o.sem());
        g.output("z", z);
    }

    /** z_hat (1, dims, h, w): the FSQ codes of the indices. */
    private Tensor codes(int[] indices, int h, int w) {
        return Tensor.fromFloats(fsq.codesOf(indices), 1, fsq.dims(), h, w);
    }

    /** What entropy decoding gives, before any network runs on a backend. */
    public record Latents(int[] zIndices, Tensor zHat, Tensor params, Tensor yHat) {}

    /**
     * z from its bytes, the prior on the fixed-order path, y_hat from the y stream (or the prior's means for a
     * z-only file).
     *
     * @throws dev.sodec.codec.entropy.CorruptStreamException for streams this model cannot have written
     */
    public Latents entropyDecode(Parallel par, OneDcFile file) {
        OneDcGeometry geo = file.geometry();
        int[] indices = ZPacking.unpack(file.zStream(), geo.zCount(), fsq.indexBits());
        Tensor zHat = codes(indices, geo.zHeight(), geo.zWidth());
        Tensor params = prior.params(par, zHat);
        FourPartPrior fp = new FourPartPrior(codecConfig.n(), geo.yHeight(), geo.yWidth());
        Tensor yHat = file.zOnly() ? fp.meansOnly(params, prior.spatial(par)) : fp.decompress(file.yStream(), params, prior.spatial(par));
        return new Latents(indices, zHat, params, yHat);
    }

    /** The decoded image (1, 3, H, W), about [-1, 1], not clamped (the reference decode's return value). */
    public Tensor decode(Backend b, Tensor yHat, Tensor zHat, OneDcGeometry geometry) {
        return decodeExecutable(b, yHat, zHat, geometry).run(yHat, zHat)[0];
    }

    /** The compiled decode for these latents and this crop (what {@link #decode} runs; the bench profiles it). */
    public Executable decodeExecutable(Backend b, Tensor yHat, Tensor zHat, OneDcGeometry geometry) {
        return graphs.executable(b, "decode " + geometry.height() + "x" + geometry.width(), LATENTS, new Tensor[] {yHat, zHat},
                (g, in) -> recordDecode(g, in[0], in[1], geometry, false));
    }

    /** The codec's own reconstruction: y_semantic and the codec decoder's x_hat (the UNet's input). */
    public record CodecDecoded(Tensor ySemantic, Tensor xHat) {}

    /** The codec half of the decode (no UNet or VAE): what the codec golden case compares. */
    public CodecDecoded decodeCodec(Backend b, Tensor yHat, Tensor zHat) {
        Tensor[] r = graphs.run(b, "decode-codec", LATENTS, new Tensor[] {yHat, zHat}, (g, in) -> {
            Node ySem = g.output("y_semantic", nets.adaptor().forward(g, nets.hyperDecoder().semantic(g, in[1])));
            g.output("x_hat", nets.decoder().forward(g, in[0], ySem));
        });
        return new CodecDecoded(r[0], r[1]);
    }

    /** Every intermediate of a decode (the pipeline golden case compares each). */
    public record Decoded(Tensor ySemantic, Tensor xHat, Tensor context, Tensor eps, Tensor xT, Tensor x0, Tensor image) {}

    public Decoded decodeAll(Backend b, Tensor yHat, Tensor zHat, OneDcGeometry geometry) {
        Tensor[] r = graphs.run(b, "decode-all " + geometry.height() + "x" + geometry.width(), LATENTS, new Tensor[] {yHat, zHat},
                (g, in) -> recordDecode(g, in[0], in[1], geometry, true));
        return new Decoded(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    }

    /** The decoder after entropy decoding, as one graph; every intermediate an output when {@code all}. */
    private void recordDecode(Graph g, Node yHat, Node zHat, OneDcGeometry geo, boolean all) {
        if (nets.unet() == null || nets.vaeDecoder() == null) throw new IllegalStateException("a codec without its UNet and VAE decodes only to x_hat (decodeCodec)");
        g.stage("semantic");
        Node ySem = nets.adaptor().forward(g, nets.hyperDecoder().semantic(g, zHat));
        g.stage("codec_dec");
        Node xHat = nets.decoder().forward(g, yHat, ySem);
        g.stage("unet");
        Node ctx = SemanticAdaptor.tokens(g, ySem);
        OneStepUNet.Output u = nets.unet().forward(g, xHat, ctx);
        g.stage("vae");
        Node img = nets.vaeDecoder().decode(g, g.scale(u.x0(), (float) (1.0 / scalingFactor), 0f));
        if (img.dim(2) != geo.paddedHeight() || img.dim(3) != geo.paddedWidth()) {
            throw new IllegalArgumentException("the VAE decodes " + img.dim(3) + "x" + img.dim(2) + " for a padded " + geo.paddedWidth() + "x" + geo.paddedHeight() + " image");
        }
        if (geo.height() != img.dim(2)) img = img.slice(2, 0, geo.height());
        if (geo.width() != img.dim(3)) img = img.slice(3, 0, geo.width());
        g.stage(null);
        if (all) {
            g.output("y_semantic", ySem);
            g.output("x_hat", xHat);
            g.output("context", ctx);
            g.output("eps", u.eps());
            g.output("x_t", u.xT());
            g.output("x0", u.x0());
        }
        g.output("image", img);
    }

    /** The compiled graphs (for stats). */
    public GraphCache graphs() {
        return graphs;
    }

    /** Frees the compiled graphs of {@code b} (before {@code b} closes). */
    public void release(Backend b) {
        graphs.forget(b);
    }

    @Override
    public void close() {
        graphs.close();
    }
}
