"""tune(): scoring on the original scale, pruning, persistent and shared studies, reproducibility.

Tiny series, 2-4 epochs and a handful of trials keep each test to seconds.
The subprocess tests kill a worker mid-trial and run two workers on one
study (SQLite, PostgreSQL from scripts/start-postgres.sh, a journal file);
they wait on marker files, never on fixed sleeps, and are bounded by
timeouts.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import optuna  # noqa: E402
import optuna.storages.journal  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import pytorch_lightning as pl  # noqa: E402
import sqlalchemy  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from optuna.distributions import (  # noqa: E402
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import TrialState  # noqa: E402
from sklearn.base import BaseEstimator, clone  # noqa: E402

from tsforecast import GRUForecaster, LSTMForecaster, RNNForecaster  # noqa: E402
from tsforecast.tuning import PruningCallback, TuneResult, tune  # noqa: E402

from .conftest import CPU_QUIET, seasonal  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(lookback=24, horizon=6, hidden_size=8, max_epochs=2, patience=None,
            trainer_kwargs=CPU_QUIET)


def small_space(trial):
    return {"hidden_size": trial.suggest_int("hidden_size", 4, 16),
            "learning_rate": trial.suggest_float("learning_rate", 1e-3, 3e-2, log=True)}


@pytest.fixture
def y():
    return seasonal(n=300)


def states(result_or_study):
    study = getattr(result_or_study, "study", result_or_study)
    return [t.state for t in study.trials]


# ------------------------------------------------------------------ search spaces
@pytest.mark.parametrize("Estimator", [RNNForecaster, LSTMForecaster, GRUForecaster],
                         ids=lambda c: c.__name__)
def test_recurrent_default_search_space(Estimator):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        trial = study.ask()
        params = Estimator.default_search_space(trial)
        assert set(params) == {"learning_rate", "hidden_size", "n_layers", "dropout"}
        assert 3e-4 <= params["learning_rate"] <= 3e-3
        assert 32 <= params["hidden_size"] <= 256 and params["n_layers"] in (1, 2)
        assert 0.0 <= params["dropout"] <= 0.6
        Estimator().set_params(**params)._check_params()
        study.tell(trial, 0.0)


def test_default_search_space_is_used(y):
    result = tune(LSTMForecaster(**{**TINY, "max_epochs": 1}), y, n_trials=1, random_state=0,
                  verbose=False)
    assert set(result.best_params) == {"learning_rate", "hidden_size", "n_layers", "dropout"}


def test_missing_default_search_space_is_an_error(y):
    class NoSpace(LSTMForecaster):
        default_search_space = None

    with pytest.raises(ValueError, match="NoSpace has no default search space"):
        tune(NoSpace(**TINY), y, n_trials=1)


def test_dict_of_distributions(y):
    space = {"hidden_size": IntDistribution(4, 8),
             "learning_rate": FloatDistribution(1e-3, 1e-2, log=True),
             "head": CategoricalDistribution(["linear", "parallel"])}
    result = tune(LSTMForecaster(**TINY), y, search_space=space, n_trials=3, random_state=0,
                  verbose=False)
    for trial in result.study.trials:
        assert 4 <= trial.params["hidden_size"] <= 8
        assert trial.params["head"] in ("linear", "parallel")
    assert result.best_estimator.get_params()["head"] == result.best_params["head"]


def test_bad_search_spaces(y):
    est = LSTMForecaster(**TINY)
    with pytest.raises(TypeError, match=r"search_space\['hidden_size'\].*Optuna distributions"):
        tune(est, y, search_space={"hidden_size": [8, 16]}, n_trials=1)
    with pytest.raises(ValueError, match=r"\['hiden_size'\], which is not a parameter of "
                                         r"LSTMForecaster"):
        tune(est, y, search_space={"hiden_size": IntDistribution(4, 8)}, n_trials=1)
    with pytest.raises(ValueError, match="not a parameter of LSTMForecaster"):
        tune(est, y, search_space=lambda t: {"n_units": t.suggest_int("n_units", 4, 8)},
             n_trials=1, verbose=False)
    with pytest.raises(TypeError, match="looks like a search space"):
        tune(est, y, small_space, n_trials=1)


def test_fixed_values_of_the_search_space_reach_the_refit(y):
    def space(trial):
        return {**small_space(trial), "max_epochs": 3}

    result = tune(LSTMForecaster(**TINY), y, search_space=space, n_trials=2, random_state=0,
                  verbose=False)
    assert result.best_params["max_epochs"] == 3
    assert result.best_estimator.max_epochs == 3 and len(result.best_estimator.history_) == 3


# ------------------------------------------------------------------ scoring
def test_holdout_score_is_the_metric_on_the_original_scale(y):
    est = LSTMForecaster(**TINY)
    result = tune(est, y, search_space=small_space, n_trials=2, validation=48,
                  random_state=0, verbose=False)
    assert est.get_params() == LSTMForecaster(**TINY).get_params()  # caller's estimator untouched
    assert not hasattr(est, "network_")
    # Redo the best trial by hand: fit on the rows before the holdout, forecast every origin.
    best = LSTMForecaster(**TINY).set_params(**result.best_params, random_state=0)
    best.fit(y.iloc[:-48])
    errors = []
    for origin in range(len(y) - 48, len(y) - 6 + 1):
        forecast = best.predict(y=y.iloc[:origin])
        errors.append(forecast.to_numpy() - y.iloc[origin:origin + 6].to_numpy())
    assert result.best_value == pytest.approx(np.mean(np.square(errors)), rel=1e-5)
    assert result.best_value == min(t.value for t in result.study.trials)
    # The same series in other units: the scaled network is the same, the MSE is 1e6 times larger.
    big = tune(est, y * 1000, search_space=small_space, n_trials=2, validation=48,
               random_state=0, verbose=False, metric="rmse")
    assert big.best_value == pytest.approx(1000 * np.sqrt(result.best_value), rel=1e-3)


def test_callable_metric(y):
    shapes = []

    def mean_abs(true, pred):
        shapes.append((true.shape, pred.shape))
        return float(np.mean(np.abs(true - pred)))

    kwargs = dict(search_space=small_space, n_trials=1, validation=48, random_state=0,
                  refit=False, verbose=False)
    result = tune(LSTMForecaster(**TINY), y, metric=mean_abs, **kwargs)
    n = (48 - 6 + 1) * 6  # every step of every origin, one column per target
    assert shapes == [((n, 1), (n, 1))] and result.metric == "mean_abs"
    assert result.best_value == pytest.approx(
        tune(LSTMForecaster(**TINY), y, metric="mae", **kwargs).best_value)


def test_refit_uses_the_best_parameters_on_all_of_y(y):
    result = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=2,
                  random_state=0, verbose=False)
    est = result.best_estimator
    assert est.get_params()["hidden_size"] == result.best_params["hidden_size"]
    assert est.random_state == 0 and est.get_params()["verbose"] is None
    pred = est.predict()
    assert pred.index[0] == y.index[-1] + pd.Timedelta("1h")
    no_refit = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=1,
                    refit=False, verbose=False)
    assert no_refit.best_estimator is None


def test_val_loss_validation(y):
    result = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=2,
                  validation="val_loss", random_state=0, verbose=False)
    # Scored by the estimator's own validation tail: the refit is the best trial's fit.
    history = result.best_estimator.history_
    assert result.best_value == pytest.approx(min(row["val_loss"] for row in history))
    assert result.metric == "val_loss"
    with pytest.raises(ValueError, match="metric must stay 'mse'"):
        tune(LSTMForecaster(**TINY), y, validation="val_loss", metric="mae", n_trials=1)


class TwoFolds:
    """A tiny rolling-origin splitter: expanding training rows, the next 30 rows to test."""

    def __init__(self, order="chronological"):
        self.order = order

    def split(self, y):
        n = len(y)
        for end in (n - 60, n - 30):
            train, test = np.arange(0, end), np.arange(end, end + 30)
            yield (test, train) if self.order == "reversed" else (train, test)


def test_cv_scores_the_mean_over_folds(y):
    result = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=2,
                  cv=TwoFolds(), random_state=0, verbose=False)
    for trial in result.study.trials:
        folds = trial.user_attrs["fold_scores"]
        assert len(folds) == 2 and trial.value == pytest.approx(np.mean(folds))
        # Pruning reports the validation loss of the first fold only, once per epoch.
        assert sorted(trial.intermediate_values) == [0, 1]
    with pytest.raises(ValueError, match="test rows must come after the training rows"):
        tune(LSTMForecaster(**TINY), y, search_space=small_space, cv=TwoFolds("reversed"),
             n_trials=1)
    with pytest.raises(ValueError, match="Pass one of them"):
        tune(LSTMForecaster(**TINY), y, cv=TwoFolds(), validation=0.2, n_trials=1)


def test_covariates_and_many_series(y, calendar):
    X = calendar.iloc[:240]
    result = tune(LSTMForecaster(**TINY), y.iloc[:240], X, search_space=small_space,
                  n_trials=1, verbose=False)
    assert result.best_estimator.predict(X=calendar.iloc[240:246]).shape == (6,)
    many = tune(LSTMForecaster(**TINY), [y, seasonal(n=260, seed=3)], search_space=small_space,
                n_trials=1, verbose=False)
    assert len(many.best_estimator.predict()) == 2


def test_bad_arguments(y):
    est = LSTMForecaster(**TINY)
    with pytest.raises(TypeError, match="fit, predict, get_params and set_params methods; "
                                        "got dict"):
        tune({"lookback": 3}, y)
    with pytest.raises(ValueError, match="'n_trials' parameter of tune\\(\\) must be a positive"):
        tune(est, y, n_trials=0)
    with pytest.raises(ValueError, match="'metric' parameter of tune\\(\\) must be one of"):
        tune(est, y, metric="r2", n_trials=1)
    with pytest.raises(ValueError, match="'validation' parameter of tune\\(\\) must be"):
        tune(est, y, validation=1.5, n_trials=1)
    with pytest.raises(TypeError, match="must have a split\\(y\\) method"):
        tune(est, y, cv=3, n_trials=1)
    with pytest.raises(ValueError, match="shorter than horizon=6"):
        tune(est, y, validation=4, n_trials=1, search_space=small_space, verbose=False)


# ------------------------------------------------------------------ pruning
class PruneAfterFirstTrial(optuna.pruners.BasePruner):
    """Forced pruning: every trial but the first is pruned at its second epoch."""

    def prune(self, study, trial):
        return trial.number > 0 and trial.last_step is not None and trial.last_step >= 1


class AlwaysPrune(optuna.pruners.BasePruner):
    def prune(self, study, trial):
        return True


def test_forced_pruning_stops_training_early(y):
    est = LSTMForecaster(**{**TINY, "max_epochs": 4})
    result = tune(est, y, search_space=small_space, n_trials=3, pruner=PruneAfterFirstTrial(),
                  random_state=0, verbose=False)
    first, *others = result.study.trials
    assert first.state == TrialState.COMPLETE and sorted(first.intermediate_values) == [0, 1, 2, 3]
    for trial in others:
        # TrialPruned got through Lightning: the trial stopped after epoch 1 of 4.
        assert trial.state == TrialState.PRUNED
        assert sorted(trial.intermediate_values) == [0, 1]
    assert (result.n_complete, result.n_pruned, result.best_trial) == (1, 2, 0)
    table = result.summary()
    assert list(table["state"]) == ["complete", "pruned", "pruned"]
    assert table["value"].isna().tolist() == [False, True, True]
    assert table.loc[1, "val_loss"] == others[0].intermediate_values[1]


def test_all_trials_pruned_is_an_error(y):
    with pytest.raises(ValueError, match=r"No trial of study .* completed \({'pruned': 2}\)"):
        tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=2,
             pruner=AlwaysPrune(), verbose=False)


def test_missing_validation_loss_is_an_error(y):
    no_tail = r"validation_size=0.0 and so no validation tail.*NopPruner"
    with pytest.raises(ValueError, match=no_tail):
        tune(LSTMForecaster(**{**TINY, "validation_size": 0.0}), y, n_trials=1)

    def no_validation(trial):  # the search space removes the validation tail of a trial
        return {**small_space(trial), "validation_size": 0.0}

    with pytest.raises(ValueError, match="monitors 'val_loss', but training logged no such"):
        tune(LSTMForecaster(**TINY), y, search_space=no_validation, n_trials=1, verbose=False)
    # Without pruning the same trial is fine.
    result = tune(LSTMForecaster(**TINY), y, search_space=no_validation, n_trials=1,
                  pruner=optuna.pruners.NopPruner(), verbose=False)
    assert result.n_complete == 1 and not result.study.trials[0].intermediate_values


def test_pruning_callback_in_a_hand_written_objective(y):
    def objective(trial):
        est = LSTMForecaster(**{**TINY, "trainer_kwargs": {
            "accelerator": "cpu", "callbacks": [PruningCallback(trial)]}})
        est.set_params(**small_space(trial)).fit(y)
        return min(row["val_loss"] for row in est.history_)

    study = optuna.create_study(pruner=PruneAfterFirstTrial())
    study.optimize(objective, n_trials=2)
    assert states(study) == [TrialState.COMPLETE, TrialState.PRUNED]


def test_pruning_callback_travels_in_trainer_kwargs_after_the_users(y, tmp_path):
    fits = []

    class Spy(pl.Callback):  # a user's own callback, in the estimator's trainer_kwargs
        def on_fit_start(self, trainer, pl_module):
            fits.append([type(c).__name__ for c in trainer.callbacks])

    est = LSTMForecaster(**{**TINY, "trainer_kwargs": {**CPU_QUIET, "callbacks": [Spy()]}})
    result = tune(est, y, search_space=small_space, n_trials=2, random_state=0, verbose=False)
    *trials, refit = fits
    assert len(trials) == 2
    for names in trials:  # each trial: the user's callback, then the trial's pruning callback
        assert names.index("Spy") < names.index("PruningCallback")
    assert "PruningCallback" not in refit and "Spy" in refit
    best = result.best_estimator
    assert [type(c).__name__ for c in best.trainer_kwargs["callbacks"]] == ["Spy"]
    assert est.trainer_kwargs["callbacks"][0] is not best.trainer_kwargs["callbacks"][0]
    assert not hasattr(best, "_fit_callbacks")
    # Without callbacks of the user's, the tuned model saves without a word about them.
    plain = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=1,
                 random_state=0, verbose=False).best_estimator
    assert plain.trainer_kwargs == CPU_QUIET
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain.save(tmp_path / "tuned.zip")


def test_a_cloned_pruning_callback_reports_to_the_same_trial(y):
    study = optuna.create_study()
    trial = study.ask()
    est = LSTMForecaster(trainer_kwargs={"callbacks": [PruningCallback(trial)]})
    copy = clone(est).trainer_kwargs["callbacks"][0]
    assert copy is not est.trainer_kwargs["callbacks"][0] and copy.trial is trial


class Damped(BaseEstimator):
    """A third-party forecaster with only fit/predict: the last value pulled to the mean."""

    def __init__(self, weight=0.5, horizon=6):
        self.weight = weight
        self.horizon = horizon

    def fit(self, y, X=None):
        values = np.asarray(y, dtype=float).reshape(len(y), -1)
        self.mean_, self.last_ = values.mean(axis=0), values[-1]
        return self

    def _from(self, last, horizon):
        level = self.weight * last + (1 - self.weight) * self.mean_
        return np.repeat(level[..., None, :], horizon, axis=-2)

    def predict(self, horizon=None, X=None, y=None):
        horizon = horizon or self.horizon
        if y is None:
            return self._from(self.last_, horizon)
        return [self._from(np.asarray(h, dtype=float).reshape(len(h), -1)[-1], horizon)
                for h in y]


class DampedBatched(Damped):
    """The same, with the batched forecast_origins contract (counted in ``calls``)."""

    calls = []

    def forecast_origins(self, values, origins, horizon, series=None, quantiles=False):
        self.calls.append(len(origins))
        return self._from(values[np.asarray(origins) - 1, :len(self.mean_)], horizon)


@pytest.mark.parametrize("Estimator", [Damped, DampedBatched], ids=lambda c: c.__name__)
def test_a_third_party_estimator_is_tuned_through_its_public_methods(y, Estimator):
    DampedBatched.calls.clear()
    space = {"weight": CategoricalDistribution([0.0, 0.5, 1.0])}
    # No trainer_kwargs to carry a pruning callback: pruning is off by default.
    result = tune(Estimator(), y, search_space=space, n_trials=4, validation=48,
                  random_state=0, verbose=False)
    assert result.n_complete == 4
    for trial in result.study.trials:  # the holdout MSE of every origin, by hand
        est = Damped(weight=trial.params["weight"]).fit(y.iloc[:-48])
        errors = [est.predict(y=[y.iloc[:o]])[0].ravel() - y.iloc[o:o + 6].to_numpy()
                  for o in range(len(y) - 48, len(y) - 6 + 1)]
        assert trial.value == pytest.approx(np.mean(np.square(errors)))
    # forecast_origins, found by duck typing, made every forecast of a trial in one call
    assert DampedBatched.calls == ([43] * 4 if Estimator is DampedBatched else [])
    assert result.best_estimator.weight == result.best_params["weight"]
    assert result.best_estimator.predict().shape == (6, 1)
    with pytest.raises(ValueError, match="Damped.* has no 'trainer_kwargs' parameter. Pass "
                                         "pruner=optuna.pruners.NopPruner"):
        tune(Estimator(), y, search_space=space, n_trials=1,
             pruner=optuna.pruners.MedianPruner())


class SometimesNaN(Damped):
    """Damped whose forecasts are all NaN when ``weight`` is negative (settings that blow up)."""

    def _from(self, last, horizon):
        return super()._from(last, horizon) * (np.nan if self.weight < 0 else 1.0)


def test_a_trial_with_non_finite_forecasts_fails_and_the_study_goes_on(y):
    space = {"weight": CategoricalDistribution([-1.0, 0.5])}
    result = tune(SometimesNaN(), y, search_space=space, n_trials=6, validation=48,
                  random_state=0, verbose=False)
    states = {t.params["weight"]: t.state.name for t in result.study.trials}
    assert states == {-1.0: "FAIL", 0.5: "COMPLETE"}
    assert result.best_params == {"weight": 0.5}


# ------------------------------------------------------------------ reproducibility and output
def test_random_state_reproduces_the_study(y):
    runs = [tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=3,
                 random_state=7, verbose=False) for _ in range(2)]
    a, b = (r.summary().drop(columns=["duration_s", "worker"]) for r in runs)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(runs[0].best_estimator.predict(),
                                   runs[1].best_estimator.predict())
    other = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=3,
                 random_state=8, verbose=False)
    assert other.summary()["hidden_size"].tolist() != a["hidden_size"].tolist()


def test_verbose_shows_progress_and_trial_logs(y, capfd):
    level = optuna.logging.get_verbosity()
    tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=2, verbose=False)
    quiet = capfd.readouterr()
    assert quiet.err == "" and quiet.out == ""
    tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=2, verbose=True)
    loud = capfd.readouterr()
    # The bar is on stderr; Optuna writes its log lines above it with tqdm.write.
    assert "2/2" in loud.err and "Trial 1 finished with value" in loud.out + loud.err
    assert optuna.logging.get_verbosity() == level


def test_result_summary_and_plots(y):
    result = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=3,
                  random_state=0, verbose=False)
    assert isinstance(result, TuneResult) and "3 complete" in repr(result)
    table = result.summary()
    assert list(table.index) == [0, 1, 2]
    assert {"state", "value", "val_loss", "hidden_size", "learning_rate"} <= set(table.columns)
    assert table["value"].min() == result.best_value
    assert "params_hidden_size" in result.trials_dataframe().columns
    ax = result.plot_optimization_history()
    assert isinstance(ax, Axes) and ax.get_ylabel() == "mse"
    assert isinstance(result.plot_intermediate_values(), Axes)
    plt.close("all")


def test_n_jobs_runs_trials_in_threads(y):
    result = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=2, n_jobs=2,
                  verbose=False)
    assert states(result) == [TrialState.COMPLETE] * 2


# ------------------------------------------------------------------ persistent studies
def test_n_trials_counts_the_whole_study(y, tmp_path):
    kwargs = dict(search_space=small_space, storage=f"sqlite:///{tmp_path / 'study.db'}",
                  study_name="lstm", refit=False, verbose=False)
    tune(LSTMForecaster(**TINY), y, n_trials=2, random_state=0, **kwargs)
    result = tune(LSTMForecaster(**TINY), y, n_trials=3, random_state=1, **kwargs)
    assert len(result.study.trials) == 3
    again = tune(LSTMForecaster(**TINY), y, n_trials=3, **kwargs)  # nothing left to run
    assert len(again.study.trials) == 3 and again.best_value == result.best_value
    with pytest.raises(ValueError, match="Study 'lstm' was tuned with .*'mse'.* this call uses"):
        tune(LSTMForecaster(**TINY), y, n_trials=4, metric="mae", **kwargs)


def test_a_study_whose_tags_another_worker_is_still_writing_is_joined(tmp_path):
    """Tags go in one at a time: a worker that finds only some must not refuse the study."""
    from tsforecast.tuning import _storage

    url = f"sqlite:///{tmp_path / 'study.db'}"
    tags = {"tsforecast:estimator": "LSTMForecaster", "tsforecast:metric": "mse",
            "tsforecast:scoring": "validation=0.2"}
    first = optuna.create_study(storage=url, study_name="s")
    first.set_user_attr("tsforecast:estimator", "LSTMForecaster")  # the creator, mid-way
    study = _storage.open_study(url, "tune", study_name="s", sampler=None, pruner=None,
                                tags=tags)
    assert {k: v for k, v in study.user_attrs.items() if k in tags} == tags
    with pytest.raises(ValueError, match="Study 's' was tuned with .*'mse'.* this call uses"):
        _storage.open_study(url, "tune", study_name="s", sampler=None, pruner=None,
                            tags={**tags, "tsforecast:metric": "mae"})


class CtrlCInSecondFit(pl.Callback):
    fits = 0  # a class attribute: clone() deep-copies the callbacks in trainer_kwargs

    def on_train_start(self, trainer, pl_module):
        type(self).fits += 1
        if type(self).fits == 2:
            raise KeyboardInterrupt


@pytest.mark.parametrize("where", ["search space", "training"])
def test_ctrl_c_requeues_the_interrupted_trial(y, where):
    interrupted = []

    def space(trial):
        params = small_space(trial)
        if where == "search space" and trial.number == 1 and not interrupted:
            interrupted.append(trial.number)
            raise KeyboardInterrupt
        return params

    CtrlCInSecondFit.fits = 0
    trainer_kwargs = {"accelerator": "cpu",
                      "callbacks": [CtrlCInSecondFit()] if where == "training" else []}
    est = LSTMForecaster(**{**TINY, "trainer_kwargs": trainer_kwargs})
    kwargs = dict(search_space=space, storage=optuna.storages.InMemoryStorage(),
                  study_name="ctrl-c", n_trials=3, refit=False, verbose=False)
    handler = signal.getsignal(signal.SIGINT)
    try:
        # Lightning catches Ctrl+C during fit and exits the process with SystemExit.
        with pytest.raises(KeyboardInterrupt if where == "search space" else SystemExit):
            tune(est, y, **kwargs)
    finally:
        signal.signal(signal.SIGINT, handler)  # Lightning ignores SIGINT after catching one
    trials = optuna.load_study(study_name="ctrl-c", storage=kwargs["storage"]).trials
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAIL,
                                         TrialState.WAITING]
    result = tune(est, y, **kwargs)
    trials = result.study.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAIL] + \
        [TrialState.COMPLETE] * 2
    assert trials[2].params == trials[1].params and result.n_complete == 3


WORKER = textwrap.dedent("""
    import os, sys, time
    import torch
    torch.set_num_threads(1)
    sys.path.insert(0, {tests!r})
    from conftest import seasonal
    from tsforecast import LSTMForecaster
    from tsforecast.tuning import tune

    storage, name, n_trials, seed, hang_at, marker, barrier = sys.argv[1:8]
    if storage.startswith("journal:"):  # a journal file, for clusters without a database
        import optuna
        from optuna.storages.journal import JournalFileBackend
        storage = optuna.storages.JournalStorage(JournalFileBackend(storage[len("journal:"):]))

    def space(trial):
        params = {{"hidden_size": trial.suggest_int("hidden_size", 4, 16),
                  "learning_rate": trial.suggest_float("learning_rate", 1e-3, 3e-2, log=True)}}
        if trial.number == int(hang_at):  # stand-in for a long trial that gets killed
            open(marker, "w").close()
            time.sleep(600)
        return params

    if barrier != "-":  # start together with the other worker
        open(barrier + "." + str(os.getpid()), "w").close()
        deadline = time.time() + 120
        while len([p for p in os.listdir(os.path.dirname(barrier))
                   if p.startswith(os.path.basename(barrier) + ".")]) < 2:
            assert time.time() < deadline, "the other worker never started"
            time.sleep(0.05)
    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=8, max_epochs=2, patience=None,
                         trainer_kwargs={{"accelerator": "cpu"}})
    tune(est, seasonal(n=300), search_space=space, n_trials=int(n_trials), storage=storage,
         study_name=name, random_state=int(seed), refit=False, verbose=False)
    print("worker done")
