"""Chronological evaluation: train/test split, rolling-origin splitter and backtest.

Nothing here shuffles across time. A test span always follows its training
span, and a forecast made at an origin only reads data before that origin
(plus covariates known in advance over the forecast span).
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from . import _conformal
from .base import BaseForecaster
from .data.inputs import as_series_set, check_covariates
from .data.splits import n_rows, take_rows
from .metrics import METRICS
from .utils.validation import check_int

__all__ = ["temporal_train_test_split", "RollingOriginSplit", "backtest", "BacktestResult"]

_WINDOWS = ("expanding", "sliding")


def _length(y, owner):
    if isinstance(y, numbers.Integral) and not isinstance(y, bool):
        return int(y)
    if hasattr(y, "shape") and len(getattr(y, "shape")) >= 1:
        return int(y.shape[0])
    if isinstance(y, (list, tuple)):
        return len(y)
    raise TypeError(
        f"y passed to {owner} is a {type(y).__name__}. Expected a pandas Series or "
        f"DataFrame, a numpy array, or a list."
    )


# ----------------------------------------------------------------- train/test split
def temporal_train_test_split(y, X=None, *, test_size=0.25, gap=0):
    """Split a series into a training head and a test tail, in time order.

    Parameters
    ----------
    y : pandas.Series, pandas.DataFrame or ndarray of shape (n,) or (n, k)
        One series, rows in time order. It is never shuffled.
    X : same kinds as ``y``, optional
        Covariates aligned with ``y`` row for row; split the same way.
    test_size : int or float, default=0.25
        Test rows (int), or a fraction of ``len(y)`` in (0, 1), rounded to the
        nearest row (:func:`tsforecast.data.splits.n_rows`).
    gap : int, default=0
        Rows dropped between the training and the test span (e.g. data that
        is reported late, or a lookback you do not want the test to share).

    Returns
    -------
    y_train, y_test : same kind as ``y``
        Views or slices of ``y``; without ``X``, just these two.
    X_train, X_test : same kind as ``X``
        Only when ``X`` is given, after ``y_train, y_test``.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast.model_selection import temporal_train_test_split
    >>> y_train, y_test = temporal_train_test_split(np.arange(10), test_size=3, gap=1)
    >>> y_train, y_test
    (array([0, 1, 2, 3, 4, 5]), array([7, 8, 9]))
    """
    owner = "temporal_train_test_split"
    if isinstance(y, (list, tuple)):
        raise TypeError(
            f"y passed to {owner} is a {type(y).__name__}. Expected one series: a pandas "
            f"Series or DataFrame or a numpy array (split a list of series one by one)."
        )
    n = _length(y, owner)
    n_test = n_rows(test_size, n, "test_size", owner, noun="argument")
    check_int(owner, "gap", gap, minimum=0)
    n_train = n - n_test - gap
    if n_test < 1 or n_train < 1:
        raise ValueError(
            f"{owner} cannot split y of {n} rows into {n_test} test rows after a gap of {gap}: "
            f"{max(n_train, 0)} training rows would be left. Expected at least 1 test and 1 "
            f"training row; reduce 'test_size' or 'gap'."
        )
    out = [take_rows(y, 0, n_train), take_rows(y, n - n_test)]
    if X is not None:
        if _length(X, owner) != n:
            raise ValueError(
                f"X passed to {owner} has {_length(X, owner)} rows but y has {n}. Expected "
                f"covariates aligned with y, one row per time step."
            )
        out += [take_rows(X, 0, n_train), take_rows(X, n - n_test)]
    return tuple(out)


# ----------------------------------------------------------------- rolling origin
class RollingOriginSplit:
    """Rolling-origin (time-series cross-validation) splitter.

    Each split is a forecast origin: the training indices are the rows
    before it, the test indices the next ``horizon`` rows (after ``gap``
    dropped rows). Origins advance by ``step``. Like scikit-learn's
    splitters, :meth:`split` yields ``(train_idx, test_idx)`` integer arrays,
    so it can be passed as ``cv=`` to scikit-learn tools.

    Parameters
    ----------
    horizon : int
        Test rows per split.
    step : int, default=1
        Rows between consecutive origins.
    initial : int, optional
        Training rows of the first split (rows before the first origin).
        Default: with ``n_splits``, as many as leave exactly ``n_splits``
        splits ending at the end of the series; with ``window="sliding"``,
        ``window_length``. One of ``initial``, ``n_splits`` or (sliding)
        ``window_length`` is needed.
    window : {"expanding", "sliding"}, default="expanding"
        ``"expanding"``: train on every row before the origin.
        ``"sliding"``: train on the last ``window_length`` rows only.
    window_length : int, optional
        Training rows of a sliding window; required for ``"sliding"``, not
        allowed for ``"expanding"``.
    gap : int, default=0
        Rows dropped between the training rows and the test rows.
    n_splits : int, optional
        Keep only the last ``n_splits`` origins (the most recent ones).

    See Also
    --------
    backtest : forecast and score every origin of a series.
    temporal_train_test_split : a single chronological split.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast.model_selection import RollingOriginSplit
    >>> cv = RollingOriginSplit(horizon=2, step=2, initial=4)
    >>> for train, test in cv.split(np.arange(10)):
    ...     print(train, test)
    [0 1 2 3] [4 5]
    [0 1 2 3 4 5] [6 7]
    [0 1 2 3 4 5 6 7] [8 9]
    >>> cv.get_n_splits(np.arange(10))
    3
    """

    def __init__(self, horizon, step=1, initial=None, window="expanding", window_length=None,
                 gap=0, n_splits=None):
        self.horizon = horizon
        self.step = step
        self.initial = initial
        self.window = window
        self.window_length = window_length
        self.gap = gap
        self.n_splits = n_splits

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"RollingOriginSplit({params})"

    def _check(self):
        name = "RollingOriginSplit"
        check_int(name, "horizon", self.horizon)
        check_int(name, "step", self.step)
        check_int(name, "initial", self.initial, allow_none=True)
        check_int(name, "gap", self.gap, minimum=0)
        check_int(name, "n_splits", self.n_splits, allow_none=True)
        if self.window not in _WINDOWS:
            raise ValueError(
                f"The 'window' parameter of {name} must be one of 'expanding', 'sliding'. "
                f"Got {self.window!r} instead."
            )
        if self.window == "sliding":
            check_int(name, "window_length", self.window_length)
        elif self.window_length is not None:
            raise ValueError(
                f"The 'window_length' parameter of {name} only applies to window='sliding'. "
                f"Got window_length={self.window_length!r} with window='expanding'; set "
                f"window='sliding' or window_length=None."
            )
        if self.initial is None and self.n_splits is None and self.window == "expanding":
            raise ValueError(
                f"{name} needs to know where the first origin is: pass 'initial' (training "
                f"rows of the first split) or 'n_splits' (how many of the latest origins)."
            )

    def _origins(self, n):
        """Rows of the first test step... minus gap: the end of each training span."""
        self._check()
        last = n - self.gap - self.horizon  # the latest training end that leaves a full test
        if self.initial is not None:
            first = self.initial
        elif self.n_splits is not None:
            first = last - self.step * (self.n_splits - 1)
            if self.window == "sliding":
                first = max(first, self.window_length)
        else:
            first = self.window_length
        lowest = self.window_length if self.window == "sliding" else 1
        if first < lowest or first > last:
            raise ValueError(
                f"RollingOriginSplit cannot place a split in a series of {n} rows: the first "
                f"training span would end at row {first}, but it must lie in [{lowest}, "
                f"{last}] to leave {lowest} training row(s) and gap + horizon = "
                f"{self.gap + self.horizon} test rows. Pass a longer series, or reduce "
                f"'initial', 'n_splits', 'window_length', 'gap' or 'horizon'."
            )
        ends = np.arange(first, last + 1, self.step)
        if self.n_splits is not None:
            ends = ends[-self.n_splits:]
        return ends

    def split(self, y, X=None, groups=None):
        """Yield ``(train_idx, test_idx)`` for each origin, oldest first.

        Parameters
        ----------
        y : pandas object, ndarray or int
            The series (only its length is used) or its length.
        X, groups : ignored
            For compatibility with scikit-learn.

        Yields
        ------
        train_idx, test_idx : ndarray of int64
        """
        n = _length(y, "RollingOriginSplit.split")
        for end in self._origins(n):
            lo = end - self.window_length if self.window == "sliding" else 0
            test_lo = end + self.gap
            yield (np.arange(lo, end, dtype=np.int64),
                   np.arange(test_lo, test_lo + self.horizon, dtype=np.int64))

    def get_n_splits(self, y=None, X=None, groups=None):
        """Number of splits of ``y``; without ``y``, ``n_splits`` (which must be set).

        Parameters
        ----------
        y : pandas object, ndarray or int, optional
        X, groups : ignored

        Returns
        -------
        int
        """
        if y is None:
            if self.n_splits is None:
                raise ValueError(
                    "RollingOriginSplit.get_n_splits needs y when n_splits is None: the "
                    "number of splits depends on the series length. Pass y."
                )
            return int(self.n_splits)
        return len(self._origins(_length(y, "RollingOriginSplit.get_n_splits")))


# ----------------------------------------------------------------- backtest
class BacktestResult(NamedTuple):
    """What :func:`backtest` returns.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        One row per origin, forecast step and target column, ordered that
        way, with columns

        - for many series, first the series id (column named after the id
          level or column of a long frame, else ``"id"``; list positions for
          a list);
        - ``origin``: the cutoff, the time stamp (index label) of the last
          row the forecast could read;
        - ``time``: the time stamp forecast;
        - ``horizon``: the forecast step, 1 for the row right after the origin;
        - ``column``: the target column name (categorical);
        - ``y_true``, ``y_pred``: actual value and forecast;
        - with ``coverage=``: ``lower_<c>`` and ``upper_<c>`` per coverage
          ``c`` (e.g. ``lower_0.9``); with ``quantiles=``: ``q_<level>``
          (e.g. ``q_0.1``).
    metrics : pandas.Series
        Each metric over all origins and steps (per column, then averaged over
        the columns); with many series, over the points of every series. With
        ``coverage=``, ``coverage_<c>``: the fraction of actual values inside
        the intervals.
    metrics_by_horizon : pandas.DataFrame
        Each metric per forecast step (index ``horizon``, 1-based), the
        empirical coverage too.
    fit_cutoffs : list
        The cutoff time stamps at which a model was fitted, oldest first:
        empty when an already fitted estimator was used as is. With many
        series, one dict ``{id: cutoff}`` per fit.
    estimator : object
        The last fitted estimator that made forecasts.
    metrics_by_series : pandas.DataFrame or None
        With many series, each metric per series (index: the ids); None for
        one series.
    """

    forecasts: pd.DataFrame
    metrics: pd.Series
    metrics_by_horizon: pd.DataFrame
    fit_cutoffs: list
    estimator: object
    metrics_by_series: pd.DataFrame | None = None


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def _start_row(start, index, n, owner):
    """Rows before the first origin, from an int, a fraction or a cutoff label."""
    if isinstance(start, bool):
        pass
    elif isinstance(start, numbers.Integral):
        return int(start) if start >= 0 else n + int(start)  # negative: rows from the end
    elif isinstance(start, float) and 0 < start < 1:
        return n_rows(start, n, "start", owner, noun="argument")
    try:
        return int(index.get_loc(start)) + 1
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"The 'start' argument of {owner} must be an int (rows before the first origin, or "
            f"a negative int: rows from the end), "
            f"a float fraction of the series in (0, 1), or a label of y's index (the first "
            f"cutoff). Got {start!r}, which is none of these."
        ) from None


def _check_refit(refit, owner):
    if refit is True:
        return 1
    if refit is False:
        return 0
    if isinstance(refit, numbers.Integral) and refit >= 1:
        return int(refit)
    raise ValueError(
        f"The 'refit' argument of {owner} must be False (fit at most once), True (refit at "
        f"every origin) or a positive int k (refit every k origins). Got {refit!r} instead."
    )


def _check_metrics(metrics, owner):
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    out = {}
    for m in metrics:
        if callable(m):
            out[getattr(m, "__name__", repr(m))] = m
        elif m in METRICS:
            out[m] = m
        else:
            raise ValueError(
                f"Unknown metric {m!r} passed to {owner}. Expected names among "
                f"{sorted(METRICS)} or callables f(y_true, y_pred) -> float."
            )
    if not out:
        raise ValueError(f"The 'metrics' argument of {owner} is empty. Pass at least one metric.")
    return out


def _check_fitted_columns(est, n_targets, n_cov, owner):
    """A pre-fitted forecaster must match y and X's columns (when it records them)."""
    if not isinstance(est, BaseForecaster):
        return  # another model's forecast_origins output is checked by its shape
    name = type(est).__name__
    if est.n_targets_ != n_targets:
        raise ValueError(
            f"y passed to {owner} has {n_targets} columns but the {name} was fitted with "
            f"{est.n_targets_} ({est.target_names_}). Pass the same columns as in fit."
        )
    fitted_cov = len(est.covariate_names_)
    if fitted_cov != n_cov:
        what = "without X" if n_cov == 0 else f"X with {n_cov} columns"
        raise ValueError(
            f"{owner} got {what}, but the {name} was fitted with {fitted_cov} covariates "
            f"({est.covariate_names_}). Pass the covariates used in fit, aligned with y."
        )


