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

    private GoldenCase(Path dir, Config json, SafeTensors io, SafeTensors weights) {
        this.dir = dir;
        this.json = json;
        this.io = io;
        this.weights = weights;
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

    public Tensor input(String name) { return io.get("in." + name); }

    public boolean hasOutput(String name) { return io.contains("out." + name); }

    public Tensor expected(String name) { return io.get("out." + name); }

    /** The case's weights in the reference library's naming (empty when the case has none). */
    public Map<String, Tensor> weights() {
        return weights == null ? new LinkedHashMap<>() : weights.tensors();
    }

    /** Per-output float tolerance {rel_l2, max_abs}. */
    public double[] tolerance(String output) {
        Config t = json.getObject("tolerance_per_output");
        if (t.has(output)) {
            Config o = t.getObject(output);
            return new double[] {o.getDouble("rel_l2"), o.getDouble("max_abs")};
        }
        Config o = json.getObject("tolerance");
        return new double[] {o.getDouble("rel_l2"), o.getDouble("max_abs")};
    }

    @Override
    public void close() {
        io.close();
        if (weights != null) weights.close();
    }
}