""")


def start_worker(tmp_path, *args):
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(tests=str(ROOT / "tests")))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / f"worker-{time.monotonic_ns()}.log", "w")
    proc = subprocess.Popen([sys.executable, str(script), *map(str, args)], cwd=tmp_path,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name
    return proc


def wait_for(path, proc, timeout=180):
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"worker exited early:\n{Path(proc.log_path).read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {path.name} after {timeout} s:\n{Path(proc.log_path).read_text()}")
        time.sleep(0.05)


def kill_mid_trial(tmp_path, url, name):
    """SIGKILL a worker of a 4-trial study while its trial 2 runs; return the trials then."""
    marker = tmp_path / "hanging"
    proc = start_worker(tmp_path, url, name, 4, 0, 2, marker, "-")
    try:
        wait_for(marker, proc)  # trials 0 and 1 are done, trial 2 is running
    finally:
        proc.kill()
        proc.wait(timeout=60)
    before = optuna.load_study(study_name=name, storage=url).trials
    assert [t.state for t in before] == [TrialState.COMPLETE] * 2 + [TrialState.RUNNING]
    return before


@pytest.mark.timeout(300)
def test_killed_study_resumes_without_losing_or_repeating_trials(y, tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    before = kill_mid_trial(tmp_path, url, "killed")

    result = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=4,
                  storage=url, study_name="killed", refit=False, verbose=False)
    after = result.study.trials
    assert [t.state for t in after] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL] + \
        [TrialState.COMPLETE] * 2
    for old, new in zip(before[:2], after[:2]):  # finished trials are kept as they were
        assert (new.params, new.value) == (old.params, old.value)
    # The interrupted trial is re-run once with its parameters, then a new one completes 4.
    assert after[3].params == before[2].params and after[3].system_attrs["failed_trial"] == 2
    complete = [tuple(sorted(t.params.items())) for t in after if t.state == TrialState.COMPLETE]
    assert len(complete) == len(set(complete)) == 4


def new_database(server_url):
    """A fresh database on the session's PostgreSQL server (tests share the server)."""
    name = f"t{time.monotonic_ns()}"
    engine = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.mark.timeout(300)
