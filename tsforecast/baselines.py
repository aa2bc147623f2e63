"""Statistical baselines behind the same API as the neural forecasters.

``NaiveForecaster`` and ``SeasonalNaiveForecaster`` repeat past values;
``ETSForecaster``, ``ThetaForecaster`` and ``ARIMAForecaster`` wrap
statsmodels' ``ETSModel``, ``ThetaModel`` and ``SARIMAX``. All take the same
inputs as the neural forecasters (a Series, a DataFrame, numpy arrays, a list
of those), reuse the same input checks and return forecasts of the same kind,
indexed by the future time stamps. They are local models: every column of
every series gets its own model, fitted independently.

statsmodels' internal warnings (start parameters, Hessian inversion, overflow
while searching) are not shown; when a likelihood optimisation does not
converge, ``fit`` (or ``predict`` with a new history) emits one
``ConvergenceWarning`` naming the columns concerned.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from statsmodels.tools.sm_exceptions import ConvergenceWarning, ModelWarning

from . import _conformal, _fitted_state, _persistence
from ._atomic import atomic_fit
from .data.inputs import (
    as_series_set,
    check_covariates,
    check_new_history,
    future_covariates,
    future_index,
    to_output,
)
from .data.splits import n_rows
from .utils.validation import (
    check_bool,
    check_float,
    check_horizon,
    check_int,
    check_int_tuple,
    check_options,
)

__all__ = ["NaiveForecaster", "SeasonalNaiveForecaster", "ETSForecaster", "ThetaForecaster",
           "ARIMAForecaster", "BASELINES"]

#: The baselines' error scale reads the last ``max(4 * horizon, 50)`` one-step changes:
#: recent enough to follow the volatility, long enough not to be noisy itself.
_SCALE_HORIZONS, _SCALE_MIN = 4, 50
_QUIET_SOURCES = tuple(os.sep + pkg + os.sep for pkg in ("statsmodels", "scipy"))


def _season_from_step(step):
    """The usual season length of a time-index step (a day of hourly steps: 24), or None."""
    if not isinstance(step, pd.offsets.BaseOffset):
        return None  # integer steps carry no calendar
    if isinstance(step, pd.offsets.Tick) and pd.Timedelta(step) < pd.Timedelta("1D"):
        per_day = pd.Timedelta("1D") / pd.Timedelta(step)  # sub-daily: a day is one season
        return int(per_day) if per_day == int(per_day) else None
    if step.n != 1:
        return None
    from statsmodels.tsa.tsatools import freq_to_period

    try:
        return freq_to_period(step)
    except ValueError:
        return None


def _needed(formula, steps):
    return formula if formula == str(steps) else f"{formula} = {steps}"


def _floats(values):
    """A fitted model's series or parameters as a flat list of floats (exact in JSON)."""
    return np.asarray(values, dtype=np.float64).ravel().tolist()


