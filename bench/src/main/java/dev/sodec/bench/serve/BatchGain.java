package dev.sodec.bench.serve;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.PreparedDecode;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.image.ImageFiles;
import dev.sodec.codec.models.BundledModels;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What batching buys on a backend, without HTTP: the network part of a decode ({@link SodecCodec#decompressBatch})
 * at batch sizes 1, 2, 4, 8 on one image's latents, each size compiled and run once before timing, then the median
 * of R runs as milliseconds per image. This is what {@code sodec serve --max-batch} trades against latency.
 *
 * <pre>BatchGain IMAGE [--backend cpu] [--threads 0] [--runs 5] [--model low]</pre>
 */
public final class BatchGain {
    private BatchGain() {}

    public static void main(String[] args) throws Exception {
        String backend = "cpu", model = "low";
        int threads = 0, runs = 5;
        Path image = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--model" -> model = args[++i];
                default -> image = Path.of(args[i]);
            }
        }
        if (image == null) throw new IllegalArgumentException("usage: BatchGain IMAGE [--backend B] [--threads N] [--runs R]");
        CodecOptions opt = CodecOptions.defaults().withBackend(backend).withThreads(threads);
        try (SodecCodec codec = SodecCodec.load(BundledModels.byName(model).orElseThrow(), opt)) {
            BufferedImage img = ImageFiles.decode(Files.readAllBytes(image), image.toString(), opt.maxPixels(), 0xFFFFFF).image();
            byte[] sdc = codec.compress(img);
            System.out.printf(Locale.ROOT, "backend %s, %dx%d, model %s, %d runs per size (median)%n", backend, img.getWidth(),
                    img.getHeight(), model, runs);
            double single = 0;
            for (int n = 1; n <= 8; n *= 2) {
                List<PreparedDecode> batch = new ArrayList<>();
                for (int i = 0; i < n; i++) batch.add(codec.prepareDecompress(sdc, false));
                codec.decompressBatch(batch); // compiles this batch size's graph
                List<Double> ms = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    long t = System.nanoTime();
                    codec.decompressBatch(batch);
                    ms.add((System.nanoTime() - t) / 1e6);
                }
                Collections.sort(ms);
                double perImage = ms.get(runs / 2) / n;
                if (n == 1) single = perImage;
                System.out.printf(Locale.ROOT, "batch %d: %8.1f ms per call, %7.1f ms per image, %.2fx the throughput of batch 1%n",
                        n, ms.get(runs / 2), perImage, single / perImage);
            }
        }
    }
}
