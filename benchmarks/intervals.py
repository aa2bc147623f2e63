"""Prediction intervals benchmark: coverage, width and MSIS on ETTh1-S and M4 Weekly.

Every estimator with its defaults gives 80 % and 95 % intervals
(``predict_interval``, conformal by default; ``--methods native`` adds
statsmodels' own intervals for ETS, ARIMA and Theta):

- **ETTh1-S** (oil temperature only), the protocol of ``benchmarks/ett.py``:
  rows [0, 11520) to fit (the validation tail [8640, 11520) calibrates the
  deep models; the baselines hold out their own last ``calibration_size``),
  every stride-1 test window of [11520, 14400), L = 96, H = 96, on the
  z-normalised scale. Scores: MSE, MAE, empirical coverage, mean width, and
  MSIS (alpha = 0.05, seasonal naive scale m = 24 over the training rows).
- **M4 Weekly**: 359 series, H = 13, one global deep model over the list of
  series (the baselines are local, one model per series). Scores as in the
  M4 competition: sMAPE, MASE (m = 1), OWA against Naive2, MSIS (alpha =
  0.05, m = 1) and the coverage / ACD = |coverage - 0.95| of 95 % intervals.
  The shortest series has 80 weeks: the deep models read lookback = min(52,
  80 - 16 - 13) = 51 weeks so that every series holds a training window after
  its validation tail (20 %).

Also reported: the CPU seconds of the calibration alone (re-run on the fitted
model), of the whole fit, and of the interval forecasts.

Examples::

    python benchmarks/intervals.py --models Naive SeasonalNaive ETS Theta ARIMA GRU
    python benchmarks/intervals.py --datasets m4 --models ETS --methods conformal native --append
    python benchmarks/intervals.py --quick --out /tmp/intervals   # a smoke test
    python benchmarks/intervals.py --report   # rewrite intervals.md from intervals.csv

Results go to ``--out`` (default ``benchmarks/results``): ``intervals.csv``,
``intervals.json`` (one row per dataset, model and method) and
``intervals.md`` (the tables with the published M4 rows beneath). With
``--append`` the rows already there are kept (rows of the same dataset, model
and method are replaced), so the table can be built in several runs.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from _common import FULL, QUICK, RESULTS, load_normalised, machine, markdown_table, run_isolated

import numpy as np
import pandas as pd
import torch

from tsforecast import _conformal
from tsforecast.baselines import BASELINES
from tsforecast.data.inputs import as_series_set
from tsforecast.data.splits import chronological_spans, n_rows
from tsforecast.metrics import coverage, interval_width, mase, msis, naive2_forecast, smape
from tsforecast.model_selection import backtest
from tsforecast.models import ESTIMATORS

COVERAGES = (0.8, 0.95)
M4_DIR = Path("/work/shared/data/m4")
M4_H = 13
# Published M4 Weekly results (Makridakis et al., 2020; /work/shared/data/README.md).
PUBLISHED_M4 = [
    # (method, sMAPE, MASE, OWA, MSIS, ACD)
    ("best entry", None, None, 0.739, 16.20, 0.012),
    ("ARIMA (auto)", None, None, None, 19.58, 0.005),
    ("ETS (auto)", None, None, None, 20.39, 0.014),
    ("ES-RNN (Smyl)", 7.817, 2.356, 0.851, 22.03, 0.021),
    ("Naive", None, None, None, 26.36, 0.001),
    ("Theta", None, None, 0.971, None, None),
    ("Naive2", 9.161, 2.777, 1.000, None, None),
]
DEEP = {c.__name__.removesuffix("Forecaster"): c for c in ESTIMATORS}
LOCAL = {c.__name__.removesuffix("Forecaster"): c for c in BASELINES}
NATIVE = ("ETS", "ARIMA", "Theta")


def _baseline(name, horizon, season):
    """A baseline with its defaults; the season length where numpy input needs one."""
    cls = LOCAL[name]
    if name == "SeasonalNaive":
        return cls(season_length=season, horizon=horizon)
    if name == "Theta":
        return cls(season_length=season, deseasonalize=season > 1, horizon=horizon)
    return cls(horizon=horizon)


def _calibration_cpu(est, y):
    """CPU seconds of the calibration alone, re-run on the fitted estimator."""
    start = time.process_time()
    if name_of(est) in DEEP:
        ys = as_series_set(y, "benchmark", "y")
        spans = [chronological_spans(n, lookback=est.lookback, horizon=est._n_out,
                                     validation_size=est.validation_size).validation
                 for n in ys.lengths]
        _conformal.calibrate_forecaster(est, ys.values, spans)
    else:
        est._calibrate(as_series_set(y, "benchmark", "y"), None)
    return time.process_time() - start


def name_of(est):
    return type(est).__name__.removesuffix("Forecaster")


# ----------------------------------------------------------------- ETTh1-S
def run_ett(model, quick, max_epochs, seed):
    torch.set_num_threads(1)
    protocol = QUICK if quick else FULL
    horizon = 24 if quick else 96
    data = load_normalised(protocol, "S")
    fit_rows = data.iloc[: protocol.val_end]
    if model in DEEP:
        params = dict(lookback=protocol.lookback, horizon=horizon,
                      validation_size=protocol.validation_size, random_state=seed,
                      verbose=False, trainer_kwargs={"accelerator": "cpu"})
        if max_epochs is not None:
            params["max_epochs"] = max_epochs
        est = DEEP[model](**params)
    else:
        est = _baseline(model, horizon, 24)
    cpu = time.process_time()
    est.fit(fit_rows)
    fit_cpu = time.process_time() - cpu
    calib_cpu = _calibration_cpu(est, fit_rows)
    cpu = time.process_time()
    result = backtest(est, data, start=protocol.val_end, step=1, horizon=horizon,
                      metrics=("mse", "mae"), coverage=list(COVERAGES))
    f = result.forecasts
    bounds = {c: (f[f"lower_{c:g}"].to_numpy(), f[f"upper_{c:g}"].to_numpy())
              for c in COVERAGES}
    y_true, y_pred = f["y_true"].to_numpy(), f["y_pred"].to_numpy()
    windows = f["origin"].nunique()
    predict_cpu = time.process_time() - cpu
    train = data["OT"].iloc[: protocol.train_end].to_numpy()
    row = {"dataset": "ETTh1-S", "model": model, "method": "conformal",
           "MSE": float(np.mean((y_true - y_pred) ** 2)),
           "MAE": float(np.mean(np.abs(y_true - y_pred))), "windows": int(windows)}
    for c in COVERAGES:
        lo, hi = bounds[c]
        row[f"cov{c * 100:.0f}"] = coverage(y_true, lo, hi)
        row[f"width{c * 100:.0f}"] = interval_width(lo, hi)
    lo, hi = bounds[0.95]
    row["MSIS"] = msis(y_true, lo, hi, y_train=train, m=24, coverage=0.95)
    row["ACD95"] = abs(row["cov95"] - 0.95)
    row.update(fit_cpu_s=fit_cpu, calibration_cpu_s=calib_cpu, predict_cpu_s=predict_cpu,
               calibration_origins=_origins(est))
    return row


def _origins(est):
    calibration = getattr(est, "calibration_", None)
    return None if calibration is None else calibration.n_origins


# ----------------------------------------------------------------- M4 Weekly
def load_m4(data_dir, quick):
    """Lists of training and test arrays, one per series (the ids in the order of the file)."""
    train = pd.read_csv(Path(data_dir) / "Weekly-train.csv", index_col=0)
    test = pd.read_csv(Path(data_dir) / "Weekly-test.csv", index_col=0)
    if quick:
        train, test = train.iloc[:20], test.iloc[:20]
    ys = [row.dropna().to_numpy(dtype=np.float64) for _, row in train.iterrows()]
    tests = [row.dropna().to_numpy(dtype=np.float64) for _, row in test.iterrows()]
    return ys, tests


def run_m4(model, method, quick, max_epochs, seed, data_dir):
    torch.set_num_threads(1)
    ys, tests = load_m4(data_dir, quick)
    shortest = min(len(y) for y in ys)
    if model in DEEP:
        # the lookback that leaves one training window after the default validation tail
        lookback = min(52, shortest - n_rows(0.2, shortest, "validation_size", "M4") - M4_H)
        params = dict(lookback=lookback, horizon=M4_H, random_state=seed, verbose=False,
                      trainer_kwargs={"accelerator": "cpu"})
        if max_epochs is not None:
            params["max_epochs"] = max_epochs
        est = DEEP[model](**params)
    else:
        est = _baseline(model, M4_H, 1 if model == "Theta" else 52)
    cpu = time.process_time()
    est.fit(ys)
    fit_cpu = time.process_time() - cpu
    calib_cpu = _calibration_cpu(est, ys)
    cpu = time.process_time()
    points = est.predict()
    bands = est.predict_interval(coverage=list(COVERAGES), method=method)  # (13, 2, 2) each
    predict_cpu = time.process_time() - cpu
    s, m, s2, m2, scores = [], [], [], [], []
    inside = {c: [] for c in COVERAGES}
    widths = {c: [] for c in COVERAGES}
    for y, t, p, b in zip(ys, tests, points, bands):
        naive2 = naive2_forecast(y, M4_H, m=1)
        s.append(smape(t, p))
        m.append(mase(t, p, y_train=y, m=1))
        s2.append(smape(t, naive2))
        m2.append(mase(t, naive2, y_train=y, m=1))
        for k, c in enumerate(COVERAGES):
            lo, hi = b[:, k, 0], b[:, k, 1]
            inside[c].append((t >= lo) & (t <= hi))
            widths[c].append(np.mean((hi - lo) / np.abs(y).mean()))
        scores.append(msis(t, b[:, 1, 0], b[:, 1, 1], y_train=y, m=1, coverage=0.95))
    row = {"dataset": "M4 Weekly", "model": model, "method": method, "series": len(ys),
           "sMAPE": float(np.mean(s)), "MASE": float(np.mean(m)),
           "OWA": 0.5 * (np.mean(s) / np.mean(s2) + np.mean(m) / np.mean(m2))}
    for c in COVERAGES:
        row[f"cov{c * 100:.0f}"] = float(np.concatenate(inside[c]).mean())
        row[f"rel_width{c * 100:.0f}"] = float(np.mean(widths[c]))
    row["MSIS"] = float(np.mean(scores))
    row["ACD95"] = abs(row["cov95"] - 0.95)
    row.update(fit_cpu_s=fit_cpu, calibration_cpu_s=calib_cpu, predict_cpu_s=predict_cpu,
               calibration_origins=_origins(est))
    if model in DEEP:
        row["lookback"] = est.lookback
    return row


# ----------------------------------------------------------------- report
_ETT_COLS = ["model", "method", "MSE", "MAE", "cov80", "cov95", "ACD95", "width80", "width95",
             "MSIS", "calibration_origins", "calibration_cpu_s", "fit_cpu_s", "predict_cpu_s",
             "max_epochs"]
_M4_COLS = ["model", "method", "sMAPE", "MASE", "OWA", "MSIS", "cov95", "ACD95", "cov80",
            "rel_width95", "calibration_origins", "calibration_cpu_s", "fit_cpu_s",
            "predict_cpu_s", "max_epochs"]
_FLOATS = {"MSE": ".4f", "MAE": ".4f", "cov80": ".3f", "cov95": ".3f", "ACD95": ".3f",
           "width80": ".3f", "width95": ".3f", "MSIS": ".2f", "sMAPE": ".3f", "MASE": ".3f",
           "OWA": ".3f", "rel_width95": ".3f", "calibration_cpu_s": ".2f",
           "fit_cpu_s": ".1f", "predict_cpu_s": ".1f", "calibration_origins": ".0f",
           "max_epochs": ".0f"}


def write_report(rows, args, out):
    out.mkdir(parents=True, exist_ok=True)
    rows.to_csv(out / "intervals.csv", index=False)
    (out / "intervals.json").write_text(json.dumps(
        {"machine": machine(), "date": datetime.date.today().isoformat(),
         "rows": rows.to_dict(orient="records")}, indent=1, default=str))
    lines = ["# Prediction intervals: ETTh1-S and M4 Weekly", "",
             f"Written by `benchmarks/intervals.py` ({machine()}); each row keeps the command "
             f"that produced it in `intervals.csv`. Coverage is the fraction of actual values "
             f"inside the interval (nominal 0.80 and 0.95); ACD = |coverage95 - 0.95|; MSIS "
             f"is the M4 mean scaled interval score of the 95 % intervals (alpha = 0.05), "
             f"lower is better. CPU seconds are one thread's; max_epochs: an override of the "
             f"deep models' default (– = their default, 50 with early stopping).", ""]
    ett = rows[rows["dataset"] == "ETTh1-S"]
    if len(ett):
        lines += ["## ETTh1-S (L = 96, H = 96, every test window, z-normalised scale)", "",
                  "Deep models: default parameters, calibrated on the protocol's validation "
                  "tail. MSIS scale: seasonal naive, m = 24, on the training rows.", "",
                  markdown_table(ett[[c for c in _ETT_COLS if c in ett]], _FLOATS,
                                 left=("model", "method")), ""]
    m4 = rows[rows["dataset"] == "M4 Weekly"]
    if len(m4):
        published = pd.DataFrame(
            [{"model": f"published: {n}", "method": "M4", "sMAPE": s, "MASE": ma, "OWA": o,
              "MSIS": ms, "ACD95": a} for n, s, ma, o, ms, a in PUBLISHED_M4]).astype(
            {"sMAPE": float, "MASE": float, "OWA": float, "MSIS": float, "ACD95": float})
        table = pd.concat([m4[[c for c in _M4_COLS if c in m4]], published], ignore_index=True)
        lines += ["## M4 Weekly (359 series, H = 13)", "",
                  "One global deep model over the list of series (lookback 51: the shortest "
                  "series has 80 weeks); local baselines, one model per series (SeasonalNaive "
                  "m = 52). rel_width95: the 95 % width over the series' mean level. The "
                  "published rows are the M4 competition's (Makridakis et al., 2020).", "",
                  markdown_table(table, _FLOATS, left=("model", "method")), ""]
    lines += ["Reproduce: the `command` column of `intervals.csv`; e.g. "
              "`python benchmarks/intervals.py --models Naive SeasonalNaive GRU --append`.", ""]
    (out / "intervals.md").write_text("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(LOCAL) + list(DEEP),
                        help=f"among {list(LOCAL) + list(DEEP)}")
    parser.add_argument("--datasets", nargs="+", default=["ett", "m4"], choices=["ett", "m4"])
    parser.add_argument("--methods", nargs="+", default=["conformal"],
                        choices=["conformal", "native"])
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="override the deep models' max_epochs (default: theirs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=str(M4_DIR), help="folder of the M4 CSV files")
    parser.add_argument("--quick", action="store_true", help="a smoke test in seconds")
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--report", action="store_true",
                        help="only rewrite the report from the CSV in --out; run nothing")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    out = Path(args.out)
    command = "python benchmarks/intervals.py " + " ".join(sys.argv[1:] if argv is None
                                                           else argv)
    rows = []
    if args.report:
        write_report(pd.read_csv(out / "intervals.csv"), args, out)
        return
    for dataset in args.datasets:
        for model in args.models:
            for method in args.methods:
                if method == "native" and (model not in NATIVE or dataset == "ett"):
                    continue
                if dataset == "ett" and model in NATIVE:
                    # thousands of re-estimations over 11,520+ rows per test window: too
                    # slow for the shared CPUs this table was made on
                    print(f"skip {model} on ETTh1-S (use --datasets m4)", flush=True)
                    continue
                wall = time.perf_counter()
                if dataset == "ett":
                    row = run_isolated(run_ett, model, args.quick, args.max_epochs, args.seed)
                else:
                    row = run_isolated(run_m4, model, method, args.quick, args.max_epochs,
                                       args.seed, args.data_dir)
                row["wall_s"] = time.perf_counter() - wall
                row["max_epochs"] = args.max_epochs if args.max_epochs is not None else np.nan
                row["command"] = command
                print({k: (round(v, 4) if isinstance(v, float) else v)
                       for k, v in row.items() if k != "command"}, flush=True)
                rows.append(row)
    table = pd.DataFrame(rows)
    if args.append and (out / "intervals.csv").exists():
        old = pd.read_csv(out / "intervals.csv")
        keys = ["dataset", "model", "method"]
        if len(table):
            fresh = set(map(tuple, table[keys].to_numpy()))
            old = old[[tuple(k) not in fresh for k in old[keys].to_numpy()]]
        table = pd.concat([old, table], ignore_index=True)
    order = {m: i for i, m in enumerate(list(LOCAL) + list(DEEP))}
    table = table.sort_values(["dataset", "model", "method"],
                              key=lambda c: c.map(order) if c.name == "model" else c)
    write_report(table.reset_index(drop=True), args, out)


if __name__ == "__main__":
    main()