def _quietly(fn, *args):
    """Call ``fn``; drop statsmodels' and scipy's own warnings; return (result, converged).

    Non-convergence is returned instead of shown, so that the caller can report
    it once for all columns. Warnings raised by other code are re-emitted.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args)
    converged = True
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            converged = False
        elif not (issubclass(w.category, ModelWarning)
                  or any(src in str(w.filename) for src in _QUIET_SOURCES)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result, converged


class _BaselineForecaster(BaseEstimator):
    """Shared fit/predict of the baselines: one model per column of each series.

    Subclasses store their parameters in ``__init__`` and implement
    ``_fit_one(y, X)`` (``y`` a 1-d float array, ``X`` an array of shape
    ``(T, C)`` or None) returning a fitted model, ``_forecast_one(model,
    horizon, X_future)`` returning ``horizon`` values, and optionally
    ``_apply_one(model, y, X)`` (a model for a new history; refits by default),
    ``_check_model_params``, ``_setup(ys)`` (fitted settings that depend on the
    data, such as ``season_length_``), ``_min_length()`` and ``_check_values``.
    """

    supports_exogenous = False
    #: DataFrames are accepted; each column is forecast by its own model.
    supports_multivariate = True
    #: Lists of series are accepted; each series gets its own models.
    supports_multiple_series = True
    supports_attention = False
    _convergence_hint = "try a simpler model"

    def __init__(self, *, horizon=12, calibration_size=0.2):
        self.horizon = horizon
        self.calibration_size = calibration_size

    # ------------------------------------------------------------------ hooks
    def _check_model_params(self):
        """Check the subclass's own parameters; raise ValueError/TypeError."""

    def _setup(self, ys):
        """Set fitted settings that depend on the data (e.g. ``season_length_``)."""

    def _min_length(self):
        """``(steps, formula, fix)``: the shortest series the model can be fitted to."""
        return 1, "1", ""

    def _check_values(self, ys, name):
        """Check the values themselves (e.g. positivity for multiplicative models)."""

    def _fit_one(self, y, X):
        raise NotImplementedError

    def _apply_one(self, model, y, X):
        return self._fit_one(y, X)

    def _forecast_one(self, model, horizon, X_future):
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers
    def _season_length(self, ys):
        """``season_length``, or the one implied by the frequency of the time index."""
        if self.season_length is not None:
            return self.season_length
        found = {_season_from_step(step) for step in ys.steps}
        if len(found) == 1 and None not in found:
            return found.pop()
        steps = sorted({str(getattr(s, "freqstr", s)) for s in ys.steps})
        raise ValueError(
            f"{type(self).__name__} could not infer 'season_length' from the time index of "
            f"y (steps {steps}). Pass season_length=..., e.g. 12 for monthly or 24 for "
            f"hourly data."
        )

    def _check_positive(self, ys, name, why):
        for i, values in enumerate(ys.values):
            lowest = values.min(axis=0)
            for j, low in enumerate(lowest):
                if low <= 0:
                    label = ys.label(i)
                    raise ValueError(
                        f"{type(self).__name__} with {why} needs strictly positive values, but "
                        f"column {ys.columns[j]!r} of {label} has minimum {low:g}. Use "
                        f"additive components, or shift the series above zero."
                    )

    def _warn_not_converged(self, failed, total, when, stacklevel):
        if failed:
            shown = ", ".join(failed[:5]) + (", ..." if len(failed) > 5 else "")
            warnings.warn(
                f"{type(self).__name__}: the likelihood optimisation did not converge {when} "
                f"for {len(failed)} of {total} models ({shown}). Their forecasts may be poor; "
                f"{self._convergence_hint}.", ConvergenceWarning, stacklevel=stacklevel)

    # ------------------------------------------------------------------ fit
    @atomic_fit
    def fit(self, y, X=None):
        """Fit one model per column of each series, from scratch.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, ndarray of shape (T,) or (T, k), or list of those
            Target series. Each column of a DataFrame (or 2-d array) and each
            series of a list is modelled on its own.
        X : same kinds as ``y``, optional
            Covariates known in advance, aligned row for row with ``y``; only
            for estimators with ``supports_exogenous = True``.

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        name = type(self).__name__
        check_int(self, "horizon", self.horizon)
        check_float(self, "calibration_size", self.calibration_size, low=0.0, high=1.0,
                    high_open=True)
        self._check_model_params()
        if X is not None and not self.supports_exogenous:
            raise ValueError(
                f"{name} does not use covariates, but X was passed to fit. Call fit without "
                f"X, or use ARIMAForecaster for covariates known in advance."
            )
        ys = as_series_set(y, name, "y")
        xs = None
        if X is not None:
            xs = check_covariates(as_series_set(X, name, "X"), ys, name)
        self._setup(ys)
        need, formula, fix = self._min_length()
        for i, n in enumerate(ys.lengths):
            if n < need:
                raise ValueError(
                    f"{name} needs at least {_needed(formula, need)} time steps to fit, but "
                    f"{ys.label(i)} has {n}. " + (f"{fix}, or pass" if fix else "Pass")
                    + " a longer series."
                )
        self._check_values(ys, "y")
        models, failed = [], []
        for i, values in enumerate(ys.values):
            row = []
            for j, column in enumerate(ys.columns):
                model, converged = _quietly(self._fit_one, values[:, j],
                                            xs.values[i] if xs is not None else None)
                if not converged:
                    failed.append(f"column {column!r} of {ys.label(i)}")
                row.append(model)
            models.append(row)
        self._warn_not_converged(failed, len(ys.values) * ys.n_columns, "in fit", stacklevel=4)
        self.models_ = models
        self.n_features_in_ = ys.n_columns + (xs.n_columns if xs is not None else 0)
        self.n_targets_ = ys.n_columns
        self.target_names_ = list(ys.columns)
        self.covariate_names_ = list(xs.columns) if xs is not None else []
        self.input_kind_ = {**ys.template, "x_kind": xs.kind if xs is not None else None}
        self.ids_ = ys.ids
        self.index_end_ = ys.ends
        self.error_scale_ = np.stack([self._window_scale(v, i) for i, v in enumerate(ys.values)])
        self.calibration_ = self._calibrate(ys, xs)
        return self

    # ------------------------------------------------------------------ predict
    def predict(self, horizon=None, X=None, y=None):
        """Forecast the steps after the end of the series.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; defaults to the ``horizon`` parameter. Any
            horizon up to ``max(1000 * horizon, 10000)`` works: the models
            forecast recursively.
        X : same kinds as in ``fit``, optional
            Required when the model was fitted with covariates. Without ``y``:
            covariates for the forecast span (at least ``horizon`` rows, the
            first ``horizon`` are used; a pandas index must start at the first
            forecast time stamp). With ``y``: covariates aligned with ``y``
            and extending ``horizon`` rows past its end.
        y : same kinds as in ``fit``, optional
            A new history to forecast from (e.g. the latest data), with the
            same columns as in ``fit``. The fitted models are applied to it as
            each class documents (the naive ones just read its last values).
            A model fitted on one series applies to every series of a list;
            a model fitted on several needs as many, in the same order.

        Returns
        -------
        forecast : same kind as ``y`` (or as the ``y`` of ``fit``)
            ``horizon`` rows, indexed by the future time stamps (integer steps
            for numpy input); a list for a list of series.
        """
        horizon, ys, ends, template, future, past, ids, rows = self._check_predict(horizon, X, y)
        forecasts = self._forecast_all(self._models_for(ys, past, rows), horizon, future)
        indexes = [future_index(last, step, horizon) for last, step in ends]
        return to_output(forecasts, indexes, template, columns=self.target_names_, ids=ids)

    def _check_predict(self, horizon, X, y):
        """Check predict's inputs; return what forecasting and the output need."""
        check_is_fitted(self)
        name = type(self).__name__
        horizon = self.horizon if horizon is None else horizon
        check_horizon(self, horizon, self.horizon)
        if X is not None and not self.supports_exogenous:
            raise ValueError(
                f"X was passed to predict, but {name} was fitted without covariates (it does "
                f"not use any). Call predict without X."
            )
        if y is None:
            ys, ends, template, ids = None, self.index_end_, self.input_kind_, self.ids_
            rows = list(range(len(ends)))
        else:
            ys = as_series_set(y, name, "y")
            need, formula, _ = self._min_length()
            check_new_history(ys, name, target_names=self.target_names_,
                              fitted_kind=self.input_kind_["kind"], min_length=need,
                              needs=f"needs at least {_needed(formula, need)} steps to forecast")
            rows = self._model_rows(ys)
            self._check_values(ys, "y")
            ends, template, ids = ys.ends, ys.template, ys.ids
        future, past = future_covariates(
            X, ys, horizon, ends, name, covariate_names=self.covariate_names_,
            fitted_x_kind=self.input_kind_.get("x_kind"), n_series=len(ends), ids=ids)
        return horizon, ys, ends, template, future, past, ids, rows

    def _models_for(self, ys, past, rows):
        """Per series and column: the fitted model (``models_[rows[i]]``), or it applied to
        the new history ``ys``."""
        models, failed = [], []
        n_series = len(rows)
        for i in range(n_series):
            fitted = self.models_[rows[i]]
            if ys is None:
                models.append(fitted)
                continue
            row = []
            for j, model in enumerate(fitted):
                x_past = past[i] if past is not None else None
                model, converged = _quietly(self._apply_one, model, ys.values[i][:, j], x_past)
                if not converged:
                    failed.append(f"column {self.target_names_[j]!r} of {ys.label(i)}")
                row.append(model)
            models.append(row)
        self._warn_not_converged(failed, n_series * self.n_targets_, "on the new history",
                                 stacklevel=4)
        return models

    def _forecast_all(self, models, horizon, future):
        """Point forecasts (horizon, k) of each series from its models."""
        forecasts = []
        for i, row in enumerate(models):
            x_future = future[i] if self.covariate_names_ else None
            columns = [np.asarray(_quietly(self._forecast_one, m, horizon, x_future)[0],
                                  dtype=np.float64).reshape(horizon) for m in row]
            forecasts.append(np.column_stack(columns))
        return forecasts

    # ------------------------------------------------------------------ uncertainty
    def predict_quantiles(self, horizon=None, X=None, y=None, quantiles=(0.1, 0.5, 0.9),
                          method="conformal"):
        """Forecast quantiles of the steps after the end of the series.

        Takes the same ``horizon``, ``X`` and ``y`` as :meth:`predict`.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; with the conformal methods at most the
            ``horizon`` the model was fitted (and calibrated) with.
        X : same kinds as in ``fit``, optional
            As in :meth:`predict`.
        y : same kinds as in ``fit``, optional
            As in :meth:`predict`: a new history to forecast from.
        quantiles : float or sequence of float, default=(0.1, 0.5, 0.9)
            Levels in (0, 1), strictly increasing.
        method : {"conformal", "adaptive", "native"}, default="conformal"
            ``"conformal"``: split conformal intervals calibrated in ``fit``
            on the last ``calibration_size`` of each series (see Notes).
            ``"adaptive"``: the same, recalibrated on the most recent origins
            of the history passed as ``y``. ``"native"``: statsmodels' own
            intervals (ETS, ARIMA and Theta only), which assume the model's
            Gaussian errors.

        Returns
        -------
        quantiles : pandas.DataFrame, ndarray, or a list of those
            For a Series: a DataFrame indexed by the future time stamps with
            one column per level. For a DataFrame: columns ``(target, level)``.
            For numpy input: shape ``(horizon, Q)`` or ``(horizon, k, Q)``.
            A list for a list of series.

        Notes
        -----
        Calibration: for each series, a model is fitted to the rows before
        its last ``calibration_size`` fraction and then, refit-free where the
        class allows (``predict(y=...)`` semantics), forecasts from every
        origin of that tail (about 1,000 at most, an equal share per series,
        pooled). The
        absolute errors divided by the history's recent mean absolute one-step
        change (over ``max(4 * horizon, 50)`` steps, :meth:`_window_scale`) are kept per
        forecast step;
        the interval of coverage ``c`` is the point forecast plus or minus that
        scale times the ``ceil((n + 1) c)``-th smallest of the ``n`` scores.
        """
        return _conformal.predict_quantiles(self, horizon, X, y, quantiles, method)

    def predict_interval(self, horizon=None, X=None, y=None, coverage=0.9, method="conformal"):
        """Forecast prediction intervals of the steps after the end of the series.

        Takes the same ``horizon``, ``X`` and ``y`` as :meth:`predict`; the
        point forecast lies inside every interval.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast.
        X : same kinds as in ``fit``, optional
            As in :meth:`predict`.
        y : same kinds as in ``fit``, optional
            As in :meth:`predict`.
        coverage : float or list of float, default=0.9
            Probability that each interval holds the actual value, in (0, 1).
        method : {"conformal", "adaptive", "native"}, default="conformal"
            As in :meth:`predict_quantiles`.

        Returns
        -------
        intervals : pandas.DataFrame, ndarray, or a list of those
            Columns ``"lower"``/``"upper"`` (a Series), ``(coverage,
            "lower"|"upper")`` for a list of coverages, and the target name
            first for a DataFrame; numpy arrays with trailing axes ``(2,)`` or
            ``(n_coverages, 2)``.
        """
        return _conformal.predict_interval(self, horizon, X, y, coverage, method)

    def _window_scale(self, past_targets, series_index):
        """The scale (k,) that calibration errors are divided by, from one history (n, k).

        The mean absolute one-step change over the last ``max(4 * horizon,
        50)`` steps of the history (its recent volatility, so that intervals widen and
        narrow with it), floored at a tenth of that over the whole history
        (the in-sample scale of MASE); a constant history falls back to a
        thousandth of its level (or 1). ``series_index`` is unused: the scale
        is a statistic of the history itself.
        """
        past_targets = np.asarray(past_targets, dtype=np.float64)
        steps = np.abs(np.diff(past_targets, axis=0))
        if not len(steps):
            steps = np.zeros((1, past_targets.shape[1]))
        recent = steps[-max(_SCALE_HORIZONS * self.horizon, _SCALE_MIN):].mean(axis=0)
        scale = np.maximum(recent, _conformal.SPREAD_FLOOR * steps.mean(axis=0))
        level = 1e-3 * np.abs(past_targets).mean(axis=0)
        return np.where(scale > 0, scale, np.where(level > 0, level, 1.0))

    def _quantile_forecast(self, horizon, X, y, levels, method):
        """The one dispatch of the uncertainty methods; see ``BaseForecaster``."""
        if method == "quantile-head":
            raise ValueError(
                f"{type(self).__name__} has no quantile head: method='quantile-head' is for the "
                f"deep forecasters fitted with loss='quantile'. Use method='conformal' (or "
                f"'native' for ETS, ARIMA and Theta)."
            )
        horizon, ys, ends, template, future, past, ids, rows = self._check_predict(horizon, X, y)
        models = self._models_for(ys, past, rows)
        point = np.stack(self._forecast_all(models, horizon, future))  # -> (S, H, k)
        if method == "native":
            return point, self._native_levels(models, horizon, future, levels), ends, \
                template, horizon, ids
        calibration = self._calibration_for(horizon, ys, past, rows, levels, method)
        if ys is None:
            scale = self.error_scale_
        else:
            scale = np.stack([self._window_scale(v, i) for i, v in enumerate(ys.values)])
        values = _conformal.conformal_levels(point, scale, calibration.scores, levels)
        return point, values, ends, template, horizon, ids

    def _calibration_for(self, horizon, ys, past, rows, levels, method):
        name = type(self).__name__
        if self.calibration_ is None:
            raise ValueError(
                f"{name} has no conformal calibration: it was fitted with calibration_size=0, "
                f"or every series was too short to hold out its last calibration_size="
                f"{self.calibration_size} and still fit a model to the rest. Refit with "
                f"calibration_size > 0 (e.g. 0.2) on longer series, or use method='native'."
            )
        _conformal.check_horizon(name, horizon, self.calibration_)
        coverages = _conformal.central_coverages(levels)
        if method == "conformal":
            if coverages:
                _conformal.check_enough(name, self.calibration_.n_origins, coverages, how=(
                    f"Refit with a larger calibration_size or longer series (each origin "
                    f"needs horizon={self.horizon} rows after it), or ask for a lower "
                    f"coverage."))
            return self.calibration_
        if ys is None:
            raise ValueError(
                f"method='adaptive' of {name} recalibrates on the most recent origins of a "
                f"new history, but y was not passed. Pass y=<the latest observed history>, "
                f"or use method='conformal'."
            )
        tail = self.calibration_.rows
        need = self._min_length()[0]
        recent = [(max(need, n - tail), n) for n in ys.lengths]
        pairs = _conformal.calibration_origins(recent, self.horizon)
        bases = {}  # the fitted models applied to the history before the first origin
        for i in sorted({i for i, _ in pairs}):
            start = recent[i][0]
            x = past[i][:start] if past is not None else None
            bases[i] = [_quietly(self._apply_one, m, ys.values[i][:start, j], x)[0]
                        for j, m in enumerate(self.models_[rows[i]])]
        scores = self._origin_scores(bases, ys.values, past, pairs)
        if coverages:
            _conformal.check_enough(f"{name} (method='adaptive')", len(scores), coverages,
                                    how=(f"The adaptive method uses origins in the last {tail} "
                                         f"rows of y (the calibration tail of fit). Pass a "
                                         f"longer history, or ask for a lower coverage."))
        return _conformal.Calibration(scores=scores, rows=tail)

    def _origin_scores(self, bases, values, covariates, pairs):
        """Normalised absolute errors (n, horizon, k) from the ``(series, origin)`` ``pairs``.

        ``bases[i][j]`` is the model of column ``j`` of series ``i``, fitted to
        the rows before its first origin; each origin's forecast reads only the
        rows before it (see ``_origin_forecasts``).
        """
        H, k = self.horizon, self.n_targets_
        series = np.array([i for i, _ in pairs], dtype=np.int64)
        origins = np.array([o for _, o in pairs], dtype=np.int64)
        parts = []
        for i in np.unique(series):
            at = origins[series == i]
            x = covariates[i] if covariates is not None else None
            forecasts = np.stack([
                _quietly(self._origin_forecasts, bases[i][j], values[i][:, j], x, at, H)[0]
                for j in range(k)], axis=-1)  # -> (n_i, H, k)
            truth = values[i][at[:, None] + np.arange(H)]  # -> (n_i, H, k)
            scale = np.stack([self._window_scale(values[i][:o], i) for o in at])  # -> (n_i, k)
            parts.append(np.abs(truth - forecasts) / scale[:, None, :])
        if not parts:
            return np.zeros((0, H, k), dtype=np.float32)
        return np.concatenate(parts).astype(np.float32)

    def _origin_forecasts(self, base, y, X, origins, horizon):
        """Forecasts (len(origins), horizon) from each origin ``o``, reading ``y[:o]`` only.

        ``base`` was fitted to a head of ``y``; by default it is applied to
        each history with ``_apply_one`` (a refit for some classes).
        """
        out = []
        for o in origins:
            model = self._apply_one(base, y[:o], None if X is None else X[:o])
            out.append(np.asarray(self._forecast_one(model, horizon,
                                                     None if X is None else X[o:o + horizon]),
                                  dtype=np.float64).reshape(horizon))
        return np.stack(out)

    def _calibrate(self, ys, xs):
        """Fit on each series' head and score forecasts from the origins of its tail."""
        need = self._min_length()[0]
        rows = []
        for values in ys.values:
            n = len(values)
            start = n - n_rows(self.calibration_size, n, "calibration_size", type(self).__name__)
            if start == n or start < need or n - start < self.horizon:
                start = n  # nothing to hold out, or too short: no origins
            rows.append((start, n))
        pairs = _conformal.calibration_origins(rows, self.horizon)
        if not pairs:
            return None
        bases = {}  # one model per series that has origins, fitted to the rows before them
        for i in sorted({i for i, _ in pairs}):
            start = rows[i][0]
            x = xs.values[i][:start] if xs is not None else None
            bases[i] = [_quietly(self._fit_one, ys.values[i][:start, j], x)[0]
                        for j in range(ys.n_columns)]
        scores = self._origin_scores(bases, ys.values,
                                     xs.values if xs is not None else None, pairs)
        return _conformal.Calibration(scores=scores, rows=max(b - a for a, b in rows))

    def _native_levels(self, models, horizon, future, levels):
        """statsmodels' own quantiles (S, H, k, Q): ends of its central intervals."""
        out = np.empty((len(models), horizon, self.n_targets_, len(levels)))
        for i, row in enumerate(models):
            x_future = future[i] if self.covariate_names_ else None
            for j, model in enumerate(row):
                for q, level in enumerate(levels):
                    if level == 0.5:
                        value = self._forecast_one(model, horizon, x_future)
                    else:
                        bounds, _ = _quietly(self._interval_one, model, horizon, x_future,
                                             1 - abs(2 * level - 1))
                        value = bounds[0] if level < 0.5 else bounds[1]
                    out[i, :, j, q] = np.asarray(value, dtype=np.float64).reshape(horizon)
        return out

    def _interval_one(self, model, horizon, X_future, alpha):
        raise ValueError(
            f"{type(self).__name__} has no native intervals: method='native' is statsmodels' "
            f"own intervals of ETSForecaster, ARIMAForecaster and ThetaForecaster. Use "
            f"method='conformal' or 'adaptive'."
        )

    def _model_rows(self, ys):
        """Which fitted models forecast each series of a new history ``ys``."""
        name, n_fitted = type(self).__name__, len(self.models_)
        if n_fitted == 1:
            return [0] * len(ys.values)
        if self.ids_ is not None and ys.ids is not None:
            known = {k: i for i, k in enumerate(self.ids_)}
            unknown = [k for k in ys.ids if k not in known]
            if unknown:
                raise ValueError(
                    f"y passed to predict holds ids {unknown[:5]} that {name} was not fitted "
                    f"on; it keeps one model per series. Pass series of the ids seen in fit, "
                    f"or refit on the new ones."
                )
            return [known[k] for k in ys.ids]
        if len(ys.values) != n_fitted:
            raise ValueError(
                f"y passed to predict holds {len(ys.values)} series, but {name} was fitted "
                f"on {n_fitted} and keeps one model per series. Pass {n_fitted} series in "
                f"the order of fit, or fit on one series to apply its model to any number."
            )
        return list(range(n_fitted))

    # ------------------------------------------------------------------ persistence
    _fitted_schema = _fitted_state.BASELINE_FITTED  # what load checks the state against

    def _fitted_state(self):
        """The fitted attributes as JSON values (for ``save``); models by ``_model_state``."""
        return _fitted_state.baseline_state(self)

    def _restore(self, state):
        """Set the fitted attributes from a :meth:`_fitted_state` (for ``load``)."""
        _fitted_state.restore_baseline(self, state)

    def _model_state(self, model):
        """One fitted model as JSON values; here the past values it repeats."""
        return {"values": np.asarray(model, dtype=np.float64).tolist()}

    def _model_from_state(self, state):
        """The fitted model that :meth:`_model_state` describes."""
        return np.asarray(state["values"], dtype=np.float64)

    def save(self, path):
        """Save the fitted baseline to ``path`` (a zip of JSON metadata; no pickle).

        The file holds the parameters, the library and schema versions, the
        column names, the frequency, the calibration and, for each model, what
        rebuilds it: the values the naive models repeat, or the series and
        the estimated parameters of a statsmodels model (whose forecasts
        after :meth:`load` are the same). :func:`tsforecast.load` reads it
        back without unpickling any code.

        Parameters
        ----------
        path : str or path-like
        """
        check_is_fitted(self)
        _persistence.save_model(self, path, self._fitted_state(), {})

    @classmethod
    def load(cls, path):
        """Load a baseline written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        object
            The fitted baseline, of the class that was saved; loading through
            another class raises ``ModelFileError``.
        """
        est, state, _ = _persistence.load_model(cls, path)
        return _persistence.restore_state(est, state, path)


