"""Chronological split, rolling-origin splitter and backtest: equivalence, leakage, refits."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone

from tsforecast import LSTMForecaster
from tsforecast.metrics import mae, mase, rmse
from tsforecast.model_selection import (
    RollingOriginSplit,
    backtest,
    temporal_train_test_split,
)

from .conftest import FAST, seasonal

CALLS = {"fit": [], "predict": []}


class MeanOfLast(BaseEstimator):
    """A forecaster with only the public contract: the mean of the last ``k`` values.

    It records the length of each series it is fitted on and each predict call.
    """

    def __init__(self, k=3, horizon=4):
        self.k = k
        self.horizon = horizon

    def fit(self, y, X=None):
        CALLS["fit"].append(len(y))
        self.last_ = np.asarray(y, dtype=float)[-self.k:]
        return self

    def predict(self, horizon=None, X=None, y=None):
        horizon = horizon or self.horizon
        CALLS["predict"].append(None if y is None else [len(h) for h in y])
        histories = [self.last_] if y is None else [np.asarray(h, dtype=float) for h in y]
        out = [np.repeat(h[-self.k:].mean(axis=0, keepdims=True), horizon, axis=0)
               for h in histories]
        return out if y is not None else out[0]


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS["fit"].clear()
    CALLS["predict"].clear()


@pytest.fixture(scope="module")
def fitted_lstm():
    y = seasonal()
    return LSTMForecaster(**FAST).fit(y.iloc[:180]), y


def _calendar(index):
    return pd.DataFrame({"hour_sin": np.sin(2 * np.pi * index.hour / 24),
                         "hour_cos": np.cos(2 * np.pi * index.hour / 24)}, index=index)


# ----------------------------------------------------------------- train/test split
def test_temporal_split_is_chronological_for_every_input_kind():
    y = seasonal(n=20)
    train, test = temporal_train_test_split(y, test_size=5)
    pd.testing.assert_series_equal(train, y.iloc[:15])
    pd.testing.assert_series_equal(test, y.iloc[15:])
    train, test = temporal_train_test_split(y.to_frame(), test_size=0.25, gap=2)
    assert len(train) == 13 and len(test) == 5 and test.index[0] == y.index[15]
    # A fraction is rounded to the nearest row, like every size in the library (n_rows).
    train, test = temporal_train_test_split(np.arange(10), test_size=0.27)
    assert train.tolist() == list(range(7)) and test.tolist() == [7, 8, 9]
    assert len(temporal_train_test_split(np.arange(10), test_size=0.21)[1]) == 2
    X = _calendar(y.index)
    y_train, y_test, X_train, X_test = temporal_train_test_split(y, X, test_size=4)
    assert X_train.index.equals(y_train.index) and X_test.index.equals(y_test.index)


def test_temporal_split_errors():
    with pytest.raises(ValueError, match="'test_size' argument .* Got 1.5"):
        temporal_train_test_split(np.arange(10), test_size=1.5)
    with pytest.raises(ValueError, match="0 training rows would be left"):
        temporal_train_test_split(np.arange(10), test_size=8, gap=2)
    with pytest.raises(ValueError, match="'gap' parameter .* must be an int >= 0"):
        temporal_train_test_split(np.arange(10), test_size=2, gap=-1)
    with pytest.raises(ValueError, match="X passed to .* has 5 rows but y has 10"):
        temporal_train_test_split(np.arange(10), np.arange(5), test_size=2)
    with pytest.raises(TypeError, match="Expected one series"):
        temporal_train_test_split([np.arange(10)], test_size=2)


# ----------------------------------------------------------------- rolling origin
def test_rolling_origin_expanding_and_sliding():
    splits = list(RollingOriginSplit(horizon=3, step=2, initial=5).split(np.zeros(12)))
    assert [(tr.tolist(), te.tolist()) for tr, te in splits] == [
        (list(range(5)), [5, 6, 7]), (list(range(7)), [7, 8, 9]), (list(range(9)), [9, 10, 11])]
    cv = RollingOriginSplit(horizon=2, window="sliding", window_length=4, gap=1, step=3)
    splits = [(tr.tolist(), te.tolist()) for tr, te in cv.split(12)]
    assert splits == [([0, 1, 2, 3], [5, 6]), ([3, 4, 5, 6], [8, 9])]
    assert cv.get_n_splits(np.zeros(12)) == 2


def test_rolling_origin_n_splits_keeps_the_latest_origins():
    cv = RollingOriginSplit(horizon=2, step=1, n_splits=3)
    tests = [te.tolist() for _, te in cv.split(pd.Series(np.zeros(10)))]
    assert tests == [[6, 7], [7, 8], [8, 9]]
    assert cv.get_n_splits() == 3 == cv.get_n_splits(np.zeros(10))
    for train, test in cv.split(np.zeros(10)):
        assert train.max() < test.min()


def test_rolling_origin_works_as_a_scikit_learn_cv():
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import cross_val_score

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    scores = cross_val_score(LinearRegression(), X, X @ [1.0, 2.0],
                             cv=RollingOriginSplit(horizon=10, step=10, initial=30))
    assert len(scores) == 3 and np.allclose(scores, 1.0)


def test_rolling_origin_errors():
    with pytest.raises(ValueError, match="pass 'initial' .* or 'n_splits'"):
        list(RollingOriginSplit(horizon=2).split(10))
    with pytest.raises(ValueError, match="'window_length' parameter .* only applies"):
        list(RollingOriginSplit(horizon=2, initial=3, window_length=3).split(10))
    with pytest.raises(ValueError, match="'window_length' parameter .* positive int"):
        list(RollingOriginSplit(horizon=2, window="sliding").split(10))
    with pytest.raises(ValueError, match="'window' parameter .* Got 'rolling'"):
        list(RollingOriginSplit(horizon=2, initial=3, window="rolling").split(10))
    with pytest.raises(ValueError, match=r"first training span would end at row 9, .*\[1, 8\]"):
        list(RollingOriginSplit(horizon=2, initial=9).split(10))
    with pytest.raises(ValueError, match="'horizon' parameter .* Got 0"):
        list(RollingOriginSplit(horizon=0, initial=3).split(10))
    with pytest.raises(ValueError, match="get_n_splits needs y"):
        RollingOriginSplit(horizon=2, initial=3).get_n_splits()


# ----------------------------------------------------------------- backtest
def test_backtest_equals_predict_on_each_history(fitted_lstm):
    est, y = fitted_lstm
    result = backtest(est, y, start=180, step=1, horizon=6)
    f = result.forecasts
    assert list(f.columns) == ["origin", "time", "horizon", "column", "y_true", "y_pred"]
    assert len(f) == (240 - 6 - 180 + 1) * 6 and result.fit_cutoffs == []
    assert result.estimator is est
    for o in (180, 201, 234):
        expected = est.predict(y=y.iloc[:o])
        rows = f[f.origin == y.index[o - 1]]
        assert rows.time.tolist() == list(expected.index)
        assert rows.horizon.tolist() == [1, 2, 3, 4, 5, 6]
        np.testing.assert_allclose(rows.y_pred, expected.to_numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(rows.y_true, y.iloc[o:o + 6].to_numpy())


def test_backtest_metrics_match_the_metric_functions(fitted_lstm):
    est, y = fitted_lstm
    result = backtest(est, y, start=200, step=5, metrics=("mae", "rmse", "mase", "smape"),
                      seasonal_period=24)
    f = result.forecasts
    assert result.metrics["mae"] == pytest.approx(mae(f.y_true, f.y_pred))
    assert result.metrics["rmse"] == pytest.approx(rmse(f.y_true, f.y_pred))
    by_h = result.metrics_by_horizon
    assert list(by_h.index) == [1, 2, 3, 4, 5, 6] and by_h.index.name == "horizon"
    step3 = f[f.horizon == 3]
    assert by_h.loc[3, "rmse"] == pytest.approx(rmse(step3.y_true, step3.y_pred))
    # MASE: each origin is scaled by the seasonal naive MAE of its own history
    per_origin = [mase(g.y_true, g.y_pred, y_train=y.loc[:cutoff], m=24)
                  for cutoff, g in f.groupby("origin")]
    assert result.metrics["mase"] == pytest.approx(np.mean(per_origin))


def test_backtest_with_covariates_equals_predict(fitted_lstm):
    _, y = fitted_lstm
    X = _calendar(y.index)
    est = LSTMForecaster(**FAST).fit(y.iloc[:180], X=X.iloc[:180])
    result = backtest(est, y, X=X, start=190, step=7)
    for o in (190, 218):
        expected = est.predict(y=y.iloc[:o], X=X.iloc[:o + 6])
        rows = result.forecasts[result.forecasts.origin == y.index[o - 1]]
        np.testing.assert_allclose(rows.y_pred, expected.to_numpy(), rtol=1e-5, atol=1e-6)


def test_backtest_rolls_longer_horizons_like_predict(fitted_lstm):
    direct, y = fitted_lstm  # trained for 6 steps: 8 steps roll forward in blocks
    recursive = LSTMForecaster(**{**FAST, "strategy": "recursive"}).fit(y.iloc[:180])
    for est in (direct, recursive):
        result = backtest(est, y, start=200, step=9, horizon=8)
        for o in (200, 227):
            expected = est.predict(horizon=8, y=y.iloc[:o])
            rows = result.forecasts[result.forecasts.origin == y.index[o - 1]]
            np.testing.assert_allclose(rows.y_pred, expected.to_numpy(), rtol=1e-5, atol=1e-6)


def test_backtest_never_reads_the_future(fitted_lstm):
    est, y = fitted_lstm
    X = _calendar(y.index)
    est_x = LSTMForecaster(**FAST).fit(y.iloc[:180], X=X.iloc[:180])
    cut = 210  # perturb every target from row 210 on
    perturbed = y.copy()
    perturbed.iloc[cut:] += 5.0
    for model, kwargs in ((est, {}), (est_x, {"X": X})):
        a = backtest(model, y, start=180, **kwargs).forecasts
        b = backtest(model, perturbed, start=180, **kwargs).forecasts
        before = a.origin < y.index[cut]  # forecasts made before the perturbation
        np.testing.assert_array_equal(a.y_pred[before], b.y_pred[before])
        assert not np.allclose(a.y_pred[~before], b.y_pred[~before])


def test_backtest_refits_never_read_the_future():
    y = seasonal()
    est = LSTMForecaster(**FAST)
    perturbed = y.copy()
    perturbed.iloc[220:] += 5.0
    a = backtest(est, y, start=200, step=10, refit=2)
    b = backtest(est, perturbed, start=200, step=10, refit=2)
    assert a.fit_cutoffs == [y.index[199], y.index[219]]
    early = a.forecasts.origin < y.index[219]  # origins 200 and 210, fitted at 200
    np.testing.assert_array_equal(a.forecasts.y_pred[early], b.forecasts.y_pred[early])
    # the refit at 220 sees rows 210-219 only as history, never the perturbed rows
    expected = clone(est).fit(y.iloc[:220]).predict(y=y.iloc[:230])
    rows = a.forecasts[a.forecasts.origin == y.index[229]]
    np.testing.assert_allclose(rows.y_pred, expected.to_numpy(), rtol=1e-5, atol=1e-6)
    assert not hasattr(est, "network_")  # the caller's estimator stays unfitted


@pytest.mark.parametrize("refit, fits", [(True, [20, 22, 24, 26, 28]), (2, [20, 24, 28]),
                                         (False, [20]), (10, [20])])
def test_backtest_refit_counts(refit, fits):
    y = np.arange(32, dtype=float)  # horizon 4: the last origin is 28
    result = backtest(MeanOfLast(), y, start=20, step=2, refit=refit)
    assert CALLS["fit"] == fits  # each fit sees exactly the rows before its origin
    assert result.fit_cutoffs == [f - 1 for f in fits]
    assert len(CALLS["predict"]) == len(fits)  # one batched predict per fitted model
    assert sum(len(c) for c in CALLS["predict"]) == 5  # origins 20, 22, ..., 28


def test_backtest_public_contract_estimator_forecasts_from_each_history():
    y = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) ** 2})
    est = MeanOfLast(k=2).fit(y.iloc[:10])
    CALLS["fit"].clear()
    result = backtest(est, y, start=10, step=5, horizon=3, metrics="mae")
    assert CALLS["fit"] == [] and CALLS["predict"] == [[10, 15, 20, 25]]
    f = result.forecasts
    assert list(f.column.cat.categories) == ["a", "b"] and len(f) == 4 * 3 * 2
    row = f[(f.origin == 14) & (f.horizon == 2) & (f.column == "b")]
    assert row.time.item() == 16 and row.y_pred.item() == (13**2 + 14**2) / 2
    assert row.y_true.item() == 16**2


class MeanOfLastBatched(MeanOfLast):
    """The same forecaster, third-party but with the batched ``forecast_origins`` contract.

    Being global, it is fitted once on a list of many series.
    """

    def fit(self, y, X=None):
        if isinstance(y, list):
            self.last_ = [np.asarray(part, dtype=float)[-self.k:] for part in y]
            return self
        return super().fit(y, X)

    def forecast_origins(self, values, origins, horizon, series=None, quantiles=False):
        CALLS.setdefault("origins", []).append((series, list(origins)))
        windows = values[np.asarray(origins)[:, None] + np.arange(-self.k, 0)]  # -> (S, k, F)
        return np.repeat(windows.mean(axis=1, keepdims=True), horizon, axis=1)


def test_backtest_finds_forecast_origins_by_duck_typing():
    """A class outside the library joins the batched path by defining forecast_origins."""
    y = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) ** 2})
    many = [np.arange(40.0), np.arange(25.0) ** 2]
    for refit in (False, 2):
        CALLS.pop("origins", None)
        batched = backtest(MeanOfLastBatched(k=2), y, start=10, step=5, horizon=3,
                           refit=refit)
        # fit/predict only: the same forecasts through one predict per model
        looped = backtest(MeanOfLast(k=2), y, start=10, step=5, horizon=3, refit=refit)
        pd.testing.assert_frame_equal(batched.forecasts, looped.forecasts)
        pd.testing.assert_series_equal(batched.metrics, looped.metrics)
        # one call per model (two with refit=2 over four origins), never a predict for them
        assert CALLS["origins"] == ([(None, [10, 15, 20, 25])] if refit is False else
                                    [(None, [10, 15]), (None, [20, 25])])
    CALLS["origins"].clear()
    CALLS["predict"].clear()
    batched = backtest(MeanOfLastBatched(k=3), many, start=-8, horizon=2)
    assert CALLS["predict"] == [] and [s for s, _ in CALLS["origins"]] == [0, 1]
    looped = backtest(MeanOfLast(k=3), many, start=-8, horizon=2)
    np.testing.assert_allclose(batched.forecasts.y_pred, looped.forecasts.y_pred)
    assert batched.forecasts.y_pred.iloc[0] == np.mean([29.0, 30.0, 31.0])


def test_backtest_checks_the_shape_forecast_origins_returns():
    class Flat(MeanOfLastBatched):
        def forecast_origins(self, values, origins, horizon, series=None, quantiles=False):
            return super().forecast_origins(values, origins, horizon)[:, :, 0]

    with pytest.raises(ValueError, match=r"Flat.forecast_origins\(values, <4 origins>, "
                                         r"horizon=3\) returned an array of shape \(4, 3\), "
                                         r"but backtest expected \(4, 3, 1\)"):
        backtest(Flat(k=2), np.arange(30.0), start=10, step=5, horizon=3)


def test_backtest_start_as_label_and_fraction(fitted_lstm):
    est, y = fitted_lstm
    by_label = backtest(est, y, start=y.index[199], step=10).forecasts
    assert by_label.origin.iloc[0] == y.index[199] and by_label.time.iloc[0] == y.index[200]
    by_fraction = backtest(est, y, start=0.8, step=10).forecasts  # round(0.8 * 240) = 192
    assert by_fraction.origin.iloc[0] == y.index[191]


def test_backtest_errors(fitted_lstm):
    est, y = fitted_lstm
    with pytest.raises(ValueError, match=r"at least 24 row\(s\) of history \(the lookback\).*"
                                         r"\[24, 234\] rows. Got start=10"):
        backtest(est, y, start=10)
    with pytest.raises(ValueError, match=r"\[24, 234\] rows. Got start=236"):
        backtest(est, y, start=236)
    with pytest.raises(ValueError, match="'start' argument .* Got 'yesterday'"):
        backtest(est, y, start="yesterday")
    with pytest.raises(ValueError, match="'step' parameter of backtest must be a positive int"):
        backtest(est, y, start=200, step=0)
    with pytest.raises(ValueError, match="'horizon' parameter of backtest .* Got -1"):
        backtest(est, y, start=200, horizon=-1)
    for bad in (0, -2, "yes", 1.5):
        with pytest.raises(ValueError, match="'refit' argument of backtest must be False"):
            backtest(est, y, start=200, refit=bad)
    with pytest.raises(ValueError, match="Unknown metric 'r2'"):
        backtest(est, y, start=200, metrics=("mae", "r2"))
    with pytest.raises(ValueError, match=r"y\[0\] of 240 rows, so 'start' must be in \[24, 234\]"):
        backtest(est, [y, y], start=2)
    with pytest.raises(TypeError, match="without fit and predict"):
        backtest(object(), y, start=200)
    with pytest.raises(ValueError, match="has 2 columns but the LSTMForecaster was fitted with 1"):
        backtest(est, pd.DataFrame({"a": y, "b": y}), start=200)
    with pytest.raises(ValueError, match="got X with 2 columns, but .* fitted with 0 covariates"):
        backtest(est, y, X=_calendar(y.index), start=200)
    with pytest.raises(ValueError, match="needs a 'horizon'"):
        backtest(MeanOfLast(horizon=None), np.arange(20.0), start=10)
    with pytest.raises(ValueError, match="MASE scale is 0"):
        backtest(MeanOfLast(), np.ones(20), start=10, metrics=("mase",))
