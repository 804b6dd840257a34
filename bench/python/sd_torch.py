#!/usr/bin/python3
"""Side-by-side timing of one SD 2.1 UNet forward and one SD VAE decode in PyTorch (CPU), against the Java engine.

Minimal pure-torch modules written for this benchmark with diffusers' state-dict names (diffusers is not
installable here), so the weights file is the same one the Java side loads. Subcommands:
  init  DIR [FAMILY]   write random weights (torch default init, seed 0) and inputs to DIR/*.safetensors; FAMILY
                       sd21 (default: SD 2.1's UNet, 257 x 1024 context) or onedc (OneDC's decoder UNet: SD 1.5's
                       configuration, 8 heads, 1x1-conv projections, 96 x 768 context)
  inputs DIR SIZE..    add inputs for sizes DIR/inputs.safetensors lacks (seeded by the size; others kept as they are)
  run   DIR THREADS SIZE..  time the forwards at each image size and write outputs. A size is S (S x S) or WxH, the
                       image's width and height (256 -> 32x32 latent, 512 -> 64x64, 768x512 -> 64x96: OneDC's size)
  compare DIR          rel_l2 between the Java outputs (DIR/java_out.safetensors) and torch's (DIR/torch_out.safetensors)
Uses only json+struct+torch: the safetensors files are parsed and written by hand.
"""
import json
import math
import os
import resource
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

UNET_CONFIG = {
    "sample_size": 96, "in_channels": 4, "out_channels": 4,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    "block_out_channels": [320, 640, 1280, 1280], "layers_per_block": 2, "cross_attention_dim": 1024,
    "attention_head_dim": [5, 10, 20, 20], "use_linear_projection": True, "upcast_attention": True,
    "norm_num_groups": 32, "norm_eps": 1e-5, "flip_sin_to_cos": True, "freq_shift": 0,
}
VAE_CONFIG = {
    "in_channels": 3, "out_channels": 3, "latent_channels": 4, "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4, "up_block_types": ["UpDecoderBlock2D"] * 4,
    "layers_per_block": 2, "norm_num_groups": 32, "sample_size": 768, "scaling_factor": 0.18215,
}
# OneDC's decoder UNet: SD 1.5's configuration (8 heads at every level, 768-wide context, 1x1-conv projections),
# conditioned on 96 semantic tokens at 768x512 (its /64 feature map, 8 x 12); LoRA merged, so the same shapes.
ONEDC_UNET_CONFIG = dict(UNET_CONFIG, cross_attention_dim=768, attention_head_dim=8, use_linear_projection=False,
                         upcast_attention=False)
# family -> (UNet configuration, context tokens); sd21's 257 are the ViT-L/14 tokens SODEC's Fp feeds the UNet
FAMILIES = {"sd21": (UNET_CONFIG, 257), "onedc": (ONEDC_UNET_CONFIG, 96)}
TIMESTEP = 999


# ---------------------------------------------------------------- modules (diffusers names)
class Resnet(nn.Module):
    def __init__(self, cin, cout, temb, eps):
        super().__init__()
        self.norm1 = nn.GroupNorm(32, cin, eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        if temb:
            self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(32, cout, eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        if cin != cout:
            self.conv_shortcut = nn.Conv2d(cin, cout, 1)

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if temb is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        if hasattr(self, "conv_shortcut"):
            x = self.conv_shortcut(x)
        return x + h


class Attention(nn.Module):
    def __init__(self, dim, ctx, heads, bias):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=bias)
        self.to_k = nn.Linear(ctx, dim, bias=bias)
        self.to_v = nn.Linear(ctx, dim, bias=bias)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim)])

    def forward(self, x, ctx=None):
        ctx = x if ctx is None else ctx
        b, t, c = x.shape
        d = c // self.heads
        q = self.to_q(x).view(b, t, self.heads, d).transpose(1, 2)
        k = self.to_k(ctx).view(b, -1, self.heads, d).transpose(1, 2)
        v = self.to_v(ctx).view(b, -1, self.heads, d).transpose(1, 2)
        w = torch.softmax(q @ k.transpose(-1, -2) * d ** -0.5, dim=-1)
        return self.to_out[0]((w @ v).transpose(1, 2).reshape(b, t, c))


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        h, g = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(g)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, 4 * dim), nn.Dropout(0.0), nn.Linear(4 * dim, dim)])

    def forward(self, x):
        return self.net[2](self.net[0](x))


class TransformerBlock(nn.Module):
    def __init__(self, dim, ctx, heads):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads, False)
        self.attn2 = Attention(dim, ctx, heads, False)
        self.ff = FeedForward(dim)

    def forward(self, x, ctx):
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), ctx) + x
        return self.ff(self.norm3(x)) + x