class NaiveForecaster(_BaselineForecaster):
    r"""Naive (random-walk) forecast: every future step repeats the last value.

    .. math:: \hat y_{T+h} = y_T

    The reference any forecaster must beat; optimal for a random walk and
    hard to beat on noisy, persistent series such as prices.

    Parameters
    ----------
    horizon : int, default=12
        Steps forecast by default, and the longest horizon of the intervals.
    calibration_size : float, default=0.2
        Fraction of each series, from its end, held out in ``fit`` to
        calibrate the conformal intervals of :meth:`predict_interval`: a
        model fitted on the rest forecasts from every origin of that tail.
        0 disables the conformal intervals.

    Attributes
    ----------
    models_ : list of list of ndarray
        ``models_[i][j]``: the last value of column ``j`` of series ``i``.
    n_features_in_ : int
        Target columns.
    target_names_ : list of str
        Target column names.
    covariate_names_ : list of str
        Always empty: no covariates.
    calibration_ : object or None
        Conformal calibration: normalised absolute errors from the origins
        of the held-out tails (None with ``calibration_size=0``).
    error_scale_ : ndarray of shape (n_series, k)
        The scale of each fitted series that those errors are multiplied by.

    See Also
    --------
    SeasonalNaiveForecaster : repeats the last season instead.

    References
    ----------
    Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and
    Practice*, 3rd ed., section 5.2. OTexts.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import NaiveForecaster
    >>> NaiveForecaster(horizon=3).fit(np.array([1.0, 2.0, 5.0])).predict()
    array([5., 5., 5.])
    """

    def __init__(self, *, horizon=12, calibration_size=0.2):
        super().__init__(horizon=horizon, calibration_size=calibration_size)

    def _fit_one(self, y, X):
        return y[-1:].copy()

    def _forecast_one(self, model, horizon, X_future):
        return np.repeat(model[-1], horizon)


