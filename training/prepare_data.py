"""Builds the training set: each photo listed in images.txt (paths into unpacked Debian
wallpaper packages, see DATA.md) is resized with Lanczos so its shorter side is 512, 768 and
1024 px (wallpapers are far larger and smoother per pixel than the images the codec sees) and
saved as uint8 HxWx3 .npy files. Images named in HOLDOUT are written to a separate folder and
never trained on."""
import os
import sys

import numpy as np
from PIL import Image

SHORT_SIDES = (512, 768, 1024)
HOLDOUT = ("Garden.jpg", "picosdeeuropa_by_Aitzol_Berasategi.jpg", "EveningGlow")


def main(list_file, root, out_dir):
    paths = [p.strip() for p in open(list_file) if p.strip() and not p.startswith("#")]
    for sub in ("train", "holdout"):
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
    for i, rel in enumerate(paths):
        im = Image.open(os.path.join(root, rel)).convert("RGB")
        hold = any(h in rel for h in HOLDOUT)
        if "/share/wallpapers/" in rel:  # Plasma: <name>/contents/images/<size>.jpg
            base = rel.split("/share/wallpapers/")[1].split("/")[0]
        else:
            base = os.path.splitext(os.path.basename(rel))[0]
        name = f"{i:03d}_{base}"
        sides = (768,) if hold else SHORT_SIDES
        for s in sides:
            w, h = im.size
            f = s / min(w, h)
            if f > 1:
                continue
            r = im.resize((round(w * f), round(h * f)), Image.LANCZOS)
            if hold:
                r.save(os.path.join(out_dir, "holdout", f"{name}_{s}.png"))
            else:
                np.save(os.path.join(out_dir, "train", f"{name}_{s}.npy"), np.asarray(r))
        print(("holdout " if hold else "train   ") + name, im.size, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
