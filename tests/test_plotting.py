"""Plotting helpers draw what they are given and reject what they cannot draw."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from tsforecast import LSTMForecaster  # noqa: E402
from tsforecast.plotting import plot_attention, plot_backtest, plot_forecast  # noqa: E402

from .conftest import FAST, seasonal  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """Each test's figures are closed after it (pyplot keeps them open otherwise)."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


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


# ------------------------------------------------------------------ forecasts of many series
def _daily(n, start="2024-01-01"):
    return pd.date_range(start, periods=n, freq="D")


def _frames(n_series, scales=None):
    scales = scales or [10.0 ** (i % 4) for i in range(n_series)]
    idx, fidx = _daily(100), _daily(10, "2024-04-10")
    t = np.arange(110)
    hist = pd.DataFrame({f"s{i}": s * (2 + np.sin(t[:100] / 5 + i)) for i, s in
                         enumerate(scales)}, index=idx)
    fc = pd.DataFrame({f"s{i}": s * (2 + np.sin(t[100:] / 5 + i)) for i, s in
                       enumerate(scales)}, index=fidx)
    return hist, fc


def _labels(ax):
    return [line.get_label() for line in ax.get_lines()]


def test_unnamed_series_are_labelled_series_0():
    import matplotlib.dates as mdates

    y = pd.Series(np.arange(50.0), index=_daily(50))
    f = pd.Series(np.arange(50.0, 55.0), index=_daily(5, "2024-02-20"))
    ax = plot_forecast(y, f, n_history=20)
    assert _labels(ax)[:2] == ["observed", "forecast"]
    assert ax.get_ylabel() == "series 0"
    assert all(not label.startswith("0 ") for label in _labels(ax))
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    observed = ax.get_lines()[0]
    assert len(observed.get_xdata()) == 20  # the history window
    forecast = ax.get_lines()[1]  # joined to the last observation, then the 5 forecasts
    np.testing.assert_allclose(forecast.get_ydata(), np.arange(49.0, 55.0))


def test_many_series_get_one_panel_each_with_their_own_scale():
    hist, fc = _frames(8)
    axes = plot_forecast(hist, fc, max_series=6, title="stores")
    assert len(axes) == 6
    assert [a.get_title(loc="left") for a in axes] == [f"s{i}" for i in range(6)]
    fig = axes[0].figure
    assert fig.get_suptitle() == "stores (showing 6 of 8 series; choose with ids=)"
    # a series 1000x smaller is not flattened: each panel spans its own values
    for a, col in zip(axes, hist.columns):
        low, high = a.get_ylim()
        assert low <= hist[col].min() and high < 1.5 * hist[col].max() + 1
    # one legend for the figure, below the panels: it covers no data
    (legend,) = fig.legends
    fig.canvas.draw()
    box = legend.get_window_extent()
    for a in axes:
        assert not box.overlaps(a.get_window_extent())
    axes = plot_forecast(hist, fc, ids=["s7", "s2"])
    assert [a.get_title(loc="left") for a in axes] == ["s7", "s2"]
    with pytest.raises(ValueError, match=r"ids \['s9'\] that are not among the series"):
        plot_forecast(hist, fc, ids=["s9"])


def test_series_on_one_given_axis_get_a_legend_outside():
    import matplotlib.pyplot as plt

    hist, fc = _frames(3)
    _, ax = plt.subplots()
    out = plot_forecast(hist, fc, ax=ax)
    assert out is ax
    assert "s0 observed" in _labels(ax) and "s2 forecast" in _labels(ax)
    ax.figure.canvas.draw()
    assert not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())


def test_long_format_and_lists_of_series():
    hist, fc = _frames(2)
    long_hist = hist.stack().swaplevel().sort_index(level=0, sort_remaining=False)
    long_fc = fc.stack().swaplevel().sort_index(level=0, sort_remaining=False)
    axes = plot_forecast(long_hist, long_fc)
    assert [a.get_title(loc="left") for a in axes] == ["s0", "s1"]
    nf = long_hist.rename_axis(["unique_id", "ds"]).rename("y").reset_index()
    nf_fc = long_fc.rename_axis(["unique_id", "ds"]).rename("y").reset_index()
    axes = plot_forecast(nf, nf_fc, ids=["s1"])
    assert axes.get_ylabel() == "s1" and len(axes.get_lines()[0].get_xdata()) == 100
    axes = plot_forecast([hist["s0"].rename(None), hist["s1"].rename(None)],
                         [fc["s0"].rename(None), fc["s1"].rename(None)])
    assert [a.get_title(loc="left") for a in axes] == ["series 0", "series 1"]


