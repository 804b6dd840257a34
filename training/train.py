"""Trains MeanScaleHyperprior with loss = bpp + lambda * 255^2 * MSE (additive uniform noise
as the quantization proxy), CompressAI-style: Adam on the network, a second Adam on the
entropy bottleneck quantiles driven by the aux loss, gradient clipping at 1.0.

Stops after --steps or at --stop-at (UTC, HH:MM), whichever comes first; the learning rate is
divided by 10 for the last --decay-frac of the run (by step or by wall time). Writes
<out>/<name>.pth.tar (the bare state_dict, CompressAI key names) every --ckpt-every steps and
at the end, plus <out>/<name>.state.pt (optimizers, step) for --resume."""
import argparse
import datetime
import glob
import math
import os
import signal
import time

import numpy as np
import torch

from model import MeanScaleHyperprior


def load_images(data_dir):
    files = sorted(glob.glob(os.path.join(data_dir, "*.npy")))
    if not files:
        raise SystemExit(f"no .npy images in {data_dir} (run prepare_data.py)")
    return [np.load(f) for f in files]


def random_batch(images, rng, batch, patch):
    out = np.empty((batch, patch, patch, 3), dtype=np.uint8)
    for b in range(batch):
        im = images[rng.integers(len(images))]
        h, w, _ = im.shape
        y, x = rng.integers(h - patch + 1), rng.integers(w - patch + 1)
        crop = im[y:y + patch, x:x + patch]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        out[b] = crop
    return torch.from_numpy(out).permute(0, 3, 1, 2).float().div_(255.0)


def rd_loss(out, x, lmbda):
    num_pixels = x.size(0) * x.size(2) * x.size(3)
    bpp = sum(torch.log(l).sum() for l in out["likelihoods"].values()) / (-math.log(2) * num_pixels)
    mse = torch.mean((out["x_hat"] - x) ** 2)
    return bpp + lmbda * 255 ** 2 * mse, bpp, mse


def stop_time(hhmm):
    if not hhmm:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    h, m = map(int, hhmm.split(":"))
    t = now.replace(hour=h, minute=m, second=0, microsecond=0)
    if t <= now:
        t += datetime.timedelta(days=1)
    return t.timestamp()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="out/data/train")
    p.add_argument("--out", default="out")
    p.add_argument("--name", required=True)
    p.add_argument("--N", type=int, default=64)
    p.add_argument("--M", type=int, default=96)
    p.add_argument("--lmbda", type=float, required=True)
    p.add_argument("--steps", type=int, default=1_000_000)
    p.add_argument("--stop-at", default="", help="UTC HH:MM")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--patch", type=int, default=128)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--aux-lr", type=float, default=1e-3)
    p.add_argument("--decay-frac", type=float, default=0.2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--ckpt-every", type=int, default=500)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init-from", default="", help="start from this state_dict (.pth.tar)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    images = load_images(a.data)
    os.makedirs(a.out, exist_ok=True)
    ckpt = os.path.join(a.out, a.name + ".pth.tar")
    state_path = os.path.join(a.out, a.name + ".state.pt")

    model = MeanScaleHyperprior(a.N, a.M).train()
    main_params = [p_ for n, p_ in model.named_parameters() if not n.endswith("quantiles")]
    aux_params = [p_ for n, p_ in model.named_parameters() if n.endswith("quantiles")]
    opt = torch.optim.Adam(main_params, lr=a.lr)
    aux_opt = torch.optim.Adam(aux_params, lr=a.aux_lr)
    step = 0
    if a.init_from:
        # The entropy tables and the scale table are derived data (empty in a .preupdate file,
        # filled in an exported one); training never reads them, so only the weights are loaded.
        tables = ("_quantized_cdf", "_offset", "_cdf_length", "scale_table")
        sd = {k: v for k, v in torch.load(a.init_from).items() if not k.endswith(tables)}
        missing, unexpected = model.load_state_dict(sd, strict=False)
        if unexpected or not all(k.endswith(tables) for k in missing):
            raise SystemExit(f"{a.init_from}: missing {missing}, unexpected {unexpected}")
        print(f"initialised from {a.init_from}", flush=True)
    if a.resume and os.path.exists(state_path):
        st = torch.load(state_path)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        aux_opt.load_state_dict(st["aux_opt"])
        step = st["step"]
        for g in opt.param_groups:  # --lr wins over the saved one (a resumed run may change it)
            g["lr"] = a.lr
        rng = np.random.default_rng(a.seed + step)
        print(f"resumed at step {step}", flush=True)

    t_start = time.time()
    t_stop = stop_time(a.stop_at)
    decayed = False

    def save():
        torch.save(model.state_dict(), ckpt)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                    "aux_opt": aux_opt.state_dict(), "step": step, "args": vars(a)}, state_path)

    print(f"{len(images)} images, N={a.N} M={a.M} lambda={a.lmbda} batch={a.batch}x{a.patch}^2 "
          f"params={sum(p_.numel() for p_ in model.parameters())}", flush=True)
    acc = np.zeros(4)
    t_log = time.time()
    stop_requested = []
    # SIGTERM (kill <pid>) ends the run cleanly: finish the step, save, exit.
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.append(True))
    while step < a.steps:
        now = time.time()
        if stop_requested or (t_stop is not None and now >= t_stop):
            break
        frac = step / a.steps
        if t_stop is not None:
            frac = max(frac, (now - t_start) / max(t_stop - t_start, 1.0))
        if not decayed and frac >= 1 - a.decay_frac:
            for g in opt.param_groups:
                g["lr"] = a.lr / 10
            decayed = True
            print(f"step {step}: lr -> {a.lr / 10}", flush=True)

        x = random_batch(images, rng, a.batch, a.patch)
        opt.zero_grad()
        aux_opt.zero_grad()
        out = model(x)
        loss, bpp, mse = rd_loss(out, x, a.lmbda)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(main_params, 1.0)
        opt.step()
        aux = model.aux_loss()
        aux.backward()
        aux_opt.step()
        step += 1

        acc += [loss.item(), bpp.item(), mse.item(), aux.item()]
        if step % a.log_every == 0:
            l, b, m, ax = acc / a.log_every
            dt = (time.time() - t_log) / a.log_every
            print(f"step {step} loss {l:.4f} bpp {b:.4f} mse {m:.6f} psnr {10 * math.log10(1 / m):.2f} "
                  f"aux {ax:.1f} {dt:.2f}s/step elapsed {(time.time() - t_start) / 60:.1f}min",
                  flush=True)
            acc[:] = 0
            t_log = time.time()
        if step % a.ckpt_every == 0:
            save()
    save()
    print(f"done at step {step}, {(time.time() - t_start) / 60:.1f} min; wrote {ckpt}", flush=True)


if __name__ == "__main__":
    main()
