"""Forecast the S&P 500 a week ahead, and measure it honestly against the random walk.

Daily closes 2000-2020 (bundled). Prices are non-stationary, so the model
forecasts **log returns** and the price forecast is rebuilt from them. A
rolling backtest over the last trading year compares it with the naive
forecast (tomorrow's price = today's: the random walk that is notoriously
hard to beat on index prices) and with the historical-drift forecast.

Run: ``python examples/stock_forecasting.py [--quick] [--out stock.png]``
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from tsforecast import GRUForecaster  # noqa: E402
from tsforecast.datasets import load_sp500  # noqa: E402
from tsforecast.model_selection import backtest  # noqa: E402

HORIZON, LOOKBACK = 5, 60


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for smoke tests")
    parser.add_argument("--out", default="stock_forecast.png")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    prices = load_sp500()
    close = prices["close"]
    log_price = np.log(close)
    returns = log_price.diff().iloc[1:].rename("log_return")  # trading-day steps
    if args.quick:
        returns = returns.iloc[-1500:]
    n_test = 60 if args.quick else 250
    start = len(returns) - n_test

    model = GRUForecaster(lookback=LOOKBACK, horizon=HORIZON, hidden_size=32,
                          max_epochs=2 if args.quick else 20, random_state=0)
    result = backtest(model, returns, start=start, step=HORIZON, horizon=HORIZON,
                      metrics=("mae",))

    # Rebuild price forecasts: price at the origin times the cumulated forecast returns.
    f = result.forecasts.copy()
    # ``returns`` keeps the price rows' labels: return r leads into price r, so the
    # last price known at origin r is price r, and the forecast for time t is price t.
    cum_pred = f.groupby("origin")["y_pred"].cumsum().to_numpy()
    base = log_price.to_numpy()[f["origin"].to_numpy()]
    f["price_true"] = close.to_numpy()[f["time"].to_numpy()]
    f["price_model"] = np.exp(base + cum_pred)
    f["price_naive"] = np.exp(base)
    drift = returns.iloc[:start].mean()
    f["price_drift"] = np.exp(base + drift * f["horizon"].to_numpy())
    zero_mae = f["y_true"].abs().mean()  # forecasting a zero return

    print(f"S&P 500, {f['origin'].nunique()} weekly origins over the last {n_test} trading "
          f"days, {HORIZON}-day forecasts\n")
    rows = []
    for name in ("model", "naive", "drift"):
        err = f[f"price_{name}"] - f["price_true"]
        rows.append((name, np.abs(err).mean(), 100 * np.abs(err / f["price_true"]).mean()))
    table = pd.DataFrame(rows, columns=["forecast", "price MAE", "MAPE %"]).set_index("forecast")
    table.index = ["GRUForecaster on log returns", "naive (random walk)", "historical drift"]
    print(table.round(3).to_string())
    print(f"\nlog-return MAE: GRU {result.metrics['mae']:.5f} vs zero return {zero_mae:.5f}")
    print("A deep model rarely beats the random walk on an index: treat any edge you see "
          "in a single backtest with suspicion.")

    last = f[f["origin"] == f["origin"].max()]
    fig, ax = plt.subplots(figsize=(10, 4))
    hist_rows = np.arange(len(close) - 80, len(close))
    dates = pd.to_datetime(prices["date"])
    ax.plot(dates.iloc[hist_rows], close.iloc[hist_rows], color="black", lw=1, label="close")
    ax.plot(dates.iloc[last["time"].to_numpy()], last["price_model"], "o-",
            color="tab:blue", label="GRU (last origin)")
    ax.plot(dates.iloc[last["time"].to_numpy()], last["price_naive"], "--",
            color="grey", label="naive")
    ax.set_title("S&P 500: 5-day forecast from the last origin")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=90)
    print(f"Plot written to {args.out}")
    return table


if __name__ == "__main__":
    main()
