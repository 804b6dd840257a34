"""Writes the shipped checkpoints from a training state_dict (out/<name>.pth.tar):

  checkpoints/<name>.pth.tar          bare state_dict after update(force=True): entropy tables
                                      and the default scale table filled in (the layout of
                                      CompressAI's pretrained zoo files)
  checkpoints/<name>.preupdate.pth.tar  the same weights before update(): the six table
                                      buffers and gaussian_conditional.scale_table are empty
                                      (what CompressAI's own train.py saves)

Both are torch.save zip files of an OrderedDict of tensors with CompressAI key names."""
import argparse
import collections
import os

import torch

from entropy_tables import updated_state_dict
from model import MeanScaleHyperprior

TABLES = ("_quantized_cdf", "_offset", "_cdf_length")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--N", type=int, default=64)
    p.add_argument("--M", type=int, default=96)
    p.add_argument("--out", default="checkpoints")
    a = p.parse_args()
    sd = torch.load(a.checkpoint)
    model = MeanScaleHyperprior(a.N, a.M)
    # Accepts a training checkpoint or a shipped one: tables and the scale table are rebuilt.
    sd = {k: v for k, v in sd.items()
          if not k.endswith(TABLES + ("scale_table",))}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith(TABLES + ("scale_table",)) for k in missing), \
        (missing, unexpected)
    ref_keys = set(model.state_dict())
    name = os.path.basename(a.checkpoint)[:-len(".pth.tar")]
    if name.endswith(".preupdate"):
        name = name[:-len(".preupdate")]
    os.makedirs(a.out, exist_ok=True)

    pre = collections.OrderedDict()
    for k, v in model.state_dict().items():
        if k.endswith(TABLES):
            v = torch.zeros(0, dtype=torch.int32)
        elif k == "gaussian_conditional.scale_table":
            v = torch.zeros(0, dtype=torch.float32)
        pre[k] = v.detach().clone().contiguous()
    post = collections.OrderedDict(
        (k, v.detach().clone().contiguous()) for k, v in updated_state_dict(pre, model).items())
    for d in (pre, post):
        assert set(d) == ref_keys
        for k, v in d.items():
            assert v.dtype == (torch.int32 if k.endswith(TABLES) else torch.float32), k
            assert torch.isfinite(v.float()).all(), k
    torch.save(post, os.path.join(a.out, name + ".pth.tar"))
    torch.save(pre, os.path.join(a.out, name + ".preupdate.pth.tar"))
    eb = post["entropy_bottleneck._cdf_length"]
    print(f"wrote {a.out}/{name}.pth.tar and .preupdate.pth.tar; bottleneck cdf lengths "
          f"{int(eb.min())}..{int(eb.max())}, gaussian table {tuple(post['gaussian_conditional._quantized_cdf'].shape)}")


if __name__ == "__main__":
    main()
