package dev.sodec.codec.entropy;

import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * The quantized CDF tables an encoder and decoder share, in CompressAI's layout: row k holds
 * {@code cdf_length[k]} entries of a 16-bit CDF (zero padded to the row stride), and symbol value v of row k is
 * coded as {@code v - offset[k]}. The last usable value of a row, {@code cdf_length[k] - 2}, is the escape
 * symbol for values outside the row's range.
 *
 * <p>Tables are checked once here (they come from weight files, which may be hostile), so the coder's
 * per-symbol loops can rely on: 3 <= length <= stride, cdf[0] = 0, cdf[length - 1] = 2^16 and strictly
 * increasing entries (every frequency in [1, 2^16 - 1]). Immutable; arrays are copied in.
 */
public final class CdfTables {
    /**
     * Upper bound on rows x stride (ints; 20x CompressAI's largest real tables) so a hostile header cannot make us
     * allocate much: the tables plus their decoding lookup stay below about 50 MB.
     */
    public static final long MAX_ENTRIES = 1L << 22;
    /** Most buckets a row's decoding lookup gets (16 counts per bucket at 16-bit precision). */
    private static final int MAX_BUCKET_BITS = 12;

    private final int[] cdf;
    private final int stride;
    private final int[] length;
    private final int[] offset;
    // Decoding lookup: row k's bucket b (counts [b << shift[k], (b + 1) << shift[k])) starts at symbol
    // lookup[lookupBase[k] + b], the largest s with cdf[s] <= b << shift[k]. The decoder scans forward from there,
    // which is a step or two because each row gets about two buckets per symbol.
    private final char[] lookup;
    private final int[] lookupBase;
    private final int[] lookupShift;

    private CdfTables(int[] cdf, int stride, int[] length, int[] offset) {
        this.cdf = cdf;
        this.stride = stride;
        this.length = length;
        this.offset = offset;
        int rows = length.length;
        lookupBase = new int[rows];
        lookupShift = new int[rows];
        long total = 0;
        for (int k = 0; k < rows; k++) {
            // 2^bits >= 2 (length - 1) buckets (at least 4 as length >= 3), at most 2^12
            int bits = Math.min(32 - Integer.numberOfLeadingZeros(2 * (length[k] - 1) - 1), MAX_BUCKET_BITS);
            lookupShift[k] = QuantizedCdf.PRECISION - bits;
            lookupBase[k] = (int) total;
            total += 1 << bits; // <= 4 x the row's entries, and rows x stride <= MAX_ENTRIES
        }
        lookup = new char[(int) total];
        for (int k = 0; k < rows; k++) {
            int base = k * stride, buckets = 1 << (QuantizedCdf.PRECISION - lookupShift[k]), s = 0;
            for (int b = 0; b < buckets; b++) {
                int start = b << lookupShift[k];
                while (cdf[base + s + 1] <= start) s++;
                lookup[lookupBase[k] + b] = (char) s;
            }
        }
    }

    /**
     * Tables from flat row-major {@code cdf} (rows x stride), with rows = length.length = offset.length.
     *
     * @throws IllegalArgumentException naming the first row that is not a valid 16-bit CDF
     */
    public static CdfTables of(int[] cdf, int stride, int[] length, int[] offset) {
        int rows = length.length;
        if (offset.length != rows) {
            throw new IllegalArgumentException("cdf tables: " + rows + " lengths but " + offset.length + " offsets");
        }
        if (rows < 1) throw new IllegalArgumentException("cdf tables: no rows");
        if (stride < 3) throw new IllegalArgumentException("cdf tables: row stride " + stride + " < 3");
        if ((long) rows * stride != cdf.length) {
            throw new IllegalArgumentException("cdf tables: " + cdf.length + " entries for " + rows + " rows of " + stride);
        }
        if (cdf.length > MAX_ENTRIES) throw new IllegalArgumentException("cdf tables: " + cdf.length + " entries is too large");
        for (int k = 0; k < rows; k++) validateRow(cdf, k, stride, length[k]);
        return new CdfTables(cdf.clone(), stride, length.clone(), offset.clone());
    }

