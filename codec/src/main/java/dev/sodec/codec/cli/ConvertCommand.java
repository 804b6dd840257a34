package dev.sodec.codec.cli;

import dev.sodec.codec.entropy.CompressAiTableBuilder;
import dev.sodec.convert.Converter;
import dev.sodec.convert.compressai.EntropyTableBuilder;
import dev.sodec.convert.model.Conversion;
import dev.sodec.convert.write.EngineWriter;
import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.json.Json;
import dev.sodec.engine.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sodec convert}: public checkpoints to the engine's safetensors, no Python needed.
 * <pre>
 * sodec convert INPUT -o OUT [--kind K] [--lora FILE]... [--lora-scale S] [--dtype F32|F16|BF16] [--ldm-config YAML|JSON]
 * sodec convert --part PREFIX=INPUT... [--lora FILE]... [--config JSON] -o OUT   (assemble a SODEC model)
 * sodec convert --onedc RELEASE_DIR --unet-config SD15_UNET --vae SD21_VAE [--scheduler-config SD15_SCHEDULER]
 *               [--lora-alpha A] [--attn-patch P] [--fsq-levels 4,4,...] [--z-only] -o OUT   (a OneDC model)
 * </pre>
 * {@code --build-entropy-tables} rebuilds a CompressAI model's entropy tables from its learned parameters even when the
 * file has them; tables missing from a checkpoint saved before update() are always built.
 */
final class ConvertCommand {
    private ConvertCommand() {}

    static final String USAGE = "usage: sodec convert INPUT -o OUT [--kind auto|unet|vae|vae-decoder|clip-vision|compressai]"
            + " [--lora FILE]... [--lora-scale S] [--dtype F32|F16|BF16] [--ldm-config v2-inference.yaml|.json]"
            + " [--build-entropy-tables]\n"
            + "       sodec convert --part compression=IN --part unet=IN --part vae=IN --part vit=IN [--part PREFIX=FILE]..."
            + " [--lora FILE]... [--config EXTRA.json] -o OUT [--dtype ...]\n"
            + "       sodec convert --onedc RELEASE_DIR --unet-config SD15_UNET_CONFIG --vae SD21_VAE_DIR"
            + " [--scheduler-config SD15_SCHEDULER_CONFIG] [--lora-alpha 8] [--attn-patch 16] [--fsq-levels 4,4,4,4,4,4,4]"
            + " [--z-only] -o OUT [--dtype ...]";

    /** In {@link OtherSpecs}: reading it must not load this class, which needs the weights-converter jar. */
    static final CommandSpec SPEC = OtherSpecs.CONVERT;

