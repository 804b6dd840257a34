package dev.sodec.codec.eval;

import dev.sodec.codec.api.SodecCodec;
import java.awt.image.BufferedImage;

/** Our codec as one point of a comparison: compress and decompress, each timed. */
public final class SodecCoding {
    private SodecCoding() {}

    public static Coded code(SodecCodec codec, BufferedImage img, String setting) {
        long t0 = System.nanoTime();
        byte[] data = codec.compress(img);
        long t1 = System.nanoTime();
        BufferedImage back = codec.decompress(data);
        long t2 = System.nanoTime();
        return new Coded(setting, data.length, back, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
