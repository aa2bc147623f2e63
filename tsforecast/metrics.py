"""Forecast accuracy metrics: point (MSE, MAE, RMSE, MAPE, sMAPE, MASE, the M4 OWA),
quantile (pinball loss, WQL, CRPS) and interval ones (coverage, width, interval score, MSIS).

Every metric takes ``y_true`` and ``y_pred`` as pandas Series/DataFrames or
numpy arrays of shape ``(n,)`` or ``(n, k)``. Rows are time steps, columns
are series (or the columns of a multivariate series). A metric is computed
per column over the rows and then averaged over the columns
(``multioutput="uniform_average"``, the default), or returned per column
(``multioutput="raw_values"``).

Inputs are checked, never modified: a shape mismatch, NaN or infinite values,
empty inputs, and a zero denominator (``mape`` with a zero actual, ``mase``
with a constant training series) all raise ``ValueError`` with what was
found and what to do instead. Values are compared by position; when both
inputs are pandas objects their indexes (and DataFrame columns) must match.

Quantile metrics take ``y_quantiles`` as returned by ``predict_quantiles``
(a DataFrame with the levels as columns, or ``(target, level)`` columns) or
an array of shape ``(n, Q)`` or ``(n, k, Q)`` with ``quantiles=`` the levels.
Interval metrics take ``lower`` and ``upper`` like ``y_pred`` (e.g. the
columns of ``predict_interval``).

Naive2, the reference method of the M4 competition that :func:`owa` is
relative to, is :func:`naive2_forecast`: a seasonally adjusted naive forecast.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["mse", "mae", "rmse", "mape", "smape", "mase", "owa", "m4_scores",
           "naive2_forecast", "seasonality_test", "pinball_loss", "wql", "crps",
           "coverage", "interval_width", "interval_score", "msis", "METRICS"]

_MULTIOUTPUT = ("uniform_average", "raw_values")


# ----------------------------------------------------------------- input checks
def _as_2d(obj, owner, name):
    """Return (values (n, k) float64, index or None, columns or None)."""
    if isinstance(obj, pd.Series):
        values, index, columns = obj.to_numpy(), obj.index, None
    elif isinstance(obj, pd.DataFrame):
        values, index, columns = obj.to_numpy(), obj.index, [str(c) for c in obj.columns]
    else:
        values, index, columns = np.asarray(obj), None, None
    if values.dtype == object or not np.issubdtype(values.dtype, np.number) \
            or np.issubdtype(values.dtype, np.bool_):
        raise TypeError(
            f"{name} passed to {owner} has dtype {values.dtype}. Expected numeric values "
            f"(a pandas Series/DataFrame or a numpy array of numbers)."
        )
    if values.ndim not in (1, 2):
        raise ValueError(
            f"{name} passed to {owner} has shape {values.shape}. Expected shape (n,) for one "
            f"series or (n, k) for k columns."
        )
    if values.size == 0:
        raise ValueError(
            f"{name} passed to {owner} is empty (shape {values.shape}). Expected at least one "
            f"time step and one column."
        )
    values = values.astype(np.float64).reshape(len(values), -1)
    finite = np.isfinite(values)
    if not finite.all():
        rows, cols = np.nonzero(~finite)
        n_nan = int(np.isnan(values).sum())
        raise ValueError(
            f"{name} passed to {owner} contains {n_nan} NaN and {int((~finite).sum()) - n_nan} "
            f"infinite values (first at row {rows[0]}, column {cols[0]}). Expected finite "
            f"values; drop or fill those time steps in both y_true and y_pred."
        )
    return values, index, columns


def _check_pair(y_true, y_pred, owner, multioutput="uniform_average"):
    if multioutput not in _MULTIOUTPUT:
        raise ValueError(
            f"The 'multioutput' argument of {owner} must be one of 'uniform_average', "
            f"'raw_values'. Got {multioutput!r} instead."
        )
    yt, it, ct = _as_2d(y_true, owner, "y_true")
    yp, ip, cp = _as_2d(y_pred, owner, "y_pred")
    if yt.shape != yp.shape:
        raise ValueError(
            f"y_true and y_pred passed to {owner} have different shapes: {yt.shape} and "
            f"{yp.shape} (as (time steps, columns)). Pass forecasts for exactly the time "
            f"steps and columns of y_true."
        )
    if it is not None and ip is not None and not it.equals(ip):
        raise ValueError(
            f"The indexes of y_true and y_pred passed to {owner} differ (e.g. {it[0]} vs "
            f"{ip[0]} in the first row). Align them first, e.g. y_pred.loc[y_true.index]."
        )
    if ct is not None and cp is not None and ct != cp:
        raise ValueError(
            f"y_true and y_pred passed to {owner} have different columns {ct} and {cp}. Pass "
            f"the same columns in the same order."
        )
    return yt, yp, ct or cp


def _reduce(per_column, columns, multioutput):
    if multioutput == "raw_values":
        return pd.Series(per_column, index=columns) if columns is not None else per_column
    return float(np.mean(per_column))


def _check_period(owner, m):
    if not isinstance(m, numbers.Integral) or isinstance(m, bool) or m < 1:
        raise ValueError(
            f"The seasonal period 'm' passed to {owner} must be a positive int (1 for "
            f"non-seasonal data, e.g. 24 for hourly data with a daily cycle). Got {m!r} instead."
        )
    return int(m)


# ----------------------------------------------------------------- scale-dependent
def mse(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Mean squared error, :math:`\frac{1}{n}\sum_t (y_t - \hat y_t)^2`.

    Parameters
    ----------
    y_true, y_pred : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
        Actual values and forecasts, row for row.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"
        Average the per-column values, or return them (a Series indexed by the
        column names for DataFrame input, else an array).

    Returns
    -------
    float or ndarray or pandas.Series

    Examples
    --------
    >>> from tsforecast.metrics import mse
    >>> mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    yt, yp, columns = _check_pair(y_true, y_pred, "mse", multioutput)
    return _reduce(((yt - yp) ** 2).mean(axis=0), columns, multioutput)


def mae(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Mean absolute error, :math:`\frac{1}{n}\sum_t |y_t - \hat y_t|`.

    Parameters
    ----------
    y_true, y_pred : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    Examples
    --------
    >>> from tsforecast.metrics import mae
    >>> mae([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    0.6666666666666666
    """
    yt, yp, columns = _check_pair(y_true, y_pred, "mae", multioutput)
    return _reduce(np.abs(yt - yp).mean(axis=0), columns, multioutput)


