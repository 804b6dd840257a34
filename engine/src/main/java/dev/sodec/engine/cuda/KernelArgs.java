package dev.sodec.engine.cuda;

import java.util.Arrays;

/**
 * The parameter values of one kernel launch, in order, as cuLaunchKernel takes them: each is a device pointer
 * (a 64-bit device address), a 32- or 64-bit integer or a 32-bit float. The kinds and sizes travel with the values
 * so a launcher can check them against the kernel's signature where it knows it (the emulator does).
 */
public final class KernelArgs {
    /** Parameter kinds, as the emulator's registry spells them. */
    public static final char POINTER = 'p', INTEGER = 'i', FLOAT = 'f';

    private char[] kinds = new char[8];
    private int[] sizes = new int[8];
    private long[] bits = new long[8];
    private int count;

    public static KernelArgs of() {
        return new KernelArgs();
    }

    private KernelArgs add(char kind, int size, long value) {
        if (count == kinds.length) {
            kinds = Arrays.copyOf(kinds, count * 2);
            sizes = Arrays.copyOf(sizes, count * 2);
            bits = Arrays.copyOf(bits, count * 2);
        }
        kinds[count] = kind;
        sizes[count] = size;
        bits[count] = value;
        count++;
        return this;
    }

    /** A device pointer; 0 is the null pointer (optional tensors such as a missing bias). */
    public KernelArgs ptr(long deviceAddress) {
        return add(POINTER, 8, deviceAddress);
    }

    public KernelArgs i32(int v) {
        return add(INTEGER, 4, v & 0xFFFFFFFFL);
    }

    public KernelArgs i64(long v) {
        return add(INTEGER, 8, v);
    }

    public KernelArgs f32(float v) {
        return add(FLOAT, 4, Float.floatToRawIntBits(v) & 0xFFFFFFFFL);
    }

    public int count() {
        return count;
    }

    public char kind(int i) {
        check(i);
        return kinds[i];
    }

    /** Size in bytes of parameter i (4 or 8). */
    public int size(int i) {
        check(i);
        return sizes[i];
    }

    /** Value of parameter i in its low size(i) bytes (little-endian order when stored). */
    public long bits(int i) {
        check(i);
        return bits[i];
    }

    public String kinds() {
        return new String(kinds, 0, count);
    }

    private void check(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("argument " + i + " of " + count);
    }
}