class SeasonalNaiveForecaster(_BaselineForecaster):
    r"""Seasonal naive forecast: every future step repeats the value one season earlier.

    .. math:: \hat y_{T+h} = y_{T+h-m(k+1)}, \quad k = \lfloor (h-1)/m \rfloor

    with ``m`` the season length. The reference for seasonal series (hourly
    load, monthly sales): a model that cannot beat it has not learnt more
    than the seasonal pattern.

    Parameters
    ----------
    season_length : int or None, default=None
        Steps per season ``m``. None infers it from the frequency of the time
        index: a day for sub-daily data (24 for hourly), 7 for daily, 52 for
        weekly, 12 for monthly, 4 for quarterly data (numpy input needs an
        explicit value).
    horizon : int, default=12
        Steps forecast by default, and the longest horizon of the intervals.
    calibration_size : float, default=0.2
        Fraction of each series, from its end, held out in ``fit`` to
        calibrate the conformal intervals of :meth:`predict_interval`: a
        model fitted on the rest forecasts from every origin of that tail.
        0 disables the conformal intervals.

    Attributes
    ----------
    season_length_ : int
        The season length used.
    models_ : list of list of ndarray
        ``models_[i][j]``: the last season of column ``j`` of series ``i``.
    n_features_in_ : int
        Target columns.
    target_names_ : list of str
        Target column names.
    covariate_names_ : list of str
        Always empty: no covariates.
    calibration_ : object or None
        Conformal calibration: normalised absolute errors from the origins
        of the held-out tails (None with ``calibration_size=0``).
    error_scale_ : ndarray of shape (n_series, k)
        The scale of each fitted series that those errors are multiplied by.

    See Also
    --------
    NaiveForecaster : repeats the last value.
    ETSForecaster : smooths the seasonal pattern instead of copying it.

    References
    ----------
    Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and
    Practice*, 3rd ed., section 5.2. OTexts.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import SeasonalNaiveForecaster
    >>> y = np.array([1.0, 2.0, 3.0, 10.0, 20.0, 30.0])
    >>> SeasonalNaiveForecaster(3, horizon=4).fit(y).predict()
    array([10., 20., 30., 10.])
    """

    def __init__(self, season_length=None, *, horizon=12, calibration_size=0.2):
        super().__init__(horizon=horizon, calibration_size=calibration_size)
        self.season_length = season_length

    def _check_model_params(self):
        check_int(self, "season_length", self.season_length, allow_none=True)

    def _setup(self, ys):
        self.season_length_ = self._season_length(ys)

    def _min_length(self):
        m = getattr(self, "season_length_", self.season_length) or 1
        return m, "season_length", "Reduce 'season_length'"

    def _fit_one(self, y, X):
        return y[-self.season_length_:].copy()

    def _forecast_one(self, model, horizon, X_future):
        return np.resize(model, horizon)  # repeats the last season as often as needed


