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

from ._atomic import atomic_fit
from .data.inputs import (
    as_series_set,
    check_covariates,
    check_new_history,
    future_covariates,
    future_index,
    to_output,
)
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

    def __init__(self, *, horizon=12):
        self.horizon = horizon

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
        forecasts, failed = [], []
        for i in range(len(ends)):
            fitted = self.models_[rows[i]]
            x_future = future[i] if self.covariate_names_ else None
            columns = []
            for j, model in enumerate(fitted):
                if ys is not None:
                    x_past = past[i] if past is not None else None
                    model, converged = _quietly(self._apply_one, model, ys.values[i][:, j],
                                                x_past)
                    if not converged:
                        failed.append(f"column {self.target_names_[j]!r} of {ys.label(i)}")
                values, _ = _quietly(self._forecast_one, model, horizon, x_future)
                columns.append(np.asarray(values, dtype=np.float64).reshape(horizon))
            forecasts.append(np.column_stack(columns))
        self._warn_not_converged(failed, len(forecasts) * self.n_targets_, "on the new history",
                                 stacklevel=3)
        indexes = [future_index(last, step, horizon) for last, step in ends]
        return to_output(forecasts, indexes, template, columns=self.target_names_, ids=ids)

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


class NaiveForecaster(_BaselineForecaster):
    r"""Naive (random-walk) forecast: every future step repeats the last value.

    .. math:: \hat y_{T+h} = y_T

    The reference any forecaster must beat; optimal for a random walk and
    hard to beat on noisy, persistent series such as prices.

    Parameters
    ----------
    horizon : int, default=12
        Steps forecast by default.

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

    def __init__(self, *, horizon=12):
        super().__init__(horizon=horizon)

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
        Steps forecast by default.

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

    def __init__(self, season_length=None, *, horizon=12):
        super().__init__(horizon=horizon)
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
        Steps forecast by default.

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
                 season_length=None, horizon=12):
        super().__init__(horizon=horizon)
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
        Steps forecast by default.

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
                 method="auto", horizon=12):
        super().__init__(horizon=horizon)
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
        Steps forecast by default.

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
                 horizon=12):
        super().__init__(horizon=horizon)
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

    def _fit_one(self, y, X):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        return SARIMAX(y, exog=X, order=tuple(self.order),
                       seasonal_order=tuple(self.seasonal_order), trend=self.trend
                       ).fit(disp=False)

    def _apply_one(self, model, y, X):
        return model.apply(y, exog=X)

    def _forecast_one(self, model, horizon, X_future):
        return model.forecast(horizon, exog=X_future)


BASELINES = (NaiveForecaster, SeasonalNaiveForecaster, ETSForecaster, ThetaForecaster,
             ARIMAForecaster)
