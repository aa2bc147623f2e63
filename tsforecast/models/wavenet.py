"""WaveNet: stacks of dilated causal convolutions with gated residual blocks, and its forecaster."""

from __future__ import annotations

import warnings

import torch
from torch import nn
from torch.nn import functional as F

from .._shared import shared_params
from ..base import BaseForecaster
from ..utils.validation import check_bool, check_int
from ._layers import DirectHead

__all__ = ["WaveNet", "WaveNetForecaster"]


def receptive_field(kernel_size: int, n_layers: int, n_blocks: int) -> int:
    """Input steps that one output step of the causal stack can see.

    Each layer with dilation ``d`` widens the view by ``(kernel_size - 1) * d``;
    the dilations ``1, 2, ..., 2**(n_layers - 1)`` sum to ``2**n_layers - 1``.
    """
    return 1 + n_blocks * (kernel_size - 1) * (2**n_layers - 1)


def _layers_for(lookback: int, kernel_size: int, n_blocks: int) -> int:
    """The fewest layers per block whose receptive field covers ``lookback`` steps."""
    n = 1
    while receptive_field(kernel_size, n, n_blocks) < lookback:
        n += 1
    return n


class _CausalConv1d(nn.Module):
    """Dilated causal convolution with weight normalisation.

    Padding only on the left, by ``(kernel_size - 1) * dilation`` steps, so that
    output step ``t`` reads inputs ``<= t`` and the length is unchanged. The
    weight is ``g * v / ||v||`` per output channel (Salimans & Kingma, 2016),
    as in the TCN of Bai et al. (2018): it steadies training of deep stacks.
    Written out rather than with torch's parametrizations, which do not pickle.
    """

    def __init__(self, in_channels, out_channels, kernel_size, dilation):
        super().__init__()
        conv = nn.Conv1d(in_channels, out_channels, kernel_size)  # for PyTorch's default init
        self.v = nn.Parameter(conv.weight.detach().clone())
        self.g = nn.Parameter(self.v.detach().norm(dim=(1, 2), keepdim=True))
        self.bias = nn.Parameter(conv.bias.detach().clone())
        self.dilation = dilation
        self.pad = (kernel_size - 1) * dilation

    def forward(self, x):
        weight = self.g * self.v / self.v.norm(dim=(1, 2), keepdim=True)
        return F.conv1d(F.pad(x, (self.pad, 0)), weight, self.bias, dilation=self.dilation)


class _GatedResidualLayer(nn.Module):
    """``z = tanh(W_f * x) . sigmoid(W_g * x)``; returns ``x + W_r z`` and the skip ``W_s z``."""

    def __init__(self, channels, kernel_size, dilation, dropout):
        super().__init__()
        self.conv = _CausalConv1d(channels, 2 * channels, kernel_size, dilation)
        self.residual = nn.Conv1d(channels, channels, 1)
        self.skip = nn.Conv1d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        filt, gate = self.conv(x).chunk(2, dim=1)
        z = self.dropout(torch.tanh(filt) * torch.sigmoid(gate))
        return x + self.residual(z), self.skip(z)


