package dev.sodec.convert.torch;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.io.FileBytes;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code torch.save} file, zip format (PyTorch >= 1.6) or the legacy non-zip stream of pickles. The pickled object
 * is read with {@link TorchUnpickler}; tensors stay {@link TensorRef}s until {@link #tensor} maps their bytes from the
 * file (zero-copy when the view is contiguous), so converting a multi-GB checkpoint costs no heap of its size.
 */
public final class TorchFile implements AutoCloseable {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The first pickle of a legacy file: PROTO 2, LONG1 of the magic number 0x1950a86a20f9469cfc6c. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final Object LEGACY_MAGIC_NUMBER = new java.math.BigInteger("1950a86a20f9469cfc6c", 16);

    public enum Container { ZIP, LEGACY }

    private final String fileName;
    private final Container container;
    private final Object root;
    private final Map<String, MemorySegment> storageBytes;
    private final AutoCloseable resource;

    private TorchFile(String fileName, Container container, Object root, Map<String, MemorySegment> storageBytes,
                      AutoCloseable resource) {
        this.fileName = fileName;
        this.container = container;
        this.root = root;
        this.storageBytes = storageBytes;
        this.resource = resource;
    }

    /** Whether {@code head} (the first bytes of a file) starts a legacy torch.save stream. */
    public static boolean looksLikeLegacy(MemorySegment head) {
        if (head.byteSize() < LEGACY_MAGIC.length) return false;
        for (int i = 0; i < LEGACY_MAGIC.length; i++) {
            if (head.get(ValueLayout.JAVA_BYTE, i) != LEGACY_MAGIC[i]) return false;
        }
        return true;
    }

    public static TorchFile open(Path path) throws IOException {
        String name = path.getFileName().toString();
        byte[] head = new byte[16];
        int n;
        try (var is = java.nio.file.Files.newInputStream(path)) {
            n = is.readNBytes(head, 0, head.length);
        }
        MemorySegment h = MemorySegment.ofArray(Arrays.copyOf(head, n));
        if (ZipArchive.looksLikeZip(h)) return openZip(path);
        if (looksLikeLegacy(h)) return openLegacy(path);
        throw new CheckpointException(name + ": not a torch.save file (neither a zip archive nor a legacy pickle stream)");
    }

    private static TorchFile openZip(Path path) throws IOException {
        ZipArchive zip = ZipArchive.open(path);
        try {
            String name = zip.fileName();
            String root = null;
            for (String e : zip.entries().keySet()) {
                if (e.endsWith("/data.pkl") && e.indexOf('/') == e.length() - "/data.pkl".length()) {
                    if (root != null) throw new CheckpointException(name + ": zip holds two pickles (" + root + "/data.pkl, " + e + ")");
                    root = e.substring(0, e.length() - "/data.pkl".length());
                }
            }
            if (root == null) throw new CheckpointException(name + ": zip archive has no <root>/data.pkl record: not a torch.save checkpoint");
            ZipArchive.Entry bo = zip.entry(root + "/byteorder");
            if (bo != null) {
                String order = new String(zip.data(bo).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) throw new CheckpointException(name + ": byteorder '" + order + "' is not supported (little only)");
            }
            Map<String, StorageRef> storages = new LinkedHashMap<>();
            MemorySegment pkl = zip.data(zip.entry(root + "/data.pkl"));
            TorchUnpickler up = new TorchUnpickler(pkl, name + ": data.pkl", storages);
            Object obj = up.load();
            Map<String, MemorySegment> bytes = new HashMap<>();
            for (StorageRef s : storages.values()) {
                ZipArchive.Entry e = zip.entry(root + "/data/" + s.key());
                if (e == null) throw new CheckpointException(name + ": storage record " + root + "/data/" + s.key() + " is missing");
                MemorySegment seg = zip.data(e);
                long need = storageBytes(name, s);
                if (seg.byteSize() < need) {
                    throw new CheckpointException(name + ": storage record " + e.name() + " has " + seg.byteSize()
                            + " bytes, its " + s.numel() + " x " + s.torchType() + " need " + need);
                }
                bytes.put(s.key(), seg.asSlice(0, need));
            }
            return new TorchFile(name, Container.ZIP, obj, bytes, zip);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static TorchFile openLegacy(Path path) throws IOException {
        String name = path.getFileName().toString();
        FileBytes file = FileBytes.open(path);
        try {
            MemorySegment f = file.bytes();
            long size = f.byteSize();
            Map<String, StorageRef> storages = new LinkedHashMap<>();
            long pos = 0;
            Object[] header = new Object[3];
            String[] what = {"magic number", "protocol version", "sys_info"};
            for (int i = 0; i < 3; i++) {
                TorchUnpickler up = new TorchUnpickler(f.asSlice(pos), name + ": legacy " + what[i] + " pickle", storages);
                header[i] = up.load();
                pos += up.position();
            }
            if (!LEGACY_MAGIC_NUMBER.equals(header[0] instanceof Long l ? java.math.BigInteger.valueOf(l) : header[0])) {
                throw new CheckpointException(name + ": legacy torch.save magic number mismatch");
            }
            if (!(header[1] instanceof Long proto) || proto != 1001L) {
                throw new CheckpointException(name + ": legacy torch.save protocol version " + header[1] + " is not supported (1001)");
            }
            if (header[2] instanceof Map<?, ?> sys && Boolean.FALSE.equals(sys.get("little_endian"))) {
                throw new CheckpointException(name + ": big-endian legacy checkpoint is not supported");
            }
            TorchUnpickler main = new TorchUnpickler(f.asSlice(pos), name + ": legacy data pickle", storages);
            Object obj = main.load();
            pos += main.position();
            TorchUnpickler keysP = new TorchUnpickler(f.asSlice(pos), name + ": legacy storage-key list", storages);
            Object keys = keysP.load();
            pos += keysP.position();
            if (!(keys instanceof List<?> keyList)) throw new CheckpointException(name + ": legacy storage-key list is not a list");
            Map<String, MemorySegment> bytes = new HashMap<>();
            // Raw storages follow in key order: int64 element count, then the elements.
            for (Object k : keyList) {
                if (!(k instanceof String key)) throw new CheckpointException(name + ": legacy storage key " + k + " is not a string");
                StorageRef s = storages.get(key);
                if (s == null) throw new CheckpointException(name + ": legacy storage " + key + " is not referenced by any tensor");
                if (pos + 8 > size) throw new CheckpointException(name + ": truncated: storage " + key + " header at byte " + pos + " is past the end of the " + size + "-byte file");
                long numel = f.get(I64, pos);
                pos += 8;
                if (numel != s.numel()) {
                    throw new CheckpointException(name + ": legacy storage " + key + " holds " + numel + " elements, the pickle says " + s.numel());
                }
                long len = storageBytes(name, s);
                if (len > size - pos) {
                    throw new CheckpointException(name + ": truncated: storage " + key + " needs " + len + " bytes at byte " + pos
                            + " of a " + size + "-byte file");
                }
                bytes.put(key, f.asSlice(pos, len));
                pos += len;
            }
            for (String key : storages.keySet()) {
                if (!bytes.containsKey(key)) throw new CheckpointException(name + ": legacy storage " + key + " has no data");
            }
            return new TorchFile(name, Container.LEGACY, obj, bytes, file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** A storage's byte size; a claimed element count whose bytes overflow a long is refused, not wrapped. */
    private static long storageBytes(String file, StorageRef s) throws CheckpointException {
        try {
            return Math.multiplyExact(s.numel(), (long) s.dtype().byteSize);
        } catch (ArithmeticException e) {
            throw new CheckpointException(file + ": storage " + s.key() + " claims " + s.numel() + " x " + s.torchType()
                    + " elements, more bytes than any file holds");
        }
    }

    public String fileName() { return fileName; }

    public Container container() { return container; }

    /** The unpickled object: usually a state dict (LinkedHashMap) or a training checkpoint dict. */
    public Object root() { return root; }

    /**
     * The tensor a ref describes, honouring its storage offset, size and stride: a zero-copy view of the file for
     * contiguous views, a gathered copy otherwise. int64 tensors become I32 (checked for range), as golden stores them.
     */
    public Tensor tensor(TensorRef r, String name) throws CheckpointException {
        MemorySegment st = storageBytes.get(r.storage().key());
        if (st == null) throw new CheckpointException(fileName + ": tensor " + name + " references an unknown storage");
        DType dt = r.storage().dtype();
        int es = dt.byteSize;
        int[] shape = r.size();
        long numel = Shapes.numel(shape);
        Tensor t;
        if (numel == 0) {
            t = Tensor.zeros(Arena.ofAuto(), dt, shape);
        } else if (Arrays.equals(r.stride(), Shapes.contiguousStrides(shape)) || numel == 1) {
            t = Tensor.wrap(st.asSlice(r.storageOffset() * es, numel * es), dt, shape);
        } else {
            // A strided view is gathered into a copy: one whose elements repeat (stride 0, an expand()) could claim
            // far more elements than its file holds and size that copy from the header alone.
            if (numel > r.storage().numel()) {
                throw new CheckpointException(fileName + ": tensor " + name + " is a view of " + numel + " elements over a "
                        + r.storage().numel() + "-element storage (an expanded view); re-save it with .contiguous()");
            }
            t = Tensor.zeros(Arena.ofAuto(), dt, shape);
            MemorySegment dst = t.storage();
            long[] stride = r.stride();
            int last = shape.length - 1;
            // Copy runs along the last dimension (one bulk copy when it is contiguous), walking the others.
            int run = shape[last];
            boolean unit = stride[last] == 1;
            int[] idx = new int[shape.length];
            for (long i = 0; i < numel; i += run) {
                long src = r.storageOffset();
                for (int k = 0; k < last; k++) src += idx[k] * stride[k];
                if (unit) {
                    MemorySegment.copy(st, src * es, dst, i * es, (long) run * es);
                } else {
                    for (int j = 0; j < run; j++) MemorySegment.copy(st, (src + j * stride[last]) * es, dst, (i + j) * es, es);
                }
                for (int k = last - 1; k >= 0; k--) {
                    if (++idx[k] < shape[k]) break;
                    idx[k] = 0;
                }
            }
        }
        if (dt == DType.I64) return narrowToI32(t, name);
        return t;
    }

    private Tensor narrowToI32(Tensor t, String name) throws CheckpointException {
        Tensor out = Tensor.zeros(Arena.ofAuto(), DType.I32, t.shape());
        MemorySegment s = t.storage();
        long base = t.offset();
        for (long i = 0; i < t.numel(); i++) {
            long v = s.getAtIndex(I64, base + i);
            if (v != (int) v) throw new CheckpointException(fileName + ": int64 tensor " + name + " holds " + v + ", outside int32");
            out.setInt(i, (int) v);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
