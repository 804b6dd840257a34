"""Sanity check of a trained checkpoint on held-out training-set photos (never shared/images):
rate estimated from the model's own likelihoods with real rounding (eval mode), PSNR of the
clamped reconstruction, and JPEG (Pillow, 4:2:0, optimized Huffman tables) at matched bpp,
interpolated on JPEG's rate-PSNR curve over qualities 1..95.

Two rate estimates: 'bpp' uses the predicted scales as they are; 'bpp_tab' first rounds each
scale up to the 64-entry scale table as the entropy coder does (index = first table entry >=
max(scale, 0.11)), which is closer to what a real bitstream costs."""
import argparse
import glob
import io
import math
import os

import numpy as np
import torch
from PIL import Image

from model import MeanScaleHyperprior


def load_crop64(path):
    im = Image.open(path).convert("RGB")
    w, h = im.size
    return im.crop((0, 0, w - w % 64, h - h % 64))


def to_tensor(im):
    return torch.from_numpy(np.asarray(im)).permute(2, 0, 1)[None].float() / 255.0


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * math.log10(255.0 ** 2 / mse)


def codec_point(model, im):
    x = to_tensor(im)
    with torch.no_grad():
        y = model.g_a(x)
        z = model.h_a(y)
        z_hat, z_lik = model.entropy_bottleneck(z, training=False)
        scales, means = model.h_s(z_hat).chunk(2, 1)
        gc = model.gaussian_conditional
        y_hat, y_lik = gc(y, scales, means, training=False)
        table = gc.scale_table
        s = torch.clamp(scales, min=float(gc.scale_bound))
        idx = torch.clamp((s[..., None] > table).sum(-1), max=len(table) - 1)
        y_lik_tab = gc.likelihood_lower_bound(gc._likelihood(y_hat, table[idx], means))
        x_hat = model.g_s(y_hat).clamp(0, 1)
    npix = x.shape[2] * x.shape[3]
    bits_z = -torch.log2(z_lik).sum().item()
    bpp = (bits_z - torch.log2(y_lik).sum().item()) / npix
    bpp_tab = (bits_z - torch.log2(y_lik_tab).sum().item()) / npix
    rec = (x_hat[0].permute(1, 2, 0).numpy() * 255.0).round().astype(np.uint8)
    return bpp, bpp_tab, psnr(np.asarray(im), rec)


def jpeg_curve(im):
    pts = []
    for q in range(1, 96):
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=q, optimize=True)
        rec = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        pts.append((8 * len(buf.getvalue()) / (im.size[0] * im.size[1]), psnr(np.asarray(im), np.asarray(rec)), q))
    return sorted(pts)


def jpeg_at(curve, bpp):
    """PSNR of JPEG at this bpp, linear in bpp between the two nearest qualities."""
    for (b0, p0, q0), (b1, p1, q1) in zip(curve, curve[1:]):
        if b0 <= bpp <= b1:
            t = (bpp - b0) / (b1 - b0) if b1 > b0 else 0.0
            return p0 + t * (p1 - p0), f"q{q0}-{q1}"
    return (float("nan"), "below q1") if bpp < curve[0][0] else (float("nan"), "above q95")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoints", nargs="+")
    p.add_argument("--images", default="out/data/holdout")
    p.add_argument("--N", type=int, default=64)
    p.add_argument("--M", type=int, default=96)
    a = p.parse_args()
    torch.set_num_threads(1)
    paths = sorted(glob.glob(os.path.join(a.images, "*.png")))
    ims = [load_crop64(f) for f in paths]
    curves = [jpeg_curve(im) for im in ims]
    for ck in a.checkpoints:
        model = MeanScaleHyperprior(a.N, a.M).eval()
        # Shipped files carry entropy tables (or an empty scale table): the estimate needs
        # neither, so keep the model's own buffers for those keys.
        sd = {k: v for k, v in torch.load(ck).items()
              if not k.endswith(("_quantized_cdf", "_offset", "_cdf_length", "scale_table"))}
        missing, unexpected = model.load_state_dict(sd, strict=False)
        assert not unexpected and all(k.endswith(("_quantized_cdf", "_offset", "_cdf_length", "scale_table"))
                                      for k in missing), (missing, unexpected)
        print(f"== {ck}")
        rows = []
        for f, im, curve in zip(paths, ims, curves):
            bpp, bpp_tab, ps = codec_point(model, im)
            jp, q = jpeg_at(curve, bpp_tab)
            rows.append((bpp, bpp_tab, ps, jp))
            print(f"{os.path.basename(f):45s} {im.size[0]}x{im.size[1]} bpp {bpp:.3f} bpp_tab {bpp_tab:.3f} "
                  f"PSNR {ps:.2f} | JPEG@bpp_tab {jp:.2f} ({q}) | diff {ps - jp:+.2f} dB")
        m = np.nanmean(np.array(rows), axis=0)
        print(f"{'mean':45s} bpp {m[0]:.3f} bpp_tab {m[1]:.3f} PSNR {m[2]:.2f} | JPEG {m[3]:.2f} | "
              f"diff {m[2] - m[3]:+.2f} dB")


if __name__ == "__main__":
    main()
