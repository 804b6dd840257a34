package dev.sodec.codec.compression;

/** The hyperprior compression models we run, named as CompressAI's zoo names them. */
public enum Architecture {
    /** CompressAI {@code MeanScaleHyperprior}: h_s predicts scales and means, LeakyReLU in h_a/h_s. */
    MBT2018_MEAN("mbt2018-mean", 1),
    /** CompressAI {@code ScaleHyperprior}: h_a sees |y|, h_s predicts scales only, ReLU in h_a/h_s. */
    BMSHJ2018_HYPERPRIOR("bmshj2018-hyperprior", 2);

    /** The name used in model files and on the command line. */
    public final String id;
    /** The code stored in a container header. */
    public final int code;

    Architecture(String id, int code) {
        this.id = id;
        this.code = code;
    }

    public boolean hasMeans() {
        return this == MBT2018_MEAN;
    }

    /**
     * By name: {@code mbt2018-mean}, also in the converter's spelling {@code compressai.mbt2018_mean} (a model kind)
     * or with underscores.
     */
    public static Architecture fromId(String id) {
        String n = id.startsWith("compressai.") ? id.substring("compressai.".length()) : id;
        n = n.replace('_', '-');
        for (Architecture a : values()) if (a.id.equals(n)) return a;
        StringBuilder known = new StringBuilder();
        for (Architecture a : values()) known.append(known.isEmpty() ? "" : ", ").append(a.id);
        throw new IllegalArgumentException("unknown compression architecture '" + id + "' (known: " + known + ")");
    }

    public static Architecture fromCode(int code) {
        for (Architecture a : values()) if (a.code == code) return a;
        return null;
    }
}
