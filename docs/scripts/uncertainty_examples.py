"""The worked examples of docs/guide/uncertainty.md; prints the numbers the page quotes.

Run from the repository root: ``python docs/scripts/uncertainty_examples.py``
(a few seconds; statistical baselines only).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from tsforecast import ETSForecaster, NaiveForecaster  # noqa: E402
from tsforecast.datasets import load_airpassengers, load_sp500  # noqa: E402
from tsforecast.model_selection import backtest  # noqa: E402


def sp500():
    """A random walk: the point forecast is the last close, the interval is the information."""
    prices = load_sp500()
    close = np.log(prices["close"])  # log prices: errors in percent of the price
    first_2020 = int((prices["date"] < "2020-01-01").sum())
    est = NaiveForecaster(horizon=5, calibration_size=0.05).fit(close.iloc[:first_2020])
    print("S&P 500, log close, 5 trading days ahead, split conformal calibrated on 2019")
    band = est.predict_interval(coverage=[0.8, 0.95])
    rel = np.exp(band.sub(close.iloc[first_2020 - 1], axis=0)) - 1
    print("Interval ends relative to the last close (%):")
    print((100 * rel).round(2).to_string())
    result = backtest(est, close, start=first_2020, step=1, horizon=5, coverage=[0.8, 0.95])
    f = result.forecasts
    month = pd.Series(prices["date"].iloc[f["time"]].dt.strftime("%Y-%m").to_numpy(),
                      index=f.index)
    inside = ((f["y_true"] >= f["lower_0.95"]) & (f["y_true"] <= f["upper_0.95"]))
    print("\nEmpirical coverage of the 95% intervals by month of the forecast target:")
    print(inside.groupby(month).mean().round(3).to_string())
    # adaptive: recalibrate at each origin on the history's most recent origins
    cover = []
    for o in range(first_2020, len(close) - 5 + 1, 5):
        band = est.predict_interval(y=close.iloc[:o], coverage=0.95, method="adaptive")
        truth = close.iloc[o:o + 5].to_numpy()
        cover.append(((truth >= band["lower"].to_numpy()) & (truth <= band["upper"].to_numpy()))
                     .mean())
    split = inside.groupby(f["origin"]).mean().iloc[::5]
    print(f"\nOver 2020 (origins every 5 days): split conformal {split.mean():.3f}, "
          f"adaptive {np.mean(cover):.3f}")


def airpassengers():
    """A demand series: stock for the 90th percentile of next year's monthly demand."""
    y = load_airpassengers()
    train, test = y.iloc[:-12], y.iloc[-12:]
    params = dict(trend="add", seasonal="mul", horizon=12)
    try:
        ETSForecaster(**params).fit(train).predict_interval(coverage=0.95)
    except ValueError as err:
        print("\nAir passengers, default calibration_size=0.2:\nValueError:", err)
    est = ETSForecaster(**params, calibration_size=0.35).fit(train)
    q = est.predict_quantiles(quantiles=[0.05, 0.5, 0.9, 0.95])
    native = est.predict_quantiles(quantiles=[0.05, 0.5, 0.9, 0.95], method="native")
    table = pd.DataFrame({"actual": test, "median": q[0.5], "p90 conformal": q[0.9],
                          "p90 native": native[0.9]})
    print(f"\nAir passengers 1960 (thousands), {est.calibration_.n_origins} calibration "
          f"origins:")
    print(table.round(0).astype(int).to_string())
    for name, band in (("conformal", q), ("native", native)):
        inside = ((test >= band[0.05]) & (test <= band[0.95])).mean()
        below = (test <= band[0.9]).mean()
        print(f"{name}: 90% interval holds {inside:.0%} of 1960's months; the p90 covers "
              f"{below:.0%} of them; mean p90 stock above the median "
              f"{(band[0.9] - band[0.5]).mean():.1f}")


if __name__ == "__main__":
    sp500()
    airpassengers()