class Transformer2D(nn.Module):
    def __init__(self, dim, ctx, heads, linear=True):
        super().__init__()
        self.linear = linear
        self.norm = nn.GroupNorm(32, dim, 1e-6)
        self.proj_in = nn.Linear(dim, dim) if linear else nn.Conv2d(dim, dim, 1)
        self.transformer_blocks = nn.ModuleList([TransformerBlock(dim, ctx, heads)])
        self.proj_out = nn.Linear(dim, dim) if linear else nn.Conv2d(dim, dim, 1)

    def forward(self, x, ctx):
        b, c, h, w = x.shape
        t = self.norm(x)
        if not self.linear:
            t = self.proj_in(t)
        t = t.permute(0, 2, 3, 1).reshape(b, h * w, c)
        if self.linear:
            t = self.proj_in(t)
        for blk in self.transformer_blocks:
            t = blk(t, ctx)
        if self.linear:
            t = self.proj_out(t)
        t = t.reshape(b, h, w, c).permute(0, 3, 1, 2)
        if not self.linear:
            t = self.proj_out(t)
        return t + x


class Down(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Up(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x, size=None):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest") if size is None
                         else F.interpolate(x, size=size, mode="nearest"))


class Block(nn.Module):
    """Down/up block; attentions present for the CrossAttn kinds."""

    def __init__(self, resnets, attentions, sampler):
        super().__init__()
        self.resnets = nn.ModuleList(resnets)
        if attentions:
            self.attentions = nn.ModuleList(attentions)
        if sampler is not None:
            setattr(self, sampler[0], nn.ModuleList([sampler[1]]))


class UNet(nn.Module):
    def __init__(self, c):
        super().__init__()
        boc, heads, ctx, L = c["block_out_channels"], c["attention_head_dim"], c["cross_attention_dim"], c["layers_per_block"]
        heads = [heads] * len(boc) if isinstance(heads, int) else heads   # diffusers: the NUMBER of heads per level
        lin = c.get("use_linear_projection", False)
        temb = boc[0] * 4
        self.time_embedding = nn.Module()
        self.time_embedding.linear_1 = nn.Linear(boc[0], temb)
        self.time_embedding.linear_2 = nn.Linear(temb, temb)
        self.conv_in = nn.Conv2d(c["in_channels"], boc[0], 3, padding=1)
        n = len(boc)
        self.down_blocks = nn.ModuleList()
        out = boc[0]
        for i, kind in enumerate(c["down_block_types"]):
            cin, out = out, boc[i]
            res = [Resnet(cin if j == 0 else out, out, temb, 1e-5) for j in range(L)]
            att = [Transformer2D(out, ctx, heads[i], lin) for _ in range(L)] if kind.startswith("CrossAttn") else None
            self.down_blocks.append(Block(res, att, ("downsamplers", Down(out)) if i < n - 1 else None))
        self.mid_block = Block([Resnet(boc[-1], boc[-1], temb, 1e-5), Resnet(boc[-1], boc[-1], temb, 1e-5)],
                               [Transformer2D(boc[-1], ctx, heads[-1], lin)], None)
        rb, rh = boc[::-1], heads[::-1]
        self.up_blocks = nn.ModuleList()
        out = rb[0]
        for i, kind in enumerate(c["up_block_types"]):
            prev, out = out, rb[i]
            cin = rb[min(i + 1, n - 1)]
            res = [Resnet((prev if j == 0 else out) + (cin if j == L else out), out, temb, 1e-5) for j in range(L + 1)]
            att = [Transformer2D(out, ctx, rh[i], lin) for _ in range(L + 1)] if kind.startswith("CrossAttn") else None
            self.up_blocks.append(Block(res, att, ("upsamplers", Up(out)) if i < n - 1 else None))
        self.conv_norm_out = nn.GroupNorm(32, boc[0], 1e-5)
        self.conv_out = nn.Conv2d(boc[0], c["out_channels"], 3, padding=1)
        self.c0 = boc[0]

    def forward(self, x, t, ctx):
        half = self.c0 // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
        arg = torch.tensor([float(t)]) [:, None] * freqs[None]
        emb = torch.cat([torch.cos(arg), torch.sin(arg)], dim=-1)
        emb = self.time_embedding.linear_2(F.silu(self.time_embedding.linear_1(emb)))
        h = self.conv_in(x)
        skips = [h]
        for blk in self.down_blocks:
            for j, r in enumerate(blk.resnets):
                h = r(h, emb)
                if hasattr(blk, "attentions"):
                    h = blk.attentions[j](h, ctx)
                skips.append(h)
            if hasattr(blk, "downsamplers"):
                h = blk.downsamplers[0](h)
                skips.append(h)
        h = self.mid_block.resnets[0](h, emb)
        h = self.mid_block.attentions[0](h, ctx)
        h = self.mid_block.resnets[1](h, emb)
        for blk in self.up_blocks:
            for j, r in enumerate(blk.resnets):
                h = r(torch.cat([h, skips.pop()], dim=1), emb)
                if hasattr(blk, "attentions"):
                    h = blk.attentions[j](h, ctx)
            if hasattr(blk, "upsamplers"):
                h = blk.upsamplers[0](h, size=skips[-1].shape[-2:])
        return self.conv_out(F.silu(self.conv_norm_out(h)))


class VaeAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.group_norm = nn.GroupNorm(32, c, 1e-6)
        self.to_q, self.to_k, self.to_v = nn.Linear(c, c), nn.Linear(c, c), nn.Linear(c, c)
        self.to_out = nn.ModuleList([nn.Linear(c, c)])

    def forward(self, x):
        b, c, h, w = x.shape
        t = self.group_norm(x).view(b, c, h * w).transpose(1, 2)
        q, k, v = self.to_q(t), self.to_k(t), self.to_v(t)
        a = torch.softmax(q @ k.transpose(1, 2) * c ** -0.5, dim=-1) @ v
        return self.to_out[0](a).transpose(1, 2).reshape(b, c, h, w) + x


class VaeDecoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        boc, lat, L = c["block_out_channels"], c["latent_channels"], c["layers_per_block"]
        self.post_quant_conv = nn.Conv2d(lat, lat, 1)
        d = nn.Module()
        d.conv_in = nn.Conv2d(lat, boc[-1], 3, padding=1)
        d.mid_block = nn.Module()
        d.mid_block.resnets = nn.ModuleList([Resnet(boc[-1], boc[-1], None, 1e-6), Resnet(boc[-1], boc[-1], None, 1e-6)])
        d.mid_block.attentions = nn.ModuleList([VaeAttention(boc[-1])])
        rb = boc[::-1]
        d.up_blocks = nn.ModuleList()
        out = rb[0]
        for i in range(len(rb)):
            prev, out = out, rb[i]
            res = [Resnet(prev if j == 0 else out, out, None, 1e-6) for j in range(L + 1)]
            d.up_blocks.append(Block(res, None, ("upsamplers", Up(out)) if i < len(rb) - 1 else None))
        d.conv_norm_out = nn.GroupNorm(32, boc[0], 1e-6)
        d.conv_out = nn.Conv2d(boc[0], c["out_channels"], 3, padding=1)
        self.decoder = d

    def forward(self, z):
        d = self.decoder
        h = d.conv_in(self.post_quant_conv(z))
        h = d.mid_block.resnets[0](h)
        h = d.mid_block.attentions[0](h)
        h = d.mid_block.resnets[1](h)
        for blk in d.up_blocks:
            for r in blk.resnets:
                h = r(h)
            if hasattr(blk, "upsamplers"):
                h = blk.upsamplers[0](h)
        return d.conv_out(F.silu(d.conv_norm_out(h)))


