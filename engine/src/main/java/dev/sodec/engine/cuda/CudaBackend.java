package dev.sodec.engine.cuda;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.DType;
import dev.sodec.engine.tensor.Shapes;
import dev.sodec.engine.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend: every op is our kernels (through {@link CudaKernels}) plus the device's GEMM, over a
 * {@link Device}, which is a real GPU ({@link JCudaDevice}) or the host emulator ({@link EmulatedDevice}).
 *
 * <p>Residency: the Backend SPI takes and returns host tensors, so each op uploads its activations, runs on the
 * device and downloads its result (as F32, like the CPU backend). Tensors over read-only memory (weights mmapped
 * from safetensors) are uploaded once and kept on the device for the backend's lifetime, keyed by their bytes'
 * address and checked against their memory's liveness (held weakly), so a reused address of a closed file is never
 * mistaken for the old weights. Activations are not kept on the device between ops: a host tensor the caller may
 * still write cannot be trusted to match a device copy. Scratch device memory comes from a caching pool.
 *
 * <p>Precision: tensors are stored on the device as {@code storage} (F32, F16 or BF16); kernels and GEMMs accumulate
 * in F32. Ops may be called from several threads: they queue on the device's one stream, the pool and the weight
 * cache are synchronized, and a pooled block is only reused by work queued after the work that released it.
 */
public final class CudaBackend implements Backend {
    private final String name;
    private final Device device;
    private final DType storage;
    private final int threads;
    private final CudaKernels k;
    private final DevicePool pool;
    private final Map<WeightKey, Weight> weights = new HashMap<>();
    private long weightBytes;
    private int insertsSinceSweep;

    private record WeightKey(long address, long bytes, DType dtype) {}

    /**
     * A cached upload. The source is held weakly so the cache never keeps host memory alive; while the referent is
     * reachable and its scope alive, its memory cannot be freed, so the address still holds the same bytes.
     */
    private record Weight(WeakReference<MemorySegment> source, long ptr, long bytes) {
        boolean live() {
            MemorySegment s = source.get();
            return s != null && s.scope().isAlive();
        }
    }

