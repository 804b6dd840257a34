package dev.sodec.convert.torch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-assembles pickles opcode by opcode, the way the broken fixtures were built, for unpickler tests. */
final class PickleBytes {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    PickleBytes op(int... bytes) {
        for (int x : bytes) b.write(x);
        return this;
    }

    PickleBytes proto(int p) { return op(0x80, p); }

    PickleBytes binunicode(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array());
        b.writeBytes(u);
        return this;
    }

    PickleBytes shortUnicode(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c, u.length);
        b.writeBytes(u);
        return this;
    }

    PickleBytes global(String module, String name) {
        op('c');
        b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleBytes binint(int v) {
        op('J');
        b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    PickleBytes binint1(int v) { return op('K', v); }

    PickleBytes binfloat(double v) {
        op('G');
        b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(v).array());
        return this;
    }

    PickleBytes long1(long v) {
        byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
        op(0x8a, 8);
        b.writeBytes(le);
        return this;
    }

    /** ('storage', torch.&lt;type&gt;, key, 'cpu', numel) then BINPERSID. */
    PickleBytes storage(String type, String key, long numel) {
        op('(');
        binunicode("storage");
        global("torch", type);
        binunicode(key);
        binunicode("cpu");
        long1(numel);
        op('t', 'Q');
        return this;
    }

    /** _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) with the storage pushed by {@code s}. */
    PickleBytes tensor(Runnable s, int offset, int[] size, int[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        op('(');
        s.run();
        binint(offset);
        op('(');
        for (int d : size) binint(d);
        op('t', '(');
        for (int d : stride) binint(d);
        op('t', 0x89);
        global("collections", "OrderedDict");
        op(')', 'R', 't', 'R');
        return this;
    }

    byte[] bytes() { return b.toByteArray(); }
}
