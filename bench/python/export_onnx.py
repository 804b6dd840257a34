"""Export the side-by-side networks to ONNX for the ONNX Runtime column (bench/compare_ort.sh).

usage: export_onnx.py DIR SIZE...   (SIZE as sd_torch.py takes it: S or WxH)
       export_onnx.py --compare DIR    rel_l2 of ONNX Runtime's outputs (DIR/ort_out.safetensors) against torch's

The networks are exactly the PyTorch column's: sd_torch.py's UNet and VaeDecoder (pure torch, diffusers weight
names) loaded from DIR/unet.safetensors and DIR/vae.safetensors, which the engine loads too. One graph per size
(static shapes, like the other two columns): DIR/unet_SIZE.onnx (inputs sample, ctx; output eps; the timestep 999
is a constant) and DIR/vae_SIZE.onnx (input latent; output image). Uses torch.onnx.export of Debian's
python3-torch (1.13, opset 17); it needs no `onnx` python package. The UNet's 3.5 GB of weights exceed protobuf's
2 GB limit, so torch writes them as external data files next to the graph.
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd_torch as sd  # noqa: E402  (the PyTorch column's modules)


class UNetAtT(torch.nn.Module):
    """The UNet at the fixed SODEC timestep, so the graph takes only tensors."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, ctx):
        return self.unet(sample, sd.TIMESTEP, ctx)


def export(module, args, path, inputs, output):
    t0 = time.perf_counter()
    torch.onnx.export(module, args, path, input_names=inputs, output_names=[output], opset_version=17,
                      do_constant_folding=True)
    print(f"exported {path} in {time.perf_counter() - t0:.1f} s", flush=True)


def main(d, sizes):
    torch.set_grad_enabled(False)
    ins = sd.read_st(os.path.join(d, "inputs.safetensors"))
    unet = sd.load(sd.UNet(sd.unet_config(d)), os.path.join(d, "unet.safetensors")).eval()
    vae = sd.load(sd.VaeDecoder(sd.VAE_CONFIG), os.path.join(d, "vae.safetensors")).eval()
    for s in sizes:
        # each UNet graph gets its own folder: torch names external weight files after the tensors
        udir = os.path.join(d, f"unet_{s}")
        os.makedirs(udir, exist_ok=True)
        export(UNetAtT(unet), (ins[f"sample_{s}"], ins["ctx"]), os.path.join(udir, "model.onnx"), ["sample", "ctx"], "eps")
        export(vae, (ins[f"latent_{s}"],), os.path.join(d, f"vae_{s}.onnx"), ["latent"], "image")


def compare(d):
    """The ORT column must compute what the torch column computes: same graph, same weights."""
    a = sd.read_st(os.path.join(d, "ort_out.safetensors"))
    b = sd.read_st(os.path.join(d, "torch_out.safetensors")) if os.path.exists(os.path.join(d, "torch_out.safetensors")) else {}
    for k in sorted(set(a) & set(b)):
        x, y = a[k].double(), b[k].double()
        rel = (x - y).norm() / max(y.norm().item(), 1e-12)
        print(f"COMPARE ort vs torch {k}: rel_l2={rel:.3e} max_abs={(x - y).abs().max().item():.3e}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--compare":
        compare(sys.argv[2])
    elif len(sys.argv) >= 3:
        main(sys.argv[1], sys.argv[2:])
    else:
        raise SystemExit(__doc__)
