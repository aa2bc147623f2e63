"""Every check x every estimator in the registry: the estimator contract as a specification.

Each check takes a fast, unfitted estimator and the seasonal fixture series.
A new model in ``tsforecast.models.ESTIMATORS`` is covered automatically.
"""

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import tsforecast
from tsforecast.exceptions import ModelFileError, NotFittedError
from tsforecast.models import ESTIMATORS

from .conftest import FAST, seasonal


def _calendar(index):
    return pd.DataFrame({"hour_sin": np.sin(2 * np.pi * index.hour / 24),
                         "hour_cos": np.cos(2 * np.pi * index.hour / 24)}, index=index)


# ----------------------------------------------------------------- construction
def check_default_constructible(est, y):
    default = type(est)()
    params = default.get_params()
    signature = inspect.signature(type(est).__init__).parameters
    assert set(params) == set(signature) - {"self"}
    for name, p in signature.items():
        if name != "self":
            assert params[name] == p.default


def check_init_stores_params_only(est, y):
    assert set(vars(est)) == set(est.get_params())


def check_clone_and_set_params(est, y):
    copy = clone(est)
    assert copy is not est and copy.get_params() == est.get_params()
    copy.set_params(lookback=12, max_epochs=2)
    assert copy.get_params()["lookback"] == 12 and est.get_params()["lookback"] == 24
    copy.fit(y)
    assert copy.predict().shape == (est.horizon,)


def check_fit_leaves_params_unchanged(est, y):
    before = est.get_params()
    est.fit(y)
    assert est.get_params() == before


# ----------------------------------------------------------------- fit and predict
def check_unfitted_predict_raises(est, y):
    with pytest.raises(NotFittedError, match=f"This {type(est).__name__} instance is not fitted"):
        est.predict()


def check_fit_returns_self(est, y):
    assert est.fit(y) is est
    assert est.n_features_in_ == 1 and est.target_names_ == ["load"]
    assert est.history_ and "train_loss" in est.history_[0]


def check_predict_series(est, y):
    pred = est.fit(y).predict()
    assert isinstance(pred, pd.Series) and pred.name == "load"
    expected = pd.date_range(y.index[-1] + pd.Timedelta("1h"), periods=est.horizon, freq="h")
    pd.testing.assert_index_equal(pred.index, expected, check_names=False)
    assert np.isfinite(pred.to_numpy()).all()


def check_predict_frame(est, y):
    frame = pd.DataFrame({"a": y, "b": seasonal(seed=5, phase=1.0)})
    pred = est.fit(frame).predict()
    assert isinstance(pred, pd.DataFrame) and list(pred.columns) == ["a", "b"]
    assert pred.shape == (est.horizon, 2) and np.isfinite(pred.to_numpy()).all()


def check_channel_independent(est, y):
    frame = pd.DataFrame({"a": y, "b": seasonal(seed=5, phase=1.0)})
    pred = est.set_params(channel_independent=True).fit(frame).predict()
    assert pred.shape == (est.horizon, 2) and np.isfinite(pred.to_numpy()).all()


def check_predict_numpy(est, y):
    pred1 = est.fit(y.to_numpy()).predict()
    assert isinstance(pred1, np.ndarray) and pred1.shape == (est.horizon,)
    pred2 = est.fit(np.column_stack([y.to_numpy(), y.to_numpy() ** 2])).predict(horizon=3)
    assert pred2.shape == (3, 2)


def check_predict_range_index(est, y):
    series = pd.Series(y.to_numpy(), index=pd.RangeIndex(100, 100 + 2 * len(y), 2))
    pred = est.fit(series).predict()
    assert list(pred.index) == list(range(100 + 2 * len(y), 100 + 2 * len(y) + 2 * est.horizon, 2))


def check_many_series(est, y):
    other = seasonal(n=200, seed=3)
    preds = est.fit([y, other]).predict()
    assert isinstance(preds, list) and len(preds) == 2
    assert preds[1].index[0] == other.index[-1] + pd.Timedelta("1h")


def check_recursive_strategy(est, y):
    est.set_params(strategy="recursive").fit(y)
    pred = est.predict(horizon=2 * est.horizon + 1)
    assert len(pred) == 2 * est.horizon + 1 and np.isfinite(pred.to_numpy()).all()


