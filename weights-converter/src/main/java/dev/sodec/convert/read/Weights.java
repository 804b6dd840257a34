package dev.sodec.convert.read;

import dev.sodec.engine.tensor.Tensor;
import java.util.Map;

/**
 * A state dict read from one file: tensors by key (zero-copy views of the file where possible), the file's
 * safetensors metadata (empty for torch files), and the open file behind them. Close it when done.
 */
public record Weights(String fileName, String container, Map<String, Tensor> tensors, Map<String, String> metadata,
                      AutoCloseable resource) implements AutoCloseable {
    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException(fileName + ": close failed", e);
        }
    }
}