def _scores(metrics, yt, yp, scale, owner):
    """Overall and per-step scores; ``yt``/``yp`` (S, H, k), ``scale`` (S, k) for MASE."""
    S, H, k = yt.shape
    overall, by_step = {}, {}
    for name, metric in metrics.items():
        if metric == "mase":
            scaled = np.abs(yt - yp) / scale[:, None, :]
            overall[name] = float(scaled.mean(axis=(0, 1)).mean())
            by_step[name] = scaled.mean(axis=0).mean(axis=1)
            continue
        fn = METRICS[metric] if isinstance(metric, str) else metric
        overall[name] = float(fn(yt.reshape(S * H, k), yp.reshape(S * H, k)))
        by_step[name] = np.array([float(fn(yt[:, h], yp[:, h])) for h in range(H)])
    by_horizon = pd.DataFrame(by_step, index=pd.RangeIndex(1, H + 1, name="horizon"))
    return pd.Series(overall, name=owner), by_horizon


def _mase_scales(values, origins, m, owner):
    """Per origin, the in-sample seasonal-naive MAE of the history before it; (S, k)."""
    if origins[0] <= m:
        raise ValueError(
            f"{owner} computes MASE from the history before each origin, but the first origin "
            f"has {origins[0]} rows of history, not more than seasonal_period={m}. Start "
            f"later or use a smaller seasonal_period."
        )
    diffs = np.abs(values[m:] - values[:-m])
    cumulative = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(diffs, axis=0)])
    counts = (origins - m)[:, None]
    scale = cumulative[origins - m] / counts
    if (scale == 0).any():
        raise ValueError(
            f"The seasonal naive forecast is exact on the history before some origins (the "
            f"MASE scale is 0), so {owner} cannot compute MASE. Drop 'mase' or start later."
        )
    return scale


