"""``tune``, its result and the Optuna pruning callback.

A trial is scored by the per-origin forecasting path of
:func:`tsforecast.model_selection.backtest` and the functions of
:mod:`tsforecast.metrics`; where the study lives and how it runs to its
budget is :mod:`tsforecast.tuning._storage`.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import optuna
import pandas as pd
import pytorch_lightning as pl
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.exceptions import ExperimentalWarning
from optuna.trial import FixedTrial, TrialState
from sklearn.base import clone

from .._training import VAL_LOSS, fit_label, resolve_verbose
from ..data.inputs import as_series_set, check_covariates
from ..data.splits import n_rows, take_rows
from ..exceptions import TrainingError
from ..metrics import METRICS
from ..model_selection import _forecast_fitted
from ..utils.validation import check_bool, check_int, check_random_state
from . import _storage

__all__ = ["tune", "TuneResult", "PruningCallback"]

_OWNER = "tune()"
# tsforecast.metrics by name; MASE needs each origin's history, which a holdout score lacks.
_METRICS = ("mse", "mae", "rmse", "mape", "smape")
_DEFAULT_HOLDOUT = 0.2


class PruningCallback(pl.Callback):
    """Report the validation loss to an Optuna trial every epoch and stop pruned trials.

    After each validation pass it calls ``trial.report(val_loss, step)`` (the
    step counts validation passes: the epoch, by default) and raises
    ``optuna.TrialPruned`` when ``trial.should_prune()``. Lightning re-raises
    exceptions from callbacks after its teardown, so the trial ends as
    pruned. A training epoch that ends without the monitored metric raises
    ``ValueError``: pruning never stops working silently.

    :func:`tune` appends it to the ``callbacks`` of each trial's
    ``trainer_kwargs`` (after any of your own). In a hand-written Optuna
    objective, pass it the same way:
    ``trainer_kwargs={"callbacks": [PruningCallback(trial)]}``.

    Parameters
    ----------
    trial : optuna.trial.Trial
    monitor : str, default="val_loss"
        Metric logged by the training module (``tsforecast._training.VAL_LOSS``).
    """

    def __init__(self, trial, monitor=VAL_LOSS):
        self.trial = trial
        self.monitor = monitor
        self._step = 0

    def __deepcopy__(self, memo):
        # A trial is a handle on the study, not state: a copy (sklearn's clone of
        # trainer_kwargs) must report to the same trial, not to a copy of the storage.
        copy = type(self)(self.trial, self.monitor)
        copy._step = self._step
        return copy

    def on_validation_end(self, trainer, pl_module):
        if trainer.sanity_checking:
            return
        value = trainer.callback_metrics.get(self.monitor)
        if value is None:
            raise ValueError(self._missing(trainer))
        value = float(value)
        step, self._step = self._step, self._step + 1
        self.trial.report(value, step)
        if self.trial.should_prune():
            raise optuna.TrialPruned(
                f"Pruned at epoch {trainer.current_epoch} with {self.monitor}={value:.6g}.")

    def on_train_epoch_end(self, trainer, pl_module):
        # Validation runs before this hook; no metric means no validation at all.
        if self.monitor not in trainer.callback_metrics:
            raise ValueError(self._missing(trainer))

    def _missing(self, trainer):
        return (
            f"The Optuna pruning callback monitors '{self.monitor}', but training logged no "
            f"such metric (logged: {sorted(trainer.callback_metrics)}). Give the estimator a "
            f"validation tail (validation_size > 0) so that every epoch is validated, or tune "
            f"with pruner=optuna.pruners.NopPruner() to turn pruning off."
        )


class TuneResult:
    """What :func:`tune` found: the best estimator, its parameters and the study.

    Attributes
    ----------
    best_estimator : BaseForecaster or None
        A clone of the estimator with ``best_params``, refitted on all of
        ``y`` (None with ``refit=False``).
    best_params : dict
        The parameter values of the best trial, as the search space returned
        them (including any fixed values it sets).
    best_value : float
        The best trial's score (lower is better).
    best_trial : int
        Number of the best trial.
    metric : str
        Name of the score (``"mse"``, ``"val_loss"``, a callable's name...).
    study : optuna.study.Study
        The Optuna study, with every trial of every worker.
    """

    def __init__(self, study, best_params, best_estimator, metric):
        self.study = study
        self.best_params = best_params
        self.best_estimator = best_estimator
        self.metric = metric
        self.best_trial = study.best_trial.number
        self.best_value = study.best_value

    def _count(self, state):
        return len(self.study.get_trials(deepcopy=False, states=(state,)))

    @property
    def n_trials(self):
        """Trials in the study, in any state."""
        return len(self.study.get_trials(deepcopy=False))

    @property
    def n_complete(self):
        """Trials that finished with a score."""
        return self._count(TrialState.COMPLETE)

    @property
    def n_pruned(self):
        """Trials stopped early by the pruner."""
        return self._count(TrialState.PRUNED)

    def summary(self):
        """One row per trial: number, state, score, last validation loss, parameters.

        Returns
        -------
        pandas.DataFrame
            Indexed by trial number, with columns ``state``, ``value`` (the
            score; NaN unless the trial completed), ``val_loss`` (the last
            validation loss reported for pruning), ``duration_s``, ``worker``
            (host:pid) and one column per tuned parameter.
        """
        rows = []
        for t in self.study.get_trials(deepcopy=False):
            steps = sorted(t.intermediate_values)
            duration = (t.datetime_complete - t.datetime_start).total_seconds() \
                if t.datetime_complete and t.datetime_start else np.nan
            rows.append({
                "trial": t.number, "state": t.state.name.lower(),
                "value": t.value if t.state == TrialState.COMPLETE else np.nan,
                "val_loss": t.intermediate_values[steps[-1]] if steps else np.nan,
                "duration_s": duration, "worker": t.user_attrs.get("worker"),
                **t.params,
            })
        return pd.DataFrame(rows).set_index("trial")

    def trials_dataframe(self, **kwargs):
        """Optuna's own table of the trials (``Study.trials_dataframe``)."""
        return self.study.trials_dataframe(**kwargs)

    def _plot(self, name, **kwargs):
        from optuna.visualization import matplotlib as optuna_plots

        with warnings.catch_warnings():  # Optuna marks its matplotlib backend experimental
            warnings.simplefilter("ignore", ExperimentalWarning)
            return getattr(optuna_plots, name)(self.study, **kwargs)

    def plot_optimization_history(self, **kwargs):
        """Score of each completed trial and the best so far; returns matplotlib Axes."""
        kwargs.setdefault("target_name", self.metric)
        return self._plot("plot_optimization_history", **kwargs)

    def plot_intermediate_values(self, **kwargs):
        """Validation loss per epoch of every trial, pruned ones included."""
        return self._plot("plot_intermediate_values", **kwargs)

    def plot_param_importances(self, **kwargs):
        """How much each parameter explains the score (Optuna's default evaluator)."""
        return self._plot("plot_param_importances", **kwargs)

    def plot_slice(self, **kwargs):
        """Score against each parameter."""
        return self._plot("plot_slice", **kwargs)

    def plot_parallel_coordinate(self, **kwargs):
        """Parameters and score of every completed trial as lines across axes."""
        return self._plot("plot_parallel_coordinate", **kwargs)

    def __repr__(self):
        return (f"TuneResult(study={self.study.study_name!r}, trials={self.n_trials} "
                f"({self.n_complete} complete, {self.n_pruned} pruned), best_trial="
                f"{self.best_trial}, best_value={self.best_value:.6g}, "
                f"best_params={self.best_params})")


def tune(estimator, y, X=None, search_space=None, *, n_trials=20, timeout=None,
         validation=None, cv=None, metric="mse", storage=None, study_name=None,
         sampler=None, pruner=None, random_state=None, n_jobs=1, refit=True, verbose=None):
    """Tune a forecaster's hyperparameters with Optuna, then refit the best.

    Each trial clones ``estimator``, calls ``set_params(**search_space(trial))``
    and fits it on the training part of a chronological split. Every epoch
    the trial reports the estimator's validation loss to the pruner, which
    may stop it early: :class:`PruningCallback` is appended to the
    ``callbacks`` of the clone's ``trainer_kwargs``. A trial that completes
    forecasts the held-out part from every origin, the way
    :func:`tsforecast.model_selection.backtest` does (one
    ``forecast_origins`` call per series when the estimator has that
    method, else ``predict`` over the histories), and is scored with
    ``metric`` on the original scale of ``y``. Finally a clone with the
    best parameters is fitted on all of ``y``.

    Parameters
    ----------
    estimator : estimator
        The forecaster to tune (left unchanged): a tsforecast forecaster, or
        any estimator with ``fit``, ``predict(horizon, X, y)``, ``horizon``,
        ``get_params`` and ``set_params`` (see "Your own estimator" in the
        tuning guide). Its other parameters (e.g. ``lookback``,
        ``max_epochs``, ``patience``) apply to every trial.
    y : pandas.Series, pandas.DataFrame, ndarray, or list of those
        The series, as for ``fit``.
    X : same kinds as ``y``, optional
        Covariates known in advance, aligned with ``y`` row for row.
    search_space : callable or dict, optional
        A function ``(trial) -> dict`` of parameter values suggested with
        ``trial.suggest_*`` (it may also set fixed values), or a dict mapping
        parameter names to Optuna distributions
        (``{"hidden_size": optuna.distributions.IntDistribution(16, 128)}``).
        Default: the estimator's ``default_search_space``.
    n_trials : int, default=20
        Total number of trials the study should hold: complete, pruned and
        failed ones, from every worker and every earlier call on the same
        study. Resuming a study therefore runs only the missing trials, and
        a trial interrupted by a killed process is re-run with its parameters
        rather than counted.
    timeout : float, optional
        Stop starting new trials after this many seconds of this call.
    validation : float, int or "val_loss", optional
        How a trial is scored without ``cv``. A float in (0, 1) or an int
        number of rows: the last rows of each series are held out; the trial
        is fitted on the rows before (its own ``validation_size`` tail of
        those drives early stopping and pruning), forecasts ``horizon`` steps
        from every origin in the holdout using the true history before it,
        and is scored with ``metric`` over all forecast values. ``"val_loss"``:
        the best validation loss of the estimator's own validation tail
        (mean squared error of scaled values): cheaper (no holdout), but only
        comparable between trials that share the scaling, strategy and
        horizon. Default: 0.2 (a 20% holdout) unless ``cv`` is given.
    cv : object with a ``split(y)`` method, optional
        A chronological splitter yielding ``(train_idx, test_idx)`` row
        indices, each a contiguous range with the test rows after the
        training rows (e.g. ``tsforecast.model_selection.RollingOriginSplit``
        or ``sklearn.model_selection.TimeSeriesSplit``). Each fold is scored
        like a holdout and the trial's score is the mean over folds. Pruning
        watches the first fold only (the validation losses of different folds
        are not comparable). One series only.
    metric : {"mse", "mae", "rmse", "mape", "smape"} or callable, default="mse"
        Score on the original scale, lower is better: the function of that
        name in :mod:`tsforecast.metrics` (per target column, then averaged
        over the columns). A callable receives ``(y_true, y_pred)`` arrays
        of shape ``(n_origins * horizon, n_targets)`` (one row per forecast
        step of every origin) and returns a float, like those functions.
    storage : str or optuna.storages.BaseStorage, optional
        Where the study lives. None: in memory, gone when the process ends.
        A database URL (``"sqlite:///tuning.db"``,
        ``"postgresql+psycopg2://user:password@host/db"``) keeps it: call
        ``tune`` again with the same ``study_name`` to resume, or run it in
        several processes or machines at once to share the work. Any Optuna
        storage works too, e.g. a journal file on a shared file system for a
        cluster without a database server:
        ``optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(path))``.
    study_name : str, optional
        Name of the study in ``storage``; it is created if missing and
        resumed if present. None: a new, uniquely named study.
    sampler : optuna.samplers.BaseSampler, optional
        Default: ``TPESampler(seed=random_state)``.
    pruner : optuna.pruners.BasePruner, optional
        Default: ``MedianPruner(n_startup_trials=5, n_warmup_steps=2)``: from
        the third epoch on, stop a trial whose best validation loss is worse
        than the median of earlier trials at the same epoch.
        ``optuna.pruners.NopPruner()`` turns pruning off; it is the default
        for an estimator without a ``trainer_kwargs`` parameter (pruning
        travels through it).
    random_state : int, optional
        Seeds the default sampler and, unless the estimator has its own
        ``random_state``, every trial's estimator and the refit: the same
        seed gives the same trials and result (with ``n_jobs=1`` and a new
        study). Workers sharing a study should use different seeds.
    n_jobs : int, default=1
        Trials run at once in this process (threads; -1: one per CPU).
        Processes sharing a database storage scale better.
    refit : bool, default=True
        Fit a clone with the best parameters on all of ``y``. Set False in
        extra workers of a shared study.
    verbose : bool, optional
        Progress bar over trials and Optuna's per-trial log lines. None:
        only when standard error is a terminal.

    Returns
    -------
    TuneResult
        ``best_estimator``, ``best_params``, ``best_value``, ``study``,
        ``summary()`` and plotting methods.

    Raises
    ------
    ValueError
        For bad arguments, a search space suggesting unknown parameters, a
        trial without validation loss to prune on, or a study where no trial
        completed. Errors inside a trial are raised, except ``TrainingError``
        (a diverging loss), which fails that trial and tuning goes on.
    ConnectionError
        When the database server of ``storage`` cannot be reached (within 10 s).
    PermissionError
        When the database role of ``storage`` may not create or use Optuna's
        tables.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import LSTMForecaster
    >>> from tsforecast.tuning import tune
    >>> y = np.sin(np.arange(300) * 2 * np.pi / 24)
    >>> est = LSTMForecaster(lookback=24, horizon=6, max_epochs=1)
    >>> result = tune(est, y, n_trials=2, random_state=0, verbose=False)
    >>> sorted(result.best_params)
    ['dropout', 'hidden_size', 'learning_rate', 'n_layers']
    >>> result.best_estimator.predict().shape
    (6,)
    """
    needs = ("fit", "predict", "get_params", "set_params")
    if not all(callable(getattr(estimator, method, None)) for method in needs):
        raise TypeError(
            f"{_OWNER} tunes estimators with fit, predict, get_params and set_params methods; "
            f"got {type(estimator).__name__}. Pass a forecaster such as LSTMForecaster(...)."
        )
    name = type(estimator).__name__
    if callable(X) or isinstance(X, dict):
        raise TypeError(
            f"X passed to {_OWNER} is a {type(X).__name__}, which looks like a search space: "
            f"the third argument is the covariates X. Pass search_space=... by keyword."
        )
    space = _resolve_search_space(search_space, estimator)
    check_int(_OWNER, "n_trials", n_trials)
    if timeout is not None and (not isinstance(timeout, numbers.Real) or isinstance(
            timeout, bool) or timeout <= 0):
        raise ValueError(
            f"The 'timeout' parameter of {_OWNER} must be a positive number of seconds or "
            f"None. Got {timeout!r} instead.")
    if not (n_jobs == -1 or (isinstance(n_jobs, numbers.Integral) and n_jobs >= 1)) or \
            isinstance(n_jobs, bool):
        raise ValueError(
            f"The 'n_jobs' parameter of {_OWNER} must be a positive int or -1. Got {n_jobs!r} "
            f"instead.")
    check_random_state(_OWNER, random_state)
    check_bool(_OWNER, "refit", refit)
    check_bool(_OWNER, "verbose", verbose, allow_none=True)
    metric_fn, metric_name = _resolve_metric(metric, validation)
    folds = _make_folds(y, X, validation, cv, name)
    params = estimator.get_params(deep=False)
    sampler = optuna.samplers.TPESampler(seed=random_state) if sampler is None else sampler
    if pruner is None:
        pruner = _default_pruner() if "trainer_kwargs" in params else \
            optuna.pruners.NopPruner()
    if not isinstance(sampler, optuna.samplers.BaseSampler):
        raise TypeError(f"The 'sampler' parameter of {_OWNER} must be an Optuna sampler. Got "
                        f"{type(sampler).__name__} instead.")
    if not isinstance(pruner, optuna.pruners.BasePruner):
        raise TypeError(f"The 'pruner' parameter of {_OWNER} must be an Optuna pruner. Got "
                        f"{type(pruner).__name__} instead.")
    pruning = not isinstance(pruner, optuna.pruners.NopPruner)
    _check_validation_loss(params, name, pruning, validation)
    verbose = resolve_verbose(verbose)
    seed = {"random_state": random_state} \
        if params.get("random_state", 0) is None and random_state is not None else {}
    quiet = {"verbose": False} if "verbose" in params else {}
    worker = _storage.worker_id()

    def objective(trial):
        trial.set_user_attr("worker", worker)
        est = clone(estimator).set_params(**{**_suggest(space, trial, estimator), **seed,
                                             **quiet})
        own = est.get_params(deep=False).get("trainer_kwargs")
        if validation == "val_loss":
            if pruning:
                est.set_params(trainer_kwargs=_with_pruning(own, trial))
            return _best_val_loss(est.fit(y, X))
        scores = []
        for k, fold in enumerate(folds):  # pruning watches the first fold only
            if pruning:
                est.set_params(trainer_kwargs=_with_pruning(own, trial) if k == 0 else own)
            est.fit(fold.y, fold.X)
            scores.append(fold.score(est, metric_fn))
        if len(folds) > 1:
            trial.set_user_attr("fold_scores", scores)
        return float(np.mean(scores))

    scoring = f"cv={type(cv).__name__}" if cv is not None else \
        f"validation={_DEFAULT_HOLDOUT if validation is None else validation!r}"
    with _storage.quiet_optuna(verbose):
        study = _storage.open_study(
            storage, _OWNER, study_name=study_name, sampler=sampler, pruner=pruner,
            tags={"tsforecast:estimator": name, "tsforecast:metric": metric_name,
                  "tsforecast:scoring": scoring})
        _storage.run_study(study, objective, n_trials=n_trials, timeout=timeout,
                           n_jobs=n_jobs, verbose=verbose)
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        counts = pd.Series([t.state.name.lower() for t in study.get_trials(deepcopy=False)])
        raise ValueError(
            f"No trial of study '{study.study_name}' completed "
            f"({counts.value_counts().to_dict()}), so there are no best parameters. Run more "
            f"trials, or let the pruner wait longer (e.g. MedianPruner(n_startup_trials=5, "
            f"n_warmup_steps=5))."
        )
    # The search space may set fixed values besides the suggested ones: replay it.
    best_params = _suggest(space, FixedTrial(study.best_params, study.best_trial.number),
                           estimator)
    best_estimator = _refit(estimator, best_params, seed, y, X, study) if refit else None
    return TuneResult(study, best_params, best_estimator, metric_name)


def _refit(estimator, best_params, seed, y, X, study):
    """Fit a clone with the best parameters on all of ``y``; ``estimator`` is never touched.

    The clone's fit is atomic, so a failure leaves nothing half-set; a
    ``TrainingError`` is raised again with what tuning found, so that the
    study is not lost.
    """
    try:
        with fit_label("refit with the best parameters"):
            return clone(estimator).set_params(**best_params, **seed).fit(y, X)
    except TrainingError as err:
        raise TrainingError(
            f"Tuning finished, but refitting {type(estimator).__name__} with the best "
            f"parameters {best_params} on all of y failed: {err} The study "
            f"'{study.study_name}' keeps every trial; fit a clone with these parameters and a "
            f"lower learning rate yourself, or call tune(..., refit=False)."
        ) from err


# ---------------------------------------------------------------------- search space
def _resolve_search_space(search_space, estimator):
    name = type(estimator).__name__
    if search_space is None:
        space = getattr(type(estimator), "default_search_space", None)
        if space is None:
            raise ValueError(
                f"{name} has no default search space (no 'default_search_space' attribute), so "
                f"{_OWNER} needs search_space=...: a function (trial) -> dict of parameter "
                f"values, or a dict of Optuna distributions such as "
                f"{{'learning_rate': optuna.distributions.FloatDistribution(1e-4, 1e-2, "
                f"log=True)}}."
            )
        return space
    if callable(search_space):
        return search_space
    if isinstance(search_space, dict):
        for key, dist in search_space.items():
            if not isinstance(dist, BaseDistribution):
                raise TypeError(
                    f"search_space['{key}'] passed to {_OWNER} is a {type(dist).__name__}; a "
                    f"dict search space maps parameter names to Optuna distributions (e.g. "
                    f"optuna.distributions.CategoricalDistribution({dist!r:.40})). Or pass a "
                    f"function (trial) -> dict."
                )
        _check_param_names(list(search_space), estimator)
        return lambda trial: {k: _suggest_one(trial, k, d) for k, d in search_space.items()}
    raise TypeError(
        f"The 'search_space' parameter of {_OWNER} must be a function (trial) -> dict, a dict "
        f"of Optuna distributions or None. Got {type(search_space).__name__} instead."
    )


def _suggest_one(trial, key, dist):
    if isinstance(dist, FloatDistribution):
        return trial.suggest_float(key, dist.low, dist.high, log=dist.log, step=dist.step)
    if isinstance(dist, IntDistribution):
        return trial.suggest_int(key, dist.low, dist.high, log=dist.log, step=dist.step)
    if isinstance(dist, CategoricalDistribution):
        return trial.suggest_categorical(key, dist.choices)
    raise TypeError(f"{_OWNER} cannot sample search_space['{key}'] of type "
                    f"{type(dist).__name__}; use a Float, Int or Categorical distribution.")


def _suggest(space, trial, estimator):
    params = space(trial)
    if not isinstance(params, dict):
        raise TypeError(
            f"The search space passed to {_OWNER} must return a dict of parameter values; it "
            f"returned {type(params).__name__}."
        )
    _check_param_names(list(params), estimator)
    return params


def _check_param_names(keys, estimator):
    valid = estimator.get_params(deep=False)
    unknown = [k for k in keys if k not in valid]
    if unknown:
        raise ValueError(
            f"The search space sets {unknown}, which {'is' if len(unknown) == 1 else 'are'} not "
            f"a parameter of {type(estimator).__name__}. Valid parameters: {sorted(valid)}."
        )


# ---------------------------------------------------------------------- scoring
def _resolve_metric(metric, validation):
    if validation == "val_loss":
        if metric != "mse":
            raise ValueError(
                f"With validation='val_loss' the score is the estimator's validation loss (a "
                f"mean squared error of scaled values), so metric must stay 'mse'. Got "
                f"{metric!r}; pass a holdout size as validation to score with {metric!r}."
            )
        return None, VAL_LOSS
    if callable(metric):
        return metric, getattr(metric, "__name__", "metric")
    if metric not in _METRICS:
        raise ValueError(
            f"The 'metric' parameter of {_OWNER} must be one of {sorted(_METRICS)} (functions "
            f"of tsforecast.metrics) or a callable (y_true, y_pred) -> float. Got {metric!r} "
            f"instead."
        )
    return METRICS[metric], metric


def _check_validation_loss(params, name, pruning, validation):
    """Pruning and validation='val_loss' need the estimator's validation tail."""
    if pruning and "trainer_kwargs" not in params:
        raise ValueError(
            f"{_OWNER} prunes trials through a Lightning callback in the estimator's "
            f"trainer_kwargs, but {name} has no 'trainer_kwargs' parameter. Pass "
            f"pruner=optuna.pruners.NopPruner() to tune it without pruning."
        )
    if (pruning or validation == "val_loss") and params.get("validation_size") == 0:
        what = "scores trials by" if validation == "val_loss" else "prunes trials on"
        raise ValueError(
            f"{_OWNER} {what} the validation loss, but {name} has validation_size="
            f"{params['validation_size']!r} and so no "
            f"validation tail. Set validation_size > 0 (e.g. 0.2), or pass "
            f"pruner=optuna.pruners.NopPruner() to tune without pruning."
        )


def _with_pruning(trainer_kwargs, trial):
    """A copy of ``trainer_kwargs`` whose callbacks end with the trial's pruning callback."""
    kwargs = dict(trainer_kwargs or {})
    own = kwargs.get("callbacks") or []
    kwargs["callbacks"] = [*(own if isinstance(own, (list, tuple)) else [own]),
                           PruningCallback(trial)]
    return kwargs


def _best_val_loss(est):
    losses = [row[VAL_LOSS] for row in getattr(est, "history_", ()) if VAL_LOSS in row]
    if not losses:
        raise ValueError(
            f"validation='val_loss' scores a trial by the validation loss in the history_ of "
            f"the fitted {type(est).__name__}, which recorded none. Score on a holdout instead "
            f"(validation=0.2)."
        )
    return float(np.nanmin(losses))


class _Fold:
    """One split: the rows to fit on, and per series the test span to forecast and score."""

    def __init__(self, y, X, series, spans):
        self.y, self.X = y, X  # the training rows, as the user's containers
        self.series, self.spans = series, spans  # all rows as series sets; [(start, stop)]

    def score(self, est, metric_fn):
        """``metric_fn`` of the forecasts of every test origin, made from its true history.

        The forecasts are :func:`tsforecast.model_selection.backtest`'s for a
        fitted model (one ``forecast_origins`` call per series, or ``predict``
        over the histories); every forecast step of every origin is one row
        of ``(y_true, y_pred)``.
        """
        H = est.horizon
        origins = []
        for start, stop in self.spans:
            if stop - start < H:
                raise ValueError(
                    f"A test span of {stop - start} rows is shorter than horizon={H}, so "
                    f"{_OWNER} cannot score a single forecast. Hold out more rows (validation "
                    f"or the cv's test size) or reduce 'horizon'."
                )
            origins.append(np.arange(start, stop - H + 1))
        ys, xs = self.series
        pairs = _forecast_fitted(est, ys, xs, origins, H, _OWNER)
        true, pred = (np.concatenate([p[j].reshape(-1, ys.n_columns) for p in pairs])
                      for j in (0, 1))
        if not np.isfinite(pred).all():  # e.g. a trial's settings that blow up the forecasts
            raise TrainingError(
                f"{np.size(pred) - np.isfinite(pred).sum()} of {np.size(pred)} forecasts of "
                f"{type(est).__name__} on the holdout are NaN or infinite, so this trial has no "
                f"score; tune records it as failed and goes on with the next."
            )
        return float(metric_fn(true, pred))


def _make_folds(y, X, validation, cv, name):
    if cv is not None and validation is not None:
        raise ValueError(
            f"{_OWNER} got both validation={validation!r} and cv; they are two ways to score "
            f"a trial. Pass one of them."
        )
    if validation == "val_loss":
        return []
    ys = as_series_set(y, name, "y")
    xs = as_series_set(X, name, "X") if X is not None else None
    if xs is not None:
        xs = check_covariates(xs, ys, name)
    if cv is None:
        size = _DEFAULT_HOLDOUT if validation is None else validation
        cuts = [n - n_rows(size, n, "validation", _OWNER, minimum=1,
                           also="'val_loss' or None") for n in ys.lengths]
        if any(cut <= 0 for cut in cuts):
            raise ValueError(
                f"validation={validation!r} holds out all of a series of {min(ys.lengths)} rows. "
                f"Hold out fewer rows."
            )
        if ys.is_list:  # the same container (list or dict) cut at each series' holdout
            fit_y = ys.heads(cuts)
            fit_X = xs.heads(cuts) if xs is not None else None
        else:
            fit_y = take_rows(y, 0, cuts[0])
            fit_X = take_rows(X, 0, cuts[0]) if X is not None else None
        return [_Fold(fit_y, fit_X, (ys, xs), list(zip(cuts, ys.lengths)))]
    if not callable(getattr(cv, "split", None)):
        raise TypeError(
            f"The 'cv' parameter of {_OWNER} must have a split(y) method yielding (train_idx, "
            f"test_idx), such as tsforecast.model_selection.RollingOriginSplit. Got "
            f"{type(cv).__name__} instead."
        )
    if ys.is_list:
        raise ValueError(
            f"cv splits one series, but y passed to {_OWNER} is a list of {len(ys.values)}. "
            f"Use validation=<holdout size> to tune on many series."
        )
    folds = []
    for k, (train, test) in enumerate(cv.split(y)):
        train, test = _contiguous(train, k, "train"), _contiguous(test, k, "test")
        if train[1] > test[0]:
            raise ValueError(
                f"Fold {k} of cv trains on rows {train[0]}..{train[1] - 1} but tests on rows "
                f"{test[0]}..{test[1] - 1}: the test rows must come after the training rows. "
                f"Use a chronological splitter such as "
                f"tsforecast.model_selection.RollingOriginSplit."
            )
        fit_X = take_rows(X, *train) if X is not None else None
        folds.append(_Fold(take_rows(y, *train), fit_X, (ys, xs), [test]))
    if not folds:
        raise ValueError(f"cv passed to {_OWNER} yielded no split. Check its settings.")
    return folds


def _contiguous(idx, k, what):
    idx = np.asarray(idx)
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer) or \
            np.any(np.diff(idx) != 1):
        raise ValueError(
            f"Fold {k} of cv gives {what} indices that are not a non-empty, increasing, "
            f"contiguous range of row numbers. Use a chronological splitter such as "
            f"tsforecast.model_selection.RollingOriginSplit."
        )
    return int(idx[0]), int(idx[-1]) + 1


def _default_pruner():
    return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)
