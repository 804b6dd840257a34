package dev.sodec.codec.image;

/**
 * What an input file says about its pixels beyond the pixels: the ICC colour profile and the EXIF block (TIFF
 * structure, as in a JPEG APP1 segment after {@code Exif\0\0} or a PNG {@code eXIf} chunk), each null when absent.
 * Read by {@link MetadataReader}; the orientation is applied on reading, the blocks are carried in the container's
 * chunks and written back on decode ({@link MetadataWriter}).
 */
public record ImageMetadata(byte[] icc, byte[] exif) {
    public static final ImageMetadata NONE = new ImageMetadata(null, null);

    public ImageMetadata {
        icc = icc == null ? null : icc.clone();
        exif = exif == null ? null : exif.clone();
    }

    @Override
    public byte[] icc() {
        return icc == null ? null : icc.clone();
    }

    @Override
    public byte[] exif() {
        return exif == null ? null : exif.clone();
    }

    /** Whether there is neither a profile nor EXIF. */
    public boolean isEmpty() {
        return icc == null && exif == null;
    }

    /** The same metadata for the image turned upright: the EXIF orientation tag says 1. */
    public ImageMetadata upright() {
        return exif == null ? this : new ImageMetadata(icc, Exif.upright(exif));
    }

    /** The same without the ICC profile (for pixels converted out of its colour space). */
    public ImageMetadata withoutIcc() {
        return new ImageMetadata(null, exif);
    }

    /** The EXIF orientation; {@link Orientation#NORMAL} without EXIF or tag. */
    public Orientation orientation() {
        return exif == null ? Orientation.NORMAL : Orientation.ofExif(Exif.orientation(exif));
    }

    @Override
    public String toString() {
        return "ImageMetadata[icc " + (icc == null ? "none" : icc.length + " bytes") + ", exif "
                + (exif == null ? "none" : exif.length + " bytes, orientation " + orientation().exifValue()) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageMetadata m && java.util.Arrays.equals(icc, m.icc) && java.util.Arrays.equals(exif, m.exif);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(icc) + java.util.Arrays.hashCode(exif);
    }
}
