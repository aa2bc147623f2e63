"""Layers the forecasting networks share: the direct multi-output head.

Networks map ``past`` of shape ``(B, L, F)`` (targets first, then covariates)
and ``future`` covariates of shape ``(B, H, C)`` to ``(B, H, T)``; the
wrapper that adds RevIN, channel independence and the quantile head around
each of them is :class:`tsforecast._network.ForecastNet`.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["DirectHead"]


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
