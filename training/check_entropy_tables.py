"""Compares entropy_tables.py with the golden CompressAI outputs: pmf_to_quantized_cdf cases,
entropy.bottleneck_update (tables from learned params) and entropy.gaussian_update."""
import glob
import sys

import numpy as np
import torch

from check_golden import read_safetensors
from entropy_tables import bottleneck_tables, gaussian_tables, pmf_to_quantized_cdf
from model import EntropyBottleneck

G = "../../shared/golden/"


def same(name, got, ref):
    got, ref = np.asarray(got), np.asarray(ref)
    ok = got.shape == ref.shape and np.array_equal(got, ref)
    diff = "" if ok or got.shape != ref.shape else f" ({int((got != ref).sum())} entries differ)"
    print(f"{name:55s} {'ok' if ok else 'FAIL'}{diff}")
    return ok


def main():
    ok = True
    for d in sorted(glob.glob(G + "entropy.pmf_to_quantized_cdf.*")):
        io = read_safetensors(d + "/io.safetensors")
        ok &= same(d.split("/")[-1], pmf_to_quantized_cdf(io["in.pmf"]), io["out.cdf"])

    d = G + "entropy.bottleneck_update/"
    w, io = read_safetensors(d + "weights.safetensors"), read_safetensors(d + "io.safetensors")
    eb = EntropyBottleneck(w["entropy_bottleneck.quantiles"].shape[0] if "entropy_bottleneck.quantiles" in w
                           else w["quantiles"].shape[0])
    prefix = "entropy_bottleneck." if "entropy_bottleneck.quantiles" in w else ""
    sd = {k[len(prefix):]: torch.from_numpy(v) for k, v in w.items() if k.startswith(prefix)}
    sd = {k: v for k, v in sd.items() if not k.endswith(("_quantized_cdf", "_offset", "_cdf_length"))}
    missing, unexpected = eb.load_state_dict(sd, strict=False)
    assert not unexpected, unexpected
    cdf, off, length = bottleneck_tables(eb)
    ok &= same("bottleneck_update quantized_cdf", cdf, io["out.quantized_cdf"])
    ok &= same("bottleneck_update offset", off, io["out.offset"])
    ok &= same("bottleneck_update cdf_length", length, io["out.cdf_length"])

    d = G + "entropy.gaussian_update/"
    io = read_safetensors(d + "io.safetensors")
    cdf, off, length = gaussian_tables(torch.from_numpy(io["in.scale_table"]))
    ok &= same("gaussian_update quantized_cdf", cdf, io["out.quantized_cdf"])
    ok &= same("gaussian_update offset", off, io["out.offset"])
    ok &= same("gaussian_update cdf_length", length, io["out.cdf_length"])

    d = G + "model.compressai.mbt2018_mean/"
    w = read_safetensors(d + "weights.safetensors")
    cdf, off, length = gaussian_tables(torch.from_numpy(w["gaussian_conditional.scale_table"]))
    ok &= same("mbt2018_mean gaussian_conditional._quantized_cdf", cdf, w["gaussian_conditional._quantized_cdf"])
    eb = EntropyBottleneck(w["entropy_bottleneck.quantiles"].shape[0])
    eb.load_state_dict({k[len("entropy_bottleneck."):]: torch.from_numpy(v) for k, v in w.items()
                        if k.startswith("entropy_bottleneck.")
                        and not k.endswith(("_quantized_cdf", "_offset", "_cdf_length"))}, strict=False)
    for name, got in zip(("_quantized_cdf", "_offset", "_cdf_length"), bottleneck_tables(eb)):
        ok &= same("mbt2018_mean entropy_bottleneck." + name, got, w["entropy_bottleneck." + name])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