def _interval_levels(coverage, quantiles, owner):
    """The coverages and quantiles asked for, and every quantile level needed (sorted)."""
    coverages, asked, levels = [], [], set()
    if coverage is not None:
        coverages, _ = _conformal.check_coverages(owner, coverage)
        levels.update(_conformal.interval_levels(coverages))
    if quantiles is not None:
        asked = _conformal.check_levels(owner, quantiles)
        levels.update(round(q, 12) for q in asked)
    return coverages, asked, sorted(levels)


def _add_intervals(result, ys, origins, y_pred, coverages, asked, levels):
    """Add the interval and quantile columns and the coverage to ``result`` (in place).

    ``y_pred`` holds per series the point forecast and the quantiles at
    ``levels``, (S, H, k, 1 + Q); nothing to add without levels.
    """
    if not levels:
        return
    band = np.concatenate([p[..., 1:] for p in y_pred])  # -> (all origins, H, k, Q)
    point = np.concatenate([p[..., 0] for p in y_pred])
    H = point.shape[1]
    truth = np.concatenate([v[o[:, None] + np.arange(H)] for v, o in zip(ys.values, origins)])
    at = {q: i for i, q in enumerate(levels)}
    sizes = [len(o) for o in origins]
    for c in coverages:
        lower = np.minimum(band[..., at[round((1 - c) / 2, 12)]], point)
        upper = np.maximum(band[..., at[round((1 + c) / 2, 12)]], point)
        inside = (truth >= lower) & (truth <= upper)
        result.metrics[f"coverage_{c:g}"] = float(inside.mean())
        result.metrics_by_horizon[f"coverage_{c:g}"] = inside.mean(axis=(0, 2))
        if result.metrics_by_series is not None:
            result.metrics_by_series[f"coverage_{c:g}"] = [
                part.mean() for part in np.split(inside, np.cumsum(sizes)[:-1])]
        result.forecasts[f"lower_{c:g}"] = lower.ravel()
        result.forecasts[f"upper_{c:g}"] = upper.ravel()
    for q in asked:
        result.forecasts[f"q_{q:g}"] = band[..., at[round(q, 12)]].ravel()


