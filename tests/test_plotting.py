"""Plotting helpers draw what they are given and reject what they cannot draw."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from tsforecast import LSTMForecaster  # noqa: E402
from tsforecast.plotting import plot_attention, plot_forecast  # noqa: E402

from .conftest import FAST, seasonal  # noqa: E402


def test_plot_attention_heatmap_has_the_weights():
    w = np.random.default_rng(0).dirichlet(np.ones(10), size=4)
    ax = plot_attention(pd.DataFrame(w, columns=range(-10, 0)), title="t")
    image = ax.get_images()[0]
    np.testing.assert_allclose(image.get_array(), w)
    assert ax.get_title() == "t"
    with pytest.raises(ValueError, match="expects a 2-D array"):
        plot_attention(np.ones(3))
    with pytest.raises(ValueError, match="got 2 x_labels for 10 positions"):
        plot_attention(w, x_labels=["a", "b"])


def test_plot_forecast_draws_history_and_forecast(tmp_path):
    y = seasonal()
    est = LSTMForecaster(**FAST).fit(y)
    ax = plot_forecast(y, est.predict(), n_history=48)
    assert len(ax.lines) >= 2
    ax.figure.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_predict_attention_needs_an_attention_model():
    est = LSTMForecaster(**FAST).fit(seasonal())
    with pytest.raises(TypeError, match="LSTMForecaster has no attention weights"):
        est.predict_attention()
