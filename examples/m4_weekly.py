"""Many series: one global GRU over the 359 weekly series of the M4 competition.

Fits a single ``GRUForecaster`` on the dict ``{id: series}`` of M4 Weekly
training series (80 to 2,597 weeks each), forecasts the 13 following weeks of
every series in one ``predict`` call, and scores the forecasts as the M4
competition did (sMAPE, MASE with m = 1, OWA relative to Naive2) next to
Naive2 and the seasonal naive forecast (52 weeks). Writes a plot of a few
series. The lookback comes from :func:`tsforecast.data.suggest_lookback`.

The M4 data is for research and benchmarking only and is not shipped with
tsforecast: pass ``--m4-dir`` (the folder with Weekly-train.csv and
Weekly-test.csv), or set ``TSFORECAST_M4_DIR``.

Run ``python examples/m4_weekly.py [--quick] [--out PNG] [--m4-dir DIR]``;
``--quick`` keeps a few series and one epoch.
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from tsforecast import GRUForecaster, SeasonalNaiveForecaster  # noqa: E402
from tsforecast.data import suggest_lookback  # noqa: E402
from tsforecast.datasets import M4_HORIZONS, load_m4  # noqa: E402
from tsforecast.metrics import m4_scores, naive2_forecast  # noqa: E402
from tsforecast.plotting import plot_forecast  # noqa: E402

HORIZON, SEASON = M4_HORIZONS["Weekly"], 52


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few series, one epoch")
    parser.add_argument("--out", default="m4_weekly.png", help="where to write the plot")
    parser.add_argument("--m4-dir", default=None, help="folder holding the M4 Weekly CSVs")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    train, test = load_m4("Weekly", path=args.m4_dir)
    if args.quick:  # the shortest series and the first ones
        keep = sorted(train, key=lambda k: len(train[k]))[:4] + list(train)[:4]
        train, test = {k: train[k] for k in keep}, {k: test[k] for k in keep}

    lookback = suggest_lookback(train, HORIZON, season_length=SEASON)
    model = GRUForecaster(lookback=lookback, horizon=HORIZON, random_state=0,
                          max_epochs=1 if args.quick else 50)
    forecasts = {"GRUForecaster (global)": model.fit(train).predict()}  # a dict, same ids
    forecasts["Naive2"] = {k: pd.Series(naive2_forecast(v.to_numpy(), HORIZON),
                                        index=test[k].index) for k, v in train.items()}
    forecasts["seasonal naive (52)"] = SeasonalNaiveForecaster(
        season_length=SEASON, horizon=HORIZON).fit(train).predict()

    table = pd.DataFrame({name: m4_scores(test, f, y_train=train, m=1)
                          for name, f in forecasts.items()}).T[["smape", "mase", "owa"]]
    table.columns = ["sMAPE", "MASE", "OWA"]
    print(f"M4 Weekly, {len(train)} series, horizon {HORIZON}, lookback {lookback}")
    print(table.round(3).to_string())

    shown = list(train)[:4]
    fig, axes = plt.subplots(len(shown), 1, figsize=(10, 2.6 * len(shown)))
    for ax, key in zip(axes, shown):
        plot_forecast(train[key], forecasts["GRUForecaster (global)"][key], actual=test[key],
                      n_history=3 * SEASON, ax=ax, title=f"M4 Weekly {key}")
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    plt.close(fig)
    print(f"plot written to {args.out}")
    return table


if __name__ == "__main__":
    main()
