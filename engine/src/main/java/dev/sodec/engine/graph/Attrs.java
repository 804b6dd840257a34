package dev.sodec.engine.graph;

import dev.sodec.engine.backend.Conv2dParams;

/** The attributes of each op kind (the non-tensor arguments), checked when the node is recorded. */
public final class Attrs {
    private Attrs() {}

    /** CONV2D and CONV_TRANSPOSE2D. */
    public record Conv(Conv2dParams params, Epilogue epilogue) {}

    /** LINEAR. */
    public record Linear(Epilogue epilogue) {}

    /** GDN (inverse: IGDN). */
    public record Gdn(boolean inverse) {}

    /** GROUP_NORM; {@code silu}: SiLU applied in the same pass. */
    public record GroupNorm(int groups, float eps, boolean silu) {}

    /** LAYER_NORM. */
    public record LayerNorm(float eps) {}

    /** ATTENTION. */
    public record Attention(int heads, float scale) {}

    /** UPSAMPLE_NEAREST and RESIZE_BILINEAR output size. */
    public record Size(int height, int width) {}

    /** PIXEL_SHUFFLE. */
    public record PixelShuffle(int factor) {}

    /** CONCAT along a resolved (non-negative) dimension. */
    public record Concat(int dim) {}

    /** SLICE / SLICE_COPY of [start, end) along a resolved dimension. */
    public record Slice(int dim, int start, int end) {}
}
