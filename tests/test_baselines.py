"""Baselines: the estimator contract (a subset of the common checks) and their values."""

import inspect
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from tsforecast import (
    ARIMAForecaster,
    ETSForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from tsforecast.baselines import BASELINES
from tsforecast.datasets import load_airpassengers
from tsforecast.exceptions import NotFittedError

from .conftest import seasonal
from .test_docs import documented_params

# Fast configurations for the hourly fixture (240 steps, daily season), and the
# shortest series each can be fitted to.
FAST = {
    NaiveForecaster: (dict(horizon=6), 1),
    SeasonalNaiveForecaster: (dict(season_length=24, horizon=6), 24),
    ETSForecaster: (dict(seasonal="add", season_length=24, horizon=6), 48),
    ThetaForecaster: (dict(season_length=24, horizon=6), 48),
    ARIMAForecaster: (dict(order=(2, 0, 0), trend="c", horizon=6), 6),
}


def _mae(a, b):
    return float(np.mean(np.abs(np.asarray(a) - np.asarray(b))))


# ----------------------------------------------------------------- construction
def check_default_constructible(est, y):
    params = type(est)().get_params()
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
    copy.set_params(horizon=3)
    assert copy.horizon == 3 and est.horizon == 6
    assert copy.fit(y).predict().shape == (3,)
    before = est.get_params()
    est.fit(y)
    assert est.get_params() == before


def check_unfitted_predict_raises(est, y):
    with pytest.raises(NotFittedError, match=f"This {type(est).__name__} instance is not fitted"):
        est.predict()


def check_fit_returns_self(est, y):
    assert est.fit(y) is est
    assert est.n_features_in_ == 1 and est.target_names_ == ["load"]
    assert est.covariate_names_ == [] and len(est.models_) == 1 and len(est.models_[0]) == 1


# ----------------------------------------------------------------- predict
def check_predict_series(est, y):
    pred = est.fit(y).predict()
    assert isinstance(pred, pd.Series) and pred.name == "load"
    expected = pd.date_range(y.index[-1] + pd.Timedelta("1h"), periods=6, freq="h")
    pd.testing.assert_index_equal(pred.index, expected, check_names=False)
    assert np.isfinite(pred.to_numpy()).all()
    # any horizon: a longer forecast starts with the shorter one
    long = est.predict(horizon=30)
    assert len(long) == 30
    np.testing.assert_allclose(long.to_numpy()[:6], pred.to_numpy())


def check_predict_frame_columns_separately(est, y):
    other = seasonal(seed=5, phase=1.0) * 3 + 10
    frame = pd.DataFrame({"a": y, "b": other})
    pred = est.fit(frame).predict()
    assert isinstance(pred, pd.DataFrame) and list(pred.columns) == ["a", "b"]
    assert pred.shape == (6, 2) and pred.index[0] == y.index[-1] + pd.Timedelta("1h")
    # each column is its own model: the same as fitting the column alone
    alone = clone(est).fit(other).predict()
    np.testing.assert_allclose(pred["b"].to_numpy(), alone.to_numpy(), rtol=1e-6)


def check_predict_numpy(est, y):
    pred1 = est.fit(y.to_numpy()).predict()
    assert isinstance(pred1, np.ndarray) and pred1.shape == (6,)
    pred2 = est.fit(np.column_stack([y.to_numpy(), y.to_numpy() + 5])).predict(horizon=3)
    assert isinstance(pred2, np.ndarray) and pred2.shape == (3, 2)


def check_predict_range_index(est, y):
    series = pd.Series(y.to_numpy(), index=pd.RangeIndex(100, 100 + 2 * len(y), 2))
    pred = est.fit(series).predict()
    assert list(pred.index) == list(range(100 + 2 * len(y), 100 + 2 * len(y) + 12, 2))


def check_many_series(est, y):
    other = seasonal(n=200, seed=3)
    preds = est.fit([y, other]).predict()
    assert isinstance(preds, list) and len(preds) == 2
    assert preds[1].index[0] == other.index[-1] + pd.Timedelta("1h")
    # each series has its own model
    np.testing.assert_allclose(preds[1].to_numpy(), clone(est).fit(other).predict().to_numpy(),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r"holds 3 series, but .* was fitted on 2"):
        est.predict(y=[y, other, y])


def check_new_history(est, y):
    est.fit(y)
    recent = y.iloc[:150]
    pred = est.predict(y=recent)
    assert pred.index[0] == recent.index[-1] + pd.Timedelta("1h")
    assert not np.allclose(pred.to_numpy(), est.predict().to_numpy())
    # the training history itself gives (nearly) the fitted forecast
    np.testing.assert_allclose(est.predict(y=y).to_numpy(), est.predict().to_numpy(),
                               rtol=1e-3, atol=1e-3)
    # a model fitted on one series applies to a list of histories
    preds = est.predict(y=[recent, y.iloc[:200]], horizon=2)
    assert [p.index[0] for p in preds] == [y.index[150], y.index[200]]
    np.testing.assert_allclose(preds[0].to_numpy(), pred.to_numpy()[:2])


def check_pickle(est, y):
    est.fit(y)
    loaded = pickle.loads(pickle.dumps(est))
    pd.testing.assert_series_equal(loaded.predict(), est.predict())
    assert loaded.get_params() == est.get_params()


def check_inputs_not_mutated(est, y):
    frame = pd.DataFrame({"a": y, "b": seasonal(seed=5) + 5})
    frame_copy = frame.copy(deep=True)
    est.fit(frame)
    est.predict(y=frame.iloc[:150])
    pd.testing.assert_frame_equal(frame, frame_copy)
    array = y.to_numpy().copy()
    est.fit(array)
    est.predict(y=array[:100])
    np.testing.assert_array_equal(array, y.to_numpy())


# ----------------------------------------------------------------- errors
def check_too_short(est, y, need):
    name = type(est).__name__
    if need > 1:
        with pytest.raises(ValueError, match=rf"{name} needs at least .*= {need} time steps to "
                                             rf"fit, but y has {need - 1}\."):
            est.fit(y.iloc[:need - 1])
    before = est.fit(y.iloc[:need]).predict()
    assert np.isfinite(before.to_numpy()).all()
    if need > 1:  # a failed refit leaves the fitted estimator exactly as it was
        with pytest.raises(ValueError, match="needs at least"):
            est.fit(y.iloc[:need - 1])
        pd.testing.assert_series_equal(est.predict(), before)
    if need > 1:
        with pytest.raises(ValueError, match=rf"y passed to predict has {need - 1} time steps "
                                             rf"but {name} needs at least .*= {need} steps"):
            est.predict(y=y.iloc[:need - 1])


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
        (y.drop(y.index[[10, 50, 51]]), ValueError, "irregular time stamps"),
        ([], ValueError, "empty list"),
        ("abc", TypeError, "Expected a pandas Series"),
    ]
    for bad, error, message in cases:
        with pytest.raises(error, match=message) as info:
            est.fit(bad)
        assert name in str(info.value)
    with pytest.raises(TypeError, match=r"non-numeric columns \['label'\]"):
        est.fit(pd.DataFrame({"a": y, "label": "x"}))