def test_a_worker_lost_on_another_machine_is_retried_after_its_heartbeat(postgres, tmp_path, y):
    url = new_database(postgres["URL"])
    before = kill_mid_trial(tmp_path, url, "remote")
    killed_at = time.monotonic()
    # Make the lost trial look as if it ran on another machine, where no process check
    # reaches: only its heartbeat tells. A short grace period keeps the test quick.
    with warnings.catch_warnings():  # Optuna calls heartbeats experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = optuna.storages.RDBStorage(
            url, heartbeat_interval=1, grace_period=2,
            heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
                max_retry=2))
    storage.set_trial_user_attr(before[2]._trial_id, "worker", "elsewhere:1")
    time.sleep(max(0.0, killed_at + 2.5 - time.monotonic()))  # let the grace period pass
    result = tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=4,
                  storage=storage, study_name="remote", refit=False, verbose=False)
    after = result.study.trials
    assert [t.state for t in after] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL] + \
        [TrialState.COMPLETE] * 2
    for old, new in zip(before[:2], after[:2]):  # no finished trial lost
        assert (new.params, new.value) == (old.params, old.value)
    assert after[3].params == before[2].params and after[3].system_attrs["failed_trial"] == 2


@pytest.mark.timeout(60)
def test_a_storage_whose_server_is_down_is_a_clear_error(y):
    pytest.importorskip("psycopg2", reason="psycopg2 is in the dev extra")
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg2://tsforecast:secret@127.0.0.1:{port}/tsforecast"
    start = time.monotonic()
    with pytest.raises(ConnectionError, match=(
            rf"tune\(\) could not connect to the study storage "
            rf"postgresql\+psycopg2://tsforecast:\*\*\*@127.0.0.1:{port}/tsforecast: "
            rf"connection to server .* refused\. Check that the database server is running")):
        tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=1, storage=url,
             verbose=False)
    assert time.monotonic() - start < 20


