package dev.sodec.fuzz;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.RansEncoder;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.io.SafeTensorsWriter;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes the committed seed inputs that the engine's own writers make: .sdc streams of small crops of the shared
 * test photos (shipped hyperprior and the golden SODEC model), rANS inputs from the real encoder, a small valid
 * safetensors model-style file, and small PNG/JPEG files of each kind the image path meets. Not a test; run once:
 * {@code java -cp <fuzz test classpath> dev.sodec.fuzz.MakeSeeds ../shared}. (codec/src/test/fuzz-seeds/make_python_seeds.py
 * writes the weight-file seeds.)
 */
public final class MakeSeeds {
    private static final Path RES = Path.of("codec/src/test/resources/dev/sodec/fuzz");

    public static void main(String[] args) throws Exception {
        System.setProperty("sodec.shared", args.length > 0 ? args[0] : "../shared");
        Path shared = Path.of(System.getProperty("sodec.shared"));
        BufferedImage photo = ImageIO.read(shared.resolve("images/coffee.png").toFile());
        BufferedImage astro = ImageIO.read(shared.resolve("images/astronaut.png").toFile());
        int[][] crops = {{1, 1}, {64, 64}, {100, 50}, {60, 120}, {33, 17}};
        CodecOptions small = CodecOptions.defaults().withThreads(1).withMaxPixels(DecodeHarness.MAX_PIXELS);
        try (SodecCodec hp = SodecCodec.load(BundledModel.file(), small)) {
            for (int[] c : crops) {
                byte[] sdc = hp.compress(crop(photo, c[0], c[1]));
                write("HyperpriorDecodeFuzzTest", "hyperprior", "coffee_" + c[0] + "x" + c[1] + ".sdc", sdc);
                write("ContainerFuzzTest", "container", "coffee_" + c[0] + "x" + c[1] + ".sdc", sdc);
            }
        }
        try (SodecCodec sodec = SodecCodec.load(SodecModelFile.write(), small)) {
            for (int[] c : new int[][] {{64, 64}, {48, 32}}) {
                write("SodecDecodeFuzzTest", "sodec", "astronaut_" + c[0] + "x" + c[1] + ".sdc", sodec.compress(crop(astro, c[0], c[1])));
            }
        }
        Random r = new Random(18);
        try (SafeTensors st = SafeTensors.open(BundledModel.file())) {
            String[] modules = {"gaussian_conditional", "entropy_bottleneck"};
            for (int tb = 0; tb < 2; tb++) {
                CdfTables t = CdfTables.of(st.get(modules[tb] + "._quantized_cdf"), st.get(modules[tb] + "._cdf_length"),
                        st.get(modules[tb] + "._offset"));
                for (int n : new int[] {1, 40, 300}) {
                    int[] idx = new int[n], sym = new int[n];
                    for (int i = 0; i < n; i++) {
                        idx[i] = r.nextInt(Math.min(256, t.rows())); // the harness reads one index byte, mod rows
                        sym[i] = r.nextInt(30) == 0 ? r.nextInt(2000) - 1000 : (int) Math.rint(r.nextGaussian() * 3);
                    }
                    byte[] stream = RansEncoder.encodeOnce(sym, idx, t);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write(tb);
                    b.write(n & 0xFF);
                    b.write(n >> 8);
                    for (int i : idx) b.write(i);
                    b.write(stream);
                    write("RansFuzzTest", "rans", modules[tb] + "_" + n + ".bin", b.toByteArray());
                }
            }
        }
        Path st = Files.createTempFile("seed", ".safetensors");
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("g_a.0.weight", Tensor.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        w.put("entropy_bottleneck._offset", Tensor.fromInts(new int[] {-3, -2}, 2));
        w.put("empty", Tensor.fromFloats(new float[0], 0, 4));
        SafeTensorsWriter.write(st, w, Map.of("config", "{\"architecture\":\"mbt2018-mean\",\"N\":2,\"M\":3}", "format_version", "1"));
        write("SafeTensorsFuzzTest", "safetensors", "model_style.safetensors", Files.readAllBytes(st));
        for (String b : new String[] {"overlap", "past_eof", "header_too_long"}) {
            write("SafeTensorsFuzzTest", "safetensors", b + ".safetensors", Files.readAllBytes(shared.resolve("checkpoints/broken/" + b + ".safetensors")));
        }
        write("TorchFileFuzzTest", "torchFile", "model_style.safetensors", Files.readAllBytes(st));
        Files.delete(st);

        BufferedImage rgb = crop(photo, 16, 12);
        write("ImageInputFuzzTest", "image", "rgb.png", encode(rgb, "png"));
        write("ImageInputFuzzTest", "image", "rgb.jpg", encode(rgb, "jpeg"));
        write("ImageInputFuzzTest", "image", "gray.png", encode(convert(rgb, BufferedImage.TYPE_BYTE_GRAY), "png"));
        write("ImageInputFuzzTest", "image", "gray.jpg", encode(convert(rgb, BufferedImage.TYPE_BYTE_GRAY), "jpeg"));
        write("ImageInputFuzzTest", "image", "argb.png", encode(convert(rgb, BufferedImage.TYPE_INT_ARGB), "png"));
        byte[] lut = new byte[4];
        for (int i = 0; i < 4; i++) lut[i] = (byte) (i * 85);
        BufferedImage pal = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 4, lut, lut, lut));
        write("ImageInputFuzzTest", "image", "palette.png", encode(pal, "png"));
    }

    private static BufferedImage crop(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(src.getSubimage(0, 0, w, h), 0, 0, null);
        return out;
    }

    private static BufferedImage convert(BufferedImage src, int type) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), type);
        out.getGraphics().drawImage(src, 0, 0, null);
        return out;
    }

    private static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, b)) throw new IllegalStateException("no " + format + " writer");
        return b.toByteArray();
    }

    private static void write(String cls, String method, String name, byte[] data) throws Exception {
        Path d = RES.resolve(cls + "Inputs").resolve(method);
        Files.createDirectories(d);
        Files.write(d.resolve(name), data);
        System.out.println(d.resolve(name) + " " + data.length + " bytes");
    }
}