    /** Tables from CompressAI's buffers {@code _quantized_cdf} (rows, stride), {@code _cdf_length}, {@code _offset} (I32). */
    public static CdfTables of(Tensor quantizedCdf, Tensor cdfLength, Tensor offset) {
        requireI32("_quantized_cdf", quantizedCdf, 2);
        requireI32("_cdf_length", cdfLength, 1);
        requireI32("_offset", offset, 1);
        long n = quantizedCdf.numel();
        if (n > MAX_ENTRIES) throw new IllegalArgumentException("_quantized_cdf: " + n + " entries is too large");
        if (quantizedCdf.dim(0) != cdfLength.dim(0) || quantizedCdf.dim(0) != offset.dim(0)) {
            throw new IllegalArgumentException("cdf tables: _quantized_cdf " + Arrays.toString(quantizedCdf.shape())
                    + ", _cdf_length " + Arrays.toString(cdfLength.shape()) + ", _offset "
                    + Arrays.toString(offset.shape()) + " disagree on the number of rows");
        }
        return of(quantizedCdf.toIntArray(), quantizedCdf.dim(1), cdfLength.toIntArray(), offset.toIntArray());
    }

    /** Builds the table for rows of pmfs: row k is {@code QuantizedCdf.fromPmf(pmf_k ++ [tail_k])}. */
    static CdfTables fromRows(int[][] rowsCdf, int[] offset) {
        int rows = rowsCdf.length;
        int stride = 0;
        for (int[] r : rowsCdf) stride = Math.max(stride, r.length);
        if ((long) rows * stride > MAX_ENTRIES) throw new IllegalArgumentException("cdf tables: too large");
        int[] flat = new int[rows * stride];
        int[] length = new int[rows];
        for (int k = 0; k < rows; k++) {
            System.arraycopy(rowsCdf[k], 0, flat, k * stride, rowsCdf[k].length);
            length[k] = rowsCdf[k].length;
        }
        return of(flat, stride, length, offset);
    }

    private static void requireI32(String name, Tensor t, int rank) {
        if (t.dtype() != DType.I32 || t.rank() != rank) {
            throw new IllegalArgumentException(name + " must be I32 of rank " + rank + ", got " + t);
        }
    }

    private static void validateRow(int[] cdf, int k, int stride, int len) {
        if (len < 3 || len > stride) {
            throw new IllegalArgumentException("cdf row " + k + ": length " + len + " outside [3, " + stride + "]");
        }
        int base = k * stride;
        if (cdf[base] != 0) throw new IllegalArgumentException("cdf row " + k + ": starts at " + cdf[base] + ", not 0");
        if (cdf[base + len - 1] != QuantizedCdf.TOTAL) {
            throw new IllegalArgumentException("cdf row " + k + ": ends at " + cdf[base + len - 1] + ", not "
                    + QuantizedCdf.TOTAL);
        }
        for (int i = 1; i < len; i++) {
            if (cdf[base + i] <= cdf[base + i - 1]) {
                throw new IllegalArgumentException("cdf row " + k + ": not strictly increasing at entry " + i
                        + " (" + cdf[base + i - 1] + ", " + cdf[base + i] + ")");
            }
        }
    }

    public int rows() { return length.length; }

    public int stride() { return stride; }

    public int length(int row) { return length[row]; }

    public int offset(int row) { return offset[row]; }

    /** Entry {@code i} of row {@code k} (0 <= i < length(k)): the cumulative count below symbol value i. */
    public int cdf(int k, int i) { return cdf[k * stride + i]; }

    /**
     * The symbol value of row {@code k} whose interval holds the cumulative count {@code cum} (0 <= cum < 2^16): the
     * largest s with cdf[s] <= cum, in [0, length(k) - 2]. For coders outside this package (the reference's
     * {@code find_if}), through the same lookup as {@link RansDecoder}.
     */
    public int symbolAt(int k, int cum) {
        int base = k * stride;
        int s = lookup[lookupBase[k] + (cum >>> lookupShift[k])];
        while (cdf[base + s + 1] <= cum) s++;
        return s;
    }

    /** A copy of row k's used entries. */
    public int[] row(int k) { return Arrays.copyOfRange(cdf, k * stride, k * stride + length[k]); }

    /** The (rows, stride) table as CompressAI's {@code _quantized_cdf} buffer. */
    public Tensor quantizedCdfTensor() { return Tensor.fromInts(cdf.clone(), rows(), stride); }

    public Tensor cdfLengthTensor() { return Tensor.fromInts(length.clone(), rows()); }

    public Tensor offsetTensor() { return Tensor.fromInts(offset.clone(), rows()); }

    // Package-private raw views for the coder's hot loops (never modified).
    int[] cdfArray() { return cdf; }

    int[] lengthArray() { return length; }

    int[] offsetArray() { return offset; }

    char[] lookupArray() { return lookup; }

    int[] lookupBaseArray() { return lookupBase; }

    int[] lookupShiftArray() { return lookupShift; }
}