def check_bad_calls(est, y):
    name = type(est).__name__
    with pytest.raises(ValueError, match=rf"The 'horizon' parameter of {name} must be a "
                                         r"positive int. Got 0"):
        clone(est).set_params(horizon=0).fit(y)
    est.fit(y)
    with pytest.raises(ValueError, match=r"has 2 columns but .* fitted with 1 \(\['load'\]\)"):
        est.predict(y=pd.DataFrame({"a": y, "b": y}))
    with pytest.raises(ValueError, match="fitted without covariates"):
        est.predict(X=pd.DataFrame({"x": np.ones(6)}))
    with pytest.raises(ValueError, match="'horizon' parameter"):
        est.predict(horizon=0)
    if not est.supports_exogenous:
        with pytest.raises(ValueError, match=f"{name} does not use covariates"):
            clone(est).fit(y, X=y.to_frame("x"))


CHECKS = [
    check_default_constructible, check_init_stores_params_only, check_clone_and_set_params,
    check_unfitted_predict_raises, check_fit_returns_self, check_predict_series,
    check_predict_frame_columns_separately, check_predict_numpy, check_predict_range_index,
    check_many_series, check_new_history, check_pickle, check_inputs_not_mutated,
    check_too_short, check_bad_y, check_bad_calls,
]


