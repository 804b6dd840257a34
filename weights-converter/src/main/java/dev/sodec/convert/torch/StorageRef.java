package dev.sodec.convert.torch;

import dev.sodec.engine.tensor.DType;

/**
 * A torch storage named by a pickle persistent id: its key in the archive (zip record name or legacy key), element
 * type and element count. The bytes stay in the file until a tensor is materialized.
 */
public record StorageRef(String key, DType dtype, String torchType, long numel) {}