class WaveNet(nn.Module):
    """Dilated causal convolutions with gated residual blocks, read out by a direct head.

    Inputs: ``past`` ``(B, L, F)`` and ``future`` covariates ``(B, H, C)``.
    Output: ``(B, H, T)``. :meth:`features` is the causal stack: per time step
    features ``(B, L, D)`` where step ``t`` depends only on inputs ``<= t``. The
    :class:`~tsforecast.models._layers.DirectHead` reads the last step's
    features (which see the last ``receptive_field`` inputs) and the future
    covariates. With ``linear_skip`` a linear map from the ``L`` past values of
    each target to its ``H`` forecasts (weights shared by the targets) is added.

    Parameters
    ----------
    n_features, n_targets, horizon, lookback : int
        ``F`` input columns (targets first), ``T`` targets, ``H`` output steps, ``L``.
    channels : int
        ``D``, residual and skip channels.
    kernel_size, n_layers, n_blocks : int
        Dilations ``1, 2, ..., 2**(n_layers - 1)``, the stack repeated ``n_blocks`` times.
    dropout : float
        On the gated activations.
    linear_skip : bool
        Add the linear map from the input window to the forecast.
    """

    def __init__(self, n_features, n_targets, horizon, lookback, *, channels=32, kernel_size=2,
                 n_layers=6, n_blocks=2, dropout=0.0, linear_skip=True):
        super().__init__()
        self.n_targets = n_targets
        self.receptive_field = receptive_field(kernel_size, n_layers, n_blocks)
        self.input = nn.Conv1d(n_features, channels, 1)
        self.layers = nn.ModuleList(
            _GatedResidualLayer(channels, kernel_size, 2**i, dropout)
            for _ in range(n_blocks) for i in range(n_layers))
        # WaveNet's output stack: ReLU -> 1x1 -> ReLU -> 1x1 over the summed skips.
        self.output = nn.Sequential(nn.ReLU(), nn.Conv1d(channels, channels, 1), nn.ReLU(),
                                    nn.Conv1d(channels, channels, 1))
        self.head = DirectHead(channels, horizon, n_targets, n_features - n_targets)
        self.linear = nn.Linear(lookback, horizon) if linear_skip else None
        # Start from the linear forecast (or from the window mean under RevIN): the
        # convolutions then learn corrections, which on ETTh1 overfitted less.
        nn.init.zeros_(self.head.linear.weight)
        nn.init.zeros_(self.head.linear.bias)

    def features(self, past):
        """The causal stack: ``(B, L, F)`` -> ``(B, L, D)``."""
        x = self.input(past.transpose(1, 2))  # -> (B, D, L), convolutions run over the last axis
        skips = 0
        for layer in self.layers:
            x, skip = layer(x)
            skips = skips + skip
        return self.output(skips).transpose(1, 2)  # -> (B, L, D)

    def forward(self, past, future):
        out = self.head(self.features(past)[:, -1], future)  # -> (B, H, T)
        if self.linear is not None:
            targets = past[..., :self.n_targets].transpose(1, 2)  # -> (B, T, L)
            out = out + self.linear(targets).transpose(1, 2)  # -> (B, H, T)
        return out


def wavenet_search_space(trial):
    """Default Optuna search space of :class:`WaveNetForecaster`."""
    return {
        "channels": trial.suggest_categorical("channels", [16, 32, 64]),
        "n_blocks": trial.suggest_int("n_blocks", 1, 3),
        "dropout": trial.suggest_float("dropout", 0.0, 0.3),
        "learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-2, log=True),
    }


