"""Predict's machinery for the deep forecasters: checked, scaled inputs and the roll-forward.

:func:`prepare_predict` turns ``predict``'s arguments into a :class:`Batch`
of scaled windows (the last windows seen in ``fit``, or a new history) with
what turns the output back into the caller's shape; :func:`roll_forward`
runs the network over them, block by block past the trained horizon;
:func:`attention_frames` returns the attention weights of that run.
``BaseForecaster`` calls each in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.utils.validation import check_is_fitted

from .data.inputs import as_series_set, check_new_history, future_covariates, future_index
from .data.scaling import StandardScaler
from .utils.validation import check_horizon

__all__ = ["Batch", "prepare_predict", "roll_forward", "attention_frames"]

_PREDICT_BATCH = 1024  # windows per forward pass at predict time


@dataclass
class Batch:
    """Scaled inputs of one predict call and what turns its output back into the caller's shape.

    ``past`` (S, L, F) and ``future`` (S, horizon, C) are scaled tensors;
    ``scaler`` holds one row of statistics per series (None without scaling).
    """

    past: torch.Tensor
    future: torch.Tensor
    ends: list
    template: dict
    horizon: int
    scaler: StandardScaler | None
    ids: list | None

    def unscale(self, out, n_targets):
        """Forecasts (S, H, T) of the scaled targets back on the original scale."""
        if self.scaler is None:
            return out
        return self.scaler.inverse_transform(out, slice(0, n_targets),
                                             series=np.arange(len(out)))


def prepare_predict(est, horizon, X, y):
    """Check predict's inputs; return a :class:`Batch` of scaled tensors and output info."""
    check_is_fitted(est)
    name = type(est).__name__
    horizon = est.horizon if horizon is None else horizon
    check_horizon(est, horizon, est.horizon)
    n_cov = len(est.covariate_names_)
    scaler = est.scaler_
    if y is None:
        histories = [w.copy() for w in est.last_window_]
        ends, template, ids, ys = list(est.index_end_), est.input_kind_, est.ids_, None
    else:
        ys = as_series_set(y, name, "y")
        _check_new_y(est, ys)
        ends, template, ids = ys.ends, ys.template, ys.ids
        histories = [v[-est.lookback:] for v in ys.values]
    future_cov = _future_covariates(est, X, ys, horizon, ends, histories, ids)
    if ys is not None and est.scaler_ is not None:  # fitted rows, or a new series' own
        scaler = est.scaler_.for_rows(est._series_rows(ys), ys.values)
    rows = np.arange(len(histories))
    past = np.stack(histories)
    future = np.stack(future_cov).reshape(len(histories), horizon, n_cov)
    if scaler is not None:
        past = scaler.transform(past, series=rows)
        future = scaler.transform(future, slice(est.n_targets_, None), series=rows)
    return Batch(torch.from_numpy(past.astype(np.float32)),
                 torch.from_numpy(future.astype(np.float32)), ends, template, horizon,
                 scaler, ids)


def _check_new_y(est, ys):
    check_new_history(ys, type(est).__name__, target_names=est.target_names_,
                      fitted_kind=est.input_kind_["kind"], min_length=est.lookback,
                      needs=f"reads lookback={est.lookback} steps to forecast")


def _future_covariates(est, X, ys, horizon, ends, histories, ids=None):
    """Covariates over the forecast span; also completes ``histories`` with past covariates."""
    future, past = future_covariates(
        X, ys, horizon, ends, type(est).__name__, covariate_names=est.covariate_names_,
        fitted_x_kind=est.input_kind_.get("x_kind"), n_series=len(histories), ids=ids)
    if past is not None:  # the new history needs its covariates as inputs too
        for i, p in enumerate(past):
            histories[i] = np.hstack([histories[i], p[-est.lookback:]])
    return future


@torch.no_grad()
def roll_forward(est, past, future, horizon, return_attention=False,
                 return_quantiles=False):
    """Roll ``est``'s network forward: ``past`` (S, L, F) scaled, ``future`` (S, horizon, C).

    Predicts in batches of windows and moves each batch's output to CPU,
    so that long backtests on a GPU do not fill its memory. With
    ``return_attention`` also returns the weights, shape (S, horizon, L).
    Returns (S, horizon, T), scaled; for a quantile head the median level
    (which is also what rolls forward), or with ``return_quantiles`` all
    levels, (S, horizon, T, Q).
    """
    network = est.network_.eval()
    device = next(network.parameters()).device
    n_out = est._n_out
    outputs, attentions = [], []
    for lo in range(0, len(past), _PREDICT_BATCH):
        window = past[lo:lo + _PREDICT_BATCH].to(device)
        cov = future[lo:lo + _PREDICT_BATCH].to(device)
        # Pad the covariates to whole blocks by repeating the last row: outputs
        # beyond ``horizon`` are discarded, but a direct head reads a full block.
        n_blocks = -(-horizon // n_out)
        pad = n_blocks * n_out - horizon
        if pad and cov.shape[-1]:
            cov = torch.cat([cov, cov[:, -1:].expand(-1, pad, -1)], dim=1)
        elif pad:
            cov = cov.new_zeros(cov.shape[0], n_blocks * n_out, 0)
        steps, maps = [], []
        for b in range(n_blocks):
            block_cov = cov[:, b * n_out:(b + 1) * n_out]
            if return_attention:
                pred, weights = network(window, block_cov, return_attention=True)
                maps.append(weights)  # (S, n_out, L)
            else:
                pred = network(window, block_cov)  # -> (S, n_out, T) or (.., T, Q)
            steps.append(pred)
            if pred.dim() == 4:  # a quantile head rolls forward on its median
                pred = pred[..., network.median_index]
            if b + 1 < n_blocks:
                new_rows = torch.cat([pred, block_cov], dim=-1)
                window = torch.cat([window, new_rows], dim=1)[:, -est.lookback:]
        out = torch.cat(steps, dim=1)[:, :horizon].cpu()
        if out.dim() == 4 and not return_quantiles:
            out = out[..., network.median_index]
        outputs.append(out)
        if return_attention:
            attentions.append(torch.cat(maps, dim=1)[:, :horizon].cpu())
    if return_attention:
        return torch.cat(outputs, dim=0), torch.cat(attentions, dim=0)
    return torch.cat(outputs, dim=0)


def attention_frames(est, horizon, X, y):
    """``predict_attention``: one frame (horizon, lookback) of weights per series."""
    if not est.supports_attention:
        raise TypeError(
            f"{type(est).__name__} has no attention weights. Use an estimator with "
            f"supports_attention = True (e.g. Seq2SeqAttentionForecaster)."
        )
    batch = prepare_predict(est, horizon, X, y)
    _, weights = roll_forward(est, batch.past, batch.future, batch.horizon,
                              return_attention=True)
    columns = pd.RangeIndex(-est.lookback, 0, name="history step")
    frames = [pd.DataFrame(w.numpy(), index=future_index(last, step, batch.horizon),
                           columns=columns)
              for w, (last, step) in zip(weights, batch.ends)]
    if not batch.template["is_list"]:
        return frames[0]
    return dict(zip(batch.ids, frames)) if batch.ids is not None else frames
