package dev.sodec.convert.torch;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An allow-list pickle interpreter for tensor checkpoints (protocols 0-5 opcodes). It builds plain Java values
 * (null, Boolean, Long/BigInteger, Double, String, byte[], ArrayList, {@link PyTuple}, LinkedHashMap,
 * LinkedHashSet) and, for the torch rebuild functions, {@link TensorRef}s over {@link StorageRef}s. It never runs
 * code: a GLOBAL / STACK_GLOBAL naming anything outside the allow-list stops the read at that opcode, and the few
 * allowed callables are interpreted here, by name.
 */
public final class TorchUnpickler {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Torch storage classes and the element type of their data. */
    private static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", DType.F32), Map.entry("HalfStorage", DType.F16),
            Map.entry("BFloat16Storage", DType.BF16), Map.entry("DoubleStorage", DType.F64),
            Map.entry("IntStorage", DType.I32), Map.entry("LongStorage", DType.I64),
            Map.entry("ByteStorage", DType.U8), Map.entry("BoolStorage", DType.U8));

    /** Globals whose meaning this class implements; everything else is refused. */
    private static final Set<String> ALLOWED_FUNCTIONS = Set.of(
            "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter", "builtins.set", "builtins.frozenset", "_codecs.encode");

    /**
     * Classes that real training checkpoints (Stable Diffusion .ckpt files from PyTorch Lightning, numpy bookkeeping)
     * carry next to the weights. They are accepted by name only: instantiating one yields a {@link PyOpaque}
     * placeholder and its state is dropped, so the file reads without running any of their code.
     */
    private static final Set<String> INERT_CLASSES = Set.of(
            "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype", "numpy.ndarray",
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "torch.torch_version.TorchVersion", "torch.device", "torch.Size");

    /** Pickle nesting sanity limit: real checkpoints mark a few levels deep. */
    private static final int MAX_MARKS = 10_000;

    private final MemorySegment in;
    private final String source;
    private final Map<String, StorageRef> storages;
    private long pos;
    /** Where the opcode being interpreted starts (for error messages). */
    private long opStart;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * @param in the pickle bytes (reading stops at STOP; trailing bytes are left for the caller)
     * @param source how to name this pickle in errors, e.g. {@code "model.pth: data.pkl"}
     * @param storages storages seen so far by key, shared between pickles of one file (identity = same storage)
     */
    public TorchUnpickler(MemorySegment in, String source, Map<String, StorageRef> storages) {
        this.in = in;
        this.source = source;
        this.storages = storages;
    }

    /** Bytes consumed up to and including STOP. */
    public long position() { return pos; }

    private CheckpointException err(String what) {
        return new CheckpointException(source + ": " + what);
    }

    private CheckpointException errAt(String what) {
        return new CheckpointException(source + ": " + what + " (at byte " + pos + ")");
    }

    private int u8() throws CheckpointException {
        if (pos >= in.byteSize()) throw errAt("pickle ends without STOP (truncated)");
        return Byte.toUnsignedInt(in.get(ValueLayout.JAVA_BYTE, pos++));
    }

    private void need(long n) throws CheckpointException {
        if (n < 0 || n > in.byteSize() - pos) throw errAt("pickle declares " + n + " bytes but only " + (in.byteSize() - pos) + " remain (truncated or corrupt)");
    }

    private int u16() throws CheckpointException {
        need(2);
        int v = Short.toUnsignedInt(in.get(U16, pos));
        pos += 2;
        return v;
    }

    private int i32() throws CheckpointException {
        need(4);
        int v = in.get(I32, pos);
        pos += 4;
        return v;
    }

    private long i64() throws CheckpointException {
        need(8);
        long v = in.get(I64, pos);
        pos += 8;
        return v;
    }

    private byte[] bytes(long n) throws CheckpointException {
        need(n);
        byte[] b = in.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
        pos += n;
        return b;
    }

    private String line() throws CheckpointException {
        long start = pos;
        long limit = Math.min(in.byteSize(), pos + 65536);
        while (pos < limit && in.get(ValueLayout.JAVA_BYTE, pos) != '\n') pos++;
        if (pos >= limit) throw errAt("unterminated text argument");
        String s = new String(in.asSlice(start, pos - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    private void push(Object o) { stack.add(o); }

    private Object pop() throws CheckpointException {
        int floor = markCount > 0 ? marks[markCount - 1] : 0;
        if (stack.size() <= floor) throw errAt("stack underflow");
        return stack.removeLast();
    }

    private Object top() throws CheckpointException {
        int floor = markCount > 0 ? marks[markCount - 1] : 0;
        if (stack.size() <= floor) throw errAt("stack underflow");
        return stack.getLast();
    }

    /** Pops everything above the last MARK, and the mark. */
    private List<Object> popMark() throws CheckpointException {
        if (markCount == 0) throw errAt("no MARK on the stack");
        int m = marks[--markCount];
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    /** Reads one pickle up to STOP and returns its value. */
    public Object load() throws CheckpointException {
        while (true) {
            opStart = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) throw errAt("pickle protocol " + proto + " is not supported (0-5)");
                }
                case 0x95 -> i64(); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || markCount != 0) throw errAt("STOP with " + stack.size() + " values on the stack");
                    return stack.removeLast();
                }
                case '(' -> { // MARK
                    if (markCount == MAX_MARKS) throw errAt("more than " + MAX_MARKS + " nested MARKs");
                    if (markCount == marks.length) marks = Arrays.copyOf(marks, marks.length * 2);
                    marks[markCount++] = stack.size();
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(top()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'I' -> { // INT (text); "I01"/"I00" are protocol-0 booleans
                    String s = line();
                    if (s.equals("01")) push(Boolean.TRUE);
                    else if (s.equals("00")) push(Boolean.FALSE);
                    else push(parseLong(s));
                }
                case 'J' -> push((long) i32());
                case 'K' -> push((long) u8());
                case 'M' -> push((long) u16());
                case 'L' -> { // LONG (text, trailing L)
                    String s = line();
                    if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
                    push(parseLong(s));
                }
                case 0x8a -> push(longLE(bytes(u8())));
                case 0x8b -> {
                    int n = i32();
                    if (n < 0) throw errAt("LONG4 with negative length");
                    push(longLE(bytes(n)));
                }
                case 'F' -> {
                    String s = line();
                    try {
                        push(Double.parseDouble(s));
                    } catch (NumberFormatException e) {
                        throw errAt("bad FLOAT '" + s + "'");
                    }
                }
                case 'G' -> { // BINFLOAT: big-endian IEEE double
                    need(8);
                    push(in.get(F64_BE, pos));
                    pos += 8;
                }
                case 'X' -> push(utf8(Integer.toUnsignedLong(i32())));
                case 0x8c -> push(utf8(u8()));
                case 0x8d -> push(utf8(i64()));
                case 'V' -> push(line()); // UNICODE (raw-unicode-escape; checkpoints use plain ASCII here)
                case 'T' -> push(new String(bytes(Integer.toUnsignedLong(i32())), StandardCharsets.ISO_8859_1));
                case 'U' -> push(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                case 'S' -> push(textString(line()));
                case 'B' -> push(bytes(Integer.toUnsignedLong(i32())));
                case 'C' -> push(bytes(u8()));
                case 0x8e, 0x96 -> push(bytes(i64()));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'a' -> {
                    Object v = pop();
                    asList(top(), "APPEND").add(v);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    asList(top(), "APPENDS").addAll(items);
                }
                case ')' -> push(new PyTuple(List.of()));
                case 't' -> push(tuple(popMark()));
                case 0x85 -> push(tuple(java.util.Collections.singletonList(pop()))); // TUPLE1 (of None too)
                case 0x86 -> {
                    Object b = pop(), a = pop();
                    push(tuple(Arrays.asList(a, b)));
                }
                case 0x87 -> {
                    Object c = pop(), b = pop(), a = pop();
                    push(tuple(Arrays.asList(a, b, c)));
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, items, "DICT");
                    push(m);
                }
                case 's' -> {
                    Object v = pop(), k = pop();
                    asMap(top(), "SETITEM").put(hashable(k), v);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    putPairs(asMap(top(), "SETITEMS"), items, "SETITEMS");
                }
                case 0x8f -> push(new LinkedHashSet<>());
                case 0x90 -> {
                    List<Object> items = popMark();
                    if (!(top() instanceof Set<?>)) throw errAt("ADDITEMS on a non-set");
                    @SuppressWarnings("unchecked") Set<Object> s = (Set<Object>) top();
                    for (Object o : items) s.add(hashable(o));
                }
                case 0x91 -> {
                    Set<Object> s = new LinkedHashSet<>();
                    for (Object o : popMark()) s.add(hashable(o));
                    push(s);
                }
                case 'p' -> {
                    if (!(parseLong(line()) instanceof Long l)) throw errAt("bad PUT index");
                    memo.put(l, top());
                }
                case 'q' -> memo.put((long) u8(), top());
                case 'r' -> memo.put(Integer.toUnsignedLong(i32()), top());
                case 0x94 -> memo.put((long) memo.size(), top());
                case 'g' -> push(memoGet(parseLong(line())));
                case 'h' -> push(memoGet((long) u8()));
                case 'j' -> push(memoGet(Integer.toUnsignedLong(i32())));
                case 'c' -> { // GLOBAL "module\nname\n"
                    String module = line();
                    String name = line();
                    push(global(module, name, "GLOBAL"));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) throw errAt("STACK_GLOBAL needs two strings");
                    push(global(m, n, "STACK_GLOBAL"));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object fn = pop();
                    push(reduce(fn, args));
                }
                case 'b' -> { // BUILD: only the attribute dict of an OrderedDict state_dict (its _metadata)
                    Object state = pop();
                    Object target = top();
                    if (!(target instanceof Map<?, ?>) && !(target instanceof PyOpaque)) {
                        throw errAt("BUILD on " + describe(target) + " is not allowed (only a state_dict's _metadata is)");
                    }
                    // The state (per-module versions) does not affect tensor values: dropped on purpose.
                }
                case 'Q' -> push(persistentLoad(pop()));
                case 'P' -> push(persistentLoad(line()));
                case 0x81 -> { // NEWOBJ cls.__new__(cls, *args): only for inert classes
                    Object args = pop();
                    Object cls = pop();
                    push(inert(cls, "NEWOBJ"));
                }
                case 0x92 -> { // NEWOBJ_EX
                    pop();
                    pop();
                    push(inert(pop(), "NEWOBJ_EX"));
                }
                case 'i', 'o' -> throw errAt("INST/OBJ opcodes (arbitrary class instantiation) are not allowed");
                case 0x82, 0x83, 0x84 -> throw errAt("extension-registry opcodes (EXT1/2/4) are not allowed");
                case 0x97, 0x98 -> throw errAt("out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported");
                default -> throw errAt(String.format("unknown pickle opcode 0x%02x", op));
            }
        }
    }

    private Object memoGet(Object idx) throws CheckpointException {
        if (!(idx instanceof Long l) || !memo.containsKey(l)) throw errAt("memo GET of unknown index " + idx);
        return memo.get(l);
    }

    private Object parseLong(String s) throws CheckpointException {
        try {
            BigInteger b = new BigInteger(s.trim());
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        } catch (NumberFormatException e) {
            throw errAt("bad integer '" + s + "'");
        }
    }

    private static Object longLE(byte[] b) {
        if (b.length == 0) return 0L;
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) be[i] = b[b.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String utf8(long n) throws CheckpointException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String textString(String s) throws CheckpointException {
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
            String body = s.substring(1, s.length() - 1);
            if (body.indexOf('\\') < 0) return body;
        }
        throw errAt("unsupported protocol-0 STRING " + s);
    }

    private static PyTuple tuple(List<Object> items) {
        return new PyTuple(java.util.Collections.unmodifiableList(new ArrayList<>(items)));
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o, String op) throws CheckpointException {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw errAt(op + " on " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o, String op) throws CheckpointException {
        if (o instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
        throw errAt(op + " on " + describe(o));
    }

    private void putPairs(Map<Object, Object> m, List<Object> items, String op) throws CheckpointException {
        if (items.size() % 2 != 0) throw errAt(op + " with an odd number of items");
        for (int i = 0; i < items.size(); i += 2) m.put(hashable(items.get(i)), items.get(i + 1));
    }

    /** Dict keys and set members must be immutable values, as in Python. */
    private Object hashable(Object k) throws CheckpointException {
        if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double
                || k instanceof Boolean || k instanceof PyTuple) {
            return k;
        }
        throw errAt("unhashable dict key or set member " + describe(k));
    }

    private Object global(String module, String name, String op) throws CheckpointException {
        String q = module + "." + name;
        boolean storage = (module.equals("torch") && STORAGE_TYPES.containsKey(name))
                || (module.equals("torch") && name.endsWith("Storage"));
        if (!storage && !ALLOWED_FUNCTIONS.contains(q) && !INERT_CLASSES.contains(q)) {
            throw new CheckpointException(source + " references global " + q + ", which is not an allowed tensor-rebuild"
                    + " global (" + op + " opcode at byte " + opStart + "; refused, nothing was executed)");
        }
        return new PyGlobal(module, name);
    }

    private PyOpaque inert(Object cls, String op) throws CheckpointException {
        if (cls instanceof PyGlobal g && INERT_CLASSES.contains(g.qualified())) return new PyOpaque(g.qualified());
        throw errAt(op + " of " + describe(cls) + " is not allowed in a tensor checkpoint");
    }

    private Object reduce(Object fn, Object args) throws CheckpointException {
        if (fn instanceof PyGlobal ig && INERT_CLASSES.contains(ig.qualified())) return inert(fn, "REDUCE");
        if (!(fn instanceof PyGlobal g)) throw errAt("REDUCE of " + describe(fn) + " is not allowed");
        if (!(args instanceof PyTuple t)) throw errAt("REDUCE arguments of " + g.qualified() + " are not a tuple");
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (t.size() == 1 && t.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        if (!(p instanceof PyTuple kv) || kv.size() != 2) throw errAt("OrderedDict() item is not a pair");
                        m.put(hashable(kv.get(0)), kv.get(1));
                    }
                } else if (t.size() != 0) {
                    throw errAt("OrderedDict() with unexpected arguments");
                }
                return m;
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (t.size() < 4) throw errAt(g.name() + " needs (storage, offset, size, stride, ...)");
                return rebuildTensor(t.get(0), t.get(1), t.get(2), t.get(3));
            }
            case "torch._utils._rebuild_parameter" -> {
                if (t.size() < 1 || !(t.get(0) instanceof TensorRef tr)) throw errAt("_rebuild_parameter without a tensor");
                return tr;
            }
            case "builtins.set", "builtins.frozenset" -> {
                Set<Object> s = new LinkedHashSet<>();
                if (t.size() == 1 && t.get(0) instanceof List<?> l) {
                    for (Object o : l) s.add(hashable(o));
                } else if (t.size() != 0) {
                    throw errAt(g.qualified() + "() with unexpected arguments");
                }
                return s;
            }
            case "_codecs.encode" -> { // how protocol 2 pickles bytes: encode(str, 'latin1')
                if (t.size() != 2 || !(t.get(0) instanceof String s) || !(t.get(1) instanceof String enc)) {
                    throw errAt("_codecs.encode with unexpected arguments");
                }
                return switch (enc) {
                    case "latin1", "latin-1", "iso-8859-1" -> s.getBytes(StandardCharsets.ISO_8859_1);
                    case "utf-8", "utf8" -> s.getBytes(StandardCharsets.UTF_8);
                    default -> throw errAt("_codecs.encode with encoding " + enc);
                };
            }
            default -> throw errAt("calling " + g.qualified() + " is not allowed");
        }
    }

    private TensorRef rebuildTensor(Object storage, Object offset, Object size, Object stride) throws CheckpointException {
        if (!(storage instanceof StorageRef s)) throw errAt("tensor rebuilt from " + describe(storage) + ", not a storage");
        if (!(offset instanceof Long off) || off < 0) throw errAt("tensor storage offset " + offset + " is invalid");
        if (!(size instanceof PyTuple sz) || !(stride instanceof PyTuple st) || sz.size() != st.size() || sz.size() > 16) {
            throw errAt("tensor size " + size + " / stride " + stride + " are invalid");
        }
        int[] shape = new int[sz.size()];
        long[] strides = new long[st.size()];
        long numel = 1, maxIndex = off;
        for (int i = 0; i < shape.length; i++) {
            if (!(sz.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) throw errAt("tensor size " + size + " is invalid");
            if (!(st.get(i) instanceof Long k) || k < 0) throw errAt("tensor stride " + stride + " is invalid");
            shape[i] = (int) (long) d;
            strides[i] = k;
        }
        try {
            for (int i = 0; i < shape.length; i++) {
                numel = Math.multiplyExact(numel, shape[i]);
                if (shape[i] > 0) maxIndex = Math.addExact(maxIndex, Math.multiplyExact(shape[i] - 1L, strides[i]));
            }
        } catch (ArithmeticException e) {
            throw errAt("tensor size " + size + " / stride " + stride + " overflow");
        }
        if (numel > 0 && maxIndex >= s.numel()) {
            throw errAt("tensor view (offset " + off + ", size " + size + ", stride " + stride + ") reaches element "
                    + maxIndex + " of a " + s.numel() + "-element storage");
        }
        return new TensorRef(s, off, shape, strides);
    }

    private StorageRef persistentLoad(Object pid) throws CheckpointException {
        if (!(pid instanceof PyTuple t) || t.size() < 5 || !"storage".equals(t.get(0))) {
            throw errAt("persistent id " + describe(pid) + " is not a torch storage reference");
        }
        if (!(t.get(1) instanceof PyGlobal type)) throw errAt("storage type " + describe(t.get(1)) + " is not a class");
        DType dt = STORAGE_TYPES.get(type.name());
        if (!type.module().equals("torch") || dt == null) {
            throw err("storage type " + type.qualified() + " is not supported (float32/16, bfloat16, float64, int32/64, uint8, bool)");
        }
        Object key = t.get(2);
        if (!(key instanceof String k)) throw errAt("storage key " + key + " is not a string");
        if (!(t.get(4) instanceof Long numel) || numel < 0) throw errAt("storage " + k + " has invalid size " + t.get(4));
        StorageRef s = new StorageRef(k, dt, type.name(), numel);
        StorageRef prev = storages.putIfAbsent(k, s);
        if (prev != null) {
            if (prev.dtype() != dt || prev.numel() != numel) throw errAt("storage " + k + " is referenced with two different types or sizes");
            return prev;
        }
        return s;
    }

    private static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof PyGlobal g) return g.qualified();
        if (o instanceof PyOpaque op) return "a " + op.className() + " object";
        return o.getClass().getSimpleName();
    }
}
