package dev.sodec.convert;

import dev.sodec.convert.compressai.CompressAi;
import dev.sodec.convert.compressai.EntropyTableBuilder;
import dev.sodec.convert.lora.Lora;
import dev.sodec.convert.lora.LoraMerge;
import dev.sodec.convert.lora.LoraModule;
import dev.sodec.convert.model.ClipVision;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.model.Diffusers;
import dev.sodec.convert.model.EngineModel;
import dev.sodec.convert.model.LdmSingleFile;
import dev.sodec.convert.read.Checkpoints;
import dev.sodec.convert.read.Weights;
import dev.sodec.convert.write.EngineWriter;
import dev.sodec.engine.io.SafeTensorsWriter.Pending;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The converter's entry point: one input (file or folder) of any supported format to one engine model, with LoRA
 * merged; and the assembly of a SODEC model from converted parts. The format and architecture are read from the
 * input, never assumed; {@link Kind} only picks a component where an input holds several (SD pipelines, LDM files)
 * and is checked against what the input really is.
 */
public final class Converter {
    private Converter() {}

    public enum Kind {
        AUTO("auto"), UNET("unet"), VAE("vae"), VAE_DECODER("vae-decoder"), CLIP_VISION("clip-vision"), COMPRESSAI("compressai");

        public final String cli;

        Kind(String cli) { this.cli = cli; }

        public static Kind parse(String s) {
            for (Kind k : values()) if (k.cli.equals(s)) return k;
            throw new IllegalArgumentException("unknown model kind '" + s + "' (auto, unet, vae, vae-decoder, clip-vision, compressai)");
        }
    }

    /** A LoRA file and its user multiplier (diffusers fuse_lora lora_scale, A1111 {@code <lora:name:weight>}). */
    public record LoraSpec(Path path, double scale) {}

    /**
     * @param ldmConfig the LDM config of a single-file SD checkpoint (JSON object in the LDM yaml layout), or null
     * @param tableBuilder builds the entropy tables of a CompressAI checkpoint saved before update(); null takes
     *     {@link EntropyTableBuilder#installed()}
     * @param rebuildEntropyTables build a CompressAI model's entropy tables from its learned parameters even when
     *     the checkpoint has them (update(force=True))
     */
    public record Options(Kind kind, List<LoraSpec> loras, Config ldmConfig, EntropyTableBuilder tableBuilder,
                          boolean rebuildEntropyTables) {
        public Options(Kind kind, List<LoraSpec> loras, Config ldmConfig) {
            this(kind, loras, ldmConfig, null, false);
        }

        public static Options of(Kind kind) {
            return new Options(kind, List.of(), null);
        }

        public Options withTableBuilder(EntropyTableBuilder b) {
            return new Options(kind, loras, ldmConfig, b, rebuildEntropyTables);
        }

        public Options withRebuiltEntropyTables(boolean rebuild) {
            return new Options(kind, loras, ldmConfig, tableBuilder, rebuild);
        }
    }

    /** Converts {@code input} and writes the engine safetensors {@code out}. */
    public static void convert(Path input, Options o, Path out, DType dtype) throws IOException {
        try (Conversion c = open(input, o)) {
            EngineWriter.write(c.model(), out, dtype, c.source());
        }
    }

