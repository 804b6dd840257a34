package dev.sodec.engine.graph;

/**
 * What a {@link Node} computes. Every op reads its inputs and writes one new value; the two view ops (reshape and
 * a contiguous slice) write nothing and share their source's memory.
 */
public enum Op {
    /** A value the caller passes to each run. */
    INPUT("input"),
    /** A tensor fixed when the graph is built (weights, precomputed tables): resident on the backend. */
    CONSTANT("constant"),
    /** Same elements, another shape (no copy). */
    RESHAPE("reshape"),
    /** A contiguous range of the source (no copy). */
    SLICE("slice"),
    /** A non-contiguous range of the source, copied. */
    SLICE_COPY("slice_copy"),
    LINEAR("linear"),
    MATMUL("matmul"),
    CONV2D("conv2d"),
    CONV_TRANSPOSE2D("conv_transpose2d"),
    GDN("gdn"),
    GROUP_NORM("group_norm"),
    LAYER_NORM("layer_norm"),
    ATTENTION("attention"),
    SOFTMAX("softmax"),
    /** An elementwise function of one input ({@link Act}). */
    UNARY("unary"),
    GEGLU("geglu"),
    ADD("add"),
    MUL("mul"),
    ADD_PER_CHANNEL("add_per_channel"),
    UPSAMPLE_NEAREST("upsample_nearest"),
    RESIZE_BILINEAR("resize_bilinear"),
    PIXEL_SHUFFLE("pixel_shuffle"),
    CONCAT("concat"),
    TRANSPOSE("transpose");

    /** The name profiles and errors use. */
    public final String label;

    Op(String label) {
        this.label = label;
    }

    /** Whether the op only reinterprets its source's memory. */
    public boolean isView() {
        return this == RESHAPE || this == SLICE;
    }

    /** Whether the node holds no computation (its value comes from the caller or the graph). */
    public boolean isLeaf() {
        return this == INPUT || this == CONSTANT;
    }

    /**
     * Whether the output may be written over the input at {@code index} when that input is not read afterwards:
     * true for ops that read each element once, at the position they write it.
     */
    boolean mayOverwrite(int index) {
        return switch (this) {
            case UNARY, ADD_PER_CHANNEL -> index == 0;
            case ADD, MUL -> index <= 1;
            default -> false;
        };
    }
}