def backtest(estimator, y, X=None, *, start, step=1, horizon=None, refit=False,
             metrics=("mae", "rmse"), seasonal_period=1, coverage=None, quantiles=None):
    """Forecast a series (or many) from many origins, as if in real time, and score the forecasts.

    The origins are every ``step`` rows from ``start`` up to the last one
    whose ``horizon`` rows are all in ``y``. Each forecast reads only rows
    before its origin (and, with ``X``, the covariates of the forecast span,
    which must be known in advance).

    - ``refit=False``: one model for every origin. An unfitted estimator is
      cloned and fitted on the rows before ``start``; an already fitted one
      is used as is (then make sure it never saw data after ``start``). An
      estimator with a ``forecast_origins`` method (found by duck typing:
      every tsforecast forecaster, or a class of yours with the signature of
      :meth:`tsforecast.base.BaseForecaster.forecast_origins`) forecasts all
      origins of a series in one call; a tsforecast forecaster batches them
      from one gather of windows, without a Python loop over origins.
    - ``refit=True`` or an int ``k``: a clone is fitted on all the rows
      before an origin at the first origin and then every ``k`` origins
      (``True`` is ``k = 1``); it forecasts the origins until the next refit.

    Any estimator with the ``fit(y, X=None)`` / ``predict(horizon, X, y)``
    contract works: one without ``forecast_origins`` (e.g. the statistical
    baselines) gets one ``predict(horizon, X=..., y=histories)`` call per
    model, with the list of histories ``y[:origin]`` (and
    ``X[:origin + horizon]``); with many series it is taken as a local model
    and fitted on each series alone.

    Parameters
    ----------
    estimator : estimator
        A tsforecast forecaster, or any object with the same ``fit`` /
        ``predict`` contract. It is never modified.
    y : pandas.Series, pandas.DataFrame, ndarray of shape (n,) or (n, k), or many series
        One series (all its columns are targets), in time order, or many
        series as ``fit`` takes them (a list, a dict keyed by id, a long
        frame): origins then follow each series' own rows, one global model
        serves them all, and the result gains an id column and
        ``metrics_by_series``.
    X : same kinds as ``y``, optional
        Covariates known in advance, aligned with ``y`` row for row (by id
        for a dict or long frame).
    start : int, float or index label
        The first origin: the number of rows before it (int), the number of
        rows after it to the end of the series (negative int: ``-k`` scores
        the last ``k`` rows of every series, whatever their lengths), a
        fraction of ``len(y)`` (float in (0, 1)), or the label of its cutoff in
        ``y``'s index (the last row it may read). With many series, each
        series places its own first origin by the same rule.
    step : int, default=1
        Rows between consecutive origins.
    horizon : int, optional
        Steps forecast from each origin. Default: the estimator's ``horizon``.
    refit : bool or int, default=False
        See above.
    metrics : sequence of str or callable, default=("mae", "rmse")
        Names among ``"mse"``, ``"mae"``, ``"rmse"``, ``"mape"``,
        ``"smape"``, ``"mase"`` (see :mod:`tsforecast.metrics`), or callables
        ``f(y_true, y_pred) -> float`` on arrays of shape (points, k).
        MASE scales each forecast by the in-sample seasonal-naive MAE of the
        history before its own origin.
    seasonal_period : int, default=1
        The period ``m`` of MASE's seasonal-naive scale.
    coverage : float or list of float, optional
        Also forecast prediction intervals of these coverages from every
        origin (``predict_interval``'s conformal method; a tsforecast
        forecaster batches them like the point forecasts) and report their
        empirical coverage, overall, per step and per series.
    quantiles : sequence of float, optional
        Also forecast these quantile levels from every origin.

    Returns
    -------
    BacktestResult
        A named tuple ``(forecasts, metrics, metrics_by_horizon,
        fit_cutoffs, estimator)``; see :class:`BacktestResult`.

    See Also
    --------
    RollingOriginSplit : the same origins as index splits, for custom loops.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import LSTMForecaster
    >>> from tsforecast.model_selection import backtest
    >>> y = np.sin(np.arange(300) * 2 * np.pi / 24)
    >>> est = LSTMForecaster(lookback=24, horizon=6, max_epochs=1, random_state=0)
    >>> result = backtest(est, y, start=200, step=6)  # 16 origins x 6 steps
    >>> len(result.forecasts), list(result.metrics.index), result.fit_cutoffs
    (96, ['mae', 'rmse'], [199])
    >>> list(result.forecasts.columns)
    ['origin', 'time', 'horizon', 'column', 'y_true', 'y_pred']
    """
    owner = "backtest"
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise TypeError(
            f"The estimator passed to {owner} is a {type(estimator).__name__} without fit and "
            f"predict methods. Pass a forecaster such as LSTMForecaster(...)."
        )
    ys = as_series_set(y, owner, "y")
    xs = check_covariates(as_series_set(X, owner, "X"), ys, owner) if X is not None else None
    if horizon is None:
        horizon = getattr(estimator, "horizon", None)
        if horizon is None:
            raise ValueError(
                f"{owner} needs a 'horizon': the {type(estimator).__name__} has no default "
                f"one. Pass horizon=..."
            )
    check_int(owner, "horizon", horizon)
    check_int(owner, "step", step)
    check_int(owner, "seasonal_period", seasonal_period)
    every = _check_refit(refit, owner)
    metric_fns = _check_metrics(metrics, owner)
    coverages, asked, levels = _interval_levels(coverage, quantiles, owner)
    fast = _has_forecast_origins(estimator)
    fitted = every == 0 and _is_fitted(estimator)
    lookback = getattr(estimator, "lookback", None)
    min_history = lookback if isinstance(lookback, int) and fast else 1

    origins = []
    for i, (index, n) in enumerate(zip(ys.indexes, ys.lengths)):
        first = _start_row(start, index, n, owner)
        if not min_history <= first <= n - horizon:
            raise ValueError(
                f"The first origin of {owner} must leave at least {min_history} row(s) of "
                f"history{' (the lookback)' if min_history > 1 else ''} and horizon={horizon} "
                f"rows to forecast in {ys.label(i)} of {n} rows, so 'start' must be in "
                f"[{min_history}, {n - horizon}] rows. Got start={start!r} ({first} rows)."
            )
        origins.append(np.arange(first, n - horizon + 1, step, dtype=np.int64))
    full = _full_values(ys, xs)
    if ys.is_list and not fast:
        # A model without tsforecast's batched path is taken as a local one: each
        # series is backtested on its own (as the statistical baselines model them).
        parts = [_backtest_one(estimator, ys, xs, i, origins[i], horizon, every, fitted, owner,
                               levels) for i in range(len(full))]
        y_pred = [p[0] for p in parts]
        fit_cutoffs = [dict(zip(_ids(ys), c)) for c in zip(*[p[1] for p in parts])]
        model = parts[-1][2]
    else:
        y_pred, fit_cutoffs, model = _backtest_global(estimator, ys, xs, full, origins,
                                                      horizon, every, fitted, owner, levels)
    # with intervals, each prediction is (S, H, k, 1 + Q): the point, then the quantiles
    bands = y_pred
    if levels:
        y_pred = [p[..., 0] for p in y_pred]
    result = _result(ys, origins, y_pred, horizon, metric_fns, seasonal_period, fit_cutoffs,
                     model, owner)
    _add_intervals(result, ys, origins, bands, coverages, asked, levels)
    return result


