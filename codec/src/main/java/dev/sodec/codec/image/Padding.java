package dev.sodec.codec.image;

import dev.sodec.engine.tensor.Tensor;

/**
 * Padding that grows an image to multiples of the model's size multiple, split evenly between the sides (the
 * left/top side gets the smaller half), as CompressAI's eval does before compressing. The padded pixels repeat the
 * nearest edge pixel: zeros would put a dark frame into what the model codes (bits spent on an edge that is cropped
 * away, and ringing carried back into the image). The decoder crops, so only quality depends on the fill.
 */
public record Padding(int left, int top, int right, int bottom) {
    public Padding {
        if (left < 0 || top < 0 || right < 0 || bottom < 0) throw new IllegalArgumentException("negative padding");
    }

    public static Padding centered(int width, int height, int multiple) {
        int pw = Math.floorMod(-width, multiple), ph = Math.floorMod(-height, multiple);
        return new Padding(pw / 2, ph / 2, pw - pw / 2, ph - ph / 2);
    }

    /** x (1, C, H, W) -> (1, C, H + top + bottom, W + left + right), edge pixels replicated outwards. */
    public Tensor pad(Tensor x) {
        int c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int ph = h + top + bottom, pw = w + left + right;
        float[] src = x.toFloatArray();
        float[] dst = new float[Math.multiplyExact(Math.multiplyExact(c, ph), pw)];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < ph; y++) {
                int sy = Math.clamp(y - top, 0, h - 1);
                int s = (ch * h + sy) * w, d = (ch * ph + y) * pw;
                java.util.Arrays.fill(dst, d, d + left, src[s]);
                System.arraycopy(src, s, dst, d + left, w);
                java.util.Arrays.fill(dst, d + left + w, d + pw, src[s + w - 1]);
            }
        }
        return Tensor.fromFloats(dst, 1, c, ph, pw);
    }

    /** The inverse of {@link #pad}: the original (1, C, H, W) region. */
    public Tensor crop(Tensor x) {
        int c = x.dim(1), ph = x.dim(2), pw = x.dim(3);
        int h = ph - top - bottom, w = pw - left - right;
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("padding left " + left + ", top " + top + ", right " + right + ", bottom "
                    + bottom + " leaves no image inside " + pw + "x" + ph);
        }
        return x.slice(2, top, top + h).slice(3, left, left + w).contiguous();
    }
}
