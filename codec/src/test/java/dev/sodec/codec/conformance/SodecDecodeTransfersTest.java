package dev.sodec.codec.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.compression.HyperpriorCodec;
import dev.sodec.codec.sodec.SodecModel;
import dev.sodec.engine.backend.Backends;
import dev.sodec.engine.backend.Transfers;
import dev.sodec.engine.cpu.Parallel;
import dev.sodec.engine.cuda.CudaBackend;
import dev.sodec.engine.graph.Executable;
import dev.sodec.engine.graph.Node;
import dev.sodec.engine.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A whole SODEC decode (g_s, ViT guidance, Hs/Ts, UNet, x0, VAE: one planned graph) on {@code cuda-emulated}, from
 * the golden {@code pipeline.sodec} case's strings: the first run uploads every constant once; every run after it
 * moves only the two entropy-decoded latents up and the image down; the arena is bounded below by the largest
 * value that must exist and well below the sum of all activations; the image matches the golden x_hat.
 */
class SodecDecodeTransfersTest {
    private static final Path CASE = Path.of(System.getProperty("sodec.shared")).resolve("golden/pipeline.sodec");

    @Test
    void decodeMovesOnlyLatentsUpAndTheImageDown() throws Exception {
        try (GoldenCase c = GoldenCase.open(CASE); SodecModel m = SodecKinds.model(c);
             CudaBackend be = (CudaBackend) Backends.create("cuda-emulated", 2); Parallel par = new Parallel(2)) {
            int[] zs = c.expected("z_shape").toIntArray();
            HyperpriorCodec.Latents l = m.compression().codec().entropyDecode(par, c.expected("y_string").toByteArray(),
                    c.expected("z_string").toByteArray(), zs[0], zs[1]);
            Transfers t0 = be.transfers();
            Executable e = m.decoder().executable(be, l.yHat(), l.zHat());
            Transfers prepared = be.transfers().minus(t0);
            assertEquals(e.schedule().constants.size(), prepared.weightUploads(), "every constant uploaded once, when prepared");
            assertEquals(be.residentConstants(), e.schedule().constants.size());

            long latentBytes = (l.yHat().numel() + l.zHat().numel()) * 4, imageBytes = 3L * zs[0] * 64 * zs[1] * 64 * 4;
            Tensor first = null;
            for (int run = 0; run < 3; run++) {
                Transfers before = be.transfers();
                Tensor img = m.decoder().decode(be, l.yHat(), l.zHat());
                Transfers t = be.transfers().minus(before);
                assertEquals(new Transfers(2, latentBytes, 1, imageBytes, 0, 0), t, "run " + run);
                if (first == null) first = img;
                else assertEquals(java.util.Arrays.toString(first.toFloatArray()).hashCode(),
                        java.util.Arrays.toString(img.toFloatArray()).hashCode(), "replays give the same image");
            }
            double[] tol = c.tolerance("x_hat");
            Comparison cmp = Comparison.compare("x_hat", first, c.expected("x_hat"), tol[0], tol[1]);
            assertTrue(cmp.pass(), cmp.toString());

            long largest = 0;
            for (Node n : e.schedule().nodes) largest = Math.max(largest, n.numel() * 4);
            assertTrue(e.arenaBytes() >= largest, "the arena holds the largest value");
            assertTrue(e.arenaBytes() * 4 < e.unplannedBytes(), "arena " + e.arenaBytes() + " vs unplanned " + e.unplannedBytes());
            System.out.printf("pipeline.sodec decode on cuda-emulated: %d nodes, arena %d bytes (unplanned %d), %d constants%n",
                    e.nodes(), e.arenaBytes(), e.unplannedBytes(), e.schedule().constants.size());
        }
    }
}