class WaveNetForecaster(BaseForecaster):
    """WaveNet forecaster: dilated causal convolutions with gated residual blocks.

    The lookback window passes through stacks of causal 1-D convolutions whose
    dilations double from layer to layer (1, 2, 4, ...), so the receptive field
    grows exponentially with depth at a linear cost. Each layer applies the gated
    activation ``tanh(.) * sigmoid(.)`` and feeds a residual connection to the
    next layer and a skip connection to the output; the summed skips pass through
    two 1x1 convolutions. A linear head maps the last step's features and any
    future covariates to the forecast, and an optional linear map from the input
    window to the forecast (as in DLinear) carries the bulk of long-horizon
    signal; the head starts at zero, so training starts from that linear forecast
    and the convolutions learn corrections to it. Convolutions train in parallel over time, much faster than
    recurrent networks on long lookbacks.

    Parameters
    ----------
    channels : int, default=32
        Residual and skip channels of every layer.
    kernel_size : int, default=2
        Taps of each dilated convolution (WaveNet uses 2).
    n_layers : int or None, default=None
        Layers per block, with dilations ``1, 2, ..., 2**(n_layers - 1)``. None
        picks the fewest layers whose receptive field covers ``lookback``.
    n_blocks : int, default=2
        Times the dilation stack is repeated.
    linear_skip : bool, default=True
        Add a linear map from each target's ``lookback`` past values to its
        forecast (weights shared by all targets). Set False for a pure WaveNet.

    Other Parameters
    ----------------
    dropout : float, default=0.0
        Dropout on the gated activations.

    Attributes
    ----------
    receptive_field_ : int
        Input steps one output step of the causal stack sees:
        ``1 + n_blocks * (kernel_size - 1) * (2**n_layers - 1)``. Fitting warns
        when it is shorter than ``lookback``.

    See Also
    --------
    LSTMForecaster : a recurrent network over the same window.

    References
    ----------
    van den Oord, A. et al. (2016). WaveNet: A generative model for raw audio.
    arXiv:1609.03499.
    Bai, S., Kolter, J. Z. & Koltun, V. (2018). An empirical evaluation of generic
    convolutional and recurrent networks for sequence modeling. arXiv:1803.01271.
    Salimans, T. & Kingma, D. P. (2016). Weight normalization. *NeurIPS*.
    Zeng, A. et al. (2023). Are transformers effective for time series forecasting? *AAAI*.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import WaveNetForecaster
    >>> y = np.sin(np.arange(200) * 2 * np.pi / 24)
    >>> est = WaveNetForecaster(lookback=24, horizon=6, max_epochs=1, random_state=0).fit(y)
    >>> est.predict().shape
    (6,)
    >>> est.receptive_field_ >= 24
    True
    """

    default_search_space = staticmethod(wavenet_search_space)

    def __init__(self, lookback=48, *, horizon=12, channels=32, kernel_size=2, n_layers=None,
                 n_blocks=2, linear_skip=True, strategy="direct", scaling="revin",
                 channel_independent=False, dropout=0.0, learning_rate=1e-3, lr_decay=0.5,
                 loss="mae", quantiles=None, batch_size=32, max_epochs=50, patience=3,
                 validation_size=0.2, random_state=None, verbose=None, trainer_kwargs=None):
        super().__init__(**shared_params(locals()))
        self.channels = channels
        self.kernel_size = kernel_size
        self.n_layers = n_layers
        self.n_blocks = n_blocks
        self.linear_skip = linear_skip

    def _resolved_layers(self):
        if self.n_layers is None:
            return _layers_for(self.lookback, self.kernel_size, self.n_blocks)
        return self.n_layers

    def _check_model_params(self):
        check_int(self, "channels", self.channels)
        check_int(self, "kernel_size", self.kernel_size, minimum=2)
        check_int(self, "n_layers", self.n_layers, allow_none=True)
        check_int(self, "n_blocks", self.n_blocks)
        check_bool(self, "linear_skip", self.linear_skip)
        field = receptive_field(self.kernel_size, self._resolved_layers(), self.n_blocks)
        if field < self.lookback:
            need = _layers_for(self.lookback, self.kernel_size, self.n_blocks)
            warnings.warn(
                f"The receptive field of {type(self).__name__} is {field} steps (kernel_size="
                f"{self.kernel_size}, n_layers={self.n_layers}, n_blocks={self.n_blocks}), "
                f"shorter than lookback={self.lookback}, so the convolutions ignore the oldest "
                f"{self.lookback - field} steps of each window. Set n_layers={need} (or None), "
                f"raise n_blocks or kernel_size, or reduce 'lookback'.",
                UserWarning, stacklevel=4)  # the caller of fit

    def _build_network(self, n_features, n_targets, horizon):
        network = WaveNet(n_features, n_targets, horizon, self.lookback, channels=self.channels,
                          kernel_size=self.kernel_size, n_layers=self._resolved_layers(),
                          n_blocks=self.n_blocks, dropout=self.dropout,
                          linear_skip=self.linear_skip)
        # Set here rather than in fit: load rebuilds the network through this method too.
        self.receptive_field_ = network.receptive_field
        return network
