package dev.sodec.codec.imageio;

import dev.sodec.codec.container.Container;

/** What the sodec ImageIO reader and writer register under. */
final class SdcFormat {
    private SdcFormat() {}

    static final String VENDOR = "sodec";
    static final String VERSION = "1";
    static final String[] NAMES = {"sdc", "SDC", "sodec"};
    static final String[] SUFFIXES = {"sdc"};
    static final String[] MIME_TYPES = {"image/x-sodec"};
    static final byte[] MAGIC = Container.MAGIC;
    /** The largest stream the reader accepts (compressed files are tiny). */
    static final long MAX_BYTES = 1L << 30;
}
