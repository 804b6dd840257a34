package dev.sodec.engine.memory;

import dev.sodec.engine.backend.Backend;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;

/**
 * A backend that forwards every op to another and tells the {@link ActivationPlanner.Recorder} which tensors each
 * op reads, so the recorder knows when every activation is last used. Every op of {@link Backend} is overridden: an
 * op added to the interface later and not here fails loudly (the interface default throws) instead of going unseen.
 */
final class LivenessBackend implements Backend {
    private final Backend b;
    private final ActivationPlanner.Recorder rec;

    LivenessBackend(Backend b, ActivationPlanner.Recorder rec) {
        this.b = b;
        this.rec = rec;
    }

    @Override public String name() { return b.name(); }

    @Override public int threads() { return b.threads(); }

    @Override public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        rec.op(x, weight, bias);
        return b.linear(x, weight, bias);
    }

    @Override public Tensor matmul(Tensor x, Tensor y) {
        rec.op(x, y);
        return b.matmul(x, y);
    }

    @Override public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        rec.op(x, weight, bias);
        return b.conv2d(x, weight, bias, p);
    }

    @Override public Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        rec.op(x, weight, bias);
        return b.convTranspose2d(x, weight, bias, p);
    }

    @Override public Tensor gdn(Tensor x, Tensor beta, Tensor gamma, boolean inverse) {
        rec.op(x, beta, gamma);
        return b.gdn(x, beta, gamma, inverse);
    }

    @Override public Tensor leakyRelu(Tensor x, float negativeSlope) {
        rec.op(x);
        return b.leakyRelu(x, negativeSlope);
    }

    @Override public Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, float eps, boolean fuseSilu) {
        rec.op(x, weight, bias);
        return b.groupNorm(x, groups, weight, bias, eps, fuseSilu);
    }

    @Override public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        rec.op(x, weight, bias);
        return b.layerNorm(x, weight, bias, eps);
    }

    @Override public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale) {
        rec.op(q, k, v);
        return b.attention(q, k, v, heads, scale);
    }

    @Override public Tensor softmax(Tensor x) {
        rec.op(x);
        return b.softmax(x);
    }

    @Override public Tensor geluErf(Tensor x) {
        rec.op(x);
        return b.geluErf(x);
    }

    @Override public Tensor geluTanh(Tensor x) {
        rec.op(x);
        return b.geluTanh(x);
    }

    @Override public Tensor silu(Tensor x) {
        rec.op(x);
        return b.silu(x);
    }

    @Override public Tensor quickGelu(Tensor x) {
        rec.op(x);
        return b.quickGelu(x);
    }

    @Override public Tensor geglu(Tensor x) {
        rec.op(x);
        return b.geglu(x);
    }

    @Override public Tensor add(Tensor x, Tensor y) {
        rec.op(x, y);
        return b.add(x, y);
    }

    @Override public Tensor mul(Tensor x, Tensor y) {
        rec.op(x, y);
        return b.mul(x, y);
    }

    @Override public Tensor addPerChannel(Tensor x, Tensor bias) {
        rec.op(x, bias);
        return b.addPerChannel(x, bias);
    }

    @Override public Tensor scale(Tensor x, float mul, float add) {
        rec.op(x);
        return b.scale(x, mul, add);
    }

    @Override public Tensor clamp(Tensor x, float lo, float hi) {
        rec.op(x);
        return b.clamp(x, lo, hi);
    }

    @Override public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        rec.op(x);
        return b.upsampleNearest(x, outH, outW);
    }

    @Override public Tensor resizeBilinear(Tensor x, int outH, int outW) {
        rec.op(x);
        return b.resizeBilinear(x, outH, outW);
    }

    @Override public Tensor pixelShuffle(Tensor x, int r) {
        rec.op(x);
        return b.pixelShuffle(x, r);
    }

    @Override public Tensor concat(int dim, Tensor... xs) {
        rec.op(xs);
        return b.concat(dim, xs);
    }

    @Override public Tensor transpose(Tensor x) {
        rec.op(x);
        return b.transpose(x);
    }

    /** The wrapped backend belongs to the caller. */
    @Override public void close() {}
}
