"""Reliability: a failed fit never corrupts a model, diverging training stops, bad inputs and
bad model files are refused with clear errors, and save/load keeps time-zone names.

Each section reproduces one fault class of issue 15; docs/guide/guarantees.md points here.
"""

import re

import numpy as np
import pandas as pd
import pytest
import pytorch_lightning as pl

from tsforecast.baselines import BASELINES
from tsforecast.exceptions import NotFittedError, TrainingError
from tsforecast.models import ESTIMATORS

from .conftest import FAST, seasonal


class Boom(pl.Callback):
    """Fail training at the end of the first epoch while ``armed``, as a NaN loss would."""

    def __init__(self, armed=True):
        self.armed = armed

    def on_train_epoch_end(self, trainer, pl_module):
        if self.armed:
            raise TrainingError("boom: training failed on purpose")


def fitted_state(est):
    """The fitted attributes (sklearn's trailing-underscore convention) by identity."""
    return {k: id(v) for k, v in vars(est).items() if k.endswith("_")}


# ----------------------------------------------------------------- 1. atomic fit
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_failed_fit_leaves_a_fresh_forecaster_unfitted(Estimator, sine_series):
    est = Estimator(**{**FAST, "trainer_kwargs": {"accelerator": "cpu", "callbacks": [Boom()]}})
    with pytest.raises(TrainingError, match="boom"):
        est.fit(sine_series)
    assert fitted_state(est) == {}
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        est.predict()


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_failed_refit_keeps_a_fitted_forecaster_exactly(Estimator, sine_series):
    boom = Boom(armed=False)
    est = Estimator(**{**FAST, "trainer_kwargs": {"accelerator": "cpu", "callbacks": [boom]}})
    before = est.fit(sine_series).predict()
    state = fitted_state(est)
    boom.armed = True
    with pytest.raises(TrainingError, match="boom"):
        est.fit(sine_series * 100 + 5)  # another scale: a new scaler would change forecasts
    assert fitted_state(est) == state
    pd.testing.assert_series_equal(est.predict(), before)


@pytest.mark.parametrize("Baseline", BASELINES, ids=lambda c: c.__name__)
def test_failed_refit_keeps_a_fitted_baseline_exactly(Baseline, sine_series):
    est = Baseline(horizon=6)
    if "season_length" in est.get_params():
        est.set_params(season_length=24)
    before = est.fit(sine_series).predict()
    state = fitted_state(est)
    with pytest.raises(ValueError, match="contains 1 NaN"):
        est.fit(sine_series.where(sine_series.index != sine_series.index[5]))
    assert fitted_state(est) == state
    pd.testing.assert_series_equal(est.predict(), before)
    fresh = Baseline(horizon=6)
    with pytest.raises(ValueError, match="contains 1 NaN"):
        fresh.fit(sine_series.where(sine_series.index != sine_series.index[5]))
    with pytest.raises(NotFittedError):
        fresh.predict()


def test_tune_refit_failure_leaves_the_estimator_as_it_was(sine_series, monkeypatch):
    import optuna

    import tsforecast.base
    from tsforecast.tuning import tune

    est = ESTIMATORS[0](**FAST)
    before = est.fit(sine_series).predict()
    params, state = est.get_params(), fitted_state(est)
    original = tsforecast.base.train_network
    calls = []

    def fail_on_refit(module, train_loader, *args, **kwargs):
        calls.append(len(train_loader.dataset))
        if len(calls) == 2:  # the trial's fit succeeds; the refit on all of y fails
            raise TrainingError("boom: refit failed on purpose")
        return original(module, train_loader, *args, **kwargs)

    monkeypatch.setattr(tsforecast.base, "train_network", fail_on_refit)
    with pytest.raises(TrainingError, match="best parameters.*boom"):
        tune(est, sine_series, search_space=lambda t: {"dropout": t.suggest_float("d", 0, .1)},
             n_trials=1, pruner=optuna.pruners.NopPruner(), random_state=0, verbose=False)
    assert len(calls) == 2
    assert est.get_params() == params and fitted_state(est) == state
    pd.testing.assert_series_equal(est.predict(), before)