@pytest.mark.parametrize("Estimator", BASELINES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f.__name__)
def test_baseline_contract(Estimator, check, sine_series):
    params, need = FAST[Estimator]
    est = Estimator(**params)
    if "need" in inspect.signature(check).parameters:
        check(est, sine_series, need)
    else:
        check(est, sine_series)


@pytest.mark.parametrize("Estimator", BASELINES, ids=lambda c: c.__name__)
def test_docstrings_document_the_signature(Estimator):
    signature = [p for p in inspect.signature(Estimator.__init__).parameters if p != "self"]
    assert sorted(documented_params(Estimator)) == sorted(signature)
    doc = inspect.getdoc(Estimator)
    for section in ("Attributes", "References", "Examples"):
        assert f"\n{section}\n" in doc


# ----------------------------------------------------------------- naive values
def test_naive_values():
    y = pd.Series([3.0, 1.0, 4.0, 1.0, 5.0], index=pd.date_range("2024-01-01", periods=5),
                  name="v")
    pred = NaiveForecaster(horizon=3).fit(y).predict()
    pd.testing.assert_series_equal(
        pred, pd.Series([5.0, 5.0, 5.0], index=pd.date_range("2024-01-06", periods=3), name="v"),
        check_freq=False)
    frame = np.array([[1.0, 10.0], [2.0, 20.0]])
    np.testing.assert_array_equal(NaiveForecaster(horizon=2).fit(frame).predict(),
                                  [[2.0, 20.0], [2.0, 20.0]])
    est = NaiveForecaster(horizon=2).fit(y)
    np.testing.assert_array_equal(est.predict(y=y.iloc[:3]).to_numpy(), [4.0, 4.0])


def test_seasonal_naive_values():
    y = np.array([1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0])
    est = SeasonalNaiveForecaster(3, horizon=7).fit(y)
    # the last season is [4, 10, 20, 30][-3:] = [10, 20, 30]
    np.testing.assert_array_equal(est.predict(), [10, 20, 30, 10, 20, 30, 10])
    np.testing.assert_array_equal(est.predict(horizon=2, y=y[:4]), [2, 3])
    # season_length 1 is the naive forecast
    np.testing.assert_array_equal(SeasonalNaiveForecaster(1, horizon=2).fit(y).predict(),
                                  [30, 30])


def test_season_length_from_the_index():
    monthly = load_airpassengers()
    assert SeasonalNaiveForecaster().fit(monthly).season_length_ == 12
    two_hourly = pd.Series(np.arange(48.0), index=pd.date_range("2024-01-01", periods=48,
                                                                freq="2h"))
    est = SeasonalNaiveForecaster(horizon=12).fit(two_hourly)
    assert est.season_length_ == 12  # a day of 2-hour steps
    np.testing.assert_array_equal(est.predict().to_numpy(), np.arange(36.0, 48.0))
    with pytest.raises(ValueError, match=r"SeasonalNaiveForecaster could not infer "
                                         r"'season_length'.*Pass season_length="):
        SeasonalNaiveForecaster().fit(np.arange(30.0))


