"""The wrapper around every forecasting network: RevIN, channel independence and quantiles.

Networks map ``past`` of shape ``(B, L, F)`` (targets first, then covariates)
and ``future`` covariates of shape ``(B, H, C)`` to ``(B, H, T)``.
:class:`ForecastNet` wraps any such network with reversible instance
normalisation, channel independence and the quantile head, so each network
stays unaware of all three. It sits next to ``base.py``, which builds it
around the network of each estimator.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["ForecastNet", "median_index"]


def median_index(quantiles) -> int:
    """Index of the level a quantile head uses as its point forecast.

    0.5 if it is among ``quantiles``, else the level nearest 0.5; of two
    levels equally near (e.g. 0.1 and 0.9) the lower one.
    """
    distances = [abs(q - 0.5) for q in quantiles]
    return distances.index(min(distances))


class ForecastNet(nn.Module):
    """A core network plus reversible instance normalisation, channel independence and quantiles.

    Parameters
    ----------
    core : nn.Module
        Maps ``(B', L, F')`` and ``(B', H, C)`` to ``(B', H, T')``; built for
        one target (``T' = 1``, ``F' = 1 + C``) when ``channel_independent``.
    n_targets : int
        ``T``, the number of target channels leading ``past``.
    revin : bool
        Normalise each window's targets by their own mean and standard
        deviation and undo it on the output (Kim et al., 2022). Lets one model
        serve series whose level drifts away from the training range.
    channel_independent : bool
        Fold the ``T`` targets into the batch so that one univariate model with
        shared weights forecasts each channel (Nie et al., 2023).
    quantiles : tuple of float or None, default=None
        Levels of a quantile head (``Q`` of them, sorted). The core is then
        built for ``T' * Q`` targets (``F' = T' * Q + C``) and reads each
        target column ``Q`` times, so the output of column ``t * Q + q`` is
        level ``q`` of target ``t``. Every core pairs its output ``t`` with its
        input ``t`` (linear skip paths, a decoder feeding back its previous
        forecast), so this widens any core without it knowing: a decoder then
        feeds back each level's own forecast. The ``Q`` outputs are sorted so
        that levels never cross (monotone rearrangement, Chernozhukov et al.,
        2010, which brings crossing estimates closer to the true quantiles),
        in training too, so the loss sees what ``predict`` returns.

    Inputs: ``past`` ``(B, L, T + C)``, ``future`` ``(B, H, C)``; in training,
    for a core with ``accepts_target = True`` (teacher forcing), ``target``
    ``(B, H, T)``, normalised and folded like ``past`` before the core sees it.
    Output: ``(B, H, T)``, or ``(B, H, T, Q)`` with ``quantiles``.
    """

    def __init__(self, core: nn.Module, n_targets: int, *, revin: bool,
                 channel_independent: bool, eps: float = 1e-5, quantiles=None):
        super().__init__()
        self.core = core
        self.n_targets = n_targets
        self.revin = revin
        self.channel_independent = channel_independent
        self.eps = eps
        self.quantiles = None if quantiles is None else tuple(float(q) for q in quantiles)
        self.median_index = None if quantiles is None else median_index(self.quantiles)

    @property
    def accepts_target(self) -> bool:
        """Whether the core takes the training target (teacher forcing)."""
        return getattr(self.core, "accepts_target", False)

    def forward(self, past: torch.Tensor, future: torch.Tensor, return_attention: bool = False,
                target: torch.Tensor | None = None):
        # B batch, L lookback, H horizon, T targets, C covariates, Q quantile levels
        B, L, _ = past.shape
        T = self.n_targets
        Q = 1 if self.quantiles is None else len(self.quantiles)
        y, cov = past[..., :T], past[..., T:]
        if self.revin:
            mean = y.mean(dim=1, keepdim=True).detach()  # -> (B, 1, T)
            std = (y.var(dim=1, keepdim=True, unbiased=False) + self.eps).sqrt().detach()
            y = (y - mean) / std
            if target is not None:  # the core must see targets on the scale of its inputs
                target = (target - mean) / std
        extra = (True,) if return_attention else ()  # the core's return_attention flag
        if self.channel_independent and T > 1:
            y = y.transpose(1, 2).reshape(B * T, L, 1)  # row b*T + t is channel t of b
            cov = cov.repeat_interleave(T, dim=0)  # -> (B*T, L, C)
            future = future.repeat_interleave(T, dim=0)  # -> (B*T, H, C)
            if target is not None:
                target = target.transpose(1, 2).reshape(B * T, -1, 1)  # -> (B*T, H, 1)
        if Q > 1:  # one copy of each target column per level, see the class docstring
            y = y.repeat_interleave(Q, dim=-1)  # -> (B', L, T'*Q)
            if target is not None:
                target = target.repeat_interleave(Q, dim=-1)  # -> (B', H, T'*Q)
        teach = {} if target is None else {"target": target}
        out = self.core(torch.cat([y, cov], dim=-1), future, *extra, **teach)  # (B', H, T'*Q)
        if return_attention:
            out, weights = out
        if self.channel_independent and T > 1:
            out = out.reshape(B, T, out.shape[1], Q).transpose(1, 2)  # -> (B, H, T, Q)
            if return_attention:
                weights = weights.view(B, T, *weights.shape[1:]).mean(dim=1)  # -> (B, H, L)
        else:
            out = out.reshape(B, out.shape[1], T, Q)  # -> (B, H, T, Q)
        if self.revin:
            out = out * std.unsqueeze(-1) + mean.unsqueeze(-1)
        if self.quantiles is None:
            out = out.squeeze(-1)  # -> (B, H, T)
        else:
            out = out.sort(dim=-1).values  # levels never cross
        return (out, weights) if return_attention else out