    static int run(String[] argv) throws Exception {
        List<String> positional = new ArrayList<>();
        List<Path> loras = new ArrayList<>();
        Map<String, Path> parts = new LinkedHashMap<>();
        String out = null, kind = "auto", dtype = "F32", ldmConfig = null, extraConfig = null;
        double scale = 1.0;
        boolean buildTables = false;
        OneDcArgs onedc = new OneDcArgs();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(SPEC.help());
                return 0;
            }
            if (a.equals("--build-entropy-tables")) {
                buildTables = true;
                continue;
            }
            if (a.equals("--z-only")) {
                onedc.zOnly = true;
                continue;
            }
            boolean valued = switch (a) {
                case "-o", "--out", "--kind", "--lora", "--lora-scale", "--dtype", "--ldm-config", "--part", "--config" -> true;
                default -> OneDcArgs.VALUED.contains(a);
            };
            if (!valued) {
                if (a.startsWith("-")) throw new UsageException("unknown option " + a + " (sodec convert --help lists the options)");
                positional.add(a);
                continue;
            }
            if (i + 1 >= argv.length) throw new UsageException(a + " needs a value");
            String v = argv[++i];
            switch (a) {
                case "-o", "--out" -> out = v;
                case "--kind" -> kind = v;
                case "--lora" -> loras.add(Path.of(v));
                case "--lora-scale" -> {
                    try {
                        scale = Double.parseDouble(v);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--lora-scale expects a number, got '" + v + "'");
                    }
                }
                case "--dtype" -> dtype = v.toUpperCase();
                case "--ldm-config" -> ldmConfig = v;
                case "--config" -> extraConfig = v;
                case "--part" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) throw new UsageException("--part expects PREFIX=PATH, got '" + v + "'");
                    if (parts.put(v.substring(0, eq), Path.of(v.substring(eq + 1))) != null) {
                        throw new UsageException("--part " + v.substring(0, eq) + " given twice");
                    }
                }
                default -> onedc.set(a, v);
            }
        }
        if (out == null) throw new UsageException("-o OUT is required (sodec convert --help lists the options)");
        DType dt = switch (dtype) {
            case "F32", "FP32", "FLOAT32" -> DType.F32;
            case "F16", "FP16", "FLOAT16" -> DType.F16;
            case "BF16", "BFLOAT16" -> DType.BF16;
            default -> throw new UsageException("--dtype must be F32, F16 or BF16, not " + dtype);
        };
        EntropyTableBuilder tables = new CompressAiTableBuilder();
        Converter.Kind k;
        try {
            k = Converter.Kind.parse(kind);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        List<Converter.LoraSpec> specs = new ArrayList<>();
        for (Path p : loras) specs.add(new Converter.LoraSpec(p, scale));
        Path outPath = Path.of(out);

        if (onedc.release != null) {
            if (!positional.isEmpty() || !parts.isEmpty() || !loras.isEmpty() || !kind.equals("auto") || buildTables) {
                throw new UsageException("--onedc takes no INPUT, --part, --lora, --kind or --build-entropy-tables"
                        + " (its LoRA is in the release and merged with --lora-alpha)");
            }
            onedc.convert(outPath, dt);
        } else if (onedc.any()) {
            throw new UsageException("--unet-config, --vae, --scheduler-config, --lora-alpha, --attn-patch, --fsq-levels and"
                    + " --z-only need --onedc RELEASE_DIR");
        } else if (!parts.isEmpty()) {
            if (!positional.isEmpty()) throw new UsageException("give either INPUT or --part PREFIX=PATH, not both");
            if (!kind.equals("auto")) throw new UsageException("--kind does not apply to --part assembly");
            Map<String, Object> extra = extraConfig == null ? Map.of() : Json.parseObject(Files.readString(Path.of(extraConfig)));
            Map<String, Conversion> converted = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, Path> e : parts.entrySet()) {
                    String prefix = e.getKey();
                    Conversion c = switch (prefix) {
                        case "compression" -> Converter.open(e.getValue(), Converter.Options.of(Converter.Kind.COMPRESSAI).withTableBuilder(tables)
                                .withRebuiltEntropyTables(buildTables));
                        case "unet" -> Converter.open(e.getValue(), new Converter.Options(Converter.Kind.UNET, specs, null));
                        case "vae" -> Converter.open(e.getValue(), Converter.Options.of(Converter.Kind.VAE_DECODER));
                        case "vit" -> Converter.open(e.getValue(), Converter.Options.of(Converter.Kind.CLIP_VISION));
                        default -> Converter.rawPart(e.getValue(), prefix);
                    };
                    converted.put(prefix, c);
                }
                if (!specs.isEmpty() && !parts.containsKey("unet")) throw new UsageException("--lora needs a --part unet=...");
                Conversion sodec = Converter.assembleSodec(converted, extra);
                converted.clear(); // the assembly owns the parts' open files now
                try (sodec) {
                    EngineWriter.write(sodec.model(), outPath, dt, sodec.source());
                }
            } finally {
                for (Conversion c : converted.values()) c.close();
            }
        } else {
            if (positional.size() != 1) {
                throw new UsageException("give one INPUT, or --part PREFIX=FILE... to assemble a SODEC model (sodec convert --help)");
            }
            Config ldm = ldmConfig == null ? null : dev.sodec.convert.model.LdmConfig.read(Path.of(ldmConfig));
            Converter.convert(Path.of(positional.get(0)), new Converter.Options(k, specs, ldm, tables, buildTables), outPath, dt);
        }
        try (SafeTensors st = SafeTensors.open(outPath)) {
            System.out.printf("wrote %s: %s, %d tensors, %.1f MB, %s%n", outPath, st.metadata().get("model"), st.names().size(),
                    Files.size(outPath) / 1e6, dt);
        }
        return 0;
    }
}