# ----------------------------------------------------------------- 2. divergence detection
@pytest.mark.parametrize("learning_rate", [10.0, 1e3])
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_diverging_training_stops_with_a_clear_error(Estimator, learning_rate, sine_series):
    est = Estimator(**{**FAST, "learning_rate": learning_rate})
    with pytest.raises(TrainingError, match=r"The training loss .* at epoch 0, batch \d+.* "
                                            rf"diverg.*learning_rate={learning_rate}; try"):
        est.fit(sine_series)
    with pytest.raises(NotFittedError):
        est.predict()


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_normal_training_is_not_flagged_as_diverging(Estimator):
    """Several epochs at usual rates, every loss, on a noisy series with outliers and a shift."""
    y = seasonal(n=300, noise=0.3)
    y.iloc[[50, 120, 200]] += [6.0, -5.0, 8.0]  # outliers give batches with large losses
    y.iloc[250:] += 2.0  # a level shift late in the series
    for loss, learning_rate in [("mse", 3e-2), ("mae", 1e-2), ("huber", 1e-3)]:
        est = Estimator(**{**FAST, "max_epochs": 4, "patience": None, "loss": loss,
                           "learning_rate": learning_rate, "batch_size": 8})
        assert np.isfinite(est.fit(y).predict().to_numpy()).all()
    raw = Estimator(**{**FAST, "max_epochs": 3, "scaling": None, "learning_rate": 1e-2})
    assert np.isfinite(raw.fit(y * 1000 + 5e4).predict().to_numpy()).all()


def test_divergence_rule():
    from tsforecast._training import DIVERGENCE_FACTOR, DivergenceGuard

    factor = DIVERGENCE_FACTOR["squared"]
    guard = DivergenceGuard(factor=factor)
    assert guard.check_step(2.0) is None  # the first loss is the reference
    for loss in [0.5, 30.0, 150.0, 0.01, 2.0 * factor * 0.99]:  # noisy, not diverging
        assert guard.check_step(loss) is None
    assert "times its first value" in guard.check_step(2.0 * factor * 1.01)
    assert "not finite" in guard.check_step(float("nan"))
    assert "not finite" in guard.check_step(float("inf"))
    # a tiny first loss (an easy first batch) is floored at 1: no false alarm at 50
    small = DivergenceGuard(factor=DIVERGENCE_FACTOR["squared"])
    small.check_step(1e-4)
    assert small.check_step(50.0) is None
    # epoch means: far above the best epoch so far
    epochs = DivergenceGuard(factor=DIVERGENCE_FACTOR["linear"])
    epochs.check_step(1e4)  # unscaled data: a large first loss
    assert epochs.check_epoch(10.0) is None and epochs.check_epoch(20.0) is None
    assert "best epoch" in epochs.check_epoch(10.0 * DIVERGENCE_FACTOR["linear"] * 1.01)


# ----------------------------------------------------------------- 3. inputs that break arithmetic
EMPTY = {
    "array (0,)": lambda: np.array([]),
    "array (0, 2)": lambda: np.zeros((0, 2)),
    "array (240, 0)": lambda: np.zeros((240, 0)),
    "array (0, 0)": lambda: np.zeros((0, 0)),
    "Series": lambda: pd.Series([], dtype=float),
    "Series of object dtype": lambda: pd.Series([]),
    "DataFrame": lambda: pd.DataFrame(),
    "DataFrame without rows": lambda: pd.DataFrame({"a": []}, dtype=float),
    "DataFrame without columns": lambda: pd.DataFrame(index=pd.RangeIndex(240)),
    "list of an empty array": lambda: [np.arange(240.0), np.array([])],
}


@pytest.mark.parametrize("kind", EMPTY)
@pytest.mark.parametrize("Estimator", [ESTIMATORS[1], BASELINES[0]], ids=lambda c: c.__name__)
def test_empty_inputs_get_the_house_message(Estimator, kind, sine_series):
    est = Estimator(**(FAST if Estimator in ESTIMATORS else {"horizon": 6}))
    label = r"y\[1\]" if kind.startswith("list") else "y"
    with pytest.raises(ValueError, match=rf"^{label} passed to {Estimator.__name__} is empty "
                                         r"\(.*\)\. Expected at least one column"):
        est.fit(EMPTY[kind]())
    est.fit(sine_series.to_numpy() if kind.startswith(("array", "list")) else sine_series)
    if not kind.startswith("list"):
        with pytest.raises(ValueError, match=r"^y passed to .* is empty"):
            est.predict(y=EMPTY[kind]())


def test_empty_list_and_empty_covariates(sine_series):
    est = ESTIMATORS[1](**FAST)
    with pytest.raises(ValueError, match="y passed to LSTMForecaster is an empty list"):
        est.fit([])
    with pytest.raises(ValueError, match=r"^X passed to LSTMForecaster is empty"):
        est.fit(sine_series.to_numpy(), X=np.zeros((240, 0)))