def test_interval_bands_in_the_predict_interval_format():
    hist, fc = _frames(2)
    f = fc["s0"]
    one = pd.DataFrame({"lower": f - 1, "upper": f + 1})
    ax = plot_forecast(hist["s0"], f, intervals=one)
    (band,) = ax.collections
    assert band.get_label() == "interval"
    np.testing.assert_allclose(band.get_paths()[0].vertices[:, 1].min(), (f - 1).min())
    two = pd.concat({0.8: one, 0.95: pd.DataFrame({"lower": f - 2, "upper": f + 2})}, axis=1)
    ax = plot_forecast(hist["s0"], f, intervals=two)
    assert [c.get_label() for c in ax.collections] == ["95% interval", "80% interval"]
    assert ax.collections[0].get_alpha() < ax.collections[1].get_alpha()  # widest palest
    # DataFrame input: columns (target, coverage, side)
    frame = pd.concat({col: pd.concat({0.9: pd.DataFrame({"lower": fc[col] - 1,
                                                          "upper": fc[col] + 1})}, axis=1)
                       for col in fc.columns}, axis=1)
    axes = plot_forecast(hist, fc, intervals=frame)
    assert [[c.get_label() for c in a.collections] for a in axes] == [["90% interval"]] * 2
    with pytest.raises(ValueError, match="Expected 'lower' and 'upper' columns"):
        plot_forecast(hist["s0"], f, intervals=pd.DataFrame({"lo": f, "hi": f}))


# ------------------------------------------------------------------ backtests
def _backtest_frame(with_bands):
    rows = []
    times = _daily(40, "2024-03-01")
    truth = np.sin(np.arange(40) / 4)
    for column, scale in (("a", 1.0), ("b", 100.0)):
        for o in range(0, 31, 3):
            for h in range(1, 8):
                if o + h - 1 < 40:
                    p = scale * (truth[o + h - 1] + 0.1)
                    row = dict(origin=times[o] - pd.Timedelta(days=1), time=times[o + h - 1],
                               horizon=h, column=column, y_true=scale * truth[o + h - 1],
                               y_pred=p)
                    if with_bands:
                        row.update({"lower_0.9": p - scale * 0.2, "upper_0.9": p + scale * 0.2})
                    rows.append(row)
    return pd.DataFrame(rows)


def test_plot_backtest_draws_origins_truth_and_bands():
    frame = _backtest_frame(with_bands=True)
    axes = plot_backtest(frame, max_origins=5)
    assert [a.get_title(loc="left") for a in axes] == ["a", "b"]
    a = axes[0]
    truth = [line for line in a.get_lines() if line.get_label() == "actual"][0]
    assert len(truth.get_xdata()) == 37  # every forecast time once
    forecasts = a.get_lines()[1:]
    assert len(forecasts) == 5  # 11 origins, 5 drawn, evenly spread
    assert "5 of 11 origins shown" in [t.get_text() for t in a.texts]
    assert len(a.collections) == 5 and a.collections[0].get_label() == "90% interval"
    plain = plot_backtest(_backtest_frame(with_bands=False), ids=["b"])
    assert not plain.collections and len(plain.get_lines()) == 12


def test_plot_backtest_on_a_real_backtest_with_history(tmp_path):
    from tsforecast.model_selection import backtest

    y = seasonal()
    result = backtest(LSTMForecaster(**FAST), y, start=len(y) - 24, step=6)
    ax = plot_backtest(result, history=y, title="holdout")
    labels = _labels(ax)
    assert labels[:2] == ["history", "actual"] and len(ax.get_lines()) == 2 + 4
    assert ax.get_title() == "holdout"
    ax.figure.savefig(tmp_path / "b.png")
    with pytest.raises(TypeError, match="expects a BacktestResult"):
        plot_backtest(pd.DataFrame({"x": [1]}))