    /** Reads and maps {@code input}; the result points into the open input files until closed. */
    public static Conversion open(Path input, Options o) throws IOException {
        if (!Files.exists(input)) throw new CheckpointException(input + ": no such file or directory");
        Conversion c = Files.isDirectory(input) ? folder(input, o.kind()) : file(input, o);
        try {
            if (!o.loras().isEmpty()) {
                if (!c.model().kind().equals("unet2d_condition")) {
                    throw new CheckpointException(c.source() + ": LoRA can only be merged into a UNet, this is " + c.model().kind());
                }
                c = mergeLoras(c, o.loras());
            }
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static Conversion folder(Path dir, Kind kind) throws IOException {
        String name = dir.getFileName().toString();
        if (Files.isRegularFile(dir.resolve("model_index.json"))) {
            return switch (kind) {
                case UNET -> Diffusers.unet(dir.resolve("unet"));
                case VAE, VAE_DECODER -> Diffusers.vae(dir.resolve("vae"), kind == Kind.VAE_DECODER);
                case CLIP_VISION -> folder(dir.resolve("image_encoder"), kind);
                default -> throw new CheckpointException(name + ": a diffusers pipeline folder holds several models: choose"
                        + " --kind unet, vae or vae-decoder");
            };
        }
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) throw new CheckpointException(name + ": folder has neither model_index.json nor config.json");
        String cls = Diffusers.className(cfg);
        Object modelType = Diffusers.readConfig(cfg).get("model_type");
        if ("UNet2DConditionModel".equals(cls)) {
            expect(kind, name, Kind.UNET);
            return Diffusers.unet(dir);
        }
        if ("AutoencoderKL".equals(cls)) {
            expect(kind, name, Kind.VAE, Kind.VAE_DECODER);
            return Diffusers.vae(dir, kind == Kind.VAE_DECODER);
        }
        if ("clip_vision_model".equals(modelType) || "clip".equals(modelType)) {
            expect(kind, name, Kind.CLIP_VISION);
            return ClipVision.folder(dir);
        }
        throw new CheckpointException(name + "/config.json: unsupported model (_class_name " + cls + ", model_type " + modelType + ")");
    }

    private static void expect(Kind asked, String what, Kind... is) throws CheckpointException {
        if (asked == Kind.AUTO) return;
        for (Kind k : is) if (k == asked) return;
        throw new CheckpointException(what + ": holds a " + is[0].cli + " model, not " + asked.cli);
    }

    private static Conversion file(Path path, Options o) throws IOException {
        Kind kind = o.kind();
        Weights w = Checkpoints.open(path);
        try {
            Map<String, Tensor> sd = w.tensors();
            String name = w.fileName();
            if (LdmSingleFile.isLdm(sd)) {
                return switch (kind) {
                    case UNET -> LdmSingleFile.unet(w, o.ldmConfig());
                    case VAE, VAE_DECODER -> LdmSingleFile.vae(w, o.ldmConfig(), kind == Kind.VAE_DECODER);
                    default -> throw new CheckpointException(name + ": a Stable Diffusion single file holds a UNet and a VAE:"
                            + " choose --kind unet, vae or vae-decoder");
                };
            }
            if (CompressAi.isCompressAi(sd)) {
                expect(kind, name, Kind.COMPRESSAI);
                return CompressAi.convert(w, o.tableBuilder(), o.rebuildEntropyTables());
            }
            if (ClipVision.isClip(sd)) {
                expect(kind, name, Kind.CLIP_VISION);
                return ClipVision.file(w, path.resolveSibling("config.json"));
            }
            Path cfg = path.resolveSibling("config.json");
            if (sd.containsKey("conv_in.weight") && sd.containsKey("time_embedding.linear_1.weight")) {
                expect(kind, name, Kind.UNET);
                return Diffusers.unet(siblingConfig(name, cfg), sd, name, List.of(w));
            }
            if (sd.containsKey("decoder.conv_in.weight") && sd.containsKey("post_quant_conv.weight")) {
                expect(kind, name, Kind.VAE, Kind.VAE_DECODER);
                return Diffusers.vae(siblingConfig(name, cfg), sd, kind == Kind.VAE_DECODER, name, List.of(w));
            }
            throw new CheckpointException(name + ": cannot tell which model this is (not an SD single file, CompressAI,"
                    + " CLIP vision, diffusers UNet or VAE state dict)");
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /**
     * A file's state dict unchanged (for SODEC's own modules, e.g. hs/ts/proj, which exist in no public format and
     * are already in the engine's naming).
     */
    public static Conversion raw(Path file) throws IOException {
        Weights w = Checkpoints.open(file);
        return new Conversion(EngineModel.of("raw", new LinkedHashMap<>(), w.tensors()), w.fileName(), List.of(w));
    }

    /**
     * The part {@code prefix} of a file for SODEC assembly: when the file's keys already carry {@code prefix.}
     * (e.g. a whole SODEC reference state dict) only those are taken, without the prefix; otherwise all keys.
     */
    public static Conversion rawPart(Path file, String prefix) throws IOException {
        Weights w = Checkpoints.open(file);
        Map<String, Tensor> t = new LinkedHashMap<>();
        String p = prefix + ".";
        boolean prefixed = w.tensors().keySet().stream().anyMatch(k -> k.startsWith(p));
        w.tensors().forEach((k, v) -> {
            if (!prefixed) t.put(k, v);
            else if (k.startsWith(p)) t.put(k.substring(p.length()), v);
        });
        return new Conversion(EngineModel.of("raw", new LinkedHashMap<>(), t), w.fileName(), List.of(w));
    }

    private static Map<String, Object> siblingConfig(String name, Path cfg) throws IOException {
        if (!Files.isRegularFile(cfg)) {
            throw new CheckpointException(name + ": a diffusers-named state dict needs its config.json beside it (" + cfg + ")");
        }
        return Diffusers.readConfig(cfg);
    }

    /** Merges each LoRA in order into the UNet's weights (lazily: merges run while the output is written). */
    public static Conversion mergeLoras(Conversion unet, List<LoraSpec> loras) throws IOException {
        Set<String> modules = new HashSet<>();
        for (String k : unet.model().weights().keySet()) if (k.endsWith(".weight")) modules.add(k.substring(0, k.length() - 7));
        Map<String, Pending> w = unet.model().weights();
        List<AutoCloseable> res = new ArrayList<>(unet.resources());
        StringBuilder src = new StringBuilder(unet.source());
        for (LoraSpec spec : loras) {
            Weights lw = Checkpoints.open(spec.path());
            res.add(lw);
            List<LoraModule> mods = Lora.read(lw, modules, spec.path().resolveSibling("adapter_config.json"));
            w = LoraMerge.apply(w, mods, spec.scale(), lw.fileName());
            src.append(" + LoRA ").append(lw.fileName()).append(" x ").append(spec.scale());
        }
        EngineModel m = new EngineModel(unet.model().kind(), unet.model().config(), w, unet.model().exactF32());
        return new Conversion(m, src.toString(), res);
    }

    /**
     * A SODEC model from converted parts, each under its pipeline prefix ({@code compression}, {@code unet},
     * {@code vae}, {@code vit}, or any other prefix for SODEC's own modules such as {@code hs}, {@code ts},
     * {@code proj} given in their own naming). Config: each part's config under its prefix, plus N, M of the
     * compression model and {@code cross_dim} of the UNet at top level, plus {@code extraConfig}.
     */
    public static Conversion assembleSodec(Map<String, Conversion> parts, Map<String, Object> extraConfig) {
        Map<String, Pending> w = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        List<AutoCloseable> res = new ArrayList<>();
        StringBuilder src = new StringBuilder();
        for (Map.Entry<String, Conversion> e : parts.entrySet()) {
            String p = e.getKey();
            Conversion c = e.getValue();
            c.model().weights().forEach((k, v) -> w.put(p + "." + k, v));
            config.put(p, c.model().config());
            res.addAll(c.resources());
            if (!src.isEmpty()) src.append("; ");
            src.append(p).append("=").append(c.source());
        }
        if (parts.containsKey("compression")) {
            Map<String, Object> cc = parts.get("compression").model().config();
            config.put("N", cc.get("N"));
            config.put("M", cc.get("M"));
        }
        if (parts.containsKey("unet")) config.put("cross_dim", parts.get("unet").model().config().get("cross_attention_dim"));
        // Ts(y_hat, w): ts.0 is conv(M + Cl -> C); Hs's last deconv (ConvTranspose weight [in, out, k, k]) gives Cl.
        if (w.containsKey("ts.0.weight")) config.put("C", (long) w.get("ts.0.weight").shape()[0]);
        if (w.containsKey("hs.2.weight")) config.put("Cl", (long) w.get("hs.2.weight").shape()[1]);
        if (extraConfig != null) config.putAll(extraConfig);
        EngineModel m = new EngineModel("sodec", config, w, k -> k.startsWith("compression."));
        return new Conversion(m, src.toString(), res);
    }
}
