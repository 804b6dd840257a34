package dev.sodec.codec.conformance;

import dev.sodec.engine.io.SafeTensors;
import dev.sodec.engine.json.Config;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One conformance case in the layout of shared/golden/FORMAT.md: case.json, io.safetensors and, when present,
 * weights.safetensors. Holds the files open until closed.
 */
public final class GoldenCase implements AutoCloseable {
    private final Path dir;
    private final Config json;
    private final SafeTensors io;
    private final SafeTensors weights;
    /** For derived cases: case name of a tensor -> its name in io.safetensors (without "in."/"out."). */
    private final Map<String, String> ioNames;
    /** Derived cases share their parent's io file and must not close it. */
    private final boolean ownsIo;

    private GoldenCase(Path dir, Config json, SafeTensors io, SafeTensors weights) {
        this(dir, json, io, weights, Map.of(), true);
    }

    private GoldenCase(Path dir, Config json, SafeTensors io, SafeTensors weights, Map<String, String> ioNames, boolean ownsIo) {
        this.dir = dir;
        this.json = json;
        this.io = io;
        this.weights = weights;
        this.ioNames = ioNames;
        this.ownsIo = ownsIo;
    }

    /**
     * A case that reuses this case's io tensors under other names, with other case.json fields and other weights:
     * how a checkpoint case runs a converted model as a golden kind ({@code CheckpointKinds}). The derived case
     * closes {@code weights} (when not null) but not the shared io file.
     *
     * @param json the derived case.json (id, kind, naming, config, call, inputs, outputs, tolerance_per_output)
     * @param ioNames derived tensor name -> name in this case's io.safetensors (without "in."/"out."); names not
     *                listed are used as they are
     */
    public GoldenCase derive(Config json, Map<String, String> ioNames, SafeTensors weights) {
        Map<String, String> names = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : ioNames.entrySet()) names.put(e.getKey(), this.ioNames.getOrDefault(e.getValue(), e.getValue()));
        return new GoldenCase(dir, json, io, weights, names, false);
    }

    /** True when case.json marks {@code output} as belonging to an optional model (checkpoint cases' "models"). */
    public boolean isOptionalOutput(String output) {
        if (!json.has("models")) return false;
        for (Object m : json.getObject("models").asMap().values()) {
            if (m instanceof Map<?, ?> mm && Boolean.TRUE.equals(mm.get("optional")) && mm.get("outputs") instanceof List<?> outs
                    && outs.contains(output)) {
                return true;
            }
        }
        return false;
    }

    private String ioName(String name) {
        return ioNames.getOrDefault(name, name);
    }

    public static GoldenCase open(Path dir) throws IOException {
        Config json = Config.parse(Files.readString(dir.resolve("case.json")), dir.getFileName() + "/case.json");
        SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"));
        SafeTensors w = null;
        Path wp = dir.resolve("weights.safetensors");
        if (json.getBool("has_weights", false) && Files.exists(wp)) w = SafeTensors.open(wp);
        return new GoldenCase(dir, json, io, w);
    }

    public Path dir() { return dir; }
    public String id() { return json.getString("id"); }
    public String kind() { return json.getString("kind"); }
    public String naming() { return json.getString("naming", "none"); }
    public Config json() { return json; }
    public Config config() { return json.getObject("config"); }
    public Config call() { return json.has("call") ? json.getObject("call") : new Config(Map.of(), id() + ".call"); }
    public List<String> inputNames() { return json.getStringList("inputs"); }
    public List<String> outputNames() { return json.getStringList("outputs"); }

    public Tensor input(String name) { return io.get("in." + ioName(name)); }

    public boolean hasOutput(String name) { return io.contains("out." + ioName(name)); }

    public Tensor expected(String name) { return io.get("out." + ioName(name)); }

    /** The case's weights in the reference library's naming (empty when the case has none). */
    public Map<String, Tensor> weights() {
        return weights == null ? new LinkedHashMap<>() : weights.tensors();
    }

    /** Per-output float tolerance {rel_l2, max_abs}. */
    public double[] tolerance(String output) {
        Config t = json.has("tolerance_per_output") ? json.getObject("tolerance_per_output") : new Config(Map.of(), id());
        if (t.has(output)) {
            Config o = t.getObject(output);
            return new double[] {o.getDouble("rel_l2"), o.getDouble("max_abs")};
        }
        Config o = json.getObject("tolerance");
        return new double[] {o.getDouble("rel_l2"), o.getDouble("max_abs")};
    }

    @Override
    public void close() {
        if (ownsIo) io.close();
        if (weights != null) weights.close();
    }
}
