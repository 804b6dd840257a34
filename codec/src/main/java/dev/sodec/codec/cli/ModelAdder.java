package dev.sodec.codec.cli;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.entropy.CompressAiTableBuilder;
import dev.sodec.codec.io.IoMessages;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.models.QualityLadder;
import dev.sodec.codec.models.ReferencePhoto;
import dev.sodec.codec.models.UserModels;
import dev.sodec.convert.Converter;
import dev.sodec.engine.tensor.DType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sodec models add FILE [--name N]}: converts a CompressAI checkpoint into the model folder, measures its rate
 * on the reference photo and lists it in the folder's index, where {@code --model N} and the quality levels find it.
 * The model file and the index entry appear together or not at all.
 */
final class ModelAdder {
    private ModelAdder() {}

    /**
     * CompressAI's zoo file names: {@code <architecture>[-ms-ssim]-<quality>-<first 8 hex of sha256>.pth.tar}
     * (e.g. {@code mbt2018-mean-3-<hash>.pth.tar}, {@code bmshj2018-hyperprior-ms-ssim-3-<hash>.pth.tar}).
     */
    static final Pattern ZOO = Pattern.compile("(bmshj2018-hyperprior|mbt2018-mean)(-ms-ssim)?-([1-8])-[0-9a-f]{8}\\.pth\\.tar");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** The name a checkpoint file gets when --name is not given. */
    static String defaultName(Path file) {
        String f = file.getFileName().toString();
        Matcher m = ZOO.matcher(f);
        if (m.matches()) return m.group(1) + (m.group(2) == null ? "" : m.group(2)) + "-" + m.group(3);
        for (String ext : new String[] {".pth.tar", ".pth", ".pt", ".tar", ".safetensors"}) {
            if (f.endsWith(ext) && f.length() > ext.length()) return f.substring(0, f.length() - ext.length());
        }
        return f;
    }

    static int add(String fileArg, String nameArg, PrintStream out) throws Exception {
        Path in = Path.of(fileArg);
        if (Files.isDirectory(in)) throw new IOException(fileArg + ": is a folder; give the checkpoint file (.pth.tar)");
        if (!Files.isRegularFile(in)) throw new NoSuchFileException(fileArg, null, "no such checkpoint file");
        String name = nameArg != null ? nameArg : defaultName(in);
        if (!NAME.matcher(name).matches()) {
            throw new UsageException("model name '" + name + "' is not usable: letters, digits, '.', '_' and '-', at most 64,"
                    + " starting with a letter or digit (give --name N)");
        }
        if (BundledModels.ladder().stream().anyMatch(m -> m.name().equals(name))) {
            throw new UsageException("'" + name + "' is a shipped model's name: give another with --name N");
        }
        Path dir = ModelFinder.modelDir();
        UserModels index = UserModels.read(dir);
        if (index.fileOf(name).isPresent()) {
            throw new UsageException("a model named '" + name + "' was already added to " + dir
                    + " (index.json): give another --name, or remove its entry and file first");
        }
        Path target = dir.resolve(name + ".safetensors");
        if (Files.exists(target)) {
            throw new IOException(target + " exists and is not in " + dir.resolve(UserModels.INDEX)
                    + ": move it away or give another --name");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the model folder " + dir + " (" + IoMessages.reason(e)
                    + "): set SODEC_MODEL_DIR to a writable folder", e);
        }
        Path part = Files.createTempFile(dir, "." + name + "-", ".safetensors.part");
        try {
            Converter.convert(in, Converter.Options.of(Converter.Kind.COMPRESSAI).withTableBuilder(new CompressAiTableBuilder()),
                    part, DType.F32);
            double bpp;
            String arch;
            String shape;
            try (SodecCodec codec = SodecCodec.load(part, CodecOptions.defaults())) {
                arch = codec.architecture();
                shape = "N=" + codec.config().N() + " M=" + codec.config().M();
                bpp = ReferencePhoto.bitsPerPixel(codec::compress);
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target);
            }
            part = null;
            String description = String.format(Locale.ROOT, "%s %s, converted from %s", arch, shape, in.getFileName());
            try {
                index.with(new UserModels.Entry(name, target.getFileName().toString(), description, bpp));
            } catch (IOException e) {
                Files.deleteIfExists(target); // no model file without its entry
                throw e;
            }
            QualityLadder ladder = QualityLadder.installed();
            QualityLadder.Level level = ladder.byName(name).orElseThrow();
            out.printf(Locale.ROOT, "added '%s' (%s, %.4f bpp on the reference photo) as %s: quality level %d of %d%n",
                    name, description, bpp, target, level.number(), ladder.size());
            return 0;
        } finally {
            if (part != null) Files.deleteIfExists(part);
        }
    }
}