def check_direct_rolls_in_blocks(est, y):
    est.fit(y)
    short, long = est.predict(horizon=est.horizon), est.predict(horizon=2 * est.horizon + 1)
    assert len(long) == 2 * est.horizon + 1
    np.testing.assert_allclose(long.to_numpy()[: est.horizon], short.to_numpy(), rtol=1e-5)


def check_new_history(est, y):
    est.fit(y)
    recent = y.iloc[:150]
    pred = est.predict(y=recent)
    assert pred.index[0] == recent.index[-1] + pd.Timedelta("1h")
    assert not np.allclose(pred.to_numpy(), est.predict().to_numpy())


def check_covariates(est, y):
    full = _calendar(pd.date_range(y.index[0], periods=len(y) + 24, freq="h"))
    est.fit(y, X=full.iloc[: len(y)])
    assert est.covariate_names_ == ["hour_sin", "hour_cos"]
    pred = est.predict(X=full.iloc[len(y):])
    assert len(pred) == est.horizon and np.isfinite(pred.to_numpy()).all()
    # with a new history, X covers that history and the forecast span
    pred_new = est.predict(y=y.iloc[:200], X=full.iloc[: 200 + est.horizon])
    assert pred_new.index[0] == y.index[200]
    with pytest.raises(ValueError, match="was fitted with covariates.*predict needs X"):
        est.predict()
    with pytest.raises(ValueError, match=r"has 3 rows, but 6 are needed"):
        est.predict(X=full.iloc[len(y): len(y) + 3])
    with pytest.raises(ValueError, match=r"missing \['hour_cos'\]"):
        est.predict(X=full.iloc[len(y):][["hour_sin"]])
    with pytest.raises(ValueError, match=r"unexpected \['extra'\]"):
        est.predict(X=full.iloc[len(y):].assign(extra=1.0))
    with pytest.raises(ValueError, match="expected"):
        est.predict(X=full.iloc[len(y) + 1:])


def check_covariates_misaligned_at_fit(est, y):
    X = _calendar(y.index)
    with pytest.raises(ValueError, match=r"X passed to .* has 100 rows but y has 240"):
        est.fit(y, X=X.iloc[:100])


# ----------------------------------------------------------------- reproducibility
def check_deterministic(est, y):
    a = clone(est).fit(y).predict()
    b = clone(est).fit(y).predict()
    pd.testing.assert_series_equal(a, b)


def check_refit_starts_fresh(est, y):
    first = est.fit(y).predict()
    est.fit(seasonal(seed=9))
    again = est.fit(y).predict()
    pd.testing.assert_series_equal(first, again)


def check_save_load(est, y, tmp_path):
    est.fit(y)
    path = tmp_path / "model.tsf"
    est.save(path)
    for loaded in (type(est).load(path), tsforecast.load(path)):
        assert type(loaded) is type(est) and loaded.get_params() == est.get_params()
        pd.testing.assert_series_equal(loaded.predict(), est.predict())
        pd.testing.assert_series_equal(loaded.predict(horizon=3, y=y.iloc[:100]),
                                       est.predict(horizon=3, y=y.iloc[:100]))


def check_save_load_covariates(est, y, tmp_path):
    X = _calendar(pd.date_range(y.index[0], periods=len(y) + 24, freq="h"))
    est.fit(y, X=X.iloc[: len(y)])
    est.save(tmp_path / "m.tsf")
    loaded = tsforecast.load(tmp_path / "m.tsf")
    pd.testing.assert_series_equal(loaded.predict(X=X.iloc[len(y):]),
                                   est.predict(X=X.iloc[len(y):]))


def check_pickle(est, y):
    est.fit(y)
    loaded = pickle.loads(pickle.dumps(est))
    pd.testing.assert_series_equal(loaded.predict(), est.predict())


def check_inputs_not_mutated(est, y):
    frame = pd.DataFrame({"a": y, "b": seasonal(seed=5)})
    X = _calendar(pd.date_range(y.index[0], periods=len(y) + 24, freq="h"))
    frame_copy, X_copy = frame.copy(deep=True), X.copy(deep=True)
    est.fit(frame, X=X.iloc[: len(y)])
    est.predict(X=X.iloc[len(y):])
    est.predict(y=frame.iloc[:150], X=X.iloc[:150 + est.horizon])
    pd.testing.assert_frame_equal(frame, frame_copy)
    pd.testing.assert_frame_equal(X, X_copy)
    array = y.to_numpy().copy()
    est.fit(array)
    np.testing.assert_array_equal(array, y.to_numpy())


