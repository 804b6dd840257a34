"""Writes conformance cases of kind entropy.bottleneck_update (shared/golden/FORMAT.md layout) from CompressAI's
EntropyBottleneck: learned parameters perturbed from their initial values with a seeded generator, update(force=True),
then the eval forward and compress on a seeded input. The tables update() builds are the expected outputs; the
weights file holds only the learned parameters and buffers, so a runner must rebuild the tables.

Usage (CompressAI 1.2.4 importable, torch 1.13 on the CPU):
    python3 generate.py OUT_DIR
"""
import copy
import json
import os
import sys

import numpy as np
import torch

import compressai
from compressai.entropy_models import EntropyBottleneck

import st

# id suffix, channels, filters, batch, H, W, quantile spread (half width of the pmf support), seed
# id stem (".k<max pmf length>" is appended), channels, filters, batch, H, W, quantile spread, seed. The spread
# bounds how far the outer quantiles lie from the median, so the pmf lengths (the bmm widths) vary: below and above
# torch's 400-multiply-add threshold, OpenBLAS's 320-row blocks, and 32768-element tensors (thread splits).
CASES = [
    ("c5.b2", 5, (3, 3, 3, 3), 2, 4, 6, 330.0, 1),
    ("c5.b2", 5, (3, 3, 3, 3), 2, 3, 5, 14.0, 2),
    ("c1.b1", 1, (3, 3, 3, 3), 1, 5, 5, 40.0, 3),
    ("c3.b3.f333", 3, (3, 3, 3), 3, 2, 4, 60.0, 4),
    ("c8.nohidden", 8, (), 1, 4, 4, 25.0, 5),
    ("c16.f2", 16, (2,), 2, 2, 3, 6.0, 6),
    ("c24.f44", 24, (4, 4), 1, 3, 3, 45.0, 7),
    ("c7.f57", 7, (5, 7), 2, 3, 4, 110.0, 8),
    ("c4.f88", 4, (8, 8), 1, 4, 5, 80.0, 9),
    ("c3.f1212", 3, (12, 12), 1, 3, 3, 700.0, 10),
    ("c2.f16", 2, (16,), 2, 2, 2, 200.0, 11),
    ("c2.f999", 2, (9, 9, 9), 1, 4, 4, 450.0, 12),
    ("c64.b2", 64, (3, 3, 3, 3), 2, 2, 2, 15.0, 13),
    ("c128", 128, (3, 3, 3, 3), 1, 2, 2, 150.0, 14),
    ("c20", 20, (3, 3, 3, 3), 1, 2, 3, 650.0, 15),
    ("c6.f6106", 6, (6, 10, 6), 3, 2, 2, 35.0, 16),
    ("c5.b2", 5, (3, 3, 3, 3), 2, 2, 3, 0.0, 17),
    ("c12.b4", 12, (3, 3, 3, 3), 4, 3, 2, 9.0, 18),
]
TAIL_MASS, INIT_SCALE = 1e-9, 10


def make_module(channels, filters, spread, gen):
    eb = EntropyBottleneck(channels, tail_mass=TAIL_MASS, init_scale=INIT_SCALE, filters=filters)
    with torch.no_grad():
        for name, p in eb.named_parameters():
            if name == "quantiles":
                med = torch.randn(channels, generator=gen) * 3
                if spread == 0:  # every pmf has one symbol: both ceil()s of the quantile distances are 0
                    q = torch.stack([med + 0.1, med, med - 0.1], 1)
                else:
                    lo = med - 0.3 - torch.rand(channels, generator=gen) * spread
                    hi = med + 0.3 + torch.rand(channels, generator=gen) * spread
                    q = torch.stack([lo, med, hi], 1)
                p.copy_(q[:, None, :])
            elif name.startswith("_bias"):
                p.copy_(torch.rand(p.shape, generator=gen) * 2 - 1)
            else:  # _matrix*, _factor*: the initial values plus noise
                p.add_(torch.randn(p.shape, generator=gen) * 0.5)
    return eb


def margin(x, medians):
    """Smallest distance of x - median from a rounding tie (k + 0.5)."""
    v = (x - medians.view(1, -1, 1, 1)).double()
    return float((v - torch.floor(v) - 0.5).abs().min())


def run(eb, x):
    eb.update(force=True)
    eb.eval()
    with torch.no_grad():
        x_hat, likelihoods = eb(x)
    medians = eb._get_medians().detach().view(1, -1, 1, 1)
    symbols = torch.round(x - medians).int()
    strings = eb.compress(x)
    return x_hat, likelihoods, symbols, strings


def stats(got, ref):
    d = (got.double() - ref.double())
    return {"rel_l2": float(d.norm() / max(float(ref.double().norm()), 1e-12)), "max_abs": float(d.abs().max())}


