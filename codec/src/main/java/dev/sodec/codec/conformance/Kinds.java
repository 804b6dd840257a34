package dev.sodec.codec.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kinds the runner understands. Each area registers its own kinds in one place so a newcomer finds where a
 * kind is implemented by following its registrar.
 */
public final class Kinds {
    private final Map<String, KindRunner> runners = new LinkedHashMap<>();

    public void register(String kind, KindRunner runner) {
        if (runners.put(kind, runner) != null) throw new IllegalStateException("kind registered twice: " + kind);
    }

    public KindRunner get(String kind) {
        return runners.get(kind);
    }

    /** Every kind this build supports. */
    public static Kinds all() {
        Kinds k = new Kinds();
        // Registrars, one per area (ops/blocks, entropy, compression models, SODEC models, OneDC, checkpoints).
        OpKinds.register(k);
        EntropyKinds.register(k);
        ModelKinds.register(k);
        CompressionKinds.register(k);
        SodecKinds.register(k);
        OneDcKinds.register(k);
        OneDcNetworkKinds.register(k);
        OneDcModelKinds.register(k);
        OneDcCodecKinds.register(k);
        OneDcCheckpointKinds.register(k);
        CheckpointKinds.register(k); // keep last: it registers a checkpoint kind only once its golden kinds exist
        return k;
    }
}