# ----------------------------------------------------------------- errors
def check_too_short(est, y):
    name = type(est).__name__
    with pytest.raises(ValueError, match=rf"{name} needs at least lookback \+ horizon = 30 "
                                         r"time steps.*but y has 20\. Reduce 'lookback'"):
        est.fit(y.iloc[:20])


def check_validation_does_not_fit(est, y):
    with pytest.raises(ValueError, match="validation_size=0"):
        est.fit(y.iloc[:32])
    assert len(est.set_params(validation_size=0.0).fit(y.iloc[:32]).predict()) == est.horizon


def check_bad_y(est, y):
    name = type(est).__name__
    nan = y.copy()
    nan.iloc[5] = np.nan
    cases = [
        (nan, ValueError, r"contains 1 NaN and 0 infinite values \(first at row 5"),
        (y.replace(y.iloc[7], np.inf), ValueError, "0 NaN and 1 infinite"),
        (y.iloc[:0], ValueError, "is empty"),
        (y.astype(str), TypeError, "has dtype (object|str). Expected numeric"),
        (y.iloc[::-1], ValueError, "not sorted in time"),
        (pd.concat([y.iloc[:5], y]), ValueError, "duplicated time stamps"),
        (y.drop(y.index[[10, 50, 51]]), ValueError, "irregular time stamps"),
        ([], ValueError, "empty list"),
        ("abc", TypeError, "Expected a pandas Series"),
        (np.zeros((5, 2, 2)), ValueError, r"shape \(T,\) for one series"),
    ]
    for bad, error, message in cases:
        with pytest.raises(error, match=message) as info:
            est.fit(bad)
        assert name in str(info.value)
    frame = pd.DataFrame({"a": y, "label": "x"})
    with pytest.raises(TypeError, match=r"non-numeric columns \['label'\]"):
        est.fit(frame)


def check_bad_X(est, y):
    X = _calendar(y.index)
    X_nan = X.copy()
    X_nan.iloc[3, 0] = np.nan
    with pytest.raises(ValueError, match="X passed to .* contains 1 NaN"):
        est.fit(y, X=X_nan)
    with pytest.raises(ValueError, match="differs from the index of y"):
        est.fit(y, X=X.set_axis(X.index + pd.Timedelta("1h")))


def check_bad_params(est, y):
    name = type(est).__name__
    cases = [
        (dict(lookback=0), rf"The 'lookback' parameter of {name} must be a positive int. Got 0"),
        (dict(strategy="foo"), "The 'strategy' parameter .* must be one of 'direct', 'recursive'"),
        (dict(dropout=1.5), r"The 'dropout' parameter .* must be a float in \[0.0, 1.0\). Got 1.5"),
        (dict(validation_size=1.0), "'validation_size'"),
        (dict(scaling="minmax"), "'scaling' parameter"),
        (dict(random_state=-1), "'random_state'"),
        (dict(loss="l2"), "The 'loss' parameter .* must be one of 'mse', 'mae', 'huber'"),
        (dict(lr_decay=0.0), r"The 'lr_decay' parameter .* must be a float in \(0.0, 1.0\]"),
    ]
    for params, message in cases:
        with pytest.raises(ValueError, match=message):
            clone(est).set_params(**params).fit(y)


def check_loss_and_lr_decay_reach_training(est, y):
    """The shared ``loss`` and ``lr_decay`` parameters reach the training loop."""
    import pytorch_lightning as pl

    class Record(pl.Callback):
        def __init__(self):
            self.rates, self.losses = [], set()

        def on_train_epoch_start(self, trainer, pl_module):
            self.rates.append(trainer.optimizers[0].param_groups[0]["lr"])
            self.losses.add(type(pl_module.loss_fn).__name__)

    record = Record()
    est.set_params(loss="mae", lr_decay=0.5, learning_rate=0.01, max_epochs=3, patience=None,
                   trainer_kwargs={"accelerator": "cpu", "callbacks": [record]}).fit(y)
    assert record.losses == {"L1Loss"}
    np.testing.assert_allclose(record.rates, [0.01, 0.005, 0.0025])
    record.rates.clear()
    est.set_params(loss="huber", lr_decay=None).fit(y)
    assert record.losses == {"L1Loss", "HuberLoss"}
    np.testing.assert_allclose(record.rates, [0.01] * 3)