def rmse(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Root mean squared error, :math:`\sqrt{\mathrm{MSE}}`, per column then averaged.

    Parameters
    ----------
    y_true, y_pred : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"
        The average of the per-column RMSEs (as in scikit-learn), not the
        root of the pooled MSE.

    Returns
    -------
    float or ndarray or pandas.Series

    Examples
    --------
    >>> from tsforecast.metrics import rmse
    >>> rmse([0.0, 0.0], [3.0, 4.0])  # sqrt((9 + 16) / 2)
    3.5355339059327378
    """
    yt, yp, columns = _check_pair(y_true, y_pred, "rmse", multioutput)
    return _reduce(np.sqrt(((yt - yp) ** 2).mean(axis=0)), columns, multioutput)


# ----------------------------------------------------------------- percentage
def mape(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Mean absolute percentage error, in percent.

    .. math:: \mathrm{MAPE} = \frac{100}{n}\sum_t \frac{|y_t - \hat y_t|}{|y_t|}

    Undefined where an actual value is 0: that raises ``ValueError``; use
    :func:`smape` or :func:`mase` for series that touch zero.

    Parameters
    ----------
    y_true, y_pred : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series
        In percent (``10.0`` means 10 %).

    Examples
    --------
    >>> from tsforecast.metrics import mape
    >>> mape([100.0, 200.0], [110.0, 180.0])  # (10 % + 10 %) / 2
    10.0
    """
    yt, yp, columns = _check_pair(y_true, y_pred, "mape", multioutput)
    zero = yt == 0
    if zero.any():
        rows, cols = np.nonzero(zero)
        raise ValueError(
            f"y_true passed to mape contains {int(zero.sum())} zeros (first at row {rows[0]}, "
            f"column {cols[0]}); MAPE divides by |y_true| and is undefined there. Use smape or "
            f"mase for series that can be zero."
        )
    return _reduce(100.0 * (np.abs(yt - yp) / np.abs(yt)).mean(axis=0), columns, multioutput)


def smape(y_true, y_pred, *, multioutput="uniform_average"):
    r"""Symmetric MAPE as defined in the M4 competition, in percent.

    .. math:: \mathrm{sMAPE} = \frac{1}{n}\sum_t \frac{200\,|y_t - \hat y_t|}{|y_t| + |\hat y_t|}

    It lies in [0, 200]. It is undefined where both the actual and the
    forecast are 0, which raises ``ValueError``.

    Parameters
    ----------
    y_true, y_pred : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series
        In percent.

    References
    ----------
    Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2020). The M4 Competition:
    100,000 time series and 61 forecasting methods. *International Journal of
    Forecasting*, 36(1), 54-74.

    Examples
    --------
    >>> from tsforecast.metrics import smape
    >>> smape([100.0], [50.0])  # 200 * 50 / 150
    66.66666666666667
    """
    yt, yp, columns = _check_pair(y_true, y_pred, "smape", multioutput)
    denominator = np.abs(yt) + np.abs(yp)
    zero = denominator == 0
    if zero.any():
        rows, cols = np.nonzero(zero)
        raise ValueError(
            f"y_true and y_pred passed to smape are both 0 at {int(zero.sum())} points (first "
            f"at row {rows[0]}, column {cols[0]}), where sMAPE is 0/0. Use mae or mase for "
            f"series with exact zeros."
        )
    return _reduce((200.0 * np.abs(yt - yp) / denominator).mean(axis=0), columns, multioutput)


# ----------------------------------------------------------------- scaled
def _naive_scale(y_train, m, owner):
    """In-sample MAE of the seasonal naive forecast, per column; shape (k,)."""
    train, _, _ = _as_2d(y_train, owner, "y_train")
    if len(train) <= m:
        raise ValueError(
            f"y_train passed to {owner} has {len(train)} time steps, but the seasonal naive "
            f"scale with m={m} needs at least m + 1 = {m + 1}. Pass the whole training "
            f"series, or a smaller 'm'."
        )
    scale = np.abs(train[m:] - train[:-m]).mean(axis=0)
    if (scale == 0).any():
        col = int(np.flatnonzero(scale == 0)[0])
        raise ValueError(
            f"y_train passed to {owner} gives a zero scale in column {col}: the series repeats "
            f"itself exactly every m={m} steps (e.g. it is constant), so the seasonal naive "
            f"forecast is perfect in sample and MASE divides by 0. Use mae, or another 'm'."
        )
    return train, scale


def mase(y_true, y_pred, *, y_train, m=1, multioutput="uniform_average"):
    r"""Mean absolute scaled error (Hyndman & Koehler, 2006), as in the M4 competition.

    The forecast's MAE divided by the in-sample MAE of the seasonal naive
    forecast on the training series:

    .. math:: \mathrm{MASE} = \frac{\frac{1}{h}\sum_{t=n+1}^{n+h} |y_t - \hat y_t|}
                                   {\frac{1}{n-m}\sum_{t=m+1}^{n} |y_t - y_{t-m}|}

    Below 1 means better than the seasonal naive method was in sample.

    Parameters
    ----------
    y_true, y_pred : pandas.Series, pandas.DataFrame or array-like of shape (h,) or (h, k)
    y_train : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
        The training series the forecast was made from (the same columns).
    m : int, default=1
        Seasonal period of the naive scale (1: the plain naive forecast;
        24 for hourly data with a daily cycle; 12 for monthly data).
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    References
    ----------
    Hyndman, R. J. & Koehler, A. B. (2006). Another look at measures of forecast
    accuracy. *International Journal of Forecasting*, 22(4), 679-688.

    Examples
    --------
    >>> from tsforecast.metrics import mase
    >>> mase([5.0, 6.0], [5.0, 4.0], y_train=[1.0, 2.0, 4.0])  # MAE 1 / mean(1, 2)
    0.6666666666666666
    """
    m = _check_period("mase", m)
    yt, yp, columns = _check_pair(y_true, y_pred, "mase", multioutput)
    train, scale = _naive_scale(y_train, m, "mase")
    if train.shape[1] != yt.shape[1]:
        raise ValueError(
            f"y_train passed to mase has {train.shape[1]} columns but y_true has "
            f"{yt.shape[1]}. Pass the training series of the same columns."
        )
    return _reduce(np.abs(yt - yp).mean(axis=0) / scale, columns, multioutput)


# ----------------------------------------------------------------- Naive2 and OWA
def _acf(x, nlags):
    x = x - x.mean()
    denominator = (x * x).sum()
    return np.array([(x[k:] * x[: len(x) - k]).sum() / denominator for k in range(1, nlags + 1)])


def seasonality_test(y, m):
    """The M4 seasonality test: is lag ``m``'s autocorrelation significant at 90 %?

    The series is seasonal when ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k^2) / n)``,
    with ``r_k`` the sample autocorrelation at lag ``k`` (the limit of a 90 %
    two-sided test under Bartlett's formula). Series shorter than ``3 * m``,
    constant series and ``m = 1`` are not seasonal.

    Parameters
    ----------
    y : array-like of shape (n,)
    m : int
        Seasonal period.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast.metrics import seasonality_test
    >>> seasonality_test(10 + np.sin(np.arange(96) * 2 * np.pi / 12), 12)
    True
    """
    m = _check_period("seasonality_test", m)
    x = np.asarray(y, dtype=np.float64).ravel()
    if m == 1 or len(x) < 3 * m or np.ptp(x) == 0:
        return False
    r = _acf(x, m)
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(x))
    return bool(abs(r[-1]) > limit)


