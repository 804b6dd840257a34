"""Reference outputs of the torch 1.13 CPU kernels EntropyBottleneck.update() is made of, on inputs chosen so that
each code path shows: softplus and sigmoid (vectorized SLEEF blocks of 16, scalar glibc tail, per-thread chunks
above 32768 elements), tanh (vectorized to the end) and bmm (torch's own loop below 400 multiply-adds, OpenBLAS
sgemm above, in the shapes where OpenBLAS splits its accumulators). Writes one safetensors file.

    python3 torch_ops.py OUT.safetensors
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

import st

gen = torch.Generator().manual_seed(1234)


def path_candidates(f, count, lo, hi):
    """Inputs where f's scalar (tail) and vectorized results differ."""
    found = []
    while len(found) < count:
        v = torch.rand(4096, generator=gen) * (hi - lo) + lo
        vec = f(v.repeat_interleave(16))[::16]  # every element in a full vector block
        for i in range(len(v)):
            if len(found) < count and f(v[i:i + 1])[0] != vec[i]:  # a 1-element tensor is all tail
                found.append(float(v[i]))
    return torch.tensor(found)


def with_tail(f, n, lo, hi):
    """n random inputs whose scalar tail and some body elements are path-sensitive."""
    x = torch.rand(n, generator=gen) * (hi - lo) + lo
    tail = n % 16
    cand = path_candidates(f, tail + 8, lo, hi)
    x[n - tail:] = cand[:tail]
    x[torch.randperm(n - tail, generator=gen)[:8]] = cand[tail:]
    return x


def formula(n):
    """The chunked-kernel input, reproducible in any language: ((i * 7919) mod 20011) / 1000 - 10 in float32."""
    i = np.arange(n, dtype=np.int64)
    return torch.from_numpy((((i * 7919) % 20011).astype(np.float32) / np.float32(1000)) - np.float32(10))


def main():
    out = {}
    torch.set_num_threads(1)
    sp = with_tail(F.softplus, 1013, -12.0, 20.0)
    out["softplus.x"], out["softplus.y"] = sp, F.softplus(sp)
    sg = with_tail(torch.sigmoid, 1013, -25.0, 25.0)
    out["sigmoid.x"], out["sigmoid.y"] = sg, torch.sigmoid(sg)
    th = torch.rand(1013, generator=gen) * 20 - 10
    out["tanh.x"], out["tanh.y"] = th, torch.tanh(th)

    # Chunked by threads: the formula input with path-sensitive values planted around every chunk end of 1..3
    # threads; only those windows are kept (index, value, outputs per thread count).
    n = 70001
    x = formula(n)
    ends = sorted({e for t in (1, 2, 3) for e in ((n + t - 1) // t * (k + 1) for k in range(t)) if e <= n} | {n})
    windows = torch.cat([torch.arange(max(0, e - 20), min(n, e + 4)) for e in ends]).unique()
    cand = path_candidates(torch.sigmoid, len(windows), -25.0, 25.0)
    x[windows] = cand
    out["chunked.index"] = windows.int()
    out["chunked.x"] = x[windows]
    for t in (1, 2, 3):
        torch.set_num_threads(t)
        out["chunked.y_threads%d" % t] = torch.sigmoid(x)[windows]
    torch.set_num_threads(1)

    # bmm (C=2 batches): naive loop, FMA chains, split accumulators in 4- and 12-column pieces, several row blocks
    for rows, inner, cols in [(3, 3, 40), (3, 3, 50), (1, 3, 200), (8, 8, 200), (12, 12, 100), (9, 9, 700), (16, 10, 90)]:
        w = torch.rand(2, rows, inner, generator=gen)
        xb = torch.randn(2, inner, cols, generator=gen) * 10
        key = "bmm.%dx%dx%d" % (rows, inner, cols)
        out[key + ".w"], out[key + ".x"], out[key + ".y"] = w, xb, torch.bmm(w, xb)
    st.write(sys.argv[1], {k: v.contiguous().numpy() for k, v in out.items()}, {"torch": torch.__version__})


if __name__ == "__main__":
    main()
