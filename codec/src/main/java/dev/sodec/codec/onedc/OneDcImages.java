package dev.sodec.codec.onedc;

import dev.sodec.codec.image.Pixels;
import dev.sodec.codec.onedc.format.OneDcGeometry;
import dev.sodec.engine.tensor.Tensor;
import java.awt.image.BufferedImage;

/**
 * OneDC's image conventions (data/evalset.py, model encode/decode, inference.py): the model sees RGB in [-1, 1]
 * ({@code ToTensor() * 2 - 1}), padded on the right and bottom to multiples of 64 by repeating the edge
 * (replicate; the z-only model's inference pads by reflection); a decoded image is clamped to [-1, 1], mapped by
 * {@code x * 0.5 + 0.5} and written as 8-bit like torchvision's save_image.
 */
public final class OneDcImages {
    private OneDcImages() {}

    /** (1, 3, H, W) in [-1, 1]: (v / 255) * 2 - 1 in float32, as torch computes ToTensor() * 2 - 1. */
    public static Tensor toModelInput(BufferedImage img) {
        float[] v = Pixels.toTensor(img).toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] = v[i] * 2f - 1f;
        return Tensor.fromFloats(v, 1, 3, img.getHeight(), img.getWidth());
    }

    /**
     * x (1, C, H, W) padded on the right and bottom to the geometry's padded size: replicate repeats the last
     * column/row (F.pad mode "replicate"); reflect mirrors without repeating the edge (mode "reflect"), and falls back
     * to replicate where a side is too short to mirror (torch refuses those sizes).
     */
    public static Tensor pad(Tensor x, OneDcGeometry g, boolean reflect) {
        int c = x.dim(1), h = x.dim(2), w = x.dim(3);
        if (h != g.height() || w != g.width()) throw new IllegalArgumentException("image " + w + "x" + h + " for a geometry of " + g.width() + "x" + g.height());
        int ph = g.paddedHeight(), pw = g.paddedWidth();
        boolean mirrorRows = reflect && g.padBottom() < h, mirrorCols = reflect && g.padRight() < w;
        float[] src = x.toFloatArray(), dst = new float[Math.multiplyExact(Math.multiplyExact(c, ph), pw)];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < ph; y++) {
                int sy = y < h ? y : mirrorRows ? 2 * (h - 1) - y : h - 1;
                for (int xx = 0; xx < pw; xx++) {
                    int sx = xx < w ? xx : mirrorCols ? 2 * (w - 1) - xx : w - 1;
                    dst[(ch * ph + y) * pw + xx] = src[(ch * h + sy) * w + sx];
                }
            }
        }
        return Tensor.fromFloats(dst, 1, c, ph, pw);
    }

    /** A decoded image (1, 3, H, W) about [-1, 1] as 8-bit RGB: clamp(-1, 1) * 0.5 + 0.5, then save_image's rounding. */
    public static BufferedImage toImage(Tensor image) {
        float[] v = image.toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.min(Math.max(v[i], -1f), 1f) * 0.5f + 0.5f;
        return Pixels.fromTensor(Tensor.fromFloats(v, image.shape()));
    }
}
