"""Quantiles of the deep forecasters: calibrated (conformal) levels, or a quantile head's own.

``BaseForecaster.predict_quantiles`` and ``predict_interval`` go through
:mod:`tsforecast._conformal`, which asks the estimator for its levels
(``_quantile_forecast``) and error scale (``_window_scale``); for the deep
forecasters those are :func:`quantile_forecast` and :func:`window_scale`.
"""

from __future__ import annotations

import numpy as np

from . import _conformal
from ._prediction import prepare_predict, roll_forward

__all__ = ["quantile_forecast", "window_scale", "head_quantiles"]


def window_scale(est, past_targets, scaler):
    """The scale ``s`` (S, T) that calibration errors are divided by, per window and target.

    ``past_targets`` (S, L, T) are the unscaled targets an origin reads;
    ``scaler`` holds the statistics the windows were scaled with (one row
    per window, or one row for all; None without scaling).
    ``scaling="revin"``: each window's own standard deviation, floored at
    ``SPREAD_FLOOR`` times its series' scale so that a flat window still
    gets a non-zero width; ``"standard"``: the series' scale; None: 1.
    """
    S, _, T = past_targets.shape
    if scaler is None:
        return np.ones((S, T))
    series_scale = np.broadcast_to(np.asarray(scaler.scale_, dtype=np.float64)[:, :T],
                                   (S, T))
    if est.scaling == "standard":
        return series_scale.copy()
    spread = np.asarray(past_targets, dtype=np.float64).std(axis=1)
    return np.maximum(spread, _conformal.SPREAD_FLOOR * series_scale)


def quantile_forecast(est, horizon, X, y, levels, method):
    """The one dispatch of the uncertainty methods.

    Returns ``(point (S, H, T), quantiles (S, H, T, Q), ends, template,
    horizon, ids)``, unscaled; ``levels`` and ``method`` are already checked.
    """
    name = type(est).__name__
    if method == "native":
        raise ValueError(
            f"{name} has no native intervals: method='native' is statsmodels' own "
            f"intervals of ETSForecaster, ARIMAForecaster and ThetaForecaster. Use "
            f"method='conformal' or 'adaptive'."
        )
    if method == "quantile-head":
        return head_levels(est, horizon, X, y, levels)
    batch = prepare_predict(est, horizon, X, y)
    calibration = _conformal.forecaster_calibration(est, batch.horizon, X, y, levels,
                                                    method)
    T = est.n_targets_
    point = roll_forward(est, batch.past, batch.future, batch.horizon).numpy()
    point = batch.unscale(point.astype(np.float64), T)
    targets = batch.unscale(batch.past[..., :T].numpy().astype(np.float64), T)
    scale = window_scale(est, targets, batch.scaler)
    values = _conformal.conformal_levels(point, scale, calibration.scores, levels)
    return point, values, batch.ends, batch.template, batch.horizon, batch.ids


def head_levels(est, horizon, X, y, levels):
    """``method="quantile-head"``: the levels a quantile head was trained on, as they are."""
    name = type(est).__name__
    trained = list(est.quantiles) if est.loss == "quantile" and est.quantiles else []
    if not trained:
        raise ValueError(
            f"{name} has no quantile head: method='quantile-head' reads the levels a model "
            f"fitted with loss='quantile' and quantiles=(...) learnt. Refit with e.g. "
            f"loss='quantile', quantiles=(0.05, 0.1, 0.5, 0.9, 0.95), or use "
            f"method='conformal'."
        )
    at = [next((k for k, t in enumerate(trained) if abs(t - q) < 1e-9), None)
          for q in levels]
    missing = [q for q, k in zip(levels, at) if k is None]
    if missing:
        raise ValueError(
            f"The quantile head of {name} was trained on the levels {trained}, not on "
            f"{missing}. Ask for trained levels (an interval of coverage c needs "
            f"(1 - c) / 2 and (1 + c) / 2), refit with the levels you need, or use "
            f"method='conformal'."
        )
    batch = prepare_predict(est, horizon, X, y)
    values = head_quantiles(est, batch)  # -> (S, H, T, Q)
    point = values[..., est.network_.median_index]
    return point, values[..., at], batch.ends, batch.template, batch.horizon, batch.ids


def head_quantiles(est, batch):
    """All levels of a quantile head, on the original scale: ndarray (S, horizon, T, Q).

    ``batch`` is what :func:`tsforecast._prediction.prepare_predict` returns
    for predict's arguments (``horizon``, ``X``, ``y``). Level ``q`` of the last axis is
    ``est.quantiles[q]``; levels never cross (the network sorts them) and
    the median level (``est.network_.median_index``) equals
    ``predict``'s forecast. Beyond the first block of a direct model
    (or the first step of a recursive one) every level is conditioned on
    the median path fed back as input, so the spread there is too narrow
    (it omits the uncertainty of the fed-back steps). For many origins of
    one series use ``forecast_origins(..., quantiles=True)``.
    """
    est._check_quantile_head()
    out = roll_forward(est, batch.past, batch.future, batch.horizon, return_quantiles=True)
    out = out.numpy().astype(np.float64)
    return np.stack([batch.unscale(out[..., q], est.n_targets_)
                     for q in range(out.shape[-1])], axis=-1)
