package dev.sodec.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sodec.codec.bench.Stats;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.memory.ProcessMemory;
import dev.sodec.engine.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ONNX Runtime column of the side-by-side comparison (bench/compare_ort.sh): one SD 2.1 UNet forward and one SD
 * VAE decode per size through ONNX Runtime's Java API on CPU, on the networks bench/python/export_onnx.py exported
 * from the same torch modules and weights the PyTorch column uses, with the same inputs
 * ({@code DIR/inputs.safetensors}) and the same thread count (intra-op threads; inter-op 1, sequential execution).
 * One warm-up call per network and size, then {@code RUNS} timed calls; prints {@code RESULT ort ...} lines like the
 * engine's and torch's and writes the outputs to {@code DIR/ort_out.safetensors} for the cross-check.
 *
 * <p>usage: OrtCompare DIR THREADS RUNS SIZE...
 */
public final class OrtCompare {
    private OrtCompare() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) throw new IllegalArgumentException("usage: OrtCompare DIR THREADS RUNS SIZE...");
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]), runs = Integer.parseInt(args[2]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, Tensor> outs = new LinkedHashMap<>();
        try (SafeTensors inputs = SafeTensors.open(dir.resolve("inputs.safetensors"));
             OrtSession.SessionOptions so = sessionOptions(threads)) {
            Map<String, Tensor> in = inputs.tensors();
            for (int i = 3; i < args.length; i++) {
                String size = args[i];
                Tensor x = need(in, "sample_" + size), ctx = need(in, "ctx"), z = need(in, "latent_" + size);
                double[] tu = new double[runs], tv = new double[runs];
                try (OrtSession unet = env.createSession(onnx(dir, "unet_" + size + "/model"), so)) {
                    outs.put("eps_" + size, time(env, unet, Map.of("sample", x, "ctx", ctx), "eps", tu));
                }
                try (OrtSession vae = env.createSession(onnx(dir, "vae_" + size), so)) {
                    outs.put("image_" + size, time(env, vae, Map.of("latent", z), "image", tv));
                }
                System.out.printf("RESULT ort size=%s unet_s=%.3f vae_s=%.3f unet_min_s=%.3f unet_max_s=%.3f vae_min_s=%.3f vae_max_s=%.3f runs=%d%n",
                        size, Stats.median(tu), Stats.median(tv),
                        Stats.min(tu), Stats.max(tu),
                        Stats.min(tv), Stats.max(tv), runs);
            }
        }
        SafeTensorsWriter.write(dir.resolve("ort_out.safetensors"), outs, Map.of());
        System.out.printf("RESULT ort peak_rss_mib=%d threads=%d%n", ProcessMemory.peakRssBytes() >> 20, threads);
    }

    /**
     * The side-by-side's ORT settings: {@code threads} intra-op threads, inter-op 1, sequential, all graph
     * optimisations. ORT's pool threads spin between ops by default, which costs it dearly on a machine shared with
     * other jobs (the engine's and torch's pools park); ORT_SPIN=1 restores the default for an idle machine.
     */
    static OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(threads);
        so.setInterOpNumThreads(1);
        so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (!"1".equals(System.getenv("ORT_SPIN"))) so.addConfigEntry("session.intra_op.allow_spinning", "0");
        return so;
    }

    static String onnx(Path dir, String name) {
        Path p = dir.resolve(name + ".onnx");
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException(p + " missing: run bench/python/export_onnx.py first");
        return p.toString();
    }

    static Tensor need(Map<String, Tensor> in, String name) {
        Tensor t = in.get(name);
        if (t == null) throw new IllegalArgumentException("inputs.safetensors has no '" + name + "'");
        return t;
    }

    /** One warm-up run, then {@code sec.length} timed runs (seconds into {@code sec}); returns the last output. */
    private static Tensor time(OrtEnvironment env, OrtSession s, Map<String, Tensor> inputs, String output, double[] sec)
            throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) feed.put(e.getKey(), toOrt(env, e.getValue()));
            Tensor last = null;
            for (int r = -1; r < sec.length; r++) {
                long t0 = System.nanoTime();
                try (OrtSession.Result res = s.run(feed)) {
                    if (r >= 0) sec[r] = (System.nanoTime() - t0) / 1e9;
                    last = output(res, output);
                }
            }
            return last;
        } finally {
            for (OnnxTensor t : feed.values()) t.close();
        }
    }

    /** The named output of an ORT run as an F32 tensor. */
    static Tensor output(OrtSession.Result res, String name) throws OrtException {
        OnnxTensor o = (OnnxTensor) res.get(name).orElseThrow(() -> new IllegalStateException("no output " + name));
        long[] shape = o.getInfo().getShape();
        int[] ishape = new int[shape.length];
        for (int i = 0; i < shape.length; i++) ishape[i] = Math.toIntExact(shape[i]);
        FloatBuffer fb = o.getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return Tensor.fromFloats(v, ishape);
    }

    static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        float[] v = t.toFloatArray();
        int[] s = t.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = s[i];
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
    }
}
