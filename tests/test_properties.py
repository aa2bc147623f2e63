"""Property-based tests of the input layer (Hypothesis).

For any input built from random shapes, dtypes, NaN/inf placements, index kinds
and lengths around ``lookback + horizon``, ``fit`` then ``predict`` either
raise a clear ``ValueError``/``TypeError`` from tsforecast that names the
estimator, or return a finite forecast with the right index. The caller's
input is never changed. Examples are bounded (cheap estimators, a few dozen
examples each) so that the module runs in well under a minute.
"""

import copy
import os
import traceback

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsforecast
from tsforecast import LSTMForecaster
from tsforecast.baselines import NaiveForecaster

from .conftest import CPU_QUIET

LOOKBACK, HORIZON = 4, 3
NEED = LOOKBACK + HORIZON
PACKAGE = os.path.dirname(tsforecast.__file__)
DTYPES = ["float64", "float32", "float16", "int64", "int8", "uint8", "bool", "complex128",
          "object", "str"]
INDEXES = ["range", "hourly", "daily tz", "int step 2", "irregular", "unsorted", "duplicated",
           "string", "float"]
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
                database=None)


@st.composite
def inputs(draw):
    """A random y: container, length, columns, dtype, non-finite values, index."""
    container = draw(st.sampled_from(["array", "Series", "DataFrame", "list"]))
    n = draw(st.sampled_from([0, 1, 2, NEED - 1, NEED, NEED + 1, NEED + 3, 3 * NEED]))
    k = 1 if container == "Series" else draw(st.sampled_from([0, 1, 2]))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    values = rng.normal(size=(n, k)) * draw(st.sampled_from([1.0, 1e-8, 1e6]))
    if draw(st.booleans()) and n * k:
        bad = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        values[draw(st.integers(0, n - 1)), draw(st.integers(0, k - 1))] = bad
    if dtype == "str":
        values = values.astype(str)
    elif dtype in ("object", "complex128"):
        values = values.astype(dtype)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            values = values.astype(dtype)
    index = _index(draw(st.sampled_from(INDEXES)), n)
    if container == "array":
        return values[:, 0] if k == 1 and draw(st.booleans()) else values
    if container == "Series":
        return pd.Series(values[:, 0], index=index, name="y")
    frame = pd.DataFrame(values, index=index, columns=[f"c{j}" for j in range(k)])
    if container == "DataFrame":
        return frame
    return [frame.iloc[: max(n - 1, 0)].to_numpy(), frame.to_numpy()]


def _index(kind, n):
    if kind == "range":
        return pd.RangeIndex(n)
    if kind == "hourly":
        return pd.date_range("2024-01-01", periods=n, freq="h")
    if kind == "daily tz":
        return pd.date_range("2024-03-20", periods=n, freq="D", tz="Europe/Paris")
    if kind == "int step 2":
        return pd.Index(np.arange(n) * 2 + 10)
    if kind == "irregular":
        return pd.DatetimeIndex(pd.Timestamp("2024-01-01") + pd.to_timedelta(
            np.cumsum(np.arange(1, n + 1)), unit="h"))
    if kind == "unsorted":
        return pd.Index(np.arange(n)[::-1])
    if kind == "duplicated":
        return pd.Index(np.arange(n) // 2)
    if kind == "string":
        return pd.Index([f"t{i}" for i in range(n)], dtype=object)
    return pd.Index(np.arange(n) + 0.5)


def _expected_index(y, horizon):
    """The index a forecast of ``y`` must carry, or None for numpy output."""
    if isinstance(y, np.ndarray):
        return None
    index = y.index
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq or pd.tseries.frequencies.to_offset(pd.infer_freq(index))
        return pd.date_range(index[-1] + freq, periods=horizon, freq=freq)
    step = int(index[1] - index[0]) if len(index) > 1 else 1
    return pd.Index(int(index[-1]) + step * np.arange(1, horizon + 1))


def _snapshot(y):
    return copy.deepcopy(y)


def _assert_unchanged(y, before):
    if isinstance(y, list):
        for a, b in zip(y, before):
            _assert_unchanged(a, b)
    elif isinstance(y, pd.Series):
        pd.testing.assert_series_equal(y, before)
    elif isinstance(y, pd.DataFrame):
        pd.testing.assert_frame_equal(y, before)
    else:
        assert y.dtype == before.dtype and y.shape == before.shape
        assert np.array_equal(y, before, equal_nan=y.dtype.kind in "fc")


def _assert_clear_error(err, est):
    """A ValueError/TypeError raised by tsforecast's own checks, naming the estimator."""
    assert isinstance(err, (ValueError, TypeError)), repr(err)
    frames = traceback.extract_tb(err.__traceback__)
    assert frames[-1].filename.startswith(PACKAGE), (repr(err), frames[-1])
    assert type(est).__name__ in str(err), str(err)


def _assert_forecast(pred, y, horizon):
    items, ys = (pred, y) if isinstance(y, list) else ([pred], [y])
    assert isinstance(pred, list) == isinstance(y, list)
    for p, yi in zip(items, ys):
        values = np.asarray(p, dtype=float)
        assert len(values) == horizon and np.isfinite(values).all()
        expected = _expected_index(yi, horizon)
        if expected is not None:
            pd.testing.assert_index_equal(p.index, expected, check_names=False)
        else:
            assert isinstance(p, np.ndarray) and p.shape[1:] == yi.shape[1:]


def _kinds(y):
    if isinstance(y, list):
        return set().union(*map(_kinds, y))
    if isinstance(y, pd.DataFrame):
        return {dt.kind for dt in y.dtypes}
    return {y.dtype.kind}


def check_property(est, y):
    before = _snapshot(y)
    try:
        pred = est.fit(y).predict()
    except Exception as err:  # noqa: BLE001 - the property says which errors are allowed
        _assert_clear_error(err, est)
    else:
        # only real numbers are forecast: complex, bool, object and text are refused
        assert not _kinds(y) & set("cbOSU"), _kinds(y)
        _assert_forecast(pred, y, HORIZON)
        new_history = y if isinstance(y, list) else y[-NEED:]
        _assert_forecast(est.predict(y=new_history), new_history, HORIZON)
    _assert_unchanged(y, before)


@settings(max_examples=120, **SETTINGS)
@given(y=inputs())
def test_naive_forecaster_on_random_inputs(y):
    check_property(NaiveForecaster(horizon=HORIZON), y)


@settings(max_examples=25, **SETTINGS)
@given(y=inputs())
def test_deep_forecaster_on_random_inputs(y):
    est = LSTMForecaster(lookback=LOOKBACK, horizon=HORIZON, hidden_size=4, max_epochs=1,
                         batch_size=8, validation_size=0.0, random_state=0,
                         trainer_kwargs=CPU_QUIET)
    check_property(est, y)


@pytest.mark.parametrize("value", [1e-300, 1e100, -1e120])
def test_extreme_but_finite_scales_forecast_finitely(value):
    y = np.sin(np.arange(3 * NEED)) * value
    check_property(NaiveForecaster(horizon=HORIZON), y)
