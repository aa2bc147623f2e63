"""Layers every forecasting network shares: the direct head, RevIN and channel independence.

Networks map ``past`` of shape ``(B, L, F)`` (targets first, then covariates)
and ``future`` covariates of shape ``(B, H, C)`` to ``(B, H, T)``.
:class:`ForecastNet` wraps any such network with reversible instance
normalisation and channel independence, so each network stays unaware of both.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["DirectHead", "ForecastNet"]


class DirectHead(nn.Module):
    """Map a context vector and the future covariates to all horizon steps at once.

    Inputs: ``context`` ``(B, D)``, ``future`` ``(B, H, C)``. Output: ``(B, H, T)``.
    One linear layer over ``[context, flattened future covariates]``: the
    direct multi-output strategy, with each step's covariates able to move
    every step's forecast.
    """

    def __init__(self, d_context: int, horizon: int, n_targets: int, n_covariates: int):
        super().__init__()
        self.horizon, self.n_targets = horizon, n_targets
        self.linear = nn.Linear(d_context + horizon * n_covariates, horizon * n_targets)

    def forward(self, context: torch.Tensor, future: torch.Tensor) -> torch.Tensor:
        if future.shape[-1]:
            context = torch.cat([context, future.flatten(1)], dim=1)
        return self.linear(context).view(-1, self.horizon, self.n_targets)


class ForecastNet(nn.Module):
    """A core network plus reversible instance normalisation and channel independence.

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

    Inputs: ``past`` ``(B, L, T + C)``, ``future`` ``(B, H, C)``; in training,
    for a core with ``accepts_target = True`` (teacher forcing), ``target``
    ``(B, H, T)``, normalised and folded like ``past`` before the core sees it.
    Output: ``(B, H, T)``.
    """

    def __init__(self, core: nn.Module, n_targets: int, *, revin: bool,
                 channel_independent: bool, eps: float = 1e-5):
        super().__init__()
        self.core = core
        self.n_targets = n_targets
        self.revin = revin
        self.channel_independent = channel_independent
        self.eps = eps

    @property
    def accepts_target(self) -> bool:
        """Whether the core takes the training target (teacher forcing)."""
        return getattr(self.core, "accepts_target", False)

    def forward(self, past: torch.Tensor, future: torch.Tensor, return_attention: bool = False,
                target: torch.Tensor | None = None):
        # B batch, L lookback, H horizon, T targets, C covariates
        B, L, _ = past.shape
        T = self.n_targets
        y, cov = past[..., :T], past[..., T:]
        if self.revin:
            mean = y.mean(dim=1, keepdim=True).detach()  # -> (B, 1, T)
            std = (y.var(dim=1, keepdim=True, unbiased=False) + self.eps).sqrt().detach()
            y = (y - mean) / std
            if target is not None:  # the core must see targets on the scale of its inputs
                target = (target - mean) / std
        extra = (True,) if return_attention else ()  # the core's return_attention flag
        teach = {} if target is None else {"target": target}
        if self.channel_independent and T > 1:
            y = y.transpose(1, 2).reshape(B * T, L, 1)  # row b*T + t is channel t of b
            cov = cov.repeat_interleave(T, dim=0)  # -> (B*T, L, C)
            future = future.repeat_interleave(T, dim=0)  # -> (B*T, H, C)
            if target is not None:
                teach["target"] = target.transpose(1, 2).reshape(B * T, -1, 1)  # -> (B*T, H, 1)
            out = self.core(torch.cat([y, cov], dim=-1), future, *extra,
                            **teach)  # -> (B*T, H, 1)
            if return_attention:
                out, weights = out
                weights = weights.view(B, T, *weights.shape[1:]).mean(dim=1)  # -> (B, H, L)
            out = out.view(B, T, -1).transpose(1, 2)  # -> (B, H, T)
        else:
            out = self.core(torch.cat([y, cov], dim=-1), future, *extra, **teach)
            if return_attention:
                out, weights = out
        if self.revin:
            out = out * std + mean
        return (out, weights) if return_attention else out
