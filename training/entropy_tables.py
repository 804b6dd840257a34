"""Builds the entropy-coder tables of a trained model, i.e. what CompressAI's
net.update(force=True) puts into the *_quantized_cdf / *_offset / *_cdf_length buffers
(and the default gaussian_conditional.scale_table). Written from the algorithm as described
in shared/golden (entropy.* case notes) and checked against those cases by
check_entropy_tables.py."""
import numpy as np
import torch

from model import get_scale_table

PRECISION = 16
# -Phi^-1(tail_mass / 2) for tail_mass = 1e-9 (scipy.stats.norm.ppf, float64).
GAUSSIAN_MULTIPLIER = 6.1094102048693975


def pmf_to_quantized_cdf(pmf, precision=PRECISION):
    """pmf: float32 values (the last one is the tail/escape mass). Returns int cdf of length
    len(pmf)+1 with every symbol given a non-zero frequency."""
    pmf = np.asarray(pmf, dtype=np.float32)
    one = 1 << precision
    scaled = pmf.astype(np.float64) * one  # exact: float32 times a power of two
    freq = np.floor(scaled + 0.5).astype(np.int64)  # C roundf: half away from zero (pmf >= 0)
    total = int(freq.sum())
    if total <= 0:
        raise ValueError("pmf has no mass")
    freq = (freq * one) // total
    cdf = np.zeros(len(pmf) + 1, dtype=np.int64)
    cdf[1:] = np.cumsum(freq)
    cdf[-1] = one
    for i in range(len(cdf) - 1):
        if cdf[i] == cdf[i + 1]:
            # Steal one count from the symbol with the smallest frequency above 1
            # (first one on ties).
            f = np.diff(cdf)
            cand = np.where(f > 1, f, np.iinfo(np.int64).max)
            j = int(np.argmin(cand))
            if cand[j] == np.iinfo(np.int64).max:
                raise ValueError("cannot give every symbol a non-zero frequency")
            if j < i:
                cdf[j + 1:i + 1] -= 1
            else:
                cdf[i + 1:j + 1] += 1
    return cdf


def _rows_to_table(pmfs, tails, lengths, max_length):
    table = np.zeros((len(lengths), max_length + 2), dtype=np.int32)
    for c in range(len(lengths)):
        n = int(lengths[c])
        prob = np.concatenate([pmfs[c, :n], tails[c:c + 1]]).astype(np.float32)
        cdf = pmf_to_quantized_cdf(prob)
        table[c, :len(cdf)] = cdf
    return table


@torch.no_grad()
def bottleneck_tables(eb):
    """eb: model.EntropyBottleneck. Returns (quantized_cdf, offset, cdf_length) int32 tensors."""
    q = eb.quantiles.detach()
    medians = q[:, 0, 1]
    minima = torch.clamp(torch.ceil(medians - q[:, 0, 0]).int(), min=0)
    maxima = torch.clamp(torch.ceil(q[:, 0, 2] - medians).int(), min=0)
    offset = -minima
    pmf_start = medians - minima
    pmf_length = maxima + minima + 1
    max_length = int(pmf_length.max())
    samples = torch.arange(max_length, dtype=torch.float32)[None, :] + pmf_start[:, None, None]
    lower = eb._logits_cumulative(samples - 0.5, stop_gradient=True)
    upper = eb._logits_cumulative(samples + 0.5, stop_gradient=True)
    sign = -torch.sign(lower + upper)
    pmf = torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))[:, 0, :]
    tail = (torch.sigmoid(lower[:, 0, :1]) + torch.sigmoid(-upper[:, 0, -1:]))[:, 0]
    table = _rows_to_table(pmf.numpy(), tail.numpy(), pmf_length.numpy(), max_length)
    return torch.from_numpy(table), offset.int(), (pmf_length + 2).int()


def _std_cdf(x):
    return 0.5 * torch.erfc(float(-(2 ** -0.5)) * x)


@torch.no_grad()
def gaussian_tables(scale_table):
    scale_table = scale_table.to(torch.float32)
    pmf_center = torch.ceil(scale_table * GAUSSIAN_MULTIPLIER).int()
    pmf_length = 2 * pmf_center + 1
    max_length = int(pmf_length.max())
    samples = torch.abs(torch.arange(max_length).int()[None, :] - pmf_center[:, None]).float()
    s = scale_table[:, None]
    upper = _std_cdf((0.5 - samples) / s)
    lower = _std_cdf((-0.5 - samples) / s)
    pmf = upper - lower
    tail = 2 * lower[:, 0]
    table = _rows_to_table(pmf.numpy(), tail.numpy(), pmf_length.numpy(), max_length)
    return torch.from_numpy(table), (-pmf_center).int(), (pmf_length + 2).int()


def updated_state_dict(state_dict, model):
    """state_dict with the tables filled in, as after CompressAI's update(force=True)."""
    sd = dict(state_dict)
    cdf, off, length = bottleneck_tables(model.entropy_bottleneck)
    sd["entropy_bottleneck._quantized_cdf"] = cdf
    sd["entropy_bottleneck._offset"] = off
    sd["entropy_bottleneck._cdf_length"] = length
    table = get_scale_table()
    cdf, off, length = gaussian_tables(table)
    sd["gaussian_conditional.scale_table"] = table
    sd["gaussian_conditional._quantized_cdf"] = cdf
    sd["gaussian_conditional._offset"] = off
    sd["gaussian_conditional._cdf_length"] = length
    return sd
