package dev.sodec.engine.cuda;

import static dev.sodec.engine.cuda.EmuSupport.random;

import dev.sodec.engine.graph.Eager;
import dev.sodec.engine.backend.Conv2dParams;
import dev.sodec.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Every Backend op on fixed random inputs, shaped like the networks use them (odd sizes so tails are exercised).
 * A test runs each case on the backend under test and on the CPU backend (the oracle) and compares.
 */
final class BackendOpCases {
    private BackendOpCases() {}

    static Map<String, Function<Eager, Tensor>> all() {
        Map<String, Function<Eager, Tensor>> m = new LinkedHashMap<>();
        Tensor x4 = random(1, -2, 2, 2, 8, 9, 7);
        Tensor tok = random(2, -2, 2, 2, 13, 24);
        Tensor w = random(3, -0.5f, 0.5f, 20, 24);
        Tensor b = random(4, -1, 1, 20);
        m.put("linear", be -> be.linear(tok, w, b));
        m.put("linear (no bias, rank 2)", be -> be.linear(tok.reshape(26, 24), w, null));
        m.put("linear (strided input)", be -> be.linear(random(5, -1, 1, 24, 26).permute(1, 0), w, b));
        Tensor ma = random(6, -1, 1, 3, 11, 17), mb = random(7, -1, 1, 3, 17, 9);
        m.put("matmul batched", be -> be.matmul(ma, mb));
        m.put("matmul broadcast b", be -> be.matmul(ma, random(8, -1, 1, 17, 9)));
        Tensor cw = random(9, -0.3f, 0.3f, 12, 8, 3, 3), cb = random(10, -1, 1, 12);
        m.put("conv2d 3x3", be -> be.conv2d(x4, cw, cb, Conv2dParams.of(1, 1)));
        m.put("conv2d 5x5 s2 no bias", be -> be.conv2d(x4, random(11, -0.3f, 0.3f, 6, 8, 5, 5), null, Conv2dParams.of(2, 2)));
        m.put("conv2d depthwise", be -> be.conv2d(x4, random(12, -0.3f, 0.3f, 8, 1, 3, 3), null, Conv2dParams.of(1, 1, 1, 8)));
        m.put("conv_transpose2d 5x5 s2 op1", be -> be.convTranspose2d(x4, random(13, -0.3f, 0.3f, 8, 5, 5, 5),
                random(14, -1, 1, 5), Conv2dParams.transposed(2, 2, 1)));
        Tensor beta = random(15, 0.5f, 1.5f, 8), gamma = random(16, 0.01f, 0.2f, 8, 8);
        m.put("gdn", be -> be.gdn(x4, beta, gamma, false));
        m.put("igdn", be -> be.gdn(x4, beta, gamma, true));
        Tensor gnw = random(17, 0.5f, 1.5f, 8), gnb = random(18, -1, 1, 8);
        m.put("group_norm", be -> be.groupNorm(x4, 4, gnw, gnb, 1e-6f, false));
        m.put("group_norm silu no affine", be -> be.groupNorm(x4, 2, null, null, 1e-5f, true));
        m.put("layer_norm", be -> be.layerNorm(tok, random(19, 0.5f, 1.5f, 24), random(20, -1, 1, 24), 1e-5f));
        Tensor q = random(21, -1, 1, 2, 13, 24), k = random(22, -1, 1, 2, 7, 24), v = random(23, -1, 1, 2, 7, 24);
        m.put("attention cross 3 heads", be -> be.attention(q, k, v, 3, (float) Math.pow(8, -0.5)));
        m.put("attention self 1 head", be -> be.attention(q, q, q, 1, (float) Math.pow(24, -0.5)));
        Tensor wq = random(29, -1, 1, 2, 9, 340), wk = random(30, -1, 1, 2, 6, 340);
        m.put("attention wide heads (unfused)", be -> be.attention(wq, wk, wk, 2, (float) Math.pow(170, -0.5)));
        m.put("softmax", be -> be.softmax(tok));
        m.put("gelu_erf", be -> be.geluErf(x4));
        m.put("gelu_tanh", be -> be.geluTanh(x4));
        m.put("silu", be -> be.silu(x4));
        m.put("quick_gelu", be -> be.quickGelu(x4));
        m.put("leaky_relu", be -> be.leakyRelu(x4, 0.01f));
        m.put("geglu", be -> be.geglu(tok));
        Tensor x4b = random(24, -2, 2, 2, 8, 9, 7);
        m.put("add", be -> be.add(x4, x4b));
        m.put("mul", be -> be.mul(x4, x4b));
        m.put("add per channel (C)", be -> be.addPerChannel(x4, random(25, -1, 1, 8)));
        m.put("add per channel (B, C)", be -> be.addPerChannel(x4, random(26, -1, 1, 2, 8)));
        m.put("scale", be -> be.scale(x4, 0.5f, 1f));
        m.put("clamp", be -> be.clamp(x4, -0.5f, 0.75f));
        m.put("upsample nearest 2x", be -> be.upsampleNearest(x4, 18, 14));
        m.put("upsample nearest odd", be -> be.upsampleNearest(x4, 17, 15));
        m.put("resize bilinear", be -> be.resizeBilinear(x4, 14, 11));
        m.put("pixel shuffle", be -> be.pixelShuffle(x4, 2));
        m.put("concat channels", be -> be.concat(1, x4, random(27, -1, 1, 2, 3, 9, 7)));
        m.put("concat last", be -> be.concat(-1, tok, random(28, -1, 1, 2, 13, 5)));
        m.put("transpose", be -> be.transpose(tok));
        return m;
    }
}
