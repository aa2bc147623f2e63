"""Quantiles and prediction intervals: the contract, calibration, coverage, leakage, errors.

``check_interval_contract`` and ``check_interval_errors`` also run over every
registered estimator (tests/test_common.py) and every baseline
(tests/test_baselines.py).
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import tsforecast
from tsforecast import ARIMAForecaster, GRUForecaster, NaiveForecaster
from tsforecast.metrics import coverage
from tsforecast.model_selection import backtest

from .conftest import CPU_QUIET, FAST, seasonal


# ----------------------------------------------------------------- shared checks
def check_interval_contract(est, y):
    """Shapes, index, monotone quantiles, point inside, kinds, determinism, pickle."""
    est.fit(y)
    point = est.predict()
    q = est.predict_quantiles(quantiles=[0.05, 0.1, 0.5, 0.9, 0.95])
    assert isinstance(q, pd.DataFrame) and list(q.columns) == [0.05, 0.1, 0.5, 0.9, 0.95]
    pd.testing.assert_index_equal(q.index, point.index)
    values = q.to_numpy()
    assert np.isfinite(values).all() and (np.diff(values, axis=1) >= 0).all()
    np.testing.assert_allclose(q[0.5].to_numpy(), point.to_numpy())
    assert (values[:, -1] > values[:, 0]).all(), "a 90% interval of zero width"

    iv = est.predict_interval(coverage=0.9)
    assert list(iv.columns) == ["lower", "upper"]
    pd.testing.assert_index_equal(iv.index, point.index)
    np.testing.assert_allclose(iv.to_numpy(), values[:, [0, -1]])
    two = est.predict_interval(coverage=[0.8, 0.95])
    assert list(two.columns) == [(0.8, "lower"), (0.8, "upper"), (0.95, "lower"),
                                 (0.95, "upper")]
    assert (two[(0.95, "lower")] <= two[(0.8, "lower")]).all()
    assert (two[(0.8, "lower")] <= point).all() and (point <= two[(0.8, "upper")]).all()
    assert (two[(0.8, "upper")] <= two[(0.95, "upper")]).all()

    # a new history, a list of series, and the same numbers again
    recent = y.iloc[:180]
    # (ETS re-estimates its initial states on a new history: equal up to the optimiser)
    pd.testing.assert_frame_equal(est.predict_interval(y=[recent, y])[1], iv, rtol=1e-4)
    assert est.predict_interval(y=recent).index[0] == recent.index[-1] + pd.Timedelta("1h")
    pd.testing.assert_frame_equal(est.predict_quantiles(quantiles=[0.05, 0.1, 0.5, 0.9, 0.95]),
                                  q)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(est)).predict_interval(), iv)

    # a DataFrame: (target, level) and (target, coverage, bound) columns
    frame = pd.DataFrame({"a": y, "b": seasonal(seed=5, phase=1.0)})
    est.fit(frame)
    qf = est.predict_quantiles()
    assert list(qf.columns) == [(c, lvl) for c in ("a", "b") for lvl in (0.1, 0.5, 0.9)]
    assert list(qf.columns.names) == ["target", "quantile"]
    ivf = est.predict_interval(coverage=[0.5, 0.9])
    assert ivf.shape == (est.horizon, 8) and ivf.columns[0] == ("a", 0.5, "lower")
    assert (ivf[("b", 0.9, "lower")] <= ivf[("b", 0.5, "lower")]).all()

    # numpy: a trailing quantile axis
    est.fit(y.to_numpy())
    assert est.predict_quantiles().shape == (est.horizon, 3)
    assert est.predict_interval().shape == (est.horizon, 2)
    assert est.predict_interval(coverage=[0.8, 0.9]).shape == (est.horizon, 2, 2)
    est.fit(frame.to_numpy())
    assert est.predict_quantiles(horizon=3, quantiles=[0.2, 0.8]).shape == (3, 2, 2)


def check_interval_errors(est, y):
    """Every bad argument by its message."""
    name = type(est).__name__
    est.fit(y)
    cases = [
        (dict(coverage=1.5), r"'coverage' argument of \w+\.predict_interval must hold values "
                             r"strictly between 0 and 1. Got 1.5"),
        (dict(coverage=0), "strictly between 0 and 1. Got 0"),
        (dict(coverage="0.9"), r"must be a float in \(0, 1\) or a list of them.*Got '0.9'"),
        (dict(coverage=[0.8, 0.8]), "holds duplicates"),
        (dict(method="bootstrap"), "'method' argument .* must be one of 'conformal', "
                                   "'adaptive', 'native', 'quantile-head'. Got 'bootstrap'"),
        (dict(coverage=0.9999), rf"{name} has \d+ calibration origins, but a 0.9999 conformal "
                                r"interval needs at least 9999.*larger"),
        (dict(horizon=est.horizon + 1), rf"calibrated for forecasts of up to {est.horizon} "
                                        rf"steps, but horizon={est.horizon + 1}"),
        (dict(method="adaptive"), "method='adaptive' .* but y was not passed"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            est.predict_interval(**kwargs)
    for quantiles, message in [([0.9, 0.1], r"not sorted; pass \(0.1, 0.9\)"),
                               ([0.1, 0.1], r"with \[0.1\] more than once"),
                               ([0.0, 0.5], r"with \[0.0\] outside \(0, 1\)"),
                               ([], "Got an empty list")]:
        with pytest.raises(ValueError, match=rf"'quantiles' parameter of {name}\."
                                             rf"predict_quantiles must be .*{message}"):
            est.predict_quantiles(quantiles=quantiles)
    with pytest.raises(TypeError, match=r"must be a sorted tuple .* Got '0.1, 0.9' \(str\)"):
        est.predict_quantiles(quantiles="0.1, 0.9")
    with pytest.raises(tsforecast.exceptions.NotFittedError):
        clone(est).predict_interval()


# ----------------------------------------------------------------- calibration
def _ar1(n, phi=0.7, sigma=1.0, seed=0):
    rng = np.random.default_rng(seed)
    e = sigma * rng.standard_normal(n + 100)
    x = np.zeros(n + 100)
    for t in range(1, n + 100):
        x[t] = phi * x[t - 1] + e[t]
    return pd.Series(x[100:], index=pd.date_range("2020-01-01", periods=n, freq="h"))


def _true_half_width(h, phi=0.7, sigma=1.0, z=1.6448536269514722):
    """Half-width of the true 90% interval of an AR(1) forecast h steps ahead."""
    return z * sigma * np.sqrt((1 - phi ** (2 * h)) / (1 - phi ** 2))


def test_conformal_coverage_and_width_on_ar1_baseline():
    """ARIMA(1,0,0): 90% conformal intervals cover 90% +- 3 points of fresh draws."""
    train, fresh = _ar1(1500, seed=1), _ar1(2000, seed=2)
    est = ARIMAForecaster((1, 0, 0), horizon=3, calibration_size=0.4).fit(train)
    result = backtest(est, fresh, start=100, step=3, coverage=0.9)
    assert abs(result.metrics["coverage_0.9"] - 0.9) < 0.03, result.metrics
    # and their width is close to the true quantiles', on average over the origins
    f = result.forecasts
    half = ((f["upper_0.9"] - f["lower_0.9"]) / 2).groupby(f["horizon"]).mean()
    np.testing.assert_allclose(half.to_numpy(), _true_half_width(np.arange(1, 4)), rtol=0.1)


def test_conformal_coverage_on_ar1_deep_model():
    """Even a one-epoch GRU gets calibrated intervals: coverage needs exchangeability only."""
    train, fresh = _ar1(1500, seed=3), _ar1(1500, seed=4)
    est = GRUForecaster(lookback=12, horizon=3, max_epochs=1, scaling="standard",
                        validation_size=0.4, random_state=0, trainer_kwargs=CPU_QUIET)
    est.fit(train)
    result = backtest(est, fresh, start=100, step=1, coverage=[0.8, 0.9])
    assert abs(result.metrics["coverage_0.9"] - 0.9) < 0.03, result.metrics
    assert abs(result.metrics["coverage_0.8"] - 0.8) < 0.04, result.metrics
    assert (result.metrics_by_horizon["coverage_0.9"] > 0.85).all()


def test_revin_intervals_widen_with_a_volatile_window():
    y = seasonal(n=400, noise=0.1)
    est = GRUForecaster(**FAST).fit(y)
    calm = est.predict_interval(y=y)
    wild = y.copy()
    wild.iloc[-24:] += np.random.default_rng(0).normal(0, 3.0, 24)  # window std ~0.7 -> ~3
    stormy = est.predict_interval(y=wild)
    calm_w = (calm["upper"] - calm["lower"]).mean()
    assert (stormy["upper"] - stormy["lower"]).mean() > 2 * calm_w
    flat = pd.Series(np.full(30, 2.0), index=pd.date_range("2025-01-01", periods=30, freq="h"))
    band = est.predict_interval(y=flat)
    assert ((band["upper"] - band["lower"]) > 0).all(), "a flat window needs a non-zero width"


def test_adaptive_follows_a_change_in_noise_level():
    """With a fixed scale (scaling="standard"), only recalibration sees louder noise."""
    y = seasonal(n=900, noise=0.1)
    y.iloc[600:] += np.random.default_rng(0).normal(0, 1.0, 300)
    est = GRUForecaster(**{**FAST, "scaling": "standard"}).fit(y.iloc[:600])
    split = est.predict_interval(y=y, coverage=0.9)
    adaptive = est.predict_interval(y=y, coverage=0.9, method="adaptive")
    w_split = (split["upper"] - split["lower"]).mean()
    w_adapt = (adaptive["upper"] - adaptive["lower"]).mean()
    assert w_adapt > 2 * w_split, (w_split, w_adapt)  # the last 120 rows are all loud
    before = est.predict_interval(coverage=0.9)
    est.predict_interval(y=y, coverage=0.9, method="adaptive")
    pd.testing.assert_frame_equal(est.predict_interval(coverage=0.9), before)  # stateless


def test_baseline_intervals_follow_recent_volatility():
    rng = np.random.default_rng(0)
    walk = pd.Series(np.cumsum(np.concatenate([rng.normal(0, 1, 600), rng.normal(0, 4, 100)])),
                     index=pd.date_range("2020-01-01", periods=700, freq="D"))
    est = NaiveForecaster(horizon=3).fit(walk.iloc[:600])
    calm, loud = est.predict_interval(), est.predict_interval(y=walk)
    assert ((loud["upper"] - loud["lower"]).to_numpy()
            > 3 * (calm["upper"] - calm["lower"]).to_numpy()).all()


def test_native_intervals_of_statsmodels_baselines():
    y = _ar1(400, seed=5)
    est = ARIMAForecaster((1, 0, 0), horizon=3).fit(y)
    native = est.predict_interval(coverage=0.9, method="native")
    half = (native["upper"] - native["lower"]).to_numpy() / 2
    np.testing.assert_allclose(half, _true_half_width(np.arange(1, 4)), rtol=0.15)
    with pytest.raises(ValueError, match="NaiveForecaster has no native intervals"):
        NaiveForecaster(horizon=3).fit(y).predict_interval(method="native")
    with pytest.raises(ValueError, match="GRUForecaster has no native intervals"):
        GRUForecaster(**FAST).fit(seasonal()).predict_interval(method="native")


def test_no_calibration_messages():
    y = seasonal()
    with pytest.raises(ValueError, match=r"fitted with validation_size=0, so it has no "
                                         r"validation tail.*Refit with validation_size > 0"):
        GRUForecaster(**{**FAST, "validation_size": 0.0}).fit(y).predict_interval()
    with pytest.raises(ValueError, match=r"NaiveForecaster has no conformal calibration: it "
                                         r"was fitted with calibration_size=0.*method='native'"):
        NaiveForecaster(horizon=6, calibration_size=0.0).fit(y).predict_interval()
    with pytest.raises(ValueError, match=r"has 43 calibration origins, but a 0.99 conformal "
                                         r"interval needs at least 99.*larger validation_size"):
        GRUForecaster(**FAST).fit(y).predict_interval(coverage=0.99)


def test_save_load_keeps_intervals(tmp_path):
    y = seasonal()
    est = GRUForecaster(**FAST).fit(y)
    est.save(tmp_path / "m.tsf")
    loaded = tsforecast.load(tmp_path / "m.tsf")
    pd.testing.assert_frame_equal(loaded.predict_interval(coverage=[0.8, 0.95]),
                                  est.predict_interval(coverage=[0.8, 0.95]))
    pd.testing.assert_frame_equal(loaded.predict_quantiles(y=y.iloc[:150], method="adaptive"),
                                  est.predict_quantiles(y=y.iloc[:150], method="adaptive"))
    assert loaded.calibration_.scores.dtype == np.float32


# ----------------------------------------------------------------- leakage
@pytest.mark.parametrize("make", [lambda: GRUForecaster(**FAST),
                                  lambda: NaiveForecaster(horizon=6)],
                         ids=["GRUForecaster", "NaiveForecaster"])
def test_calibration_never_reads_test_rows(make):
    """Rows after the fit data, and after each origin, never change an interval."""
    y = seasonal(n=300)
    other = y.copy()
    other.iloc[240:] = other.iloc[240:] * 10 + 5
    a = make().fit(y.iloc[:240])
    b = make().fit(other.iloc[:240])
    pd.testing.assert_frame_equal(a.predict_interval(), b.predict_interval())
    ra = backtest(make(), y, start=200, step=6, coverage=0.9)
    rb = backtest(make(), other, start=200, step=6, coverage=0.9)
    for frame_a, frame_b in ((ra.forecasts, rb.forecasts),):
        first = frame_a["time"] < y.index[240]  # targets before the perturbed rows
        early = frame_a["origin"] <= y.index[240 - 1 - 6]
        cols = ["y_pred", "lower_0.9", "upper_0.9"]
        pd.testing.assert_frame_equal(frame_a.loc[first & early, cols],
                                      frame_b.loc[first & early, cols])


def test_backtest_columns_and_errors():
    y = seasonal(n=300)
    result = backtest(NaiveForecaster(horizon=6), y, start=200, step=6, coverage=[0.8, 0.95],
                      quantiles=[0.1, 0.9])
    assert list(result.forecasts.columns)[-6:] == ["lower_0.8", "upper_0.8", "lower_0.95",
                                                   "upper_0.95", "q_0.1", "q_0.9"]
    f = result.forecasts
    assert (f["lower_0.95"] <= f["lower_0.8"]).all() and (f["y_pred"] <= f["upper_0.8"]).all()
    np.testing.assert_allclose(f["q_0.1"], f["lower_0.8"])
    assert result.metrics["coverage_0.8"] == pytest.approx(
        coverage(f["y_true"], f["lower_0.8"], f["upper_0.8"]))
    assert list(result.metrics_by_horizon.columns) == ["mae", "rmse", "coverage_0.8",
                                                       "coverage_0.95"]
    with pytest.raises(ValueError, match="'coverage' argument of backtest must hold values"):
        backtest(NaiveForecaster(horizon=6), y, start=200, coverage=1.0)


# ----------------------------------------------------------------- many series
@pytest.mark.parametrize("make", [lambda: GRUForecaster(**FAST),
                                  lambda: NaiveForecaster(horizon=6)],
                         ids=["GRUForecaster", "NaiveForecaster"])
def test_many_series_kinds_keep_ids(make):
    a, b = seasonal(seed=1), 10 + 3 * seasonal(seed=2)
    est = make().fit({"a": a, "b": b})
    q = est.predict_quantiles()
    assert list(q) == ["a", "b"] and list(q["b"].columns) == [0.1, 0.5, 0.9]
    # per-series scale: the series of thrice the spread gets wider intervals
    iv = est.predict_interval(coverage=0.9)
    width = {k: float((v["upper"] - v["lower"]).mean()) for k, v in iv.items()}
    assert width["b"] > 2 * width["a"]

    long = pd.concat({"a": a, "b": b}, names=["id", "time"]).rename("load")
    out = est.predict_interval(y=long, coverage=[0.8, 0.95])
    assert list(out.index.names) == ["id", "time"] and len(out) == 2 * est.horizon
    assert list(out.columns) == [(0.8, "lower"), (0.8, "upper"), (0.95, "lower"),
                                 (0.95, "upper")]
    flat = long.reset_index().rename(columns={"id": "unique_id", "time": "ds"})
    cols = est.predict_interval(y=flat, coverage=0.9)
    assert list(cols.columns) == ["unique_id", "ds", "lower_0.9", "upper_0.9"]
    by_id = est.predict_interval(y={"a": a, "b": b}, coverage=[0.8, 0.9])
    np.testing.assert_allclose(cols["lower_0.9"].to_numpy()[est.horizon:],
                               by_id["b"][(0.9, "lower")].to_numpy())
    np.testing.assert_allclose(out.loc["a", (0.8, "upper")].to_numpy(),
                               by_id["a"][(0.8, "upper")].to_numpy())
    qcols = est.predict_quantiles(y=flat, quantiles=[0.25, 0.75])
    assert list(qcols.columns) == ["unique_id", "ds", "q_0.25", "q_0.75"]


def test_backtest_many_series_reports_coverage_per_series():
    ys = {"a": seasonal(n=300, seed=1), "b": 5 * seasonal(n=300, seed=2)}
    result = backtest(GRUForecaster(**FAST), ys, start=240, step=6, coverage=0.9)
    assert "coverage_0.9" in result.metrics_by_series.columns
    assert list(result.metrics_by_series.index) == ["a", "b"]
    f = result.forecasts
    assert (f["lower_0.9"] <= f["y_pred"]).all() and (f["y_pred"] <= f["upper_0.9"]).all()


def test_calibration_origins_give_every_series_an_equal_share():
    from tsforecast._conformal import calibration_origins

    # horizon 3: 8, 1 and 98 candidate origins; 6 kept: the short series keeps its one,
    # the others share the rest, evenly spaced (first and last kept)
    assert calibration_origins([(0, 10), (5, 8), (0, 100)], 3, limit=6) == [
        (0, 0), (0, 7), (1, 5), (2, 0), (2, 48), (2, 97)]
    pairs = calibration_origins([(0, 1000)] * 359 + [(0, 50_000)], 13)
    per_series = np.bincount([i for i, _ in pairs])
    assert len(pairs) == 1000 and per_series.max() - per_series.min() <= 1
    assert calibration_origins([(0, 20)], 6) == [(0, o) for o in range(15)]  # few: all