@pytest.mark.timeout(120)
def test_a_role_without_rights_is_a_clear_error(postgres, y):
    with pytest.raises(PermissionError, match=(
            r"tune\(\) may not create or use Optuna's tables in the study storage "
            r"postgresql\+psycopg2://noperm@.*permission denied for schema public\. .*"
            r"GRANT CREATE, USAGE ON SCHEMA public TO noperm")):
        tune(LSTMForecaster(**TINY), y, search_space=small_space, n_trials=1,
             storage=postgres["NOPERM_URL"], verbose=False)


def journal(path):
    return optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(path)))


@pytest.fixture(params=["sqlite", "postgresql", "journal"])
def shared_storage(request, tmp_path):
    """(URL for the workers, storage for this process) of each kind of shared study."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        return url, url
    if request.param == "journal":
        return f"journal:{tmp_path / 'shared.log'}", journal(tmp_path / "shared.log")
    url = new_database(request.getfixturevalue("postgres")["URL"])
    return url, url


@pytest.mark.timeout(300)
def test_two_workers_share_one_study(shared_storage, tmp_path):
    url, storage = shared_storage
    barrier = tmp_path / "ready"
    workers = [start_worker(tmp_path, url, "shared", 6, seed, -1, "-", barrier)
               for seed in (1, 2)]
    try:
        for proc in workers:
            proc.wait(timeout=240)
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=60)
    for proc in workers:
        assert proc.returncode == 0, Path(proc.log_path).read_text()
    trials = optuna.load_study(study_name="shared", storage=storage).trials
    finished = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    # n_trials is the study's total; two workers starting their last trials in the same
    # instant may overshoot it by one.
    assert len(finished) == len(trials) and 6 <= len(trials) <= 7
    assert len({t.user_attrs["worker"] for t in trials}) == 2  # both workers ran trials
    params = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(params)) == len(params)


def test_example_quick(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import tuning_etth1
    finally:
        sys.path.remove(str(ROOT / "examples"))
    tuning_etth1.main(["--quick", "--storage", f"sqlite:///{tmp_path / 'etth1.db'}"])
    out = capsys.readouterr().out
    assert "trials:" in out and "best holdout MSE" in out
