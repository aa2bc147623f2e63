"""Figures for docs/guide/plotting.md, drawn with tsforecast.plotting on ETTh1.

Run: ``python docs/scripts/plotting_figures.py`` (a minute or two on one CPU thread).
Writes ``docs/img/plot_forecast_interval.png``, ``docs/img/plot_forecast_panels.png``
and ``docs/img/plot_backtest.png``.

The interval band of the first figure is built from the backtest's own errors
(the 10 % and 90 % quantiles of forecast minus truth at each horizon step, added
to the final forecast), in the ``predict_interval`` format: columns
``(coverage, "lower"|"upper")``.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from tsforecast import LSTMForecaster  # noqa: E402
from tsforecast.datasets import load_etth1  # noqa: E402
from tsforecast.model_selection import backtest  # noqa: E402
from tsforecast.plotting import plot_backtest, plot_forecast  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"


def save(axes, name):
    fig = (axes if not hasattr(axes, "ravel") else axes.ravel()[0]).figure
    fig.savefig(IMG / name, dpi=90, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote docs/img/{name}")


def main():
    torch.set_num_threads(1)
    etth1 = load_etth1().iloc[:11520]
    settings = dict(lookback=96, horizon=24, hidden_size=32, max_epochs=5, random_state=0,
                    verbose=False)

    # One series: a backtest over the last 10 days, then the next day with an 80 % band.
    ot = etth1["OT"].iloc[-3000:]
    result = backtest(LSTMForecaster(**settings), ot, start=len(ot) - 240, step=24)
    save(plot_backtest(result, history=ot, n_history=96,
                       title="LSTMForecaster on ETTh1 OT: 10 daily forecasts"),
         "plot_backtest.png")
    errors = result.forecasts.assign(err=lambda f: f["y_true"] - f["y_pred"])
    by_step = errors.groupby("horizon")["err"]
    forecast = LSTMForecaster(**settings).fit(ot).predict()
    interval = pd.concat({0.8: pd.DataFrame({
        "lower": forecast.to_numpy() + by_step.quantile(0.1).to_numpy(),
        "upper": forecast.to_numpy() + by_step.quantile(0.9).to_numpy()},
        index=forecast.index)}, axis=1)
    save(plot_forecast(ot, forecast, intervals=interval, n_history=7 * 24,
                       title="Next day, with an 80 % band from the backtest errors"),
         "plot_forecast_interval.png")

    # Seven series of very different scales: one panel each, six shown.
    frame = etth1.iloc[-2000:]
    joint = LSTMForecaster(**settings, channel_independent=True).fit(frame).predict()
    save(plot_forecast(frame, joint, n_history=5 * 24, max_series=6,
                       title="ETTh1, all seven columns"), "plot_forecast_panels.png")


if __name__ == "__main__":
    main()