def _has_forecast_origins(estimator):
    """Whether ``estimator`` forecasts many origins in one call (the batched path)."""
    return callable(getattr(estimator, "forecast_origins", None))


def _full_values(ys, xs):
    """Per series, the values as ``forecast_origins`` reads them: targets, then covariates."""
    xvalues = xs.values if xs is not None else [np.zeros((n, 0)) for n in ys.lengths]
    return [np.hstack(p) for p in zip(ys.values, xvalues)]


def _forecast_fitted(model, ys, xs, origins, horizon, owner):
    """Forecasts of an already fitted ``model`` from ``origins`` (rows) of every series.

    The per-origin path of :func:`backtest` with ``refit=False``, for
    callers that fit the model themselves (:func:`tsforecast.tuning.tune`).
    ``ys``/``xs`` are series sets (``tsforecast.data.inputs.as_series_set``).
    Returns the list, per series, of ``(y_true, y_pred)`` arrays of shape
    ``(len(origins[i]), horizon, n_targets)``.
    """
    lookback = getattr(model, "lookback", None)
    if _has_forecast_origins(model) and isinstance(lookback, int):
        for i, o in enumerate(origins):
            if len(o) and o[0] < lookback:
                raise ValueError(
                    f"{owner} forecasts {ys.label(i)} from row {o[0]}, but "
                    f"{type(model).__name__} reads lookback={lookback} rows before each "
                    f"origin. Hold out fewer rows, or start the test rows later."
                )
    y_pred, _, _ = _backtest_global(model, ys, xs, _full_values(ys, xs), origins, horizon,
                                    0, True, owner)
    truth = [v[np.asarray(o)[:, None] + np.arange(horizon)] for v, o in zip(ys.values, origins)]
    return list(zip(truth, y_pred))


