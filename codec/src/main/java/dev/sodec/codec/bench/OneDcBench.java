package dev.sodec.codec.bench;

import dev.sodec.codec.onedc.OneDcCodec;
import dev.sodec.codec.onedc.OneDcModel;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.codec.onedc.format.OneDcSdc;
import dev.sodec.codec.onedc.OneDcImages;
import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Transfers;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Profile;
import dev.sodec.engine.memory.ProcessMemory;
import dev.sodec.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times a OneDC model's encode and decode stage by stage, as the codec runs them: {@code encode} (VAE encoder mean,
 * codec encoder, hyper encoder, FSQ, the fixed-order prior and the four-part rANS), then the decoder's
 * {@code entropy} (z unpacking, the fixed-order hyper decoder and prior networks, rANS: everything on the host) and
 * the stages of its one graph: {@code semantic} (z_semantic and the semantic adaptor), {@code codec_dec},
 * {@code unet} (one call at t = 999 with vae_reduction and x0) and {@code vae} (decoder and crop), and
 * {@code decode} around the whole decoder. Stage rows are summed node times, so they add up to the graph's share.
 */
public final class OneDcBench {
    private final OneDcModel model;
    private Profile profile;

    public OneDcBench(OneDcModel model) {
        this.model = model;
    }

    /** Adds every node's time of the timed decodes to {@code p} by op type. */
    public OneDcBench profiled(Profile p) {
        this.profile = p;
        return this;
    }

    /** @param x (1, 3, H, W) in [0, 1], any size (padded as the codec pads) */
    public PipelineBench.Result run(Backend b, Tensor x, int warmup, int runs, String modelName, long parameters) {
        if (runs < 1) throw new IllegalArgumentException("runs must be >= 1");
        if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0");
        OneDcGeometry geo = new OneDcGeometry(x.dim(2), x.dim(3));
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] = v[i] * 2f - 1f;
        Tensor input = OneDcImages.pad(Tensor.fromFloats(v, x.shape()), geo, model.config().zOnly());
        Map<String, double[]> ms = new LinkedHashMap<>();
        List<PipelineBench.RunInfo> infos = new ArrayList<>();
        long bytes = 0;
        try (Parallel par = new Parallel(b.threads())) {
            for (int i = -warmup; i < runs; i++) {
                Map<String, Double> one = new LinkedHashMap<>();
                PipelineBench.RunInfo[] info = new PipelineBench.RunInfo[1];
                bytes = once(b, par, input, geo, one, info, i >= 0 ? profile : null);
                if (i < 0) continue;
                infos.add(info[0]);
                for (Map.Entry<String, Double> e : one.entrySet()) ms.computeIfAbsent(e.getKey(), k -> new double[runs])[i] = e.getValue();
            }
        } finally {
            model.codec().release(b);
        }
        List<PipelineBench.Stage> stages = new ArrayList<>();
        ms.forEach((k, vals) -> stages.add(new PipelineBench.Stage(k, vals)));
        return new PipelineBench.Result(modelName, parameters, geo.width(), geo.height(), b.name(), b.threads(), warmup, runs,
                bytes, bytes * 8.0 / ((long) geo.width() * geo.height()), ProcessMemory.peakRssBytes(), stages, infos);
    }

    private long once(Backend b, Parallel par, Tensor x, OneDcGeometry geo, Map<String, Double> out, PipelineBench.RunInfo[] info, Profile p) {
        OneDcCodec codec = model.codec();
        long t0 = System.nanoTime();
        OneDcCodec.Encoded e = codec.encode(b, par, x, null, geo, model.config().zOnly());
        byte[] sdc = OneDcSdc.toSdc(e.file(), model.modelId()).encode();
        long t1 = System.nanoTime();
        out.put("encode", (t1 - t0) / 1e6);

        long d0 = System.nanoTime();
        OneDcFile file = OneDcSdc.read(sdc).file();
        OneDcCodec.Latents l = codec.entropyDecode(par, file);
        long d1 = System.nanoTime();
        out.put("entropy", (d1 - d0) / 1e6);
        Executable ex = codec.decodeExecutable(b, l.yHat(), l.zHat(), geo);
        PipelineBench.StageTimer timer = new PipelineBench.StageTimer(p);
        Transfers before = b.transfers();
        Tensor image = ex.run(timer, l.yHat(), l.zHat())[0];
        long dEnd = System.nanoTime();
        info[0] = new PipelineBench.RunInfo(b.transfers().minus(before), ex.nodes(), ex.arenaBytes());
        timer.nanos.forEach((stage, ns) -> out.put(stage, ns / 1e6));
        out.put("decode", (dEnd - d0) / 1e6);
        if (image.numel() != 3L * geo.width() * geo.height()) throw new IllegalStateException("decoded " + image + " for a " + geo.width() + "x" + geo.height() + " image");
        return sdc.length;
    }
}
