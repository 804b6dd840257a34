"""Checks that the model's state_dict has exactly the golden CompressAI key set and shapes
(N=16, M=24 golden case; entropy tables are empty here by design)."""
import json
import struct
import sys

from model import MeanScaleHyperprior

EMPTY_OK = ("_quantized_cdf", "_offset", "_cdf_length")


def golden_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
    h.pop("__metadata__", None)
    return h


def main(path):
    golden = golden_header(path)
    sd = MeanScaleHyperprior(16, 24).state_dict()
    bad = sorted(set(golden) ^ set(sd))
    for k in sorted(golden):
        if k not in sd:
            continue
        shape = list(sd[k].shape)
        if k.endswith(EMPTY_OK):
            if shape != [0]:
                bad.append(f"{k}: expected empty, got {shape}")
        elif shape != golden[k]["shape"]:
            bad.append(f"{k}: {shape} != {golden[k]['shape']}")
    if bad:
        print("MISMATCH:", *bad, sep="\n  ")
        sys.exit(1)
    print(f"ok: {len(sd)} keys match {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         "../../shared/golden/model.compressai.mbt2018_mean/weights.safetensors")