def _ids(ys):
    return ys.ids if ys.ids is not None else list(range(len(ys.values)))


def _blocks(origins, every, fitted):
    """``(fit position per series or None, origin positions per series)`` of each model."""
    if fitted:
        return [(None, [np.arange(len(o)) for o in origins])]
    if every == 0:
        return [([0] * len(origins), [np.arange(len(o)) for o in origins])]
    longest = max(len(o) for o in origins)
    return [([b] * len(origins), [np.arange(b, min(b + every, len(o))) for o in origins])
            for b in range(0, longest, every)]


def _backtest_global(estimator, ys, xs, full, origins, horizon, every, fitted, owner,
                     levels=()):
    """One model (per refit) over every series; tsforecast estimators forecast in batches."""
    n_targets, n_cov = ys.n_columns, full[0].shape[1] - ys.n_columns
    predictions = [[] for _ in full]
    fit_cutoffs, model = [], estimator
    for fit_at, picks in _blocks(origins, every, fitted):
        members = [i for i in range(len(full)) if len(picks[i])]
        rows = None
        if fit_at is not None:
            model = clone(estimator, safe=False)
            stops = [int(origins[i][picks[i][0]]) for i in members]
            model.fit(ys.heads(stops, members),
                      None if xs is None else xs.heads(stops, members))
            cutoffs = [ys.indexes[i][stop - 1] for i, stop in zip(members, stops)]
            fit_cutoffs.append(dict(zip([_ids(ys)[i] for i in members], cutoffs))
                               if ys.is_list else cutoffs[0])
            rows = {i: k for k, i in enumerate(members)} if ys.is_list else {0: None}
        else:
            rows = _fitted_rows(model, ys)
        for i in members:
            block = origins[i][picks[i]]
            # Conformal bands come from a tsforecast forecaster's own calibration;
            # any other model gives its quantiles through predict_quantiles.
            batched = isinstance(model, BaseForecaster) if levels else \
                _has_forecast_origins(model)
            if batched:
                _check_fitted_columns(model, n_targets, n_cov, owner)
                if levels:
                    predictions[i].append(_conformal.origin_quantiles(
                        model, full[i], block, horizon, levels, series=rows.get(i)))
                    continue
                predictions[i].append(_origin_forecasts(model, full[i], block, horizon,
                                                        rows.get(i), n_targets, owner))
                continue
            predictions[i].append(_predict_histories(model, ys, xs, i, block, horizon, owner,
                                                     levels))
    return [np.concatenate(p, axis=0) for p in predictions], fit_cutoffs, model


