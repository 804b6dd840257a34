package dev.sodec.convert.lora;

import dev.sodec.engine.tensor.Tensor;

/**
 * One LoRA-adapted module: {@code W' = W + scale * factor * reshape(B @ A, W.shape)}.
 *
 * @param module diffusers module path (the weight is {@code module + ".weight"})
 * @param down A / lora_down: [r, in] or [r, in, kh, kw]
 * @param up B / lora_up: [out, r] or [out, r, 1, 1]
 * @param alpha the alpha used (stored, configured, or the rank when absent)
 * @param factor alpha / r (or alpha / sqrt(r) for rsLoRA)
 * @param alphaDefaulted true when the file gave no alpha for this module (alpha = rank)
 */
public record LoraModule(String module, Tensor down, Tensor up, double alpha, double factor, boolean alphaDefaulted) {
    public int rank() { return down.dim(0); }
}