    /**
     * @param name the name this backend reports ("cuda", "cuda-emulated:f16" ...)
     * @param storage F32, F16 or BF16
     */
    public CudaBackend(String name, Device device, DType storage, int threads) {
        CudaKernels.suffix(storage);   // rejects other storage types with a clear message
        this.name = name;
        this.device = device;
        this.storage = storage;
        this.threads = threads;
        this.k = new CudaKernels(device.launcher());
        this.pool = new DevicePool(device);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int threads() {
        return threads;
    }

    public DType storage() {
        return storage;
    }

    @Override
    public String description() {
        return name + ": device " + device.name() + "; storage " + storage + " (F32 accumulation); kernels: ours (fatbin "
                + "or emulator); GEMM: " + device.gemmPath() + "; convolutions: our implicit-GEMM kernels; attention: our fused "
                + "kernel (head dim <= " + CudaKernels.MAX_HEAD_DIM + "), else GEMM + softmax kernels";
    }

    /** Device bytes held by cached weights. */
    public synchronized long weightBytes() {
        return weightBytes;
    }

    /** Device bytes of the scratch pool (in use + cached) at its peak. */
    public long peakScratchBytes() {
        return pool.peakBytes();
    }

    // ------------------------------------------------------------------ device buffers

    /** Scratch buffers of one op, returned to the pool when the op ends. */
    private final class Op implements AutoCloseable {
        private final List<Long> owned = new ArrayList<>();
        private final Map<Tensor, Long> uploaded = new IdentityHashMap<>(4);   // self-attention passes x three times

        long alloc(long elements) {
            long p = pool.allocate(Math.max(1, elements) * storage.byteSize);
            owned.add(p);
            return p;
        }

        long allocBytes(long bytes) {
            long p = pool.allocate(Math.max(1, bytes));
            owned.add(p);
            return p;
        }

        /** The tensor on the device in the storage type: cached for read-only memory, else uploaded now. */
        long in(Tensor t) {
            if (t == null) return 0;
            if (!t.dtype().isFloat()) throw new IllegalArgumentException(name + ": expected a float tensor, got " + t);
            if (t.isContiguous() && t.storage().isReadOnly() && t.storage().isNative() && t.numel() > 0) return weight(t);
            Long done = uploaded.get(t);
            if (done != null) return done;
            Tensor h = host(t);
            long p = alloc(t.numel());
            if (t.numel() > 0) device.upload(h.data(), p);
            uploaded.put(t, p);
            return p;
        }

        /** Downloads {@code elements} at p as an F32 host tensor of {@code shape}. */
        Tensor out(long p, int... shape) {
            Tensor h = Tensor.zeros(Arena.ofAuto(), storage, shape);
            if (h.numel() > 0) device.download(p, h.data());
            return storage == DType.F32 ? h : h.toF32();
        }

        @Override
        public void close() {
            for (long p : owned) pool.release(p);
        }
    }

    private Tensor host(Tensor t) {
        return storage == DType.F32 ? t.toF32() : t.toFloatType(storage);
    }

    private synchronized long weight(Tensor t) {
        MemorySegment data = t.data();
        WeightKey key = new WeightKey(data.address(), data.byteSize(), t.dtype());
        Weight w = weights.get(key);
        if (w != null && w.live()) return w.ptr;
        if (w != null) {   // the file it came from was closed; the address now belongs to something else
            weights.remove(key);
            device.synchronize();
            device.free(w.ptr);
            weightBytes -= w.bytes;
        }
        if (++insertsSinceSweep >= 32) sweepDeadWeights();
        Tensor h = host(t);
        long bytes = h.byteSize();
        long p = device.malloc(bytes);
        device.upload(h.data(), p);
        weights.put(key, new Weight(new WeakReference<>(t.storage()), p, bytes));
        weightBytes += bytes;
        return p;
    }

    /** Frees the device copies of tensors whose memory was released (closed files, e.g. a finished golden case). */
    private void sweepDeadWeights() {
        insertsSinceSweep = 0;
        boolean synced = false;
        for (var it = weights.values().iterator(); it.hasNext(); ) {
            Weight w = it.next();
            if (w.live()) continue;
            if (!synced) {
                device.synchronize();
                synced = true;
            }
            device.free(w.ptr);
            weightBytes -= w.bytes;
            it.remove();
        }
    }

    /** Number of tensors whose device copy is cached. */
    public synchronized int cachedWeights() {
        return weights.size();
    }

    private static int[] shapeWithLast(Tensor x, int last) {
        int[] s = x.shape();
        s[s.length - 1] = last;
        return s;
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " differ");
        }
    }

    private static void requireRankAtLeast(String op, Tensor x, int rank) {
        if (x.rank() < rank) throw new IllegalArgumentException(op + " needs rank >= " + rank + ", got " + Arrays.toString(x.shape()));
    }

    private static void requireVector(String op, String what, Tensor v, int n) {
        if (v != null && (v.rank() != 1 || v.dim(0) != n)) {
            throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(v.shape()) + " is not (" + n + ")");
        }
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Shapes.requireRank("linear weight", weight.shape(), 2);
        int in = x.dim(-1), outF = weight.dim(0);
        if (weight.dim(1) != in) throw new IllegalArgumentException("linear: input features " + in + " vs weight " + Arrays.toString(weight.shape()));
        requireVector("linear", "bias", bias, outF);
        int[] os = shapeWithLast(x, outF);
        long rows = in == 0 ? x.numel() : x.numel() / in;
        if (rows == 0 || outF == 0) return Tensor.zeros(os);
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("linear: " + rows + " rows");
        try (Op op = new Op()) {
            long y = op.alloc(rows * outF);
            long b = op.in(bias);
            if (in == 0) {
                device.zero(y, rows * outF * storage.byteSize);
            } else {
                device.gemm(storage, 1, (int) rows, outF, in, op.in(x), 0, false, op.in(weight), 0, true, y);
            }
            if (bias != null) k.binary(storage, CudaKernels.BINARY_ADD, y, b, y, rows * outF, 1, outF);
            return op.out(y, os);
        }
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 2) a = a.reshape(1, a.dim(0), a.dim(1));
        if (b.rank() == 2) b = b.reshape(1, b.dim(0), b.dim(1));
        Shapes.requireRank("matmul a", a.shape(), 3);
        Shapes.requireRank("matmul b", b.shape(), 3);
        int batch = a.dim(0), m = a.dim(1), kk = a.dim(2), n = b.dim(2);
        if (b.dim(1) != kk || (b.dim(0) != batch && b.dim(0) != 1)) throw new IllegalArgumentException("matmul shapes " + a + " x " + b);
        if ((long) batch * m * n == 0) return Tensor.zeros(batch, m, n);
        try (Op op = new Op()) {
            long c = op.alloc((long) batch * m * n);
            if (kk == 0) {
                device.zero(c, (long) batch * m * n * storage.byteSize);
            } else {
                device.gemm(storage, batch, m, n, kk, op.in(a), (long) m * kk, false, op.in(b),
                        b.dim(0) == 1 ? 0 : (long) kk * n, false, c);
            }
            return op.out(c, batch, m, n);
        }
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        Shapes.requireRank("conv2d", x.shape(), 4);
        Shapes.requireRank("conv2d weight", weight.shape(), 4);
        int nb = x.dim(0), cin = x.dim(1), h = x.dim(2), w = x.dim(3);
        int cout = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
        if (weight.dim(1) * p.groups() != cin) {
            throw new IllegalArgumentException("conv2d: weight " + Arrays.toString(weight.shape()) + " with " + p.groups() + " groups does not fit " + cin + " input channels");
        }
        requireVector("conv2d", "bias", bias, cout);
        int oh = p.outH(h, kh), ow = p.outW(w, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv2d: output size " + oh + "x" + ow + " for input " + Arrays.toString(x.shape()));
        try (Op op = new Op()) {
            long y = op.alloc((long) nb * cout * oh * ow);
            k.conv2d(storage, op.in(x), op.in(weight), op.in(bias), y, nb, cin, h, w, cout, kh, kw, p);
            return op.out(y, nb, cout, oh, ow);
        }
    }

    @Override
    public Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        Shapes.requireRank("conv_transpose2d", x.shape(), 4);
        Shapes.requireRank("conv_transpose2d weight", weight.shape(), 4);
        int nb = x.dim(0), cin = x.dim(1), h = x.dim(2), w = x.dim(3);
        if (weight.dim(0) != cin) {
            throw new IllegalArgumentException("conv_transpose2d: weight " + Arrays.toString(weight.shape()) + " does not fit " + cin + " input channels");
        }
        int cout = weight.dim(1) * p.groups(), kh = weight.dim(2), kw = weight.dim(3);
        requireVector("conv_transpose2d", "bias", bias, cout);
        int oh = p.transposedOutH(h, kh), ow = p.transposedOutW(w, kw);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException("conv_transpose2d: output size " + oh + "x" + ow);
        try (Op op = new Op()) {
            long y = op.alloc((long) nb * cout * oh * ow);
            k.convTranspose2d(storage, op.in(x), op.in(weight), op.in(bias), y, nb, cin, h, w, cout, kh, kw, p);
            return op.out(y, nb, cout, oh, ow);
        }
    }

    // ------------------------------------------------------------------ normalisation

    @Override
    public Tensor gdn(Tensor x, Tensor beta, Tensor gamma, boolean inverse) {
        Shapes.requireRank("gdn", x.shape(), 4);
        int nb = x.dim(0), c = x.dim(1);
        long hw = (long) x.dim(2) * x.dim(3);
        requireVector("gdn", "beta", beta, c);
        if (gamma.rank() != 2 || gamma.dim(0) != c || gamma.dim(1) != c) throw new IllegalArgumentException("gdn: gamma " + Arrays.toString(gamma.shape()) + " is not (" + c + ", " + c + ")");
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.gdn(storage, op.in(x), y, op.in(beta), op.in(gamma), nb, c, hw, inverse);
            return op.out(y, x.shape());
        }
    }

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, float eps, boolean fuseSilu) {
        requireRankAtLeast("groupNorm", x, 2);
        int nb = x.dim(0), c = x.dim(1);
        if (groups < 1 || c % groups != 0) throw new IllegalArgumentException("groupNorm: " + c + " channels do not split into " + groups + " groups");
        requireVector("groupNorm", "weight", weight, c);
        requireVector("groupNorm", "bias", bias, c);
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        long hw = x.numel() / ((long) nb * c);
        int chunks = CudaKernels.groupNormChunks((long) (c / groups) * hw);
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            long ws = op.allocBytes(CudaKernels.groupNormWorkspaceBytes(nb, groups, chunks));
            k.groupNorm(storage, op.in(x), y, op.in(weight), op.in(bias), ws, nb, c, groups, hw, eps, fuseSilu, chunks);
            return op.out(y, x.shape());
        }
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        requireRankAtLeast("layerNorm", x, 1);
        int d = x.dim(-1);
        requireVector("layerNorm", "weight", weight, d);
        requireVector("layerNorm", "bias", bias, d);
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        long rows = x.numel() / d;
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("layerNorm: " + rows + " rows");
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.layerNorm(storage, op.in(x), y, op.in(weight), op.in(bias), (int) rows, d, eps);
            return op.out(y, x.shape());
        }
    }

    @Override
    public Tensor attention(Tensor q, Tensor kt, Tensor v, int heads, float scale) {
        Shapes.requireRank("attention q", q.shape(), 3);
        Shapes.requireRank("attention k", kt.shape(), 3);
        Shapes.requireRank("attention v", v.shape(), 3);
        int nb = q.dim(0), t = q.dim(1), c = q.dim(2), s = kt.dim(1), cv = v.dim(2);
        if (kt.dim(0) != nb || v.dim(0) != nb || kt.dim(2) != c || v.dim(1) != s) {
            throw new IllegalArgumentException("attention: q " + Arrays.toString(q.shape()) + ", k " + Arrays.toString(kt.shape())
                    + ", v " + Arrays.toString(v.shape()) + " do not fit (B,T,C), (B,S,C), (B,S,Cv)");
        }
        if (heads < 1 || c % heads != 0 || cv % heads != 0) throw new IllegalArgumentException("attention: widths " + c + "/" + cv + " are not divisible into " + heads + " heads");
        if (s == 0) throw new IllegalArgumentException("attention over zero keys");
        if (!(scale > 0) || Float.isInfinite(scale)) throw new IllegalArgumentException("attention: scale " + scale);
        if (cv != c) throw new IllegalArgumentException("attention on CUDA needs equal query and value widths, got " + c + " and " + cv);
        int dh = c / heads;
        if ((long) nb * t * c == 0) return Tensor.zeros(nb, t, cv);
        try (Op op = new Op()) {
            long o = op.alloc((long) nb * t * c);
            if (dh <= CudaKernels.MAX_HEAD_DIM) {
                AttentionLayout ql = AttentionLayout.tokensMajor(t, heads, dh), kl = AttentionLayout.tokensMajor(s, heads, dh);
                k.attention(storage, op.in(q), ql, op.in(kt), kl, op.in(v), kl, o, ql, nb, heads, t, s, dh, scale);
            } else {
                // wide heads (the VAE mid-block's single 512-wide head): GEMM, softmax, GEMM over a score matrix
                long ws = op.allocBytes(CudaKernels.attentionUnfusedWorkspaceBytes(storage, heads, t, s));
                k.attentionUnfused(storage, op.in(q), op.in(kt), op.in(v), o, ws, nb, heads, t, s, dh, scale);
            }
            return op.out(o, nb, t, cv);
        }
    }

    @Override
    public Tensor softmax(Tensor x) {
        requireRankAtLeast("softmax", x, 1);
        int d = x.dim(-1);
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        long rows = x.numel() / d;
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("softmax: " + rows + " rows");
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.softmax(storage, op.in(x), y, (int) rows, d, 1f);
            return op.out(y, x.shape());
        }
    }

    // ------------------------------------------------------------------ elementwise

    private Tensor unary(Tensor x, int code, float alpha, float beta) {
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.unary(storage, code, alpha, beta, op.in(x), y, x.numel());
            return op.out(y, x.shape());
        }
    }

    @Override
    public Tensor leakyRelu(Tensor x, float negativeSlope) {
        return unary(x, CudaKernels.UNARY_LEAKY_RELU, negativeSlope, 0f);
    }

    @Override
    public Tensor geluErf(Tensor x) {
        return unary(x, CudaKernels.UNARY_GELU, 0f, 0f);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        return unary(x, CudaKernels.UNARY_GELU_TANH, 0f, 0f);
    }

    @Override
    public Tensor silu(Tensor x) {
        return unary(x, CudaKernels.UNARY_SILU, 0f, 0f);
    }

    @Override
    public Tensor quickGelu(Tensor x) {
        return unary(x, CudaKernels.UNARY_QUICK_GELU, 0f, 0f);
    }

    @Override
    public Tensor scale(Tensor x, float mul, float add) {
        return unary(x, CudaKernels.UNARY_SCALE, mul, add);
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp bounds " + lo + " > " + hi);
        return unary(x, CudaKernels.UNARY_CLAMP, lo, hi);
    }

    @Override
    public Tensor geglu(Tensor x) {
        requireRankAtLeast("geglu", x, 1);
        int w = x.dim(-1);
        if (w % 2 != 0) throw new IllegalArgumentException("geglu: last dim " + w + " is odd");
        int[] os = shapeWithLast(x, w / 2);
        if (x.numel() == 0) return Tensor.zeros(os);
        long rows = x.numel() / w;
        try (Op op = new Op()) {
            long y = op.alloc(rows * (w / 2));
            k.geglu(storage, op.in(x), y, rows, w / 2);
            return op.out(y, os);
        }
    }

    private Tensor binary(Tensor a, Tensor b, int code, String what) {
        requireSameShape(what, a, b);
        if (a.numel() == 0) return Tensor.zeros(a.shape());
        try (Op op = new Op()) {
            long y = op.alloc(a.numel());
            k.binary(storage, code, op.in(a), op.in(b), y, a.numel(), 1, a.numel());
            return op.out(y, a.shape());
        }
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return binary(a, b, CudaKernels.BINARY_ADD, "add");
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return binary(a, b, CudaKernels.BINARY_MUL, "mul");
    }

    @Override
    public Tensor addPerChannel(Tensor x, Tensor bias) {
        requireRankAtLeast("addPerChannel", x, 2);
        int nb = x.dim(0), c = x.dim(1);
        boolean perBatch;
        if (bias.rank() == 1 && bias.dim(0) == c) perBatch = false;
        else if (bias.rank() == 2 && bias.dim(0) == nb && bias.dim(1) == c) perBatch = true;
        else throw new IllegalArgumentException("addPerChannel: bias " + Arrays.toString(bias.shape()) + " is neither (C) nor (B, C) for x " + Arrays.toString(x.shape()));
        if (x.numel() == 0) return Tensor.zeros(x.shape());
        long inner = x.numel() / ((long) nb * c);
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.binary(storage, CudaKernels.BINARY_ADD, op.in(x), op.in(bias), y, x.numel(), inner, perBatch ? (long) nb * c : c);
            return op.out(y, x.shape());
        }
    }

    // ------------------------------------------------------------------ resampling and layout

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        Shapes.requireRank("upsampleNearest", x.shape(), 4);
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("upsampleNearest: output size " + outH + "x" + outW);
        int nb = x.dim(0), c = x.dim(1);
        if (x.numel() == 0) return Tensor.zeros(nb, c, outH, outW);
        try (Op op = new Op()) {
            long y = op.alloc((long) nb * c * outH * outW);
            k.upsampleNearest(storage, op.in(x), y, (long) nb * c, x.dim(2), x.dim(3), outH, outW);
            return op.out(y, nb, c, outH, outW);
        }
    }

    @Override
    public Tensor resizeBilinear(Tensor x, int outH, int outW) {
        Shapes.requireRank("resizeBilinear", x.shape(), 4);
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("resizeBilinear: output size " + outH + "x" + outW);
        int nb = x.dim(0), c = x.dim(1);
        if (x.numel() == 0) return Tensor.zeros(nb, c, outH, outW);
        try (Op op = new Op()) {
            long y = op.alloc((long) nb * c * outH * outW);
            k.resizeBilinear(storage, op.in(x), y, (long) nb * c, x.dim(2), x.dim(3), outH, outW);
            return op.out(y, nb, c, outH, outW);
        }
    }

    @Override
    public Tensor pixelShuffle(Tensor x, int r) {
        Shapes.requireRank("pixelShuffle", x.shape(), 4);
        int nb = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        long r2 = (long) r * r;
        if (r < 1 || r2 > c || c % r2 != 0) throw new IllegalArgumentException("pixelShuffle: " + c + " channels do not split by r^2 for r = " + r);
        int oc = (int) (c / r2);
        int[] os = {nb, oc, Math.multiplyExact(h, r), Math.multiplyExact(w, r)};
        if (x.numel() == 0) return Tensor.zeros(os);
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.pixelShuffle(storage, op.in(x), y, nb, oc, h, w, r);
            return op.out(y, os);
        }
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat of no tensors");
        int rank = xs[0].rank();
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) throw new IllegalArgumentException("concat: dim " + dim + " out of range for rank " + rank);
        int[] os = xs[0].shape();
        long total = 0;
        for (Tensor t : xs) {
            int[] s = t.shape();
            boolean fits = s.length == rank;
            for (int i = 0; fits && i < rank; i++) fits = i == d || s[i] == os[i];
            if (!fits) throw new IllegalArgumentException("concat along " + d + ": " + Arrays.toString(s) + " does not fit " + Arrays.toString(os));
            total += s[d];
        }
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("concat: dimension too large");
        os[d] = (int) total;
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= os[i];
        for (int i = d + 1; i < rank; i++) inner *= os[i];
        if (Shapes.numel(os) == 0) return Tensor.zeros(os);
        try (Op op = new Op()) {
            long y = op.alloc(Shapes.numel(os));
            int used = 0;
            for (Tensor t : xs) if (t.dim(d) > 0) used++;
            long[] srcs = new long[used], inners = new long[used];
            int i = 0;
            for (Tensor t : xs) {
                if (t.dim(d) == 0) continue;   // contributes nothing
                srcs[i] = op.in(t);
                inners[i++] = t.dim(d) * inner;
            }
            k.concat(storage, y, outer, srcs, inners);
            return op.out(y, os);
        }
    }

    @Override
    public Tensor transpose(Tensor x) {
        requireRankAtLeast("transpose", x, 2);
        int[] s = x.shape();
        int rows = s[s.length - 2], cols = s[s.length - 1];
        int[] os = s.clone();
        os[s.length - 2] = cols;
        os[s.length - 1] = rows;
        if (x.numel() == 0) return Tensor.zeros(os);
        long batch = x.numel() / ((long) rows * cols);
        if (batch > Integer.MAX_VALUE) throw new IllegalArgumentException("transpose: batch " + batch);
        try (Op op = new Op()) {
            long y = op.alloc(x.numel());
            k.transpose(storage, op.in(x), y, (int) batch, rows, cols);
            return op.out(y, os);
        }
    }

    @Override
    public synchronized void close() {
        device.synchronize();
        for (Weight w : weights.values()) device.free(w.ptr);
        weights.clear();
        weightBytes = 0;
        pool.close();
        device.close();
    }
}