# ----------------------------------------------------------------- ETS
def test_ets_beats_seasonal_naive_on_airpassengers():
    y = load_airpassengers()
    train, test = y.iloc[:-24], y.iloc[-24:]
    ets = ETSForecaster(trend="add", seasonal="mul", horizon=24).fit(train)
    snaive = SeasonalNaiveForecaster(horizon=24).fit(train)
    ets_mae, snaive_mae = _mae(ets.predict(), test), _mae(snaive.predict(), test)
    assert ets.season_length_ == 12
    assert ets_mae < 0.6 * snaive_mae, (ets_mae, snaive_mae)
    # a new history may start anywhere in the season: only the initial states are
    # re-estimated, the smoothing parameters are kept
    shifted = ets.predict(y=train.iloc[5:])
    assert _mae(shifted, test) < 0.6 * snaive_mae
    new_model = ets._apply_one(ets.models_[0][0], train.to_numpy()[5:], None)
    smoothing = [n for n in new_model.model.param_names if n.startswith("smoothing_")]
    np.testing.assert_allclose(
        [new_model.params[new_model.model.param_names.index(n)] for n in smoothing],
        [ets.models_[0][0].params[ets.models_[0][0].model.param_names.index(n)]
         for n in smoothing])


def test_ets_parameter_and_value_errors():
    y = seasonal()
    with pytest.raises(ValueError, match=r"The 'trend' parameter of ETSForecaster must be one of "
                                         r"'add', 'mul', None\. Got 'linear'"):
        ETSForecaster(trend="linear").fit(y)
    with pytest.raises(ValueError, match="'damped_trend' parameter of ETSForecaster needs a trend"):
        ETSForecaster(damped_trend=True).fit(y)
    with pytest.raises(ValueError, match=r"with seasonal='mul' needs strictly positive values, "
                                         r"but column 'load' of y has minimum -"):
        ETSForecaster(seasonal="mul", season_length=24).fit(y)


# ----------------------------------------------------------------- Theta
def test_theta_follows_a_trend():
    rng = np.random.default_rng(0)
    t = np.arange(120)
    y = pd.Series(50 + 2.0 * t + rng.standard_normal(120),
                  index=pd.date_range("2000-01-01", periods=120, freq="MS"))
    train, test = y.iloc[:100], y.iloc[100:]
    theta = ThetaForecaster(horizon=20).fit(train)
    naive = NaiveForecaster(horizon=20).fit(train)
    pred = theta.predict()
    assert _mae(pred, test) < 0.6 * _mae(naive.predict(), test)
    # theta=2 extrapolates half the fitted slope of 2 per step; theta=1 (SES) is flat;
    # a large theta follows the whole slope, which suits this straight line best
    slope = np.polyfit(np.arange(20), pred.to_numpy(), 1)[0]
    assert 0.8 < slope < 1.2, slope
    # (the seasonality test mistakes a strong trend for a season: switch it off)
    flat = ThetaForecaster(theta=1.0, deseasonalize=False, horizon=20).fit(train).predict()
    np.testing.assert_allclose(flat.to_numpy(), flat.iloc[0])
    steep = ThetaForecaster(theta=20.0, deseasonalize=False, horizon=20).fit(train).predict()
    assert _mae(steep, test) < 0.5 * _mae(pred, test)
    with pytest.raises(ValueError, match=r"The 'theta' parameter of ThetaForecaster must be a "
                                         r"float in \[1.0, inf\)\. Got 0.5"):
        ThetaForecaster(theta=0.5).fit(train)