def _origin_forecasts(model, values, block, horizon, series, n_targets, owner):
    """``model.forecast_origins`` for one series, its shape checked: (S, horizon, k)."""
    out = np.asarray(model.forecast_origins(values, block, horizon, series=series),
                     dtype=np.float64)
    if out.shape != (len(block), horizon, n_targets):
        raise ValueError(
            f"{type(model).__name__}.forecast_origins(values, <{len(block)} origins>, "
            f"horizon={horizon}) returned an array of shape {out.shape}, but {owner} expected "
            f"({len(block)}, {horizon}, {n_targets}): one forecast of every target per origin "
            f"and step."
        )
    return out


def _fitted_rows(model, ys):
    """Rows of an already fitted model's per-series statistics that match the series of ``ys``.

    A tsforecast forecaster matches them by id (or position); any other model
    gets each series' position (None for one series), as ``forecast_origins``
    documents.
    """
    if not isinstance(model, BaseForecaster):
        return {i: (i if ys.is_list else None) for i in range(len(ys.values))}
    rows = model._series_rows(ys)
    # A list backtested with a model fitted on a list of as many series: positions match.
    if ys.container == "list" and model.ids_ is None and len(model.last_window_) == len(rows):
        rows = list(range(len(rows)))
    return dict(enumerate(rows))