def check_bad_predict_calls(est, y):
    name = type(est).__name__
    est.fit(y)
    with pytest.raises(ValueError, match=f"has 10 time steps but {name} reads lookback=24"):
        est.predict(y=y.iloc[:10])
    frame = pd.DataFrame({"a": y, "b": y})
    with pytest.raises(ValueError, match=r"has 2 columns but .* fitted with 1 \(\['load'\]\)"):
        est.predict(y=frame)
    with pytest.raises(ValueError, match="fitted without covariates"):
        est.predict(X=_calendar(y.index))
    with pytest.raises(ValueError, match="'horizon' parameter"):
        est.predict(horizon=0)


def check_load_rejects_bad_files(est, y, tmp_path):
    bad = tmp_path / "bad.tsf"
    bad.write_text("not a model")
    with pytest.raises(ModelFileError, match="is not a tsforecast model file"):
        type(est).load(bad)
    import json
    import zipfile

    est.fit(y)
    est.save(tmp_path / "m.tsf")
    with zipfile.ZipFile(tmp_path / "m.tsf") as zf:
        meta, weights = json.loads(zf.read("model.json")), zf.read("weights.pt")
    meta["schema_version"] = 99
    with zipfile.ZipFile(tmp_path / "future.tsf", "w") as zf:
        zf.writestr("model.json", json.dumps(meta))
        zf.writestr("weights.pt", weights)
    with pytest.raises(ModelFileError, match="schema version 99"):
        tsforecast.load(tmp_path / "future.tsf")


CHECKS = [
    check_default_constructible, check_init_stores_params_only, check_clone_and_set_params,
    check_fit_leaves_params_unchanged, check_unfitted_predict_raises, check_fit_returns_self,
    check_predict_series, check_predict_frame, check_channel_independent, check_predict_numpy,
    check_predict_range_index, check_many_series, check_recursive_strategy,
    check_direct_rolls_in_blocks, check_new_history, check_covariates,
    check_covariates_misaligned_at_fit, check_deterministic, check_refit_starts_fresh,
    check_save_load, check_save_load_covariates, check_pickle, check_inputs_not_mutated,
    check_too_short, check_validation_does_not_fit, check_bad_y, check_bad_X,
    check_bad_params, check_loss_and_lr_decay_reach_training, check_bad_predict_calls,
    check_load_rejects_bad_files,
]


def run_check(check, est, y, tmp_path):
    """Run one check, passing ``tmp_path`` to those that write files."""
    if "tmp_path" in inspect.signature(check).parameters:
        check(est, y, tmp_path)
    else:
        check(est, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f.__name__)
def test_common(Estimator, check, sine_series, tmp_path):
    run_check(check, Estimator(**FAST), sine_series, tmp_path)


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_beats_naive_on_noisy_seasonal_series(Estimator):
    """Each estimator, with its defaults, clearly beats the last-value forecast."""
    y = seasonal(n=1200, noise=0.2, seed=11)
    train, test = y.iloc[:1000], y.iloc[1000:]
    est = Estimator(lookback=48, horizon=12, max_epochs=15, random_state=0,
                    trainer_kwargs={"accelerator": "cpu"}).fit(train)
    origins = range(0, len(test) - 12, 12)
    histories = [y.iloc[: 1000 + o] for o in origins]
    forecasts = np.stack([f.to_numpy() for f in est.predict(y=histories)])
    actual = np.stack([test.iloc[o:o + 12].to_numpy() for o in origins])
    naive = np.stack([np.repeat(h.iloc[-1], 12) for h in histories])
    model_mse = ((forecasts - actual) ** 2).mean()
    naive_mse = ((naive - actual) ** 2).mean()
    assert model_mse < 0.3 * naive_mse, (model_mse, naive_mse)