class ETSForecaster(_BaselineForecaster):
    r"""Exponential smoothing (ETS) state-space model, fitted by maximum likelihood.

    Wraps statsmodels' ``ETSModel``: a level, an optional (damped) trend and
    an optional season, each updated by exponential smoothing, with additive
    or multiplicative errors. The additive-error, additive-trend,
    multiplicative-season model ("Holt-Winters") forecasts

    .. math:: \hat y_{T+h} = (\ell_T + (\phi + \dots + \phi^h)\, b_T)\, s_{T+h-m(k+1)}

    with level :math:`\ell`, trend :math:`b`, damping :math:`\phi` (1 without
    damping) and seasonal factors :math:`s` of period :math:`m`,
    :math:`k = \lfloor (h-1)/m \rfloor`. The smoothing parameters and the
    initial states are estimated by maximum likelihood.

    ``predict(y=new_history)`` keeps the fitted smoothing parameters
    (:math:`\alpha, \beta, \gamma, \phi`) and re-estimates only the initial
    states on the new history, so the history may start anywhere.

    Parameters
    ----------
    error : {"add", "mul"}, default="add"
        Additive or multiplicative error ("mul" needs positive data).
    trend : {"add", "mul"} or None, default=None
        Trend component; None for a level only.
    damped_trend : bool, default=False
        Damp the trend towards a flat line (needs a trend).
    seasonal : {"add", "mul"} or None, default=None
        Seasonal component; "mul" for seasonal swings that grow with the
        level (needs positive data).
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency of the time index
        (24 for hourly, 12 for monthly data). Used only with ``seasonal``.
    horizon : int, default=12
        Steps forecast by default, and the longest horizon of the intervals.
    calibration_size : float, default=0.2
        Fraction of each series, from its end, held out in ``fit`` to
        calibrate the conformal intervals of :meth:`predict_interval`: a
        model fitted on the rest forecasts from every origin of that tail.
        0 disables the conformal intervals.

    Attributes
    ----------
    season_length_ : int or None
        The season length used; None without a seasonal component.
    models_ : list of list of ETSResults
        ``models_[i][j]``: the statsmodels results of column ``j`` of series
        ``i`` (``.summary()``, ``.params``, ``.aic``).
    n_features_in_ : int
        Target columns.
    target_names_ : list of str
        Target column names.
    covariate_names_ : list of str
        Always empty: no covariates.
    calibration_ : object or None
        Conformal calibration: normalised absolute errors from the origins
        of the held-out tails (None with ``calibration_size=0``).
    error_scale_ : ndarray of shape (n_series, k)
        The scale of each fitted series that those errors are multiplied by.

    See Also
    --------
    ThetaForecaster : simple exponential smoothing with drift.
    SeasonalNaiveForecaster : the reference for seasonal series.

    References
    ----------
    Hyndman, R. J., Koehler, A. B., Ord, J. K. & Snyder, R. D. (2008).
    *Forecasting with Exponential Smoothing: The State Space Approach*. Springer.

    Examples
    --------
    >>> from tsforecast import ETSForecaster
    >>> from tsforecast.datasets import load_airpassengers
    >>> y = load_airpassengers()
    >>> est = ETSForecaster(trend="add", seasonal="mul", horizon=3).fit(y)
    >>> est.season_length_
    12
    >>> est.predict().index[0]
    Timestamp('1961-01-01 00:00:00')
    """

    _convergence_hint = ("try fewer or additive components (trend=None, seasonal='add'), or "
                         "rescale the series")

    def __init__(self, error="add", *, trend=None, damped_trend=False, seasonal=None,
                 season_length=None, horizon=12, calibration_size=0.2):
        super().__init__(horizon=horizon, calibration_size=calibration_size)
        self.error = error
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.season_length = season_length

    def _check_model_params(self):
        check_options(self, "error", self.error, ("add", "mul"))
        check_options(self, "trend", self.trend, ("add", "mul", None))
        check_bool(self, "damped_trend", self.damped_trend)
        check_options(self, "seasonal", self.seasonal, ("add", "mul", None))
        check_int(self, "season_length", self.season_length, allow_none=True)
        if self.damped_trend and self.trend is None:
            raise ValueError(
                f"The 'damped_trend' parameter of {type(self).__name__} needs a trend. Got "
                f"damped_trend=True with trend=None; set trend='add' or damped_trend=False."
            )

    def _setup(self, ys):
        self.season_length_ = self._season_length(ys) if self.seasonal is not None else None
        if self.season_length_ is not None and self.season_length_ < 2:
            raise ValueError(
                f"{type(self).__name__} with seasonal={self.seasonal!r} needs a season_length "
                f">= 2, but it is {self.season_length_}. Pass season_length=..., or set "
                f"seasonal=None."
            )

    def _min_length(self):
        m = getattr(self, "season_length_", None)
        if m:  # statsmodels needs two full seasons to start the seasonal states
            return 2 * m, "2 * season_length", "Reduce 'season_length' or set seasonal=None"
        n_params = 2 + 2 * (self.trend is not None) + bool(self.damped_trend)
        return n_params + 1, "the number of parameters + 1", "Use fewer components"

    def _check_values(self, ys, name):
        multiplicative = [f"{p}='mul'" for p in ("error", "trend", "seasonal")
                          if getattr(self, p) == "mul"]
        if multiplicative:
            self._check_positive(ys, name, " and ".join(multiplicative))

    def _model(self, y):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        return ETSModel(y, error=self.error, trend=self.trend, damped_trend=self.damped_trend,
                        seasonal=self.seasonal, seasonal_periods=self.season_length_)

    def _fit_one(self, y, X):
        return self._model(y).fit(disp=False)

    def _apply_one(self, model, y, X):
        fixed = {name: value for name, value in zip(model.model.param_names,
                                                    np.asarray(model.params))
                 if not name.startswith("initial_")}
        new = self._model(y)
        with new.fix_params(fixed):
            return new.fit(disp=False)

    def _forecast_one(self, model, horizon, X_future):
        return model.forecast(horizon)

    def _model_state(self, model):
        return {"y": _floats(model.model.endog), "params": _floats(model.params)}

    def _model_from_state(self, state):
        # the states filtered with the saved parameters: the fitted results, bit for bit
        return self._model(np.asarray(state["y"])).smooth(np.asarray(state["params"]))

    def _origin_forecasts(self, base, y, X, origins, horizon):
        # One causal filter over the whole series with all of the base model's
        # parameters (its initial states too: ``y`` starts at the row the base
        # was fitted from); the state at ``o - 1`` depends on ``y[:o]`` only, and
        # a simulation from it with zero errors is the forecast from origin ``o``.
        smoothed = self._model(y).smooth(np.asarray(base.params))
        zeros = np.zeros((horizon, 1))
        return np.stack([np.ravel(smoothed.simulate(horizon, anchor=int(o) - 1, repetitions=1,
                                                    random_errors=zeros)) for o in origins])

    def _interval_one(self, model, horizon, X_future, alpha):
        from scipy.stats import norm

        mean = np.asarray(model.forecast(horizon), dtype=np.float64)
        if model.model.short_name in _ETS_EXACT:
            # statsmodels' analytic variance (the one get_prediction uses;
            # get_prediction itself fails on numpy data in statsmodels 0.15).
            sd = np.sqrt(model.mse * model._relative_forecast_variance(np.arange(1, horizon + 1)))
            half = norm.ppf(1 - alpha / 2) * sd
            return mean - half, mean + half
        paths = model.simulate(horizon, anchor="end", repetitions=1000,
                               rng=np.random.default_rng(0))  # -> (horizon, 1000)
        return np.quantile(paths, alpha / 2, axis=1), np.quantile(paths, 1 - alpha / 2, axis=1)


