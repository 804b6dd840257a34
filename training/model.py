"""Mean-scale hyperprior (Minnen et al. 2018, "mbt2018-mean") in plain PyTorch.

The module tree, parameter and buffer names and shapes mirror CompressAI 1.2.4's
MeanScaleHyperprior, so a state_dict saved from this model has the same keys as a CompressAI
checkpoint saved before update() (entropy tables empty). The Java weights converter builds the
CDF tables itself. Written from the papers and the key list of the golden weights file; no
CompressAI code is used (CompressAI is not installed here).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class _LowerBoundFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, bound):
        ctx.save_for_backward(x, bound)
        return torch.max(x, bound)

    @staticmethod
    def backward(ctx, grad_output):
        x, bound = ctx.saved_tensors
        # Let the gradient through where it would push x back above the bound, so a value
        # stuck under the bound can still recover.
        pass_through = (x >= bound) | (grad_output < 0)
        return pass_through.type(grad_output.dtype) * grad_output, None


class LowerBound(nn.Module):
    def __init__(self, bound):
        super().__init__()
        self.register_buffer("bound", torch.tensor([float(bound)], dtype=torch.float32))

    def forward(self, x):
        return _LowerBoundFn.apply(x, self.bound)


class NonNegativeParametrizer(nn.Module):
    """Stores v with value = max(v, sqrt(min + pedestal))^2 - pedestal (stable near zero)."""

    def __init__(self, minimum=0.0, reparam_offset=2 ** -18):
        super().__init__()
        pedestal = float(reparam_offset) ** 2
        self.register_buffer("pedestal", torch.tensor([pedestal], dtype=torch.float32))
        self.lower_bound = LowerBound((float(minimum) + pedestal) ** 0.5)

    def init(self, x):
        return torch.sqrt(torch.max(x + self.pedestal, self.pedestal))

    def forward(self, x):
        return self.lower_bound(x) ** 2 - self.pedestal


class GDN(nn.Module):
    """y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j^2); inverse multiplies instead (IGDN)."""

    def __init__(self, in_channels, inverse=False, beta_min=1e-6, gamma_init=0.1):
        super().__init__()
        self.inverse = bool(inverse)
        self.beta_reparam = NonNegativeParametrizer(minimum=beta_min)
        self.beta = nn.Parameter(self.beta_reparam.init(torch.ones(in_channels)))
        self.gamma_reparam = NonNegativeParametrizer()
        self.gamma = nn.Parameter(self.gamma_reparam.init(gamma_init * torch.eye(in_channels)))

    def forward(self, x):
        c = x.size(1)
        beta = self.beta_reparam(self.beta)
        gamma = self.gamma_reparam(self.gamma).reshape(c, c, 1, 1)
        norm = F.conv2d(x * x, gamma, beta)
        norm = torch.sqrt(norm) if self.inverse else torch.rsqrt(norm)
        return x * norm


def conv(in_ch, out_ch, kernel_size=5, stride=2):
    return nn.Conv2d(in_ch, out_ch, kernel_size, stride=stride, padding=kernel_size // 2)


def deconv(in_ch, out_ch, kernel_size=5, stride=2):
    return nn.ConvTranspose2d(in_ch, out_ch, kernel_size, stride=stride,
                              output_padding=stride - 1, padding=kernel_size // 2)


def _std_normal_cdf(x):
    return 0.5 * torch.erfc(-(2 ** -0.5) * x)


class EntropyBottleneck(nn.Module):
    """Factorized (non-parametric) density per channel, Balle et al. 2018 appendix 6.1."""

    def __init__(self, channels, tail_mass=1e-9, init_scale=10.0, filters=(3, 3, 3, 3),
                 likelihood_bound=1e-9):
        super().__init__()
        # Empty until a converter/update() builds the tables (CompressAI layout: int32).
        self.register_buffer("_offset", torch.zeros(0, dtype=torch.int32))
        self.register_buffer("_quantized_cdf", torch.zeros(0, dtype=torch.int32))
        self.register_buffer("_cdf_length", torch.zeros(0, dtype=torch.int32))
        self.likelihood_lower_bound = LowerBound(likelihood_bound)
        self.channels = int(channels)
        self.filters = tuple(int(f) for f in filters)
        self.tail_mass = float(tail_mass)
        dims = (1,) + self.filters + (1,)
        scale = float(init_scale) ** (1 / (len(self.filters) + 1))
        for i in range(len(self.filters) + 1):
            init = math.log(math.expm1(1 / scale / dims[i + 1]))
            self.register_parameter(f"_matrix{i}", nn.Parameter(
                torch.full((channels, dims[i + 1], dims[i]), init)))
            self.register_parameter(f"_bias{i}", nn.Parameter(
                torch.empty(channels, dims[i + 1], 1).uniform_(-0.5, 0.5)))
            if i < len(self.filters):
                self.register_parameter(f"_factor{i}", nn.Parameter(
                    torch.zeros(channels, dims[i + 1], 1)))
        self.quantiles = nn.Parameter(
            torch.tensor([-init_scale, 0.0, init_scale]).repeat(channels, 1, 1))
        target = math.log(2 / self.tail_mass - 1)
        self.register_buffer("target", torch.tensor([-target, 0.0, target]))

    def _logits_cumulative(self, inputs, stop_gradient):
        logits = inputs
        for i in range(len(self.filters) + 1):
            matrix = getattr(self, f"_matrix{i}")
            bias = getattr(self, f"_bias{i}")
            if stop_gradient:
                matrix, bias = matrix.detach(), bias.detach()
            logits = torch.matmul(F.softplus(matrix), logits) + bias
            if i < len(self.filters):
                factor = getattr(self, f"_factor{i}")
                if stop_gradient:
                    factor = factor.detach()
                logits = logits + torch.tanh(factor) * torch.tanh(logits)
        return logits

    def loss(self):
        """Aux loss: moves the quantiles to the tail_mass/2, median and 1-tail_mass/2 points."""
        logits = self._logits_cumulative(self.quantiles, stop_gradient=True)
        return torch.abs(logits - self.target).sum()

    def medians(self):
        return self.quantiles[:, :, 1:2].detach()

    def _likelihood(self, v):
        lower = self._logits_cumulative(v - 0.5, stop_gradient=False)
        upper = self._logits_cumulative(v + 0.5, stop_gradient=False)
        # Evaluate on the side of the median where the sigmoids are small (precision).
        sign = -torch.sign(lower + upper).detach()
        return torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))

    def forward(self, x, training=None):
        if training is None:
            training = self.training
        b, c, h, w = x.shape
        v = x.permute(1, 0, 2, 3).reshape(c, 1, -1)
        if training:
            v_hat = v + torch.empty_like(v).uniform_(-0.5, 0.5)
        else:
            med = self.medians()
            v_hat = torch.round(v - med) + med
        lik = self.likelihood_lower_bound(self._likelihood(v_hat))
        v_hat = v_hat.reshape(c, b, h, w).permute(1, 0, 2, 3)
        lik = lik.reshape(c, b, h, w).permute(1, 0, 2, 3)
        return v_hat, lik


def get_scale_table(lo=0.11, hi=256, levels=64):
    return torch.exp(torch.linspace(math.log(lo), math.log(hi), levels))


class GaussianConditional(nn.Module):
    def __init__(self, scale_table=None, scale_bound=0.11, tail_mass=1e-9, likelihood_bound=1e-9):
        super().__init__()
        self.register_buffer("_offset", torch.zeros(0, dtype=torch.int32))
        self.register_buffer("_quantized_cdf", torch.zeros(0, dtype=torch.int32))
        self.register_buffer("_cdf_length", torch.zeros(0, dtype=torch.int32))
        self.likelihood_lower_bound = LowerBound(likelihood_bound)
        table = get_scale_table() if scale_table is None else torch.as_tensor(scale_table)
        self.register_buffer("scale_table", table.to(torch.float32))
        self.register_buffer("scale_bound", torch.tensor([float(scale_bound)]))
        self.lower_bound_scale = LowerBound(scale_bound)
        self.tail_mass = float(tail_mass)

    def _likelihood(self, y_hat, scales, means):
        scales = self.lower_bound_scale(scales)
        v = torch.abs(y_hat - means)
        return _std_normal_cdf((0.5 - v) / scales) - _std_normal_cdf((-0.5 - v) / scales)

    def forward(self, y, scales, means, training=None):
        if training is None:
            training = self.training
        if training:
            y_hat = y + torch.empty_like(y).uniform_(-0.5, 0.5)
        else:
            y_hat = torch.round(y - means) + means
        lik = self.likelihood_lower_bound(self._likelihood(y_hat, scales, means))
        return y_hat, lik


class MeanScaleHyperprior(nn.Module):
    def __init__(self, N=128, M=192):
        super().__init__()
        self.N, self.M = int(N), int(M)
        self.entropy_bottleneck = EntropyBottleneck(N)
        self.g_a = nn.Sequential(conv(3, N), GDN(N), conv(N, N), GDN(N), conv(N, N), GDN(N),
                                 conv(N, M))
        self.g_s = nn.Sequential(deconv(M, N), GDN(N, inverse=True), deconv(N, N),
                                 GDN(N, inverse=True), deconv(N, N), GDN(N, inverse=True),
                                 deconv(N, 3))
        self.h_a = nn.Sequential(conv(M, N, stride=1, kernel_size=3), nn.LeakyReLU(inplace=True),
                                 conv(N, N), nn.LeakyReLU(inplace=True), conv(N, N))
        self.h_s = nn.Sequential(deconv(N, M), nn.LeakyReLU(inplace=True),
                                 deconv(M, M * 3 // 2), nn.LeakyReLU(inplace=True),
                                 conv(M * 3 // 2, M * 2, stride=1, kernel_size=3))
        self.gaussian_conditional = GaussianConditional()

    def aux_loss(self):
        return self.entropy_bottleneck.loss()

    def forward(self, x):
        y = self.g_a(x)
        z = self.h_a(y)
        z_hat, z_lik = self.entropy_bottleneck(z)
        scales_hat, means_hat = self.h_s(z_hat).chunk(2, 1)
        y_hat, y_lik = self.gaussian_conditional(y, scales_hat, means_hat)
        x_hat = self.g_s(y_hat)
        return {"x_hat": x_hat, "likelihoods": {"y": y_lik, "z": z_lik}}