# ---------------------------------------------------------------- safetensors by hand
def write_st(path, tensors, metadata=None):
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        b = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_st(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = bytearray(f.read())
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {info['dtype']}, expected F32")
        a, b = info["data_offsets"]
        out[name] = torch.frombuffer(data, dtype=torch.float32, offset=a, count=(b - a) // 4).view(info["shape"])
    return out


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return -1


def latent_hw(size):
    """Latent (height, width) of an image size: "S" (square) or "WxH"."""
    parts = size.split("x") if "x" in size else [size, size]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise SystemExit(f"size {size}: expected S or WxH (image width x height in pixels)")
    w, h = int(parts[0]), int(parts[1])
    if w % 8 or h % 8 or w <= 0 or h <= 0:
        raise SystemExit(f"size {size}: width and height must be positive multiples of 8")
    return h // 8, w // 8


# ---------------------------------------------------------------- commands
def init(d, family="sd21"):
    if family not in FAMILIES:
        raise SystemExit(f"family {family}: expected one of {', '.join(FAMILIES)}")
    config, tokens = FAMILIES[family]
    torch.manual_seed(0)
    os.makedirs(d, exist_ok=True)
    unet, vae = UNet(config), VaeDecoder(VAE_CONFIG)
    write_st(os.path.join(d, "unet.safetensors"), unet.state_dict(), {"config": json.dumps(config)})
    write_st(os.path.join(d, "vae.safetensors"), vae.state_dict(), {"config": json.dumps(VAE_CONFIG)})
    g = torch.Generator().manual_seed(1)
    ins = {"ctx": torch.randn(1, tokens, config["cross_attention_dim"], generator=g)}
    for s in ("256", "512"):
        h, w = latent_hw(s)
        ins[f"sample_{s}"] = torch.randn(1, 4, h, w, generator=g)
        ins[f"latent_{s}"] = torch.randn(1, 4, h, w, generator=g)
    write_st(os.path.join(d, "inputs.safetensors"), ins)
    print(f"wrote {d}: unet {sum(p.numel() for p in unet.parameters()) / 1e6:.1f}M params, "
          f"vae decoder {sum(p.numel() for p in vae.parameters()) / 1e6:.1f}M params")


def add_inputs(d, sizes):
    """Inputs for sizes not in DIR/inputs.safetensors, from a generator seeded by the size's latent shape (so
    every machine draws the same ones); the existing tensors are written back unchanged."""
    path = os.path.join(d, "inputs.safetensors")
    ins = read_st(path)
    missing = [s for s in sizes if f"sample_{s}" not in ins]
    for s in missing:
        h, w = latent_hw(s)
        g = torch.Generator().manual_seed(1000003 * h + w)
        ins[f"sample_{s}"] = torch.randn(1, 4, h, w, generator=g)
        ins[f"latent_{s}"] = torch.randn(1, 4, h, w, generator=g)
    if missing:
        write_st(path, ins)
        print(f"added inputs for {' '.join(missing)} to {path}")


def unet_config(d):
    """The UNet configuration DIR/unet.safetensors was written with (its metadata), which the engine reads too."""
    with open(os.path.join(d, "unet.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(json.loads(f.read(n))["__metadata__"]["config"])


def load(module, path):
    """Copies each tensor of the file into the module's parameter in place (one tensor in flight: the 3.5 GB UNet
    is never held twice)."""
    params = module.state_dict()
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        names = [k for k in header if k != "__metadata__"]
        if set(names) != set(params):
            raise ValueError(f"{path}: keys differ from the module: {sorted(set(names) ^ set(params))[:5]}")
        for name in names:
            info = header[name]
            a, b = info["data_offsets"]
            f.seek(8 + n + a)
            t = torch.frombuffer(bytearray(f.read(b - a)), dtype=torch.float32).view(info["shape"])
            with torch.no_grad():
                params[name].copy_(t)
    return module


def run(d, threads, sizes):
    torch.set_num_threads(threads)
    torch.set_grad_enabled(False)
    ins = read_st(os.path.join(d, "inputs.safetensors"))
    unet = load(UNet(unet_config(d)), os.path.join(d, "unet.safetensors")).eval()
    vae = load(VaeDecoder(VAE_CONFIG), os.path.join(d, "vae.safetensors")).eval()
    outs = {}
    for s in sizes:
        x, ctx, z = ins[f"sample_{s}"], ins["ctx"], ins[f"latent_{s}"]
        unet(x, TIMESTEP, ctx)  # warm-up
        reset_peak()
        t0 = time.perf_counter()
        eps = unet(x, TIMESTEP, ctx)
        tu = time.perf_counter() - t0
        pu = peak_mib()
        vae(z)
        reset_peak()
        t0 = time.perf_counter()
        img = vae(z)
        tv = time.perf_counter() - t0
        pv = peak_mib()
        print(f"INFO torch size={s} peak RSS during the timed call: unet {pu} MiB, vae {pv} MiB", flush=True)
        outs[f"eps_{s}"], outs[f"image_{s}"] = eps, img
        print(f"RESULT torch size={s} unet_s={tu:.3f} vae_s={tv:.3f}", flush=True)
    write_st(os.path.join(d, "torch_out.safetensors"), outs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT torch peak_rss_mib={rss:.0f} threads={torch.get_num_threads()}")


def compare(d):
    a, b = read_st(os.path.join(d, "java_out.safetensors")), read_st(os.path.join(d, "torch_out.safetensors"))
    for k in sorted(set(a) & set(b)):
        x, y = a[k].double(), b[k].double()
        rel = (x - y).norm() / max(y.norm().item(), 1e-12)
        print(f"COMPARE {k}: rel_l2={rel:.3e} max_abs={(x - y).abs().max().item():.3e} |torch|max={y.abs().max().item():.3e}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "init":
        init(sys.argv[2], *sys.argv[3:4])
    elif cmd == "inputs":
        for s in sys.argv[3:]:
            latent_hw(s)
        add_inputs(sys.argv[2], sys.argv[3:])
    elif cmd == "run":
        for s in sys.argv[4:]:
            latent_hw(s)
        run(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif cmd == "compare":
        compare(sys.argv[2])
    else:
        raise SystemExit(__doc__)
