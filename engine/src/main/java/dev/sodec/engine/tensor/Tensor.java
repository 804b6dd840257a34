package dev.sodec.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional array over an FFM {@link MemorySegment}. Strides are in elements; {@code offset} is the element
 * index of [0,...,0] inside {@code storage}, so views (reshape, permute, slice) never copy.
 * Tensors are host memory: backends keep their own memory (arenas, device blocks) inside planned graph runs and
 * hand results back as tensors.
 */
public final class Tensor {
    public static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment storage;
    private final DType dtype;
    private final int[] shape;
    private final long[] strides;
    private final long offset;

    private Tensor(MemorySegment storage, DType dtype, int[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** Wraps a contiguous row-major segment; the segment must hold exactly numel x dtype bytes or more. */
    public static Tensor wrap(MemorySegment storage, DType dtype, int... shape) {
        long n = Shapes.numel(shape);
        if (storage.byteSize() < n * dtype.byteSize) {
            throw new IllegalArgumentException("segment of " + storage.byteSize() + " bytes is too small for "
                    + dtype + Arrays.toString(shape));
        }
        return new Tensor(storage, dtype, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    private MemorySegment seg() {
        return storage;
    }

    /** A zero-filled contiguous tensor in {@code arena}. */
    public static Tensor zeros(Arena arena, DType dtype, int... shape) {
        long bytes = Shapes.numel(shape) * dtype.byteSize;
        MemorySegment seg = arena.allocate(Math.max(bytes, 1), 64);
        return new Tensor(seg, dtype, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** A zero-filled F32 tensor in memory released by the garbage collector. */
    public static Tensor zeros(int... shape) {
        return zeros(Arena.ofAuto(), DType.F32, shape);
    }

    public static Tensor fromFloats(float[] data, int... shape) {
        if (Shapes.numel(shape) != data.length) {
            throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
        }
        Tensor t = zeros(Arena.ofAuto(), DType.F32, shape);
        MemorySegment.copy(data, 0, t.storage, F32_LE, 0, data.length);
        return t;
    }

    public static Tensor fromInts(int[] data, int... shape) {
        if (Shapes.numel(shape) != data.length) {
            throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
        }
        Tensor t = zeros(Arena.ofAuto(), DType.I32, shape);
        MemorySegment.copy(data, 0, t.storage, I32_LE, 0, data.length);
        return t;
    }

    public static Tensor fromBytes(byte[] data) {
        Tensor t = zeros(Arena.ofAuto(), DType.U8, data.length);
        MemorySegment.copy(data, 0, t.storage, ValueLayout.JAVA_BYTE, 0, data.length);
        return t;
    }

    public DType dtype() { return dtype; }
    public int rank() { return shape.length; }
    public int[] shape() { return shape.clone(); }
    public long[] strides() { return strides.clone(); }
    public long offset() { return offset; }
    public MemorySegment storage() { return storage; }

    /** Size of dimension {@code d}; negative counts from the end. */
    public int dim(int d) {
        return shape[d < 0 ? shape.length + d : d];
    }

    public long numel() { return Shapes.numel(shape); }

    public long byteSize() { return numel() * dtype.byteSize; }

    public boolean isContiguous() {
        return Arrays.equals(strides, Shapes.contiguousStrides(shape)) || numel() <= 1;
    }

    /** The bytes of a contiguous tensor, starting at its first element. */
    public MemorySegment data() {
        requireContiguous("data()");
        return seg().asSlice(offset * dtype.byteSize, byteSize());
    }

    private void requireContiguous(String what) {
        if (!isContiguous()) throw new IllegalStateException(what + " needs a contiguous tensor; call contiguous()");
    }

    /** A view with a new shape over the same contiguous data; one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        requireContiguous("reshape");
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("two -1 in reshape " + Arrays.toString(newShape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) s[infer] = (int) (numel() / Math.max(known, 1));
        if (Shapes.numel(s) != numel()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(storage, dtype, s, Shapes.contiguousStrides(s), offset);
    }

    /** A view with dimensions reordered: result dim i is this tensor's dim perm[i]. */
    public Tensor permute(int... perm) {
        if (perm.length != shape.length) throw new IllegalArgumentException("permute rank mismatch");
        int[] s = new int[perm.length];
        long[] st = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            s[i] = shape[perm[i]];
            st[i] = strides[perm[i]];
        }
        return new Tensor(storage, dtype, s, st, offset);
    }

    /** A view of [start, end) along dimension d. */
    public Tensor slice(int d, int start, int end) {
        if (d < 0) d += shape.length;
        if (start < 0 || end > shape[d] || start > end) {
            throw new IndexOutOfBoundsException("slice [" + start + "," + end + ") of dim " + d + " size " + shape[d]);
        }
        int[] s = shape.clone();
        s[d] = end - start;
        return new Tensor(storage, dtype, s, strides.clone(), offset + start * strides[d]);
    }

    /** This tensor if contiguous, else a contiguous copy (GC-managed memory). */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        Tensor out = zeros(Arena.ofAuto(), dtype, shape);
        copyInto(out);
        return out;
    }

    /** Copies (with strides) into a contiguous tensor of the same shape and dtype. */
    public void copyInto(Tensor dst) {
        if (!Arrays.equals(shape, dst.shape) || dtype != dst.dtype) {
            throw new IllegalArgumentException("copyInto shape/dtype mismatch");
        }
        dst.requireContiguous("copyInto destination");
        MemorySegment storage = seg(), dstStorage = dst.seg();
        if (isContiguous()) {
            MemorySegment.copy(storage, offset * dtype.byteSize, dstStorage, dst.offset * dtype.byteSize, byteSize());
            return;
        }
        int es = dtype.byteSize;
        long n = numel();
        int[] idx = new int[shape.length];
        long dstBase = dst.offset * es;
        for (long i = 0; i < n; i++) {
            long src = offset;
            for (int k = 0; k < idx.length; k++) src += idx[k] * strides[k];
            MemorySegment.copy(storage, src * es, dstStorage, dstBase + i * es, es);
            for (int k = idx.length - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
        }
    }

    /** Converts any float dtype (and I32) to a contiguous F32 tensor; returns this if already contiguous F32. */
    public Tensor toF32() {
        if (dtype == DType.F32) return contiguous();
        Tensor out = zeros(Arena.ofAuto(), DType.F32, shape);
        copyAsF32(out);
        return out;
    }

    /** Writes this tensor's values, converted to F32, into {@code dst}: contiguous F32 of the same shape. */
    public void copyAsF32(Tensor dst) {
        if (!Arrays.equals(shape, dst.shape) || dst.dtype != DType.F32) {
            throw new IllegalArgumentException("copyAsF32 into " + dst + " from " + this);
        }
        if (dtype == DType.F32) {
            copyInto(dst);
            return;
        }
        dst.requireContiguous("copyAsF32 destination");
        Tensor src = contiguous();
        long n = numel();
        MemorySegment s = src.seg();
        long base = src.offset;
        MemorySegment d = dst.seg();
        long dBase = dst.offset;
        for (long i = 0; i < n; i++) {
            float v = switch (dtype) {
                case F16 -> Float.float16ToFloat(s.getAtIndex(I16_LE, base + i));
                case BF16 -> Float.intBitsToFloat(((int) s.getAtIndex(I16_LE, base + i)) << 16);
                case F64 -> (float) s.getAtIndex(F64_LE, base + i);
                case I32 -> s.getAtIndex(I32_LE, base + i);
                case I64 -> s.getAtIndex(I64_LE, base + i);
                case U8 -> Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, base + i));
                case F32 -> throw new AssertionError();
            };
            d.setAtIndex(F32_LE, dBase + i, v);
        }
    }

    /** Converts a contiguous F32 tensor to F16 or BF16 (round to nearest even) or returns it unchanged for F32. */
    public Tensor toFloatType(DType target) {
        if (target == dtype) return contiguous();
        Tensor src = toF32();
        MemorySegment srcSeg = src.seg();
        Tensor out = zeros(Arena.ofAuto(), target, shape);
        long n = numel();
        for (long i = 0; i < n; i++) {
            float v = srcSeg.getAtIndex(F32_LE, i);
            short bits = switch (target) {
                case F16 -> Float.floatToFloat16(v);
                case BF16 -> floatToBf16(v);
                default -> throw new IllegalArgumentException("toFloatType supports F16/BF16/F32, not " + target);
            };
            out.storage.setAtIndex(I16_LE, i, bits);
        }
        return out;
    }

    static short floatToBf16(float v) {
        int b = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((b >>> 16) | 0x40);
        int rounding = 0x7FFF + ((b >>> 16) & 1);
        return (short) ((b + rounding) >>> 16);
    }

    /** Element at a flat row-major index of a contiguous F32 tensor. */
    public float getFloat(long i) {
        return seg().getAtIndex(F32_LE, offset + i);
    }

    public void setFloat(long i, float v) {
        seg().setAtIndex(F32_LE, offset + i, v);
    }

    public int getInt(long i) {
        return seg().getAtIndex(I32_LE, offset + i);
    }

    public void setInt(long i, int v) {
        seg().setAtIndex(I32_LE, offset + i, v);
    }

    public float[] toFloatArray() {
        Tensor c = toF32();
        float[] out = new float[Math.toIntExact(c.numel())];
        MemorySegment.copy(c.seg(), F32_LE, c.offset * 4, out, 0, out.length);
        return out;
    }

    public int[] toIntArray() {
        if (dtype != DType.I32) throw new IllegalStateException("toIntArray on " + dtype);
        Tensor c = contiguous();
        int[] out = new int[Math.toIntExact(c.numel())];
        MemorySegment.copy(c.seg(), I32_LE, c.offset * 4, out, 0, out.length);
        return out;
    }

    public byte[] toByteArray() {
        if (dtype != DType.U8) throw new IllegalStateException("toByteArray on " + dtype);
        Tensor c = contiguous();
        byte[] out = new byte[Math.toIntExact(c.numel())];
        MemorySegment.copy(c.seg(), ValueLayout.JAVA_BYTE, c.offset, out, 0, out.length);
        return out;
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype + Arrays.toString(shape) + ")";
    }
}