# ----------------------------------------------------------------- ARIMA
def _driven_by_covariate(n=260, seed=0):
    """y = 3 x + AR(1) noise, with x a random covariate known in advance."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2024-01-01", periods=n, freq="D")
    x = pd.DataFrame({"price": rng.standard_normal(n)}, index=idx)
    noise = np.zeros(n)
    for t in range(1, n):
        noise[t] = 0.5 * noise[t - 1] + 0.3 * rng.standard_normal()
    return pd.Series(3.0 * x["price"].to_numpy() + noise, index=idx, name="sales"), x


def test_arima_uses_covariates():
    y, X = _driven_by_covariate()
    train, test = y.iloc[:240], y.iloc[240:]
    with_x = ARIMAForecaster(horizon=20).fit(train, X=X.iloc[:240])
    assert with_x.covariate_names_ == ["price"] and with_x.n_features_in_ == 2
    without_x = ARIMAForecaster(horizon=20).fit(train)
    mae_x = _mae(with_x.predict(X=X.iloc[240:]), test)
    assert mae_x < 0.3 * _mae(without_x.predict(), test)
    # a new history takes X over that history and the forecast span
    pred = with_x.predict(y=train.iloc[:200], X=X.iloc[:220])
    assert pred.index[0] == y.index[200]
    assert _mae(pred, y.iloc[200:220]) < 0.3 * _mae(without_x.predict(y=train.iloc[:200]),
                                                    y.iloc[200:220])
    with pytest.raises(ValueError, match="was fitted with covariates.*predict needs X"):
        with_x.predict()
    with pytest.raises(ValueError, match=r"has 3 rows, but 20 are needed"):
        with_x.predict(X=X.iloc[240:243])
    with pytest.raises(ValueError, match="expected"):
        with_x.predict(X=X.iloc[241:])
    with pytest.raises(ValueError, match=r"X passed to ARIMAForecaster has 100 rows but y has"):
        ARIMAForecaster().fit(train, X=X.iloc[:100])


def test_arima_new_history_applies_fitted_parameters():
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = seasonal()
    est = ARIMAForecaster((2, 0, 0), trend="c", horizon=6).fit(y)
    params = np.asarray(est.models_[0][0].params)
    recent = y.iloc[:150].to_numpy()
    expected = SARIMAX(recent, order=(2, 0, 0), trend="c").filter(params).forecast(6)
    np.testing.assert_allclose(est.predict(y=y.iloc[:150]).to_numpy(), expected)


def test_arima_parameter_errors():
    y = seasonal()
    with pytest.raises(ValueError, match=r"The 'order' parameter of ARIMAForecaster must be a "
                                         r"tuple \(p, d, q\) of 3 non-negative ints\. Got \(1, 0\)"):
        ARIMAForecaster((1, 0)).fit(y)
    with pytest.raises(ValueError, match=r"'seasonal_order' parameter of ARIMAForecaster needs "
                                         r"a period s >= 2"):
        ARIMAForecaster(seasonal_order=(1, 0, 0, 0)).fit(y)


def test_statsmodels_warnings_are_summarised():
    """Start-parameter warnings are dropped; non-convergence is one warning naming the columns."""
    # statsmodels warns twice about start parameters on "curve" and, with (2, 0, 2),
    # fails to converge on it; "noise" fits cleanly
    y = pd.DataFrame({"curve": np.arange(60.0) ** 1.5,
                      "noise": np.random.default_rng(0).standard_normal(60)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ARIMAForecaster((1, 0, 1), horizon=3).fit(y)
    assert caught == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ARIMAForecaster((2, 0, 2), horizon=3).fit(y)
    assert [w.category for w in caught] == [ConvergenceWarning], [str(w.message) for w in caught]
    assert caught[0].filename == __file__  # points at the caller's fit
    assert str(caught[0].message).startswith(
        "ARIMAForecaster: the likelihood optimisation did not converge in fit for 1 of 2 models "
        "(column 'curve' of y).")


# ----------------------------------------------------------------- example
def test_airpassengers_example_runs(capsys):
    import runpy
    from pathlib import Path

    script = Path(__file__).parents[1] / "examples" / "baselines_airpassengers.py"
    module = runpy.run_path(str(script))
    table = module["main"]([])
    out = capsys.readouterr().out
    for name in ("NaiveForecaster", "SeasonalNaiveForecaster", "ETSForecaster",
                 "ThetaForecaster", "ARIMAForecaster"):
        assert name in out
    assert table["MAE"].notna().all() and len(table) >= 5
    best = table["MAE"].idxmin()
    assert table.loc[best, "MAE"] < table.loc["SeasonalNaiveForecaster", "MAE"]