@pytest.mark.parametrize("scale", [1e300, 1e160, -1e200])
@pytest.mark.parametrize("Estimator", [ESTIMATORS[1], BASELINES[2]], ids=lambda c: c.__name__)
def test_values_whose_statistics_overflow_are_refused(Estimator, scale, sine_series):
    est = Estimator(**(FAST if Estimator in ESTIMATORS else {"horizon": 6}))
    with pytest.raises(ValueError, match=r"y passed to .* has values too large .*column 'load'.*"
                                         r"Rescale y"):
        est.fit(sine_series * scale)


def test_large_but_safe_values_still_forecast(sine_series):
    est = ESTIMATORS[1](**FAST).fit(sine_series * 1e100)
    pred = est.predict()
    assert np.isfinite(pred.to_numpy()).all() and np.abs(pred).max() < 1e102


@pytest.mark.parametrize("Estimator", [ESTIMATORS[1], BASELINES[0]], ids=lambda c: c.__name__)
def test_a_huge_horizon_is_refused_up_front(Estimator, sine_series):
    est = Estimator(**(FAST if Estimator in ESTIMATORS else {"horizon": 6})).fit(sine_series)
    with pytest.raises(ValueError, match=r"horizon=1000000000, but allows at most 10000 "
                                         r"steps \(1000 times"):
        est.predict(horizon=10**9)
    if Estimator in BASELINES:  # the bound itself is allowed (cheap for a naive forecast)
        assert len(est.predict(horizon=10_000)) == 10_000


# ----------------------------------------------------------------- 4. corrupt model files
def _rewrite(src, dst, *, meta=None, weights=None):
    """Copy the model file ``src`` to ``dst`` with another model.json and/or weights.pt."""
    import json
    import zipfile

    with zipfile.ZipFile(src) as zf:
        old_meta, old_weights = json.loads(zf.read("model.json")), zf.read("weights.pt")
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr("model.json", json.dumps(old_meta if meta is None else meta(old_meta)))
        zf.writestr("weights.pt", old_weights if weights is None else weights(old_weights))
    return dst


def _torch_bytes(obj):
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def _state(weights):
    import io

    import torch

    return torch.load(io.BytesIO(weights), weights_only=True)


def _without(meta, *keys):
    part = meta
    for key in keys[:-1]:
        part = part[key]
    del part[keys[-1]]
    return meta


def _grown(state):
    """The state dict with its first tensor one row longer: another network's weights."""
    name = next(iter(state))
    import torch

    return {**state, name: torch.cat([state[name], state[name][:1]])}