def _seasonal_indices(x, m):
    """Classical multiplicative decomposition: the m seasonal indices, mean 1."""
    n = len(x)
    if m % 2:  # centred moving average of order m
        weights = np.full(m, 1.0 / m)
    else:  # 2 x m moving average: half weights on the two ends
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    trend = np.convolve(x, weights, mode="valid")  # trend[j] is centred on t = j + m // 2
    t = np.arange(m // 2, m // 2 + len(trend))
    ratios = x[t] / trend
    indices = np.array([ratios[t % m == phase].mean() for phase in range(m)])
    return indices / indices.mean()


def naive2_forecast(y_train, horizon, m=1):
    """Naive2, the M4 benchmark: a naive forecast of the seasonally adjusted series.

    When :func:`seasonality_test` finds the series seasonal at period ``m``,
    it is seasonally adjusted with classical multiplicative decomposition
    (a centred moving average of order ``m`` — 2 x ``m`` for even ``m`` — as
    trend, seasonal indices as the mean ratio to the trend per phase,
    normalised to average 1). The last adjusted value is repeated and
    multiplied by the seasonal index of each forecast step. Otherwise (and
    for ``m = 1``) it is the last value repeated.

    Parameters
    ----------
    y_train : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
        Each column is handled as its own series. Seasonal columns must be
        strictly positive (the decomposition is multiplicative).
    horizon : int
        Steps to forecast.
    m : int, default=1
        Seasonal period; the first row of ``y_train`` is taken as phase 0.

    Returns
    -------
    ndarray of shape (horizon,) or (horizon, k)
        The shape follows ``y_train``: 1-D for a Series or 1-D array.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast.metrics import naive2_forecast
    >>> naive2_forecast(np.array([1.0, 2.0, 3.0]), 2)
    array([3., 3.])
    """
    m = _check_period("naive2_forecast", m)
    if not isinstance(horizon, numbers.Integral) or isinstance(horizon, bool) or horizon < 1:
        raise ValueError(
            f"The 'horizon' argument of naive2_forecast must be a positive int. Got "
            f"{horizon!r} instead."
        )
    train, _, _ = _as_2d(y_train, "naive2_forecast", "y_train")
    n = len(train)
    forecast = np.repeat(train[-1:], horizon, axis=0)
    for col in range(train.shape[1]):
        x = train[:, col]
        if not seasonality_test(x, m):
            continue
        if (x <= 0).any():
            raise ValueError(
                f"Column {col} of y_train passed to naive2_forecast is seasonal at m={m} but "
                f"has values <= 0, where the multiplicative decomposition of Naive2 is "
                f"undefined. Compute a reference forecast yourself and pass it to owa as "
                f"y_naive2."
            )
        indices = _seasonal_indices(x, m)
        adjusted_last = x[-1] / indices[(n - 1) % m]
        forecast[:, col] = adjusted_last * indices[(n + np.arange(horizon)) % m]
    one_d = np.ndim(y_train) == 1 or isinstance(y_train, pd.Series)
    return forecast[:, 0] if one_d else forecast


def owa(y_true, y_pred, *, y_train, m=1, y_naive2=None, multioutput="uniform_average"):
    r"""Overall weighted average of sMAPE and MASE relative to Naive2, as in M4.

    .. math:: \mathrm{OWA} = \frac{1}{2}\left(
              \frac{\mathrm{sMAPE}}{\mathrm{sMAPE}_{\mathrm{Naive2}}}
              + \frac{\mathrm{MASE}}{\mathrm{MASE}_{\mathrm{Naive2}}}\right)

    Below 1 means better than Naive2. As in M4, with several columns
    (series) sMAPE and MASE are first averaged over the columns, for the
    forecast and for Naive2, and the ratios are taken of those averages
    (``multioutput="raw_values"`` gives each column's own OWA instead).

    Parameters
    ----------
    y_true, y_pred : pandas.Series, pandas.DataFrame or array-like of shape (h,) or (h, k)
    y_train : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
        The training series: MASE's scale, and Naive2's input.
    m : int, default=1
        Seasonal period, for MASE's scale and Naive2's seasonality.
    y_naive2 : array-like of shape (h,) or (h, k), optional
        The reference forecast. Default: :func:`naive2_forecast` of
        ``y_train`` with period ``m``. Pass it to use another reference, or
        when the seasonal series is not strictly positive.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    Examples
    --------
    >>> from tsforecast.metrics import owa
    >>> owa([4.0, 5.0], [4.0, 5.0], y_train=[1.0, 2.0, 3.0])  # a perfect forecast
    0.0
    """
    m = _check_period("owa", m)
    yt, yp, columns = _check_pair(y_true, y_pred, "owa", multioutput)
    if y_naive2 is None:
        y_naive2 = naive2_forecast(y_train, len(yt), m)
    kw = dict(multioutput="raw_values")
    s, s2 = smape(yt, yp, **kw), smape(yt, y_naive2, **kw)
    q, q2 = mase(yt, yp, y_train=y_train, m=m, **kw), mase(yt, y_naive2, y_train=y_train, m=m, **kw)
    if multioutput == "uniform_average":
        s, s2, q, q2 = s.mean(), s2.mean(), q.mean(), q2.mean()
    if np.any(s2 == 0):
        raise ValueError(
            "Naive2 forecasts y_true passed to owa perfectly (its sMAPE is 0), so OWA divides "
            "by 0. Compare the forecasts with smape and mase directly."
        )
    ratio = 0.5 * (s / s2 + q / q2)
    if multioutput == "uniform_average":
        return float(ratio)
    return pd.Series(ratio, index=columns) if columns is not None else ratio


# ----------------------------------------------------------------- quantiles
def _check_quantile_forecast(y_true, y_quantiles, quantiles, owner, multioutput):
    """Return (y (n, k), quantile forecasts (n, k, Q), levels (Q,), columns)."""
    if multioutput not in _MULTIOUTPUT:
        raise ValueError(
            f"The 'multioutput' argument of {owner} must be one of 'uniform_average', "
            f"'raw_values'. Got {multioutput!r} instead."
        )
    yt, it, ct = _as_2d(y_true, owner, "y_true")
    n, k = yt.shape
    if isinstance(y_quantiles, pd.DataFrame):
        levels = list(dict.fromkeys(y_quantiles.columns.get_level_values(-1)))
        if it is not None and not it.equals(y_quantiles.index):
            raise ValueError(
                f"The indexes of y_true and y_quantiles passed to {owner} differ. Align them "
                f"first, e.g. y_quantiles.loc[y_true.index]."
            )
        values = y_quantiles.to_numpy(dtype=np.float64).reshape(len(y_quantiles), -1,
                                                                len(levels))
        if quantiles is not None and [float(q) for q in quantiles] != \
                [float(q) for q in levels]:
            raise ValueError(
                f"quantiles={list(quantiles)} passed to {owner} differ from the levels "
                f"{levels} in the columns of y_quantiles. Omit 'quantiles' for a DataFrame."
            )
    else:
        values = np.asarray(y_quantiles, dtype=np.float64)
        if quantiles is None:
            raise ValueError(
                f"{owner} needs 'quantiles' (the levels of the last axis) when y_quantiles is "
                f"an array. Pass quantiles=[...], or the DataFrame of predict_quantiles."
            )
        levels = list(quantiles)
        if values.ndim == 2:
            values = values[:, None, :]
    try:
        levels = np.array([float(q) for q in levels])
    except (TypeError, ValueError):
        levels = np.array([np.nan])
    if not ((levels > 0) & (levels < 1)).all():
        raise ValueError(
            f"The quantile levels passed to {owner} must lie strictly between 0 and 1. Got "
            f"{levels.tolist()}."
        )
    if values.ndim != 3 or values.shape != (n, k, len(levels)):
        raise ValueError(
            f"y_quantiles passed to {owner} has shape {values.shape} as (time steps, columns, "
            f"levels), but y_true has {n} time steps and {k} columns and there are "
            f"{len(levels)} levels. Pass one forecast per time step, column and level."
        )
    if not np.isfinite(values).all():
        raise ValueError(
            f"y_quantiles passed to {owner} contains NaN or infinite values. Expected finite "
            f"quantile forecasts."
        )
    return yt, values, levels, ct


def _pinball(yt, yq, levels):
    """Pinball loss of every point, column and level; shape (n, k, Q)."""
    u = yt[:, :, None] - yq
    return np.maximum(levels * u, (levels - 1) * u)


def pinball_loss(y_true, y_quantiles, *, quantiles=None, multioutput="uniform_average"):
    r"""Pinball (quantile) loss, averaged over time steps and levels.

    .. math:: \rho_q(y, \hat y_q) = \max\big(q (y - \hat y_q),\; (q - 1)(y - \hat y_q)\big)

    Minimised in expectation by the true ``q``-quantile; the loss of the
    median (q = 0.5) is half the absolute error.

    Parameters
    ----------
    y_true : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    y_quantiles : pandas.DataFrame or array-like of shape (n, Q) or (n, k, Q)
        Quantile forecasts, e.g. the output of ``predict_quantiles``.
    quantiles : sequence of float, optional
        The levels of the last axis; needed for arrays, read from the columns
        of a DataFrame.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    Examples
    --------
    >>> from tsforecast.metrics import pinball_loss
    >>> round(pinball_loss([10.0], [[8.0, 12.0]], quantiles=[0.1, 0.9]), 6)  # (0.2 + 0.2) / 2
    0.2
    """
    yt, yq, levels, columns = _check_quantile_forecast(y_true, y_quantiles, quantiles,
                                                       "pinball_loss", multioutput)
    return _reduce(_pinball(yt, yq, levels).mean(axis=(0, 2)), columns, multioutput)


def wql(y_true, y_quantiles, *, quantiles=None, multioutput="uniform_average"):
    r"""Weighted quantile loss: the pinball losses scaled by the total absolute actual value.

    .. math:: \mathrm{WQL} = \frac{1}{Q} \sum_q
              \frac{2 \sum_t \rho_q(y_t, \hat y_{t,q})}{\sum_t |y_t|}

    The mean weighted quantile loss of GluonTS and of Chronos' benchmarks;
    scale-free, so it averages across series.

    Parameters
    ----------
    y_true : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    y_quantiles : pandas.DataFrame or array-like of shape (n, Q) or (n, k, Q)
    quantiles : sequence of float, optional
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    Examples
    --------
    >>> from tsforecast.metrics import wql
    >>> wql([10.0, 10.0], [[8.0], [10.0]], quantiles=[0.5])  # 2 * 0.5 * 2 / 20
    0.1
    """
    yt, yq, levels, columns = _check_quantile_forecast(y_true, y_quantiles, quantiles, "wql",
                                                       multioutput)
    total = np.abs(yt).sum(axis=0)
    if (total == 0).any():
        raise ValueError(
            "y_true passed to wql is zero throughout a column, so its weighted quantile loss "
            "divides by 0. Use pinball_loss for such series."
        )
    per_level = 2 * _pinball(yt, yq, levels).sum(axis=0) / total[:, None]  # -> (k, Q)
    return _reduce(per_level.mean(axis=1), columns, multioutput)


def crps(y_true, y_quantiles, *, quantiles=None, multioutput="uniform_average"):
    r"""Continuous ranked probability score, approximated from quantile forecasts.

    The CRPS is the integral of twice the pinball loss over all levels,
    :math:`\int_0^1 2 \rho_q\, dq`; with ``Q`` levels it is approximated by

    .. math:: \mathrm{CRPS} \approx \frac{2}{Q} \sum_q \rho_q(y, \hat y_q),

    averaged over time steps (a good approximation for evenly spread levels
    such as 0.1, ..., 0.9; it equals the absolute error for a point forecast
    given as the single level 0.5). Lower is better, in the units of ``y``.

    Parameters
    ----------
    y_true : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    y_quantiles : pandas.DataFrame or array-like of shape (n, Q) or (n, k, Q)
    quantiles : sequence of float, optional
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    References
    ----------
    Gneiting, T. & Raftery, A. E. (2007). Strictly proper scoring rules,
    prediction, and estimation. *JASA*, 102(477), 359-378.

    Examples
    --------
    >>> from tsforecast.metrics import crps
    >>> crps([3.0], [[1.0]], quantiles=[0.5])  # the absolute error
    2.0
    """
    yt, yq, levels, columns = _check_quantile_forecast(y_true, y_quantiles, quantiles, "crps",
                                                       multioutput)
    return _reduce(2 * _pinball(yt, yq, levels).mean(axis=(0, 2)), columns, multioutput)


# ----------------------------------------------------------------- intervals
def _check_interval(y_true, lower, upper, owner, multioutput):
    yt, lo, columns = _check_pair(y_true, lower, owner, multioutput)
    _, hi, _ = _check_pair(y_true, upper, owner, multioutput)
    if (lo > hi).any():
        row, col = np.argwhere(lo > hi)[0]
        raise ValueError(
            f"lower > upper in {int((lo > hi).sum())} places in the interval passed to {owner} "
            f"(first at row {row}, column {col}: {lo[row, col]:g} > {hi[row, col]:g}). Pass "
            f"the lower bounds first."
        )
    return yt, lo, hi, columns


def _check_coverage_arg(owner, coverage):
    if not (isinstance(coverage, numbers.Real) and not isinstance(coverage, bool)
            and 0 < coverage < 1):
        raise ValueError(
            f"The 'coverage' argument of {owner} must be a float in (0, 1), the nominal "
            f"coverage of the interval (e.g. 0.95). Got {coverage!r} instead."
        )
    return float(coverage)


def coverage(y_true, lower, upper, *, multioutput="uniform_average"):
    """Empirical coverage: the fraction of actual values inside ``[lower, upper]``.

    Compare with the nominal coverage of the interval; ``|coverage - nominal|``
    is the absolute coverage difference (ACD) of the M4 competition.

    Parameters
    ----------
    y_true : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    lower, upper : same shape as ``y_true``
        Interval bounds, e.g. the columns of ``predict_interval``.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    Examples
    --------
    >>> from tsforecast.metrics import coverage
    >>> coverage([1.0, 5.0, 3.0, 9.0], [0.0, 0.0, 0.0, 0.0], [2.0, 4.0, 3.0, 10.0])
    0.75
    """
    yt, lo, hi, columns = _check_interval(y_true, lower, upper, "coverage", multioutput)
    return _reduce(((yt >= lo) & (yt <= hi)).mean(axis=0), columns, multioutput)


def interval_width(lower, upper, *, multioutput="uniform_average"):
    """Mean width ``upper - lower`` of intervals, in the units of the series.

    Parameters
    ----------
    lower, upper : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    Examples
    --------
    >>> from tsforecast.metrics import interval_width
    >>> interval_width([0.0, 1.0], [2.0, 5.0])
    3.0
    """
    _, lo, hi, columns = _check_interval(lower, lower, upper, "interval_width", multioutput)
    return _reduce((hi - lo).mean(axis=0), columns, multioutput)


def _interval_scores(yt, lo, hi, alpha):
    return (hi - lo) + (2 / alpha) * (lo - yt) * (yt < lo) + (2 / alpha) * (yt - hi) * (yt > hi)


def interval_score(y_true, lower, upper, *, coverage=0.95, multioutput="uniform_average"):
    r"""Interval (Winkler) score: the width plus a penalty for every miss.

    .. math:: S = (u - l) + \frac{2}{\alpha}(l - y)\,1\{y < l\}
                          + \frac{2}{\alpha}(y - u)\,1\{y > u\}

    with :math:`\alpha = 1 - \text{coverage}`, averaged over time steps. A
    proper score: minimised in expectation by the true :math:`\alpha/2` and
    :math:`1 - \alpha/2` quantiles. Lower is better.

    Parameters
    ----------
    y_true : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
    lower, upper : same shape as ``y_true``
    coverage : float, default=0.95
        The nominal coverage of the interval.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    References
    ----------
    Winkler, R. L. (1972). A decision-theoretic approach to interval
    estimation. *JASA*, 67(337), 187-191.

    Examples
    --------
    >>> from tsforecast.metrics import interval_score
    >>> score = interval_score([5.0, 12.0], [4.0, 4.0], [6.0, 6.0], coverage=0.8)
    >>> round(score, 6)  # (2 + (2 + 10 * 6)) / 2
    32.0
    """
    alpha = 1 - _check_coverage_arg("interval_score", coverage)
    yt, lo, hi, columns = _check_interval(y_true, lower, upper, "interval_score", multioutput)
    return _reduce(_interval_scores(yt, lo, hi, alpha).mean(axis=0), columns, multioutput)


def msis(y_true, lower, upper, *, y_train, m=1, coverage=0.95, multioutput="uniform_average"):
    r"""Mean scaled interval score, the interval measure of the M4 competition.

    The interval score divided by the in-sample MAE of the seasonal naive
    forecast (the scale of :func:`mase`):

    .. math:: \mathrm{MSIS} = \frac{\frac{1}{h}\sum_{t=n+1}^{n+h} (u_t - l_t)
              + \frac{2}{\alpha}(l_t - y_t) 1\{y_t < l_t\}
              + \frac{2}{\alpha}(y_t - u_t) 1\{y_t > u_t\}}
              {\frac{1}{n-m}\sum_{t=m+1}^{n} |y_t - y_{t-m}|}

    with :math:`\alpha = 0.05` in M4 (95 % intervals). Per column, then
    averaged over columns: pass the series as the columns to average over
    series as M4 does.

    Parameters
    ----------
    y_true : pandas.Series, pandas.DataFrame or array-like of shape (h,) or (h, k)
    lower, upper : same shape as ``y_true``
    y_train : pandas.Series, pandas.DataFrame or array-like of shape (n,) or (n, k)
        The training series the forecast was made from.
    m : int, default=1
        Seasonal period of the naive scale (M4 used 1 for weekly data).
    coverage : float, default=0.95
        The nominal coverage of the interval (``1 - alpha``).
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray or pandas.Series

    References
    ----------
    Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2020). The M4
    Competition: 100,000 time series and 61 forecasting methods.
    *International Journal of Forecasting*, 36(1), 54-74.

    Examples
    --------
    >>> from tsforecast.metrics import msis
    >>> score = msis([5.0, 12.0], [4.0, 4.0], [6.0, 6.0], y_train=[1.0, 3.0, 5.0], coverage=0.8)
    >>> round(score, 6)  # 32 / mean(|3 - 1|, |5 - 3|)
    16.0
    """
    m = _check_period("msis", m)
    alpha = 1 - _check_coverage_arg("msis", coverage)
    yt, lo, hi, columns = _check_interval(y_true, lower, upper, "msis", multioutput)
    train, scale = _naive_scale(y_train, m, "msis")
    if train.shape[1] != yt.shape[1]:
        raise ValueError(
            f"y_train passed to msis has {train.shape[1]} columns but y_true has "
            f"{yt.shape[1]}. Pass the training series of the same columns."
        )
    return _reduce(_interval_scores(yt, lo, hi, alpha).mean(axis=0) / scale, columns,
                   multioutput)


def _keyed(obj, owner, name):
    """``(keys, items)`` of a dict or a list/tuple of series."""
    if isinstance(obj, dict):
        return list(obj), list(obj.values())
    if isinstance(obj, (list, tuple)):
        return list(range(len(obj))), list(obj)
    raise TypeError(
        f"{name} passed to {owner} is a {type(obj).__name__}. Expected many series: a dict "
        f"{{id: series}} or a list of series (each a pandas Series or a 1-d array)."
    )


def m4_scores(y_true, y_pred, *, y_train, m=1, y_naive2=None):
    r"""sMAPE, MASE and OWA over many series of any lengths, aggregated as in M4.

    As in the M4 competition, sMAPE and MASE are computed per series and
    averaged over the series (for the forecasts and for Naive2), and OWA is
    the mean of the two ratios of those averages:

    .. math:: \mathrm{OWA} = \frac{1}{2}\left(
              \frac{\overline{\mathrm{sMAPE}}}{\overline{\mathrm{sMAPE}}_{\mathrm{Naive2}}}
              + \frac{\overline{\mathrm{MASE}}}{\overline{\mathrm{MASE}}_{\mathrm{Naive2}}}
              \right)

    (:func:`owa` does the same for series held as the columns of one array,
    which must then share their lengths.)

    Parameters
    ----------
    y_true, y_pred : dict or list
        Actual values and forecasts of each series, ``{id: series}`` with the
        same ids (in any order) or lists in the same order; each series a
        pandas Series or a 1-d array (pandas indexes must match).
    y_train : dict or list
        The training series, keyed like ``y_true``: MASE's scale and Naive2's
        input.
    m : int, default=1
        Seasonal period for MASE's scale and Naive2 (M4 used 1 for yearly,
        weekly and daily data, 4 quarterly, 12 monthly, 24 hourly).
    y_naive2 : dict or list, optional
        Reference forecasts keyed like ``y_true``; default
        :func:`naive2_forecast` of each training series.

    Returns
    -------
    dict
        ``smape``, ``mase`` and ``owa`` of the forecasts, ``smape_naive2`` and
        ``mase_naive2`` of the reference, and ``n_series``.

    References
    ----------
    Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2020). The M4 Competition:
    100,000 time series and 61 forecasting methods. *International Journal of
    Forecasting*, 36(1), 54-74.

    Examples
    --------
    >>> from tsforecast.metrics import m4_scores
    >>> train = {"a": [1.0, 2.0, 3.0], "b": [5.0, 4.0, 6.0, 5.0]}
    >>> true = {"a": [4.0, 5.0], "b": [6.0, 7.0]}
    >>> scores = m4_scores(true, {"a": [4.0, 5.0], "b": [5.0, 5.0]}, y_train=train)
    >>> round(scores["owa"], 3)  # "a" is perfect, "b" no better than Naive2
    0.412
    """
    owner = "m4_scores"
    m = _check_period(owner, m)
    keys, truths = _keyed(y_true, owner, "y_true")
    truths = dict(zip(keys, truths))
    arguments = {"y_pred": y_pred, "y_train": y_train}
    if y_naive2 is not None:
        arguments["y_naive2"] = y_naive2
    lookup = {}
    for name, obj in arguments.items():
        other_keys, items = _keyed(obj, owner, name)
        if sorted(map(repr, other_keys)) != sorted(map(repr, keys)):
            missing = [k for k in keys if k not in set(other_keys)][:5]
            extra = [k for k in other_keys if k not in set(keys)][:5]
            raise ValueError(
                f"{name} passed to {owner} does not hold the series of y_true (missing "
                f"{missing}, unexpected {extra}; {len(other_keys)} series vs {len(keys)}). "
                f"Pass one entry per series of y_true, under the same ids."
            )
        lookup[name] = dict(zip(other_keys, items))
    if not keys:
        raise ValueError(f"y_true passed to {owner} holds no series. Pass one or more.")
    rows = []
    for k in keys:
        truth, pred, train = truths[k], lookup["y_pred"][k], lookup["y_train"][k]
        naive2 = (lookup["y_naive2"][k] if "y_naive2" in lookup
                  else naive2_forecast(np.asarray(train, dtype=np.float64).ravel(),
                                       len(np.asarray(truth)), m))
        naive2 = np.asarray(naive2, dtype=np.float64)
        rows.append((smape(truth, pred), mase(truth, pred, y_train=train, m=m),
                     smape(np.asarray(truth, dtype=np.float64), naive2),
                     mase(np.asarray(truth, dtype=np.float64), naive2, y_train=train, m=m)))
    s, q, s2, q2 = np.mean(rows, axis=0)
    if s2 == 0 or q2 == 0:
        raise ValueError(
            f"Naive2 forecasts y_true passed to {owner} perfectly, so OWA divides by 0. "
            f"Compare the forecasts with smape and mase directly."
        )
    return {"smape": float(s), "mase": float(q), "owa": float(0.5 * (s / s2 + q / q2)),
            "smape_naive2": float(s2), "mase_naive2": float(q2), "n_series": len(keys)}


#: Metrics by name, as accepted by :func:`tsforecast.model_selection.backtest`.
METRICS = {"mse": mse, "mae": mae, "rmse": rmse, "mape": mape, "smape": smape, "mase": mase}
