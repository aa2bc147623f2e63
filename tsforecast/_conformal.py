"""Conformal prediction intervals: calibration scores, their quantiles, argument checks.

Split conformal prediction (Vovk et al., 2005; Lei et al., 2018) turns any
point forecaster into one with intervals whose coverage holds in finite
samples when calibration and future errors are exchangeable. Here the
*scores* are absolute forecast errors per horizon step and per target,
collected from many forecast origins of a chronological tail the model did
not train on, and divided by a per-window scale ``s`` (the estimator's
``_window_scale``), so that one set of scores pooled over origins and series
serves windows of different volatility and series of different size::

    score = |y - y_hat| / s            (one per origin, step h, target t)
    radius(c) = s * q_c(scores[:, h, t])
    interval  = [y_hat - radius, y_hat + radius]

with ``q_c`` the finite-sample conformal quantile: the ``ceil((n + 1) c)``-th
smallest of ``n`` scores. Intervals are centred on the point forecast, so
the point lies inside every interval and quantile levels never cross.

The estimators call into this module from ``predict_quantiles`` and
``predict_interval``; the output shaping lives in
:func:`tsforecast.data.inputs.to_quantile_output`.
"""

from __future__ import annotations

import base64
import math
import numbers
from dataclasses import dataclass

import numpy as np

from .data.inputs import as_series_set, future_covariates, future_index, to_quantile_output
from .utils.validation import check_quantile_levels

__all__ = ["Calibration", "MAX_ORIGINS", "METHODS", "SPREAD_FLOOR", "check_coverages",
           "check_levels", "conformal_quantiles", "needed_origins", "thin", "predict_quantiles",
           "predict_interval"]

#: The methods ``predict_quantiles``/``predict_interval`` accept.
METHODS = ("conformal", "adaptive", "native", "quantile-head")
#: About this many calibration origins are kept (evenly spaced, an equal share
#: per series): enough for coverages up to 0.999, and a bounded file size.
MAX_ORIGINS = 1000
#: With RevIN, a window's spread is floored at this fraction of the series'
#: scale, so that a flat window still gets an interval of non-zero width.
SPREAD_FLOOR = 0.1


@dataclass
class Calibration:
    """Normalised absolute errors of forecasts from many origins of a held-out tail.

    Attributes
    ----------
    scores : ndarray of shape (n_origins, horizon, n_targets), float32
        ``|y - y_hat| / s`` per origin, forecast step and target.
    rows : int
        Rows of the tail each series was calibrated on (the most recent rows
        the ``"adaptive"`` method recalibrates on in a new history).
    """

    scores: np.ndarray
    rows: int

    @property
    def n_origins(self) -> int:
        return int(self.scores.shape[0])

    @property
    def horizon(self) -> int:
        return int(self.scores.shape[1])

    def state_dict(self) -> dict:
        """A JSON-serialisable form (scores as base64 of little-endian float32)."""
        raw = np.ascontiguousarray(self.scores, dtype="<f4").tobytes()
        return {"shape": list(self.scores.shape), "rows": int(self.rows),
                "scores": base64.b64encode(raw).decode("ascii")}

    @classmethod
    def from_state_dict(cls, state):
        scores = np.frombuffer(base64.b64decode(state["scores"]), dtype="<f4")
        return cls(scores=scores.reshape(state["shape"]).astype(np.float32),
                   rows=int(state["rows"]))


# ----------------------------------------------------------------- argument checks
def check_method(owner, method, available=METHODS):
    if method not in available:
        shown = ", ".join(repr(m) for m in available)
        raise ValueError(
            f"The 'method' argument of {owner} must be one of {shown}. Got {method!r} instead."
        )


def _as_floats(owner, name, value, what):
    single = isinstance(value, numbers.Real) and not isinstance(value, bool)
    items = [value] if single else value
    try:
        items = list(items)
    except TypeError:
        items = None
    if not items or any(not isinstance(v, numbers.Real) or isinstance(v, bool)
                        for v in items):
        raise ValueError(
            f"The '{name}' argument of {owner} must be {what}. Got {value!r} instead."
        )
    floats = [float(v) for v in items]
    bad = [v for v in floats if not 0.0 < v < 1.0]
    if bad:
        raise ValueError(
            f"The '{name}' argument of {owner} must hold values strictly between 0 and 1. "
            f"Got {bad[0]!r}; e.g. {'0.9 for a 90% interval' if name == 'coverage' else '0.1'}."
        )
    return floats, single


