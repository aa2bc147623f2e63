"""The main job: forecast ETTh1's oil temperature a day ahead and compare with baselines.

Fits an LSTMForecaster on the hourly oil temperature (``OT``) of ETTh1 with
the six load columns as inputs, then evaluates it on a holdout of the last
weeks: one 24-hour forecast from each midnight, against the naive (last
value) and seasonal-naive (same hour yesterday) forecasts. Prints the metrics
table and writes a plot of the last forecasts.

Run with ``make demo`` (or ``python examples/quickstart.py [--quick]``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from tsforecast import LSTMForecaster  # noqa: E402
from tsforecast.datasets import load_etth1  # noqa: E402

LOOKBACK, HORIZON, SEASON = 96, 24, 24


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for smoke tests")
    parser.add_argument("--out", default="forecast.png", help="where to write the plot")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    df = load_etth1().iloc[:14400]  # the 20 months of the standard benchmark
    n_days = 7 if args.quick else 28
    test_start = len(df) - n_days * 24
    train = df.iloc[:test_start]
    if args.quick:
        train = train.iloc[-2000:]

    est = LSTMForecaster(lookback=LOOKBACK, horizon=HORIZON, hidden_size=64,
                         max_epochs=2 if args.quick else 30, patience=5, random_state=0)
    t0 = time.perf_counter()
    est.fit(train[["OT"]])
    fit_s = time.perf_counter() - t0

    # One forecast from each midnight of the holdout, predicted in one batch.
    origins = range(test_start, len(df), 24)
    histories = [df[["OT"]].iloc[o - LOOKBACK:o] for o in origins]
    forecasts = est.predict(y=histories)
    actual = np.stack([df["OT"].iloc[o:o + HORIZON].to_numpy() for o in origins])
    model = np.stack([f["OT"].to_numpy() for f in forecasts])
    naive = np.stack([np.repeat(df["OT"].iloc[o - 1], HORIZON) for o in origins])
    snaive = np.stack([df["OT"].iloc[o - SEASON:o - SEASON + HORIZON].to_numpy()
                       for o in origins])

    print(f"ETTh1 oil temperature, {len(origins)} daily 24-hour forecasts "
          f"(LSTM trained in {fit_s:.1f} s, {len(est.history_)} epochs)\n")
    print(f"{'model':<22}{'MAE':>8}{'RMSE':>8}")
    for name, pred in (("LSTMForecaster", model), ("seasonal naive (24h)", snaive),
                       ("naive (last value)", naive)):
        err = pred - actual
        print(f"{name:<22}{np.abs(err).mean():>8.3f}{np.sqrt((err ** 2).mean()):>8.3f}")

    fig, ax = plt.subplots(figsize=(10, 4))
    span = df["OT"].iloc[test_start - 3 * 24:]
    ax.plot(span.index, span.to_numpy(), color="black", lw=1, label="observed")
    for i, f in enumerate(forecasts[-5:]):
        ax.plot(f.index, f["OT"], color="tab:blue", lw=1.5,
                label="LSTM forecast" if i == 0 else None)
    ax.set_title("ETTh1 oil temperature: daily 24-hour forecasts")
    ax.set_ylabel("OT (°C)")
    ax.legend()
    fig.tight_layout()
    out = Path(args.out)
    fig.savefig(out, dpi=100)
    print(f"\nPlot written to {out.resolve()}")


if __name__ == "__main__":
    main()