class ThetaForecaster(_BaselineForecaster):
    r"""The Theta method: simple exponential smoothing plus half the linear trend.

    Wraps statsmodels' ``ThetaModel``. The series is deseasonalised (when a
    seasonality test says so), then forecast as

    .. math::

        \hat y_{T+h} = \tilde y_{T+h|T}
            + \left(1 - \tfrac{1}{\theta}\right) b_0
              \left[h - 1 + \tfrac{1}{\alpha} - \tfrac{(1-\alpha)^T}{\alpha}\right]

    where :math:`\tilde y` is the simple exponential smoothing forecast with
    weight :math:`\alpha`, :math:`b_0` the slope of a straight line fitted to
    the series, and the seasonal factors are put back. :math:`\theta = 2` is
    the method that won the M3 competition: strong on trending series.

    ``predict(y=new_history)`` refits on the new history: the model's
    quantities (trend slope, smoothing weight, seasonal factors) are
    statistics of the history itself and take milliseconds to compute.

    Parameters
    ----------
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency of the time index
        (numpy input needs an explicit value, or ``deseasonalize=False``).
    theta : float, default=2.0
        Weight of the trend line, >= 1 (1: simple exponential smoothing only).
    deseasonalize : bool, default=True
        Remove the season with a classical decomposition before forecasting.
    use_test : bool, default=True
        Deseasonalise only when a 90% test finds seasonality at
        ``season_length``.
    method : {"auto", "additive", "multiplicative"}, default="auto"
        Seasonal decomposition; "auto" is multiplicative for positive data.
    horizon : int, default=12
        Steps forecast by default, and the longest horizon of the intervals.
    calibration_size : float, default=0.2
        Fraction of each series, from its end, held out in ``fit`` to
        calibrate the conformal intervals of :meth:`predict_interval`: a
        model fitted on the rest forecasts from every origin of that tail.
        0 disables the conformal intervals.

    Attributes
    ----------
    season_length_ : int or None
        The season length used; None when not deseasonalising.
    models_ : list of list of ThetaModelResults
        ``models_[i][j]``: the statsmodels results of column ``j`` of series ``i``.
    n_features_in_ : int
        Target columns.
    target_names_ : list of str
        Target column names.
    covariate_names_ : list of str
        Always empty: no covariates.
    calibration_ : object or None
        Conformal calibration: normalised absolute errors from the origins
        of the held-out tails (None with ``calibration_size=0``).
    error_scale_ : ndarray of shape (n_series, k)
        The scale of each fitted series that those errors are multiplied by.

    See Also
    --------
    ETSForecaster : exponential smoothing with trend and season components.

    References
    ----------
    Assimakopoulos, V. & Nikolopoulos, K. (2000). The theta model: a
    decomposition approach to forecasting. *International Journal of
    Forecasting*, 16(4), 521-530.

    Hyndman, R. J. & Billah, B. (2003). Unmasking the Theta method.
    *International Journal of Forecasting*, 19(2), 287-290.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import ThetaForecaster
    >>> y = 10 + 0.5 * np.arange(60) + np.sin(np.arange(60))
    >>> ThetaForecaster(deseasonalize=False, horizon=3).fit(y).predict().shape
    (3,)
    """

    def __init__(self, season_length=None, *, theta=2.0, deseasonalize=True, use_test=True,
                 method="auto", horizon=12, calibration_size=0.2):
        super().__init__(horizon=horizon, calibration_size=calibration_size)
        self.season_length = season_length
        self.theta = theta
        self.deseasonalize = deseasonalize
        self.use_test = use_test
        self.method = method

    def _check_model_params(self):
        check_int(self, "season_length", self.season_length, allow_none=True)
        check_float(self, "theta", self.theta, low=1.0, high=float("inf"), high_open=True)
        check_bool(self, "deseasonalize", self.deseasonalize)
        check_bool(self, "use_test", self.use_test)
        check_options(self, "method", self.method, ("auto", "additive", "multiplicative"))

    def _setup(self, ys):
        m = self._season_length(ys) if self.deseasonalize else None
        self.season_length_ = m if m is not None and m > 1 else None

    def _min_length(self):
        m = getattr(self, "season_length_", None)
        if m:  # the classical decomposition needs two full seasons
            return 2 * m, "2 * season_length", ("Reduce 'season_length' or set "
                                                "deseasonalize=False")
        return 4, "4", ""

    def _check_values(self, ys, name):
        if self.method == "multiplicative" and self.season_length_:
            self._check_positive(ys, name, "method='multiplicative'")

    def _fit_one(self, y, X):
        from statsmodels.tsa.forecasting.theta import ThetaModel

        m = self.season_length_
        return ThetaModel(y, period=m, deseasonalize=m is not None, use_test=self.use_test,
                          method=self.method).fit()

    def _forecast_one(self, model, horizon, X_future):
        return model.forecast(horizon, theta=float(self.theta))

    def _model_state(self, model):
        return {"y": _floats(model.model.endog_orig)}

    def _model_from_state(self, state):
        # the Theta method's estimates are a deterministic function of the series
        return self._fit_one(np.asarray(state["y"]), None)

    def _interval_one(self, model, horizon, X_future, alpha):
        bounds = model.prediction_intervals(horizon, theta=float(self.theta), alpha=alpha)
        return np.asarray(bounds["lower"]), np.asarray(bounds["upper"])