def _predict_histories(model, ys, xs, i, block, horizon, owner, levels=()):
    """Forecasts of a model without the batched path: one predict over the histories of series i.

    With ``levels``, also ``predict_quantiles`` at them: (S, H, k, 1 + Q).
    """
    heads = [ys.head(i, int(o)) for o in block]
    covariates = None if xs is None else [xs.head(i, int(o) + horizon) for o in block]
    out = model.predict(horizon=horizon, X=covariates, y=heads)
    out = [np.asarray(p, dtype=np.float64).reshape(horizon, -1) for p in out]
    k = ys.n_columns
    if len(out) != len(block) or out[0].shape[1] != k:
        raise ValueError(
            f"{type(model).__name__}.predict(y=<list of {len(block)} histories>) returned "
            f"{len(out)} forecasts of shape {out[0].shape}, expected {len(block)} of shape "
            f"({horizon}, {k}). The estimator must forecast each history of a list."
        )
    if not levels:
        return np.stack(out)
    band = model.predict_quantiles(horizon=horizon, X=covariates, y=heads, quantiles=levels)
    band = np.stack([np.asarray(b, dtype=np.float64).reshape(horizon, k, len(levels))
                     for b in band])
    return np.concatenate([np.stack(out)[..., None], band], axis=-1)


def _backtest_one(estimator, ys, xs, i, origins, horizon, every, fitted, owner, levels=()):
    """Backtest series ``i`` alone with a local model; returns (pred, cutoffs, model)."""
    predictions, cutoffs, model = [], [], estimator
    for fit_at, picks in _blocks([origins], every, fitted):
        block = origins[picks[0]]
        if not len(block):
            continue
        if fit_at is not None:
            model = clone(estimator, safe=False)
            stop = int(block[0])
            model.fit(ys.head(i, stop), None if xs is None else xs.head(i, stop))
            cutoffs.append(ys.indexes[i][stop - 1])
        predictions.append(_predict_histories(model, ys, xs, i, block, horizon, owner,
                                              levels))
    return np.concatenate(predictions, axis=0), cutoffs, model


def _result(ys, origins, y_pred, horizon, metric_fns, seasonal_period, fit_cutoffs, model,
            owner):
    """Score the forecasts and lay them out as a tidy frame (an id column for many series)."""
    k = ys.n_columns
    trues, scales, frames = [], [], []
    for i, (values, index, o, pred) in enumerate(zip(ys.values, ys.indexes, origins, y_pred)):
        rows = o[:, None] + np.arange(horizon)  # -> (S, H)
        trues.append(values[rows])
        if "mase" in metric_fns.values():
            scales.append(_mase_scales(values, o, seasonal_period, owner))
        S = len(o)
        frames.append(pd.DataFrame({
            "origin": index[o - 1].repeat(horizon * k),
            "time": index[rows.ravel()].repeat(k),
            "horizon": np.tile(np.repeat(np.arange(1, horizon + 1), k), S),
            "column": pd.Categorical.from_codes(np.tile(np.arange(k), S * horizon),
                                                categories=list(ys.columns)),
            "y_true": trues[-1].ravel(),
            "y_pred": pred.ravel(),
        }))
    y_true, pred_all = np.concatenate(trues), np.concatenate(y_pred)
    scale = np.concatenate(scales) if scales else None
    overall, by_horizon = _scores(metric_fns, y_true, pred_all, scale, owner)
    if not ys.is_list:
        return BacktestResult(frames[0], overall, by_horizon, fit_cutoffs, model)
    ids = _ids(ys)
    id_name = (ys.layout or {}).get("id_name") or "id"
    by_series = pd.DataFrame(
        [_scores(metric_fns, t, p, sc, owner)[0] for t, p, sc in
         zip(trues, y_pred, scales or [None] * len(trues))],
        index=pd.Index(ids, name=id_name))
    lengths = [len(f) for f in frames]
    forecasts = pd.concat(frames, ignore_index=True)
    forecasts.insert(0, id_name, pd.Index(ids).repeat(lengths))
    return BacktestResult(forecasts, overall, by_horizon, fit_cutoffs, model, by_series)