def tolerance(measured, ref, default=1e-5):
    return {"rel_l2": max(default, 10 * measured["rel_l2"]),
            "max_abs": max(10 * measured["max_abs"], 10 * default * max(1.0, float(ref.abs().max())))}


def generate(out_dir, suffix, channels, filters, batch, h, w, spread, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    eb = make_module(channels, filters, spread, gen)
    medians = eb.quantiles[:, 0, 1].detach()
    for _ in range(100):  # redraw the input until no value sits within 1e-4 of a rounding tie
        x = medians.view(1, -1, 1, 1) + torch.randn(batch, channels, h, w, generator=gen) * (1 + spread / 4)
        if margin(x, medians) > 1e-4:
            break
    weights = {k: v.detach().numpy().copy() for k, v in eb.state_dict().items()
               if k not in ("_quantized_cdf", "_offset", "_cdf_length")}
    eb64 = copy.deepcopy(eb).double()
    x_hat, likelihoods, symbols, strings = run(eb, x)
    x_hat64, likelihoods64, _, _ = run(eb64, x.double())
    eb64.update(force=True)
    outputs = {
        "quantized_cdf": eb._quantized_cdf.numpy(), "offset": eb._offset.numpy(), "cdf_length": eb._cdf_length.numpy(),
        "x_hat": x_hat.numpy(), "likelihoods": likelihoods.numpy(), "symbols": symbols.numpy(),
    }
    for b, s in enumerate(strings):
        outputs[f"string_b{b}"] = np.frombuffer(s, dtype=np.uint8)
    measured = {"x_hat": stats(x_hat64.float(), x_hat), "likelihoods": stats(likelihoods64.float(), likelihoods)}
    tol = {k: tolerance(measured[k], torch.from_numpy(outputs[k])) for k in measured}
    case_id = "entropy.bottleneck_update.%s.k%d" % (suffix, int(eb._cdf_length.max()) - 2)
    io = {"in.x": x.numpy()}
    io.update({"out." + k: v for k, v in outputs.items()})
    case = {
        "id": case_id, "kind": "entropy.bottleneck_update", "naming": "compressai",
        "config": {"channels": channels, "tail_mass": TAIL_MASS, "init_scale": INIT_SCALE, "filters": list(filters)},
        "call": {}, "inputs": ["x"], "outputs": list(outputs),
        "tolerance": {"rel_l2": max(t["rel_l2"] for t in tol.values()), "max_abs": max(t["max_abs"] for t in tol.values())},
        "tolerance_per_output": tol,
        "reference": "compressai %s compressai.entropy_models.EntropyBottleneck" % compressai.__version__,
        "seed": seed,
        "notes": ("Generated by sodec codec/src/test/resources/bottleneck-update/generate.py, same semantics as the"
                  " shared entropy.bottleneck_update case (see its notes): weights = learned parameters only"
                  " (initial values perturbed with torch.Generator(seed)), expected tables = update(force=True),"
                  " then the eval forward (x_hat, likelihoods), symbols = round(x - medians) and compress(x);"
                  " the id ends in the longest pmf (k<length>)."),
        "has_weights": True,
        "dropped_state_keys": ["_quantized_cdf", "_offset", "_cdf_length"],
        "shapes": {k: list(v.shape) for k, v in io.items()},
        "dtypes": {k: str(v.dtype) for k, v in io.items()},
        "measured_fp32_vs_fp64": measured,
        "versions": {"torch": torch.__version__, "compressai": compressai.__version__, "numpy": np.__version__},
        "margins": {"x": margin(x, medians)},
        "fp64_integer_mismatch": [] if torch.equal(eb64._quantized_cdf, eb._quantized_cdf) else ["quantized_cdf"],
    }
    d = out_dir + "/" + case_id
    os.makedirs(d, exist_ok=True)
    st.write(d + "/weights.safetensors", weights)
    st.write(d + "/io.safetensors", io)
    with open(d + "/case.json", "w") as f:
        json.dump(case, f, indent=1)
    return case_id, eb._quantized_cdf.numel()


def main():
    out_dir = sys.argv[1]
    torch.set_num_threads(1)
    index = []
    for c in CASES:
        case_id, entries = generate(out_dir, *c)
        index.append({"id": case_id, "kind": "entropy.bottleneck_update", "naming": "compressai", "cdf_entries": entries})
        print(case_id, entries)
    with open(out_dir + "/index.json", "w") as f:
        json.dump({"suite": "sodec-bottleneck-update", "format": "shared/golden/FORMAT.md", "count": len(index),
                   "cases": index}, f, indent=1)


if __name__ == "__main__":
    main()
