"""Runs this model with the golden mbt2018-mean weights and compares against the golden
outputs (computed by CompressAI 1.2.4): y, z, z_hat, means/scales, y_hat and x_hat."""
import json
import struct
import sys

import numpy as np
import torch

from model import MeanScaleHyperprior

DIR = "../../shared/golden/model.compressai.mbt2018_mean/"


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
        data = f.read()
    h.pop("__metadata__", None)
    dt = {"F32": np.float32, "I32": np.int32, "U8": np.uint8}
    out = {}
    for k, m in h.items():
        b, e = m["data_offsets"]
        out[k] = np.frombuffer(data[b:e], dtype=dt[m["dtype"]]).reshape(m["shape"]).copy()
    return out


def main():
    w = read_safetensors(DIR + "weights.safetensors")
    io = read_safetensors(DIR + "io.safetensors")
    model = MeanScaleHyperprior(16, 24).eval()
    # The golden file carries built entropy tables; this model keeps them empty (unused here).
    sd = {k: torch.from_numpy(v) for k, v in w.items()
          if not k.endswith(("_quantized_cdf", "_offset", "_cdf_length"))}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith(("_quantized_cdf", "_offset", "_cdf_length"))
                                  for k in missing), (missing, unexpected)
    with torch.no_grad():
        x = torch.from_numpy(io["in.x"])
        y = model.g_a(x)
        z = model.h_a(y)
        z_hat, _ = model.entropy_bottleneck(z, training=False)
        scales, means = model.h_s(z_hat).chunk(2, 1)
        y_hat, _ = model.gaussian_conditional(y, scales, means, training=False)
        x_hat = model.g_s(y_hat).clamp(0, 1)
    got = {"y": y, "z": z, "z_hat": z_hat, "scales_hat": scales, "means_hat": means,
           "y_hat": y_hat, "x_hat": x_hat}
    ok = True
    for k, v in got.items():
        ref = io["out." + k]
        err = np.abs(v.numpy() - ref).max()
        rel = np.linalg.norm(v.numpy() - ref) / np.linalg.norm(ref)
        good = rel < 1e-4
        ok &= good
        print(f"{k:11s} max_abs {err:.2e} rel_l2 {rel:.2e} {'ok' if good else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
