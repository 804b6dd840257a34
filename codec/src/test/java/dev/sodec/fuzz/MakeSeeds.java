package dev.sodec.fuzz;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.conformance.GoldenCase;
import dev.sodec.codec.entropy.CdfTables;
import dev.sodec.codec.entropy.RansEncoder;
import dev.sodec.codec.onedc.format.OneDcFile;
import dev.sodec.codec.onedc.format.OneDcSdc;
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
 * {@code java -cp <fuzz test classpath> dev.sodec.fuzz.MakeSeeds ../shared}, or with a second argument {@code onedc}
 * for the OneDC targets' seeds only ({@link #oneDc}). (codec/src/test/fuzz-seeds/make_python_seeds.py writes the
 * weight-file seeds.)
 */
public final class MakeSeeds {
    private static final Path RES = Path.of("codec/src/test/resources/dev/sodec/fuzz");

    public static void main(String[] args) throws Exception {
        System.setProperty("sodec.shared", args.length > 0 ? args[0] : "../shared");
        Path shared = Path.of(System.getProperty("sodec.shared"));
        if (args.length > 1 && args[1].equals("onedc")) {
            oneDc(shared);
            return;
        }
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

    /**
     * The OneDC targets' seeds ({@code MakeSeeds ../shared onedc} writes only these): the golden {@code onedc.rans.*}
     * and {@code onedc.four_part} reference streams framed as {@link OneDcRansFuzzTest} reads them; the golden
     * {@code onedc.container}, {@code onedc.codec} and {@code onedc.pipeline} files; crops of a shared photo compressed
     * by the tiny OneDC model ({@link OneDcModelFile}) as {@code .sdc}, as OneDC's {@code .bin}, z-only, and with a caption.
     */
    static void oneDc(Path shared) throws Exception {
        Path golden = shared.resolve("golden");
        try (GoldenCase c = GoldenCase.open(golden.resolve("onedc.rans.gauss.4calls"))) {
            write("OneDcRansFuzzTest", "onedcRans", "golden_gauss_4calls.bin",
                    ransInput(0, 4, c.input("indexes").toIntArray(), c.expected("bytes").toByteArray()));
        }
        for (int t = 0; t < OneDcRansFuzzTest.GOLDEN_TABLES.length; t++) {
            String id = OneDcRansFuzzTest.GOLDEN_TABLES[t];
            try (GoldenCase c = GoldenCase.open(golden.resolve(id))) {
                write("OneDcRansFuzzTest", "onedcRans", "golden_" + id.substring("onedc.rans.".length()).replace('.', '_') + ".bin",
                        ransInput(1 + t, c.input("call_sizes").dim(0), c.input("indexes").toIntArray(), c.expected("bytes").toByteArray()));
            }
        }
        try (GoldenCase c = GoldenCase.open(golden.resolve("onedc.four_part.n32"))) {
            ByteArrayOutputStream idx = new ByteArrayOutputStream();
            int n = 0;
            for (int k = 0; k < 4; k++) {
                for (int i : c.expected("indexes_" + k).toIntArray()) {
                    idx.write(i);
                    n++;
                }
            }
            int[] all = new int[n];
            byte[] ib = idx.toByteArray();
            for (int i = 0; i < n; i++) all[i] = ib[i] & 0xFF;
            write("OneDcRansFuzzTest", "onedcRans", "golden_four_part_n32.bin", ransInput(0, 4, all, c.expected("y_stream").toByteArray()));
        }
        try (GoldenCase c = GoldenCase.open(golden.resolve("onedc.container.100x130"))) {
            write("OneDcContainerFuzzTest", "onedcContainer", "golden_container_100x130.bin", c.expected("file").toByteArray());
        }
        try (GoldenCase c = GoldenCase.open(golden.resolve("onedc.codec.128x192"))) {
            write("OneDcContainerFuzzTest", "onedcContainer", "golden_codec_128x192.bin", c.expected("file").toByteArray());
        }
        try (GoldenCase c = GoldenCase.open(golden.resolve("onedc.pipeline.100x130"))) {
            write("OneDcContainerFuzzTest", "onedcContainer", "golden_pipeline_100x130.bin", c.input("file").toByteArray());
        }
        BufferedImage photo = ImageIO.read(shared.resolve("images/chelsea.png").toFile());
        CodecOptions small = CodecOptions.defaults().withThreads(1).withMaxPixels(DecodeHarness.MAX_PIXELS);
        try (SodecCodec onedc = SodecCodec.load(OneDcModelFile.write(), small)) {
            for (int[] c : new int[][] {{64, 64}, {100, 50}, {60, 120}, {33, 17}, {1, 1}}) {
                byte[] sdc = onedc.compress(crop(photo, c[0], c[1]));
                String name = "chelsea_" + c[0] + "x" + c[1];
                byte[] bin = OneDcSdc.read(sdc).file().encode();
                for (String target : new String[] {"OneDcDecodeFuzzTest", "OneDcContainerFuzzTest"}) {
                    String method = target.equals("OneDcDecodeFuzzTest") ? "onedcDecode" : "onedcContainer";
                    write(target, method, name + ".sdc", sdc);
                    write(target, method, name + ".bin", bin);
                }
                if (c[0] == 64) {
                    OneDcSdc.Parsed p = OneDcSdc.read(sdc);
                    OneDcFile f = p.file();
                    OneDcFile zOnly = new OneDcFile(f.geometry(), new byte[0], f.zStream());
                    OneDcFile captioned = new OneDcFile(f.geometry(), f.yStream(), f.zStream(), "a cat".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    for (String target : new String[] {"OneDcDecodeFuzzTest", "OneDcContainerFuzzTest"}) {
                        String method = target.equals("OneDcDecodeFuzzTest") ? "onedcDecode" : "onedcContainer";
                        write(target, method, name + "_z_only.sdc", OneDcSdc.toSdc(zOnly, p.modelId()).encode());
                        write(target, method, name + "_caption.sdc", OneDcSdc.toSdc(captioned, p.modelId()).encode());
                        write(target, method, name + "_caption.bin", captioned.encode());
                    }
                }
            }
        }
    }

    /** {@link OneDcRansFuzzTest}'s framing: table and call count, symbol count, index bytes, stream. */
    private static byte[] ransInput(int table, int calls, int[] indexes, byte[] stream) {
        if (indexes.length > OneDcRansFuzzTest.MAX_SYMBOLS) throw new IllegalArgumentException(indexes.length + " symbols");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(table | (calls - 1) << 2);
        b.write(indexes.length & 0xFF);
        b.write(indexes.length >> 8);
        for (int i : indexes) b.write(i < 0 ? 0xFF : i);
        b.write(stream, 0, stream.length);
        return b.toByteArray();
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
