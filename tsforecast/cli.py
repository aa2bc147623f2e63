"""The ``tsforecast`` command line: the main job on your own CSV.

``tsforecast forecast data.csv --target sales --time-column date --horizon 14``
fits a forecaster, scores it on a holdout backtest against the naive and
seasonal-naive forecasts, refits on everything (or not, with ``--no-refit``),
and writes the forecast as CSV and a plot.

Covariates known in advance (``--covariates``) need their future values: put
the forecast span as extra rows at the end of the CSV, with the covariates
filled and the targets empty. ``--calendar`` adds calendar features computed
from the time stamps, whose future values are always known.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .data.inputs import _check_index

__all__ = ["main"]


def _registry():
    from .models import ESTIMATORS

    names = {}
    for cls in ESTIMATORS:
        short = cls.__name__.removesuffix("Forecaster").lower()
        names[short] = cls
        if short.startswith("seq2seq"):
            names["seq2seq"] = cls
    return names


def calendar_features(index: pd.DatetimeIndex) -> pd.DataFrame:
    """Smooth calendar features known in advance: hour, day of week and month as sin/cos.

    Only the features whose cycle is longer than the series' step are kept
    (no hour-of-day features for daily data).
    """
    step = index[1] - index[0] if len(index) > 1 else pd.Timedelta(days=1)
    features = {}
    cycles = [("hour", index.hour, 24, pd.Timedelta(hours=1)),
              ("dayofweek", index.day_of_week, 7, pd.Timedelta(days=1)),
              ("month", index.month - 1, 12, pd.Timedelta(days=28))]
    for name, values, period, finest in cycles:
        if step <= finest:
            angle = 2 * np.pi * np.asarray(values) / period
            features[f"{name}_sin"] = np.sin(angle)
            features[f"{name}_cos"] = np.cos(angle)
    return pd.DataFrame(features, index=index)


def _read(args):
    path = Path(args.csv)
    if not path.is_file():
        raise SystemExit(f"error: {path} does not exist. Pass the path of a CSV file.")
    df = pd.read_csv(path)
    if args.time_column:
        if args.time_column not in df.columns:
            raise SystemExit(f"error: time column {args.time_column!r} is not in {path} "
                             f"(columns: {list(df.columns)}). Pass --time-column NAME.")
        df[args.time_column] = pd.to_datetime(df[args.time_column])
        df = df.set_index(args.time_column)
        if args.freq:
            df = df.asfreq(args.freq)
    targets = args.target or [c for c in df.columns if c not in (args.covariates or [])]
    missing = [c for c in [*targets, *(args.covariates or [])] if c not in df.columns]
    if missing:
        raise SystemExit(f"error: columns {missing} are not in {path} (columns: "
                         f"{list(df.columns)}). Check --target and --covariates.")
    # Trailing rows without any target value are the forecast span of the covariates.
    has_target = df[targets].notna().any(axis=1).to_numpy()
    n_hist = int(np.flatnonzero(has_target)[-1]) + 1 if has_target.any() else 0
    covs = list(args.covariates or [])
    X = df[covs] if covs else None
    if args.calendar:
        if not isinstance(df.index, pd.DatetimeIndex):
            raise SystemExit("error: --calendar needs time stamps; pass --time-column.")
        full_index = df.index
        if n_hist + args.horizon > len(df):  # extend the index over the forecast span
            freq = _check_index(df.index[:n_hist], "tsforecast", "the CSV")
            full_index = pd.date_range(df.index[0], periods=n_hist + args.horizon, freq=freq)
        cal = calendar_features(full_index)
        X = cal if X is None else cal.join(X)
    y = df[targets].iloc[:n_hist]
    if X is not None and len(X) < n_hist + args.horizon:
        raise SystemExit(
            f"error: the covariates have {len(X) - n_hist} rows after the last target value, "
            f"but the forecast needs {args.horizon}. Add the future rows to the CSV with the "
            f"covariates filled and the targets empty.")
    return y, X, n_hist


def _forecast(args):
    import torch

    from .baselines import NaiveForecaster, SeasonalNaiveForecaster
    from .model_selection import backtest
    from .plotting import plot_forecast

    torch.set_num_threads(args.threads)
    models = _registry()
    y, X, n_hist = _read(args)
    est = models[args.model](lookback=args.lookback, horizon=args.horizon,
                             strategy=args.strategy, max_epochs=args.max_epochs,
                             random_state=args.seed, verbose=args.verbose)
    holdout = args.holdout if args.holdout is not None else 4 * args.horizon
    if holdout < args.horizon or holdout > n_hist - args.lookback - args.horizon:
        raise SystemExit(f"error: --holdout {holdout} must be between the horizon "
                         f"({args.horizon}) and {n_hist - args.lookback - args.horizon} for "
                         f"this series of {n_hist} rows.")
    X_hist = X.iloc[:n_hist] if X is not None else None
    start = n_hist - holdout
    table = {}
    season = args.season or 1
    candidates = [(type(est).__name__, est), ("naive", NaiveForecaster(horizon=args.horizon))]
    if args.season:
        candidates.append((f"seasonal naive ({season})",
                           SeasonalNaiveForecaster(horizon=args.horizon, season_length=season)))
    fitted = None
    for name, model in candidates:
        uses_x = X_hist is not None and getattr(model, "supports_exogenous", False) \
            and name == type(est).__name__
        result = backtest(model, y, X_hist if uses_x else None, start=start,
                          step=args.horizon, horizon=args.horizon,
                          metrics=("mae", "rmse", "smape", "mase"), seasonal_period=season)
        table[name] = result.metrics
        if name == type(est).__name__:
            fitted = result.estimator
    scores = pd.DataFrame(table).T
    print(f"Holdout backtest: {holdout} rows, forecasts of {args.horizon} steps every "
          f"{args.horizon} steps (MASE scaled by the seasonal-naive error, m={season})")
    print(scores.round(4).to_string())

    if args.refit:
        fitted = est.fit(y, X_hist)
    forecast = fitted.predict(y=y, X=X.iloc[:n_hist + args.horizon] if X is not None else None)
    out = Path(args.output)
    forecast.to_csv(out, index_label=y.index.name or "step")
    print(f"\nForecast of {args.horizon} steps written to {out}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        ax = plot_forecast(y, forecast, n_history=4 * args.horizon,
                           title=f"{type(est).__name__}, {args.horizon}-step forecast")
        ax.figure.savefig(args.plot, dpi=100)
        print(f"Plot written to {args.plot}")
    if args.save:
        fitted.save(args.save)
        print(f"Model saved to {args.save}")
    return scores


def build_parser():
    parser = argparse.ArgumentParser(prog="tsforecast", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("forecast", help="fit, backtest and forecast a CSV file")
    p.add_argument("csv", help="CSV file, one row per time step")
    p.add_argument("--target", action="append",
                   help="target column (repeat for several; default: all but covariates)")
    p.add_argument("--time-column", help="column with the time stamps")
    p.add_argument("--freq", help="pandas frequency to enforce, e.g. h, D, MS")
    p.add_argument("--covariates", nargs="+", help="columns known in advance")
    p.add_argument("--calendar", action="store_true",
                   help="add calendar features (hour, day of week, month) as covariates")
    p.add_argument("--model", default="lstm", choices=sorted(_registry()))
    p.add_argument("--lookback", type=int, default=48)
    p.add_argument("--horizon", type=int, default=12)
    p.add_argument("--strategy", default="direct", choices=["direct", "recursive"])
    p.add_argument("--max-epochs", type=int, default=30)
    p.add_argument("--holdout", type=int, help="rows of the holdout backtest (default 4 x horizon)")
    p.add_argument("--season", type=int, help="seasonal period for the baseline and MASE")
    p.add_argument("--refit", action=argparse.BooleanOptionalAction, default=True,
                   help="refit on the whole series before the final forecast (default)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    p.add_argument("--output", default="forecast.csv")
    p.add_argument("--plot", help="write a PNG plot here")
    p.add_argument("--save", help="save the fitted model here (tsforecast.load reads it)")
    p.add_argument("--verbose", action="store_true", help="show training progress")
    return parser


def main(argv=None):
    """Entry point of the ``tsforecast`` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "forecast":
        try:
            _forecast(args)
        except (ValueError, TypeError) as err:  # our messages already say how to fix it
            print(f"error: {err}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