def check_levels(owner, quantiles):
    """Quantile levels: a float, or a non-empty, strictly increasing sequence in (0, 1)."""
    if isinstance(quantiles, numbers.Real) and not isinstance(quantiles, bool):
        quantiles = [quantiles]
    elif isinstance(quantiles, np.ndarray):
        quantiles = quantiles.tolist()
    return list(check_quantile_levels(owner, "quantiles", quantiles))


def check_coverages(owner, coverage):
    """Coverages: a float or a list of distinct floats in (0, 1); returns (list, single)."""
    values, single = _as_floats(owner, "coverage", coverage,
                                "a float in (0, 1) or a list of them, e.g. 0.9 or [0.8, 0.95]")
    if len(set(values)) != len(values):
        raise ValueError(
            f"The 'coverage' argument of {owner} holds duplicates {values}. Pass each "
            f"coverage once."
        )
    return values, single


def interval_levels(coverages):
    """The quantile levels ``(1 - c) / 2`` and ``(1 + c) / 2`` of each coverage, sorted."""
    return sorted({round((1 - c) / 2, 12) for c in coverages}
                  | {round((1 + c) / 2, 12) for c in coverages})


# ----------------------------------------------------------------- conformal quantiles
def needed_origins(coverage) -> int:
    """The fewest scores ``n`` with ``ceil((n + 1) c) <= n`` (about ``c / (1 - c)``)."""
    n = max(1, math.floor(coverage / (1 - coverage)) - 1)
    while _rank(n, coverage) > n:
        n += 1
    return n


def _rank(n, coverage):
    return math.ceil((n + 1) * coverage - 1e-9)


def check_enough(owner, n, coverages, *, how):
    """Raise when ``n`` scores cannot calibrate the highest coverage."""
    top = max(coverages)
    need = needed_origins(top)
    if n < need:
        raise ValueError(
            f"{owner} has {n} calibration origins, but a {top:g} conformal interval needs at "
            f"least {need} (the ceil((n + 1) * {top:g})-th smallest of n errors must exist). "
            f"{how}"
        )


def conformal_quantiles(scores, coverages):
    """Finite-sample conformal quantiles of ``scores`` (n, H, T); returns (C, H, T).

    For coverage ``c`` the ``ceil((n + 1) c)``-th smallest score of each step
    and target; the caller checks there are enough scores first.
    """
    ordered = np.sort(np.asarray(scores, dtype=np.float64), axis=0)
    n = len(ordered)
    return np.stack([ordered[_rank(n, c) - 1] for c in coverages])


def conformal_levels(point, scale, scores, levels):
    """Quantiles at ``levels`` centred on ``point`` (S, H, T); ``scale`` (S, T).

    Level ``q`` below 0.5 is the lower end of the central interval of coverage
    ``1 - 2q``, above 0.5 the upper end of the one of coverage ``2q - 1``;
    level 0.5 is the point forecast. Returns (S, H, T, Q).
    """
    H = point.shape[1]
    out = np.empty(point.shape + (len(levels),))
    central = [abs(2 * q - 1) for q in levels if q != 0.5]
    radii = iter(conformal_quantiles(scores[:, :H], central)) if central else iter(())
    for k, q in enumerate(levels):
        if q == 0.5:
            out[..., k] = point
            continue
        radius = next(radii)[None] * scale[:, None, :]  # -> (S, H, T)
        out[..., k] = point - radius if q < 0.5 else point + radius
    return out


def thin(n_candidates, limit=MAX_ORIGINS):
    """Indices of at most ``limit`` of ``n_candidates`` items, evenly spaced (first, last kept)."""
    if n_candidates <= limit:
        return np.arange(n_candidates)
    return np.unique(np.round(np.linspace(0, n_candidates - 1, limit)).astype(np.int64))


