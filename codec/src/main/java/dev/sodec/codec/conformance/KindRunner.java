package dev.sodec.codec.conformance;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.tensor.Tensor;
import java.util.Map;

/** Runs one kind of conformance case: builds the module from the case's weights and config, returns outputs. */
@FunctionalInterface
public interface KindRunner {
    /** Outputs by name (without the "out." prefix); outputs not returned fail the case. */
    Map<String, Tensor> run(GoldenCase c, Backend backend) throws Exception;
}
