package dev.sodec.engine.backend;

/**
 * Geometry of a 2-D (transposed) convolution, as torch names it. {@code outputPadding} only applies to the
 * transposed form.
 */
public record Conv2dParams(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
                           int groups, int outputPadH, int outputPadW) {

    public Conv2dParams {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1 || padH < 0 || padW < 0
                || outputPadH < 0 || outputPadW < 0) {
            throw new IllegalArgumentException("invalid convolution parameters " + this);
        }
    }

    public static Conv2dParams of(int stride, int pad) {
        return new Conv2dParams(stride, stride, pad, pad, 1, 1, 1, 0, 0);
    }

    public static Conv2dParams of(int stride, int pad, int dilation, int groups) {
        return new Conv2dParams(stride, stride, pad, pad, dilation, dilation, groups, 0, 0);
    }

    public static Conv2dParams transposed(int stride, int pad, int outputPad) {
        return new Conv2dParams(stride, stride, pad, pad, 1, 1, 1, outputPad, outputPad);
    }

    public int outH(int h, int kh) {
        return (h + 2 * padH - dilationH * (kh - 1) - 1) / strideH + 1;
    }

    public int outW(int w, int kw) {
        return (w + 2 * padW - dilationW * (kw - 1) - 1) / strideW + 1;
    }

    public int transposedOutH(int h, int kh) {
        return (h - 1) * strideH - 2 * padH + dilationH * (kh - 1) + outputPadH + 1;
    }

    public int transposedOutW(int w, int kw) {
        return (w - 1) * strideW - 2 * padW + dilationW * (kw - 1) + outputPadW + 1;
    }
}