def corrupt_copies(saved, tmp_path, fitted_fields):
    """(what, file, expected message) for every kind of damage, built by hand from ``saved``."""
    import collections
    import pickle

    import torch

    cases = [
        ("weights are a pickle", _rewrite(
            saved, tmp_path / "pickle.zip",
            weights=lambda w: pickle.dumps(collections.Counter(evil=1))),
         r"weights\.pt .*holds pickled objects other than tensors"),
        ("weights are a torch file of other objects", _rewrite(
            saved, tmp_path / "list.zip", weights=lambda w: _torch_bytes([1, 2, 3])),
         r"weights\.pt .*not a state dict"),
        ("weights are truncated", _rewrite(
            saved, tmp_path / "truncated.zip", weights=lambda w: w[: len(w) // 2]),
         r"weights\.pt .*truncated or damaged"),
        ("weights of another network", _rewrite(
            saved, tmp_path / "shapes.zip", weights=lambda w: _torch_bytes(_grown(_state(w)))),
         r"weights do not match the network .*: .* has shape"),
        ("a weight missing", _rewrite(
            saved, tmp_path / "missing.zip",
            weights=lambda w: _torch_bytes(dict(list(_state(w).items())[1:]))),
         r"weights do not match the network .*missing"),
        ("an unexpected weight", _rewrite(
            saved, tmp_path / "extra.zip",
            weights=lambda w: _torch_bytes({**_state(w), "intruder": torch.ones(1)})),
         r"weights do not match the network .*unexpected \['intruder'\]"),
        ("metadata without params", _rewrite(
            saved, tmp_path / "noparams.zip", meta=lambda m: _without(m, "params")),
         r"model\.json .*'params' is a required property"),
        ("an unknown parameter", _rewrite(
            saved, tmp_path / "unknown.zip", meta=lambda m: {**m, "params": {
                **m["params"], "flux_capacitor": 1}}),
         r"model\.json .*unknown parameters \['flux_capacitor'\]"),
    ]
    for field in fitted_fields:
        cases.append((f"metadata without fitted.{field}", _rewrite(
            saved, tmp_path / f"no_{field}.zip", meta=lambda m, f=field: _without(m, "fitted", f)),
            rf"model\.json .*at 'fitted': '{field}' is a required property"))
    return cases


def check_corrupt_files_are_refused(load, saved, tmp_path, fitted_fields):
    from tsforecast.exceptions import ModelFileError

    for what, path, message in corrupt_copies(saved, tmp_path, fitted_fields):
        with pytest.raises(ModelFileError) as info:
            load(path)
        text = str(info.value)
        assert str(path) in text, what
        assert re.search(message, text), (what, text)
        assert "weights_only" not in text and "Save the model again" in text, (what, text)


FORECASTER_FIELDS = ["n_features_in", "n_targets", "target_names", "covariate_names",
                     "input_kind", "index_end", "scaler", "last_window", "history",
                     "best_epoch"]


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_corrupt_model_files_are_refused_cleanly(Estimator, sine_series, tmp_path):
    import tsforecast

    saved = tmp_path / "model.tsf"
    Estimator(**FAST).fit(sine_series).save(saved)
    check_corrupt_files_are_refused(tsforecast.load, saved, tmp_path, FORECASTER_FIELDS)
    wrong_type = _rewrite(saved, tmp_path / "type.zip", meta=lambda m: {
        **m, "fitted": {**m["fitted"], "n_targets": "one"}})
    with pytest.raises(tsforecast.exceptions.ModelFileError,
                       match=r"at 'fitted/n_targets': 'one' is not of type 'integer'"):
        Estimator.load(wrong_type)


# ----------------------------------------------------------------- 5. time-zone names
@pytest.mark.parametrize("freq, periods", [("h", 240), ("D", 60)])
def test_save_load_keeps_the_time_zone_name_across_a_dst_change(freq, periods, tmp_path):
    import tsforecast

    # The series ends just before the spring change in Paris (2024-03-31, 02:00 -> 03:00):
    # every forecast stamp lies after it, so a fixed +01:00 offset would be wrong.
    end = pd.Timestamp("2024-03-31 00:00", tz="Europe/Paris")
    index = pd.date_range(end=end, periods=periods, freq=freq)
    y = pd.Series(seasonal(n=periods).to_numpy(), index=index, name="load")
    est = ESTIMATORS[1](**{**FAST, "lookback": 12}).fit(y)
    est.save(tmp_path / "paris.tsf")
    loaded = tsforecast.load(tmp_path / "paris.tsf")
    before, after = est.predict(), loaded.predict()
    assert str(after.index.tz) == "Europe/Paris"
    pd.testing.assert_series_equal(after, before)
    if freq == "D":  # local midnight before and after the change
        assert list(after.index.hour) == [0] * len(after)
    else:  # 02:00 does not exist on that night: 01:00 is followed by 03:00
        assert list(after.index.hour[:3]) == [1, 3, 4]


def test_save_load_keeps_utc_and_fixed_offsets(tmp_path):
    import datetime

    import tsforecast

    for tz in ["UTC", datetime.timezone(datetime.timedelta(hours=5, minutes=30))]:
        y = seasonal()
        y.index = y.index.tz_localize(tz)
        est = ESTIMATORS[1](**FAST).fit(y)
        est.save(tmp_path / "m.tsf")
        pd.testing.assert_series_equal(tsforecast.load(tmp_path / "m.tsf").predict(),
                                       est.predict())


# ----------------------------------------------------------------- the guarantees page
def test_guarantees_page_names_tests_that_exist():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "guide" / "guarantees.md").read_text()
    named = 0
    for block in text.split("Tests: ")[1:]:
        module = None
        for path, name in re.findall(r"`(?:(tests/[\w/]+\.py))?(?:::(\w+))?", block):
            if path:
                module = path
            if name:
                tree = ast.parse((root / module).read_text())
                functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
                assert name in functions, f"{module}::{name}"
                named += 1
        assert module is not None
    assert named >= 15


def test_quantile_loss_divergence_is_caught_and_normal_training_is_not(sine_series):
    quantile = dict(FAST, loss="quantile", quantiles=(0.1, 0.5, 0.9))
    est = ESTIMATORS[1](**{**quantile, "learning_rate": 10.0})
    with pytest.raises(TrainingError, match=r"diverg.*learning_rate=10.0"):
        est.fit(sine_series)
    fine = ESTIMATORS[1](**{**quantile, "max_epochs": 4, "learning_rate": 3e-2}).fit(sine_series)
    assert np.isfinite(fine.predict().to_numpy()).all()