#: ETS models with an analytic forecast variance in statsmodels; others are simulated.
_ETS_EXACT = ("ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA")
_TREND_TERMS = {None: 0, "n": 0, "c": 1, "t": 1, "ct": 2}


class ARIMAForecaster(_BaselineForecaster):
    r"""Seasonal ARIMA with optional regression on covariates known in advance (SARIMAX).

    Wraps statsmodels' ``SARIMAX``: a linear regression on the covariates
    :math:`x_t` (and a trend) whose errors follow a seasonal ARIMA process,

    .. math::

        \phi_p(L)\, \Phi_P(L^s)\, \Delta^d \Delta_s^D
            \left(y_t - x_t^\top \beta\right)
        = A(t) + \theta_q(L)\, \Theta_Q(L^s)\, \varepsilon_t

    with lag operator :math:`L`, AR/MA polynomials of orders
    ``(p, q)`` and seasonal ones ``(P, Q)`` of period ``s``, differencing
    :math:`\Delta^d \Delta_s^D` and trend polynomial :math:`A(t)`. All
    parameters are estimated by exact maximum likelihood (Kalman filter).

    ``predict(y=new_history)`` applies the fitted parameters to the new
    history without re-estimating them (statsmodels' ``results.apply``): the
    Kalman filter runs over the new data and the forecast starts from its end.

    Parameters
    ----------
    order : tuple of 3 int, default=(1, 0, 0)
        ``(p, d, q)``: AR order, differences, MA order.
    seasonal_order : tuple of 4 int, default=(0, 0, 0, 0)
        ``(P, D, Q, s)``: the seasonal orders and the period ``s``, e.g.
        ``(0, 1, 1, 12)`` for monthly data.
    trend : {"n", "c", "t", "ct"} or None, default=None
        Deterministic trend: none, constant, linear in time, both. After
        differencing (d >= 1), "c" is a drift.
    horizon : int, default=12
        Steps forecast by default, and the longest horizon of the intervals.
    calibration_size : float, default=0.2
        Fraction of each series, from its end, held out in ``fit`` to
        calibrate the conformal intervals of :meth:`predict_interval`: a
        model fitted on the rest forecasts from every origin of that tail.
        0 disables the conformal intervals.

    Attributes
    ----------
    models_ : list of list of SARIMAXResults
        ``models_[i][j]``: the statsmodels results of column ``j`` of series
        ``i`` (``.summary()``, ``.params``, ``.aic``).
    n_features_in_ : int
        Target plus covariate columns.
    target_names_ : list of str
        Target column names.
    covariate_names_ : list of str
        Covariate column names.
    calibration_ : object or None
        Conformal calibration: normalised absolute errors from the origins
        of the held-out tails (None with ``calibration_size=0``).
    error_scale_ : ndarray of shape (n_series, k)
        The scale of each fitted series that those errors are multiplied by.

    See Also
    --------
    ETSForecaster : exponential smoothing, often as accurate on seasonal data.

    References
    ----------
    Box, G. E. P., Jenkins, G. M., Reinsel, G. C. & Ljung, G. M. (2015).
    *Time Series Analysis: Forecasting and Control*, 5th ed. Wiley.

    Durbin, J. & Koopman, S. J. (2012). *Time Series Analysis by State Space
    Methods*, 2nd ed. Oxford University Press.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import ARIMAForecaster
    >>> rng = np.random.default_rng(0)
    >>> y = np.sin(np.arange(100) / 3) + 0.1 * rng.standard_normal(100)
    >>> ARIMAForecaster((2, 0, 0), horizon=3).fit(y).predict().shape
    (3,)
    """

    supports_exogenous = True
    _convergence_hint = "try a smaller 'order' or 'seasonal_order', or rescale the series"

    def __init__(self, order=(1, 0, 0), *, seasonal_order=(0, 0, 0, 0), trend=None,
                 horizon=12, calibration_size=0.2):
        super().__init__(horizon=horizon, calibration_size=calibration_size)
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend

    def _check_model_params(self):
        name = type(self).__name__
        check_int_tuple(self, "order", self.order, fields=("p", "d", "q"))
        check_int_tuple(self, "seasonal_order", self.seasonal_order,
                        fields=("P", "D", "Q", "s"))
        check_options(self, "trend", self.trend, _TREND_TERMS)
        P, D, Q, s = self.seasonal_order
        if (P or D or Q) and s < 2:
            raise ValueError(
                f"The 'seasonal_order' parameter of {name} needs a period s >= 2 when P, D or "
                f"Q is set. Got {tuple(self.seasonal_order)!r}; e.g. (0, 1, 1, 12) for "
                f"monthly data."
            )

    def _min_length(self):
        p, d, q = self.order
        P, D, Q, s = self.seasonal_order
        n_params = p + q + P + Q + _TREND_TERMS[self.trend] + 1
        need = d + D * s + max(p + P * s, q + Q * s) + n_params
        return need, "d + D*s + max(p + P*s, q + Q*s) + the number of parameters", \
            "Use a smaller 'order' or 'seasonal_order'"

    def _model(self, y, X):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        return SARIMAX(y, exog=X, order=tuple(self.order),
                       seasonal_order=tuple(self.seasonal_order), trend=self.trend)

    def _fit_one(self, y, X):
        return self._model(y, X).fit(disp=False)

    def _model_state(self, model):
        exog = model.model.exog
        return {"y": _floats(model.model.endog), "params": _floats(model.params),
                "X": None if exog is None else np.asarray(exog, dtype=np.float64).tolist()}

    def _model_from_state(self, state):
        X = None if state["X"] is None else np.asarray(state["X"], dtype=np.float64)
        # the Kalman smoother with the saved parameters: the fitted results, bit for bit
        return self._model(np.asarray(state["y"]), X).smooth(np.asarray(state["params"]))

    def _apply_one(self, model, y, X):
        return model.apply(y, exog=X)

    def _forecast_one(self, model, horizon, X_future):
        return model.forecast(horizon, exog=X_future)

    def _interval_one(self, model, horizon, X_future, alpha):
        bounds = np.asarray(model.get_forecast(horizon, exog=X_future).conf_int(alpha=alpha))
        return bounds[:, 0], bounds[:, 1]


BASELINES = (NaiveForecaster, SeasonalNaiveForecaster, ETSForecaster, ThetaForecaster,
             ARIMAForecaster)