def calibration_origins(rows, horizon, limit=MAX_ORIGINS):
    """``(series, origin)`` pairs whose ``horizon`` targets lie in ``[start, stop)`` rows.

    ``rows`` is a list of ``(start, stop)`` per series. With more than
    ``limit`` candidates, about ``limit`` are kept (at least one per series):
    every series gets an equal share (a short series
    that has fewer keeps all of its own, and the rest is shared among the
    others), evenly spaced within it: forecasts are scored series by series,
    so a long series must not outweigh many short ones in the calibration.
    """
    counts = [max(stop - start - horizon + 1, 0) for start, stop in rows]
    if sum(counts) <= limit:
        quota = counts
    else:
        quota, left, todo = [0] * len(rows), limit, sum(c > 0 for c in counts)
        for i in sorted(range(len(rows)), key=lambda i: counts[i]):
            if counts[i]:
                quota[i] = min(counts[i], max(left // todo, 1))
                left, todo = left - quota[i], todo - 1
    return [(i, start + int(k)) for i, ((start, _), c, q) in enumerate(zip(rows, counts, quota))
            for k in thin(c, q)]


# ----------------------------------------------------------------- the public methods
def predict_quantiles(est, horizon, X, y, quantiles, method):
    """Shared body of ``predict_quantiles``: check, dispatch, sort, shape."""
    owner = f"{type(est).__name__}.predict_quantiles"
    levels = check_levels(owner, quantiles)
    check_method(owner, method)
    point, values, ends, template, horizon, ids = est._quantile_forecast(horizon, X, y, levels,
                                                                         method)
    values = np.sort(values, axis=-1)  # quantiles never cross
    indexes = [future_index(last, step, horizon) for last, step in ends]
    return to_quantile_output(list(values), indexes, template, columns=est.target_names_,
                              labels=list(levels), names=["quantile"], ids=ids)


def predict_interval(est, horizon, X, y, coverage, method):
    """Shared body of ``predict_interval``: the two quantiles of each coverage, point inside."""
    owner = f"{type(est).__name__}.predict_interval"
    coverages, single = check_coverages(owner, coverage)
    check_method(owner, method)
    levels = interval_levels(coverages)
    point, values, ends, template, horizon, ids = est._quantile_forecast(horizon, X, y, levels,
                                                                         method)
    values = np.sort(values, axis=-1)
    at = {q: k for k, q in enumerate(levels)}
    bounds = []
    for c in coverages:  # -> (S, H, T, 2) each; clipped so that the point lies inside
        lower = np.minimum(values[..., at[round((1 - c) / 2, 12)]], point)
        upper = np.maximum(values[..., at[round((1 + c) / 2, 12)]], point)
        bounds.append(np.stack([lower, upper], axis=-1))
    if single:
        out, labels, names = bounds[0], ["lower", "upper"], ["bound"]
    else:
        out = np.stack(bounds, axis=-2)  # -> (S, H, T, C, 2)
        labels = [(c, b) for c in coverages for b in ("lower", "upper")]
        names = ["coverage", "bound"]
    flat = [f"{b}_{c:g}" for c in coverages for b in ("lower", "upper")]
    indexes = [future_index(last, step, horizon) for last, step in ends]
    return to_quantile_output(list(out), indexes, template, columns=est.target_names_,
                              labels=labels, names=names, ids=ids, flat_labels=flat)


def check_horizon(owner, horizon, calibration):
    if horizon > calibration.horizon:
        raise ValueError(
            f"{owner} was calibrated for forecasts of up to {calibration.horizon} steps, but "
            f"horizon={horizon} was asked. Ask for at most {calibration.horizon} steps, or "
            f"refit with a larger 'horizon'."
        )


def central_coverages(levels):
    """The coverage of the central interval each level (but 0.5) is an end of."""
    return [abs(2 * q - 1) for q in levels if q != 0.5]


# ----------------------------------------------------------------- the deep forecasters
def _point_and_scale(est, values, origins, horizon, series):
    origins = np.asarray(origins, dtype=np.int64)
    point = est.forecast_origins(values, origins, horizon, series=series)
    past = values[origins[:, None] + np.arange(-est.lookback, 0), :est.n_targets_]
    scale = est._window_scale(past, est._origin_scaler(values, origins, series))
    return point, scale  # -> (S, H, T), (S, T)


def origin_scores(est, values, origins, series, horizon):
    """Normalised absolute errors (S, horizon, T) of ``est`` from ``origins`` of one series.

    ``values`` (n, F) is the series as ``fit`` converts it (targets, then
    covariates), unscaled; origin ``o`` reads rows ``[o - lookback, o)`` and
    is scored on the targets of rows ``[o, o + horizon)``. ``series`` is its
    row in the fitted statistics, as in ``forecast_origins``.
    """
    point, scale = _point_and_scale(est, values, origins, horizon, series)
    truth = values[np.asarray(origins)[:, None] + np.arange(horizon), :est.n_targets_]
    return np.abs(truth - point) / scale[:, None, :]


def _scores_from(est, values, rows, horizon, series_rows):
    pairs = calibration_origins(rows, horizon)
    T = est.n_targets_
    if not pairs:
        return np.zeros((0, horizon, T), dtype=np.float32)
    series = np.array([i for i, _ in pairs])
    origins = np.array([o for _, o in pairs])
    parts = [origin_scores(est, values[i], origins[series == i], series_rows[i], horizon)
             for i in np.unique(series)]
    return np.concatenate(parts).astype(np.float32)


def calibrate_forecaster(est, values, validation):
    """The :class:`Calibration` of a just-fitted forecaster, or None without validation.

    ``validation`` holds the ``(start, stop)`` rows of each series' validation
    tail; origins whose ``horizon`` targets all lie inside it are used.
    """
    rows = max(stop - start for start, stop in validation)
    if rows == 0:
        return None
    scores = _scores_from(est, values, validation, est.horizon, list(range(len(values))))
    return Calibration(scores=scores, rows=rows)


def forecaster_calibration(est, horizon, X, y, levels, method):
    """The calibration ``predict_*`` uses: the fitted one, or one from the recent history."""

    name = type(est).__name__
    owner = name
    if est.calibration_ is None:
        raise ValueError(
            f"{name} was fitted with validation_size=0, so it has no validation tail to "
            f"calibrate prediction intervals on. Refit with validation_size > 0 (e.g. the "
            f"default 0.2) to enable them."
        )
    coverages = central_coverages(levels)
    check_horizon(owner, horizon, est.calibration_)
    if method == "conformal":
        if coverages:
            check_enough(owner, est.calibration_.n_origins, coverages, how=(
                f"Refit with a larger validation_size or longer series (each validation "
                f"origin needs horizon={est.horizon} rows after it), or ask for a lower "
                f"coverage."))
        return est.calibration_
    if y is None:
        raise ValueError(
            f"method='adaptive' of {name} recalibrates on the most recent origins of a new "
            f"history, but y was not passed. Pass y=<the latest observed history>, or use "
            f"method='conformal'."
        )
    ys = as_series_set(y, name, "y")
    _, past_cov = future_covariates(
        X, ys, horizon, ys.ends, name, covariate_names=est.covariate_names_,
        fitted_x_kind=est.input_kind_.get("x_kind"), n_series=len(ys.values), ids=ys.ids)
    values = ys.values if past_cov is None else [np.hstack(p) for p in zip(ys.values, past_cov)]
    rows = est.calibration_.rows
    recent = [(max(est.lookback, n - rows), n) for n in ys.lengths]
    scores = _scores_from(est, values, recent, est.horizon, est._series_rows(ys))
    if coverages:
        check_enough(f"{name} (method='adaptive')", len(scores), coverages, how=(
            f"The adaptive method uses origins in the last {rows} rows of y (the size of "
            f"the validation tail of fit), after the first lookback={est.lookback} rows. "
            f"Pass a longer history, or ask for a lower coverage."))
    return Calibration(scores=scores, rows=rows)


def origin_quantiles(est, values, origins, horizon, levels, series=None):
    """Point forecasts and quantiles from many origins of one series, for backtests.

    Arguments as in ``BaseForecaster.forecast_origins``; returns an array
    (S, H, T, 1 + Q): the point forecast, then the quantiles at ``levels``.
    """
    calibration = forecaster_calibration(est, horizon, None, None, levels, "conformal")
    point, scale = _point_and_scale(est, values, origins, horizon, series)
    band = np.sort(conformal_levels(point, scale, calibration.scores, levels), axis=-1)
    return np.concatenate([point[..., None], band], axis=-1)
