package dev.sodec.codec.serve;

import dev.sodec.codec.api.CodecOptions;
import dev.sodec.codec.api.SodecCodec;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.models.QualityLadder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models a server loaded, by name: a shipped model's name ({@code low}) or a model file's name without
 * {@code .safetensors}. Requests name models only by these names (never by a path), and a decode finds its model
 * by the id its stream names.
 */
final class ModelRegistry implements AutoCloseable {
    /** A loaded model and what {@code GET /v1/models} says about it. */
    record Loaded(String name, SodecCodec codec, String idHex, String architecture, boolean shipped) {}

    private final Map<String, Loaded> byName = new LinkedHashMap<>();

    /** Loads {@code specs} (shipped names or files) and every {@code *.safetensors} in {@code dir}; the shipped models when both are empty. */
    static ModelRegistry load(List<String> specs, Path dir, CodecOptions options) throws IOException {
        List<String> wanted = new ArrayList<>(specs);
        if (dir != null) {
            if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "--models must be a folder");
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p)).sorted()
                        .forEach(p -> wanted.add(p.toString()));
            }
        }
        if (wanted.isEmpty()) {
            for (BundledModels.Model m : BundledModels.list()) wanted.add(m.name());
        }
        if (wanted.isEmpty()) throw new IOException("no models to serve: this build ships none; give --model FILE or --models DIR");
        ModelRegistry r = new ModelRegistry();
        try {
            for (String spec : wanted) r.add(spec, options);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    private void add(String spec, CodecOptions options) throws IOException {
        Optional<Path> file = ModelFinder.byNameOrFile(spec);
        if (file.isEmpty()) {
            throw new NoSuchFileException(spec, null, "no such model file, and not a shipped model's name (shipped: " + BundledModels.names() + ")");
        }
        SodecCodec codec = SodecCodec.load(file.get(), options);
        byte[] id = HexFormat.of().parseHex(codec.modelIdHex());
        Optional<String> shippedName = BundledModels.nameOf(id);
        String name = shippedName.orElseGet(() -> {
            String f = file.get().getFileName().toString();
            return f.endsWith(".safetensors") ? f.substring(0, f.length() - ".safetensors".length()) : f;
        });
        Loaded dup = byName.get(name);
        if (dup != null || byId(id).isPresent()) {
            codec.close();
            if (dup != null && dup.idHex().equals(codec.modelIdHex())) return; // the same model named twice
            throw new IOException("two models are named '" + name + "' or share id " + codec.modelIdHex() + ": rename one file");
        }
        byName.put(name, new Loaded(name, codec, codec.modelIdHex(), codec.architecture(), shippedName.isPresent()));
    }

    Optional<Loaded> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Optional<Loaded> byId(byte[] id) {
        String hex = HexFormat.of().formatHex(id);
        for (Loaded l : byName.values()) if (l.idHex().equals(hex)) return Optional.of(l);
        return Optional.empty();
    }

    List<Loaded> all() {
        return List.copyOf(byName.values());
    }

    /** The model compress uses when the request names none: the shipped default if loaded, else the first loaded. */
    Loaded defaultModel() {
        List<BundledModels.Model> shipped = BundledModels.list();
        if (!shipped.isEmpty() && byName.containsKey(shipped.get(0).name())) return byName.get(shipped.get(0).name());
        return byName.values().iterator().next();
    }

    /**
     * {@code quality} in [0, 1] as a step of the loaded shipped models ordered by rate (0 the lowest rate, 1 the
     * highest), as the ImageIO writer maps its compression quality.
     */
    Optional<Loaded> forQuality(double quality) {
        List<Loaded> ladder = new ArrayList<>();
        for (BundledModels.Model m : BundledModels.ladder()) {
            Loaded l = byName.get(m.name());
            if (l != null) ladder.add(l);
        }
        if (ladder.isEmpty()) return Optional.empty();
        return Optional.of(ladder.get(QualityLadder.nearestStep((float) quality, ladder.size())));
    }

    /**
     * Compiles each model's graphs by coding a small image, twice: the CPU backend packs a program's large weights on
     * its second run (and programs of other sizes reuse the packed weights), so no request pays for either.
     */
    void warmUp() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 128);
        for (Loaded l : byName.values()) {
            for (int round = 0; round < 2; round++) {
                byte[] s = l.codec().compress(img);
                l.codec().decompressBatch(List.of(l.codec().prepareDecompress(s, false)));
            }
        }
    }

    @Override
    public void close() {
        for (Loaded l : byName.values()) l.codec().close();
        byName.clear();
    }
}
