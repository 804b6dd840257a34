"""Independent float64 numpy port of pytorch_msssim.ms_ssim (data_range=1, win 11, sigma 1.5, default weights),
used to produce the expected values in MetricsTest. Filters along H then W as valid correlations (np.convolve
with a symmetric kernel), skipping a dimension shorter than the window like pytorch_msssim >= 0.2.1 does.
Run: python3 msssim_reference.py"""
import numpy as np

W5 = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def gauss(size=11, sigma=1.5):
    c = np.arange(size, dtype=np.float64) - size // 2
    g = np.exp(-(c ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def blur(x, g):
    if x.shape[0] >= len(g):
        x = np.apply_along_axis(lambda v: np.convolve(v, g, mode="valid"), 0, x)
    if x.shape[1] >= len(g):
        x = np.apply_along_axis(lambda v: np.convolve(v, g, mode="valid"), 1, x)
    return x


def ssim_cs(x, y, g):
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    m1, m2 = blur(x, g), blur(y, g)
    s1 = blur(x * x, g) - m1 * m1
    s2 = blur(y * y, g) - m2 * m2
    s12 = blur(x * y, g) - m1 * m2
    cs = (2 * s12 + c2) / (s1 + s2 + c2)
    return (((2 * m1 * m2 + c1) / (m1 * m1 + m2 * m2 + c1)) * cs).mean(), cs.mean()


def pool(x):
    ph, pw = x.shape[0] % 2, x.shape[1] % 2
    p = np.pad(x, ((ph, ph), (pw, pw)))
    h, w = (p.shape[0] // 2) * 2, (p.shape[1] // 2) * 2
    p = p[:h, :w]
    return (p[0::2, 0::2] + p[1::2, 0::2] + p[0::2, 1::2] + p[1::2, 1::2]) / 4


def ms_ssim(a, b):
    g = gauss()
    vals = []
    for c in range(a.shape[0]):
        x, y = a[c], b[c]
        v = 1.0
        for lvl in range(5):
            s, cs = ssim_cs(x, y, g)
            if lvl < 4:
                v *= max(cs, 0) ** W5[lvl]
                x, y = pool(x), pool(y)
            else:
                v *= max(s, 0) ** W5[lvl]
        vals.append(v)
    return float(np.mean(vals))


def pattern(w, h):
    c, yy, xx = np.meshgrid(np.arange(3), np.arange(h), np.arange(w), indexing="ij")
    a = ((xx * xx * 3 + yy * 7 + c * 31 + (xx * yy) % 13) % 256) / 255.0
    b = np.clip(a + (((xx * 5 + yy * 3 + c) % 11) - 5) / 255.0 * 4, 0, 1)
    d = np.clip(0.6 * a + 0.2 + (((xx * 11 + yy * 17 + c * 5) % 23) - 11) / 255.0 * 6, 0, 1)
    return a, b, d


if __name__ == "__main__":
    for w, h in [(200, 180), (37, 61)]:
        a, b, d = pattern(w, h)
        print(w, h, repr(ms_ssim(a, b)), repr(ms_ssim(a, d)))
