"""The 'Adding a model' page's forecaster works as the page says (its code is run here)."""

import re
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforecast.base import BaseForecaster
from tsforecast.models import ESTIMATORS

PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "new-model.md"


@pytest.fixture(scope="module")
def page_module():
    """The page's first code block, run as a module (so that pickling finds the class)."""
    code = re.search(r"```python\n(.*?)```", PAGE.read_text(), re.S).group(1)
    module = types.ModuleType("new_model_page")
    sys.modules[module.__name__] = module
    exec(compile(code, str(PAGE), "exec"), module.__dict__)
    yield module
    del sys.modules[module.__name__]


@pytest.fixture(scope="module")
def y():
    t = np.arange(400)
    noise = np.random.default_rng(0).normal(0, 0.05, t.size)
    return pd.Series(np.sin(2 * np.pi * t / 24) + noise, name="load",
                     index=pd.date_range("2024-01-01", periods=t.size, freq="h"))


def test_the_page_forecaster_is_documented_without_being_registered(page_module):
    cls = page_module.MLPForecaster
    assert issubclass(cls, BaseForecaster) and cls not in ESTIMATORS
    doc = cls.__doc__
    assert "hidden_size : int, default=64" in doc
    # the shared section, generated with this class's own defaults
    assert "Other Parameters" in doc and "lookback : int, default=48" in doc
    assert "channel_independent : bool, default=True" in doc and "network_ :" in doc


def test_the_page_forecaster_learns_saves_and_checks_its_parameters(page_module, y, tmp_path):
    est = page_module.MLPForecaster(lookback=24, horizon=6, hidden_size=32, max_epochs=15,
                                    learning_rate=3e-3, random_state=0, verbose=False)
    est.fit(y.iloc[:-6])
    forecast = est.predict()
    naive = np.repeat(y.iloc[-7], 6)
    truth = y.iloc[-6:].to_numpy()
    assert np.abs(forecast.to_numpy() - truth).mean() < 0.5 * np.abs(naive - truth).mean()
    bands = est.predict_interval(coverage=0.9)
    assert (bands["lower"] <= forecast).all() and (forecast <= bands["upper"]).all()
    est.save(tmp_path / "mlp.zip")
    again = page_module.MLPForecaster.load(tmp_path / "mlp.zip")
    pd.testing.assert_series_equal(again.predict(), forecast)
    with pytest.raises(ValueError, match="'hidden_size' parameter of MLPForecaster must be a "
                                         "positive int. Got 0"):
        page_module.MLPForecaster(hidden_size=0).fit(y)
