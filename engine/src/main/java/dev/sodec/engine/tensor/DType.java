package dev.sodec.engine.tensor;

/** Element types the engine stores. Names match the safetensors dtype strings. */
public enum DType {
    F32(4), F16(2), BF16(2), I32(4), U8(1), I64(8), F64(8);

    public final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** Parses a safetensors dtype string; null when unknown so the caller can name the offending tensor. */
    public static DType fromSafetensors(String s) {
        for (DType d : values()) {
            if (d.name().equals(s)) return d;
        }
        return null;
    }
}
