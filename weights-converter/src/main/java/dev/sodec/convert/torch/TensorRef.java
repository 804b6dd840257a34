package dev.sodec.convert.torch;

import java.util.Arrays;

/** A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view (offset, size, stride) of a storage. */
public record TensorRef(StorageRef storage, long storageOffset, int[] size, long[] stride) {
    @Override
    public String toString() {
        return "TensorRef(" + storage.torchType() + Arrays.toString(size) + " stride " + Arrays.toString(stride)
                + " offset " + storageOffset + ")";
    }
}
