"""M4 Weekly: one global model per estimator over all 359 series, scored as in M4.

Protocol (Makridakis et al., 2020): the 359 weekly training series (80 to
2,597 weeks) and the next H = 13 weeks of each; sMAPE and MASE (m = 1, as M4
scored weekly data) per series, averaged over the series; OWA = the mean of
the two averages' ratios to Naive2's (for weekly data, M4's Naive2 is the last
value repeated, since M4 took weekly data as non-seasonal).

Each estimator of ``tsforecast.models.ESTIMATORS`` is fitted once, with its
defaults except ``horizon=13`` and ``lookback = suggest_lookback(train, 13,
season_length=52)`` (51: two horizons or a year, capped so that the shortest
series, 80 weeks, still holds a training window before its validation tail),
on the dict of training series, and forecasts the 13 test weeks of every
series. Model choices use the training series only (early stopping on their
validation tails); the test weeks are read only to score.

Baselines in the same table: Naive2, the seasonal naive forecast (m = 52) and
Theta and SES (both with M4's convention for weekly data: no seasonal
adjustment), each fitted per series. Published rows come from the M4 results.

Examples::

    python benchmarks/m4.py                          # everything (deep models first)
    python benchmarks/m4.py --models GRU LSTM --append   # add or replace rows
    python benchmarks/m4.py --models baselines --append
    python benchmarks/m4.py --quick --out /tmp/m4    # 12 series, 1 epoch: a smoke test

Each model runs in a fresh process (peak RSS is its own); the report is
rewritten after every model, so an interrupted run keeps what it measured and
``--append`` resumes. Results: ``m4_weekly.csv``/``.json`` (one row per model
and seed) and ``m4_weekly.md`` under ``--out`` (default benchmarks/results).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from _common import RESULTS, machine, markdown_table, run_isolated

import numpy as np
import pandas as pd
import torch

from tsforecast.baselines import ETSForecaster, SeasonalNaiveForecaster, ThetaForecaster
from tsforecast.data import suggest_lookback
from tsforecast.datasets import M4_HORIZONS, load_m4
from tsforecast.metrics import m4_scores, naive2_forecast
from tsforecast.models import ESTIMATORS

H = M4_HORIZONS["Weekly"]
SEASON = 52  # weeks per year, for the lookback rule and the seasonal naive baseline
QUICK_SERIES = 12
# Official M4 results for the weekly series (sMAPE / MASE where published; OWA).
PUBLISHED = [
    ("published/best entry", np.nan, np.nan, 0.739, "best M4 entry on weekly series"),
    ("published/ES-RNN (Smyl)", 7.817, 2.356, 0.851, "M4 winner"),
    ("published/Theta", np.nan, np.nan, 0.971, "M4 benchmark"),
    ("published/SES", np.nan, np.nan, 0.975, "M4 benchmark"),
    ("published/Naive2", 9.161, 2.777, 1.000, "M4 benchmark"),
    ("published/RNN benchmark", np.nan, np.nan, 1.755, "M4 benchmark (a simple RNN)"),
]
BASELINES = {
    "Naive2": None,  # tsforecast.metrics.naive2_forecast with m = 1, as M4
    "SeasonalNaive52": lambda: SeasonalNaiveForecaster(season_length=SEASON, horizon=H),
    "Theta": lambda: ThetaForecaster(deseasonalize=False, horizon=H),
    "SES": lambda: ETSForecaster(error="add", trend=None, seasonal=None, horizon=H),
}
# The cheap recurrent models first, so that a run cut short still has them.
ORDER = ["GRUForecaster", "LSTMForecaster", "RNNForecaster", "TransformerForecaster",
         "WaveNetForecaster", "Seq2SeqAttentionForecaster"]


def _data(quick):
    train, test = load_m4("Weekly")
    if quick:  # the shortest series too: the lookback rule must cope with it
        keys = sorted(train, key=lambda k: len(train[k]))[:QUICK_SERIES // 2]
        keys += list(train)[:QUICK_SERIES - len(keys)]
        train, test = {k: train[k] for k in keys}, {k: test[k] for k in keys}
    return train, test


def run_job(kind, name, seed, quick):
    """Fit one model on the training series, forecast the test weeks, score; return a row."""
    torch.set_num_threads(1)
    train, test = _data(quick)
    lookback = params = None
    epochs = best_epoch = n_params = None
    wall, cpu = time.perf_counter(), time.process_time()
    if kind == "estimator":
        cls = {c.__name__: c for c in ESTIMATORS}[name]
        lookback = suggest_lookback(train, H, season_length=SEASON)
        params = dict(lookback=lookback, horizon=H, random_state=seed, verbose=False,
                      trainer_kwargs={"accelerator": "cpu"})
        if quick:
            params["max_epochs"] = 1
        est = cls(**params).fit(train)
        fit_s, fit_cpu_s = time.perf_counter() - wall, time.process_time() - cpu
        forecasts = est.predict()
        epochs, best_epoch = len(est.history_), est.best_epoch_
        n_params = sum(p.numel() for p in est.network_.parameters())
        label = name.removesuffix("Forecaster")
    elif name == "Naive2":
        forecasts = {k: pd.Series(naive2_forecast(v.to_numpy(), H), index=test[k].index)
                     for k, v in train.items()}
        fit_s, fit_cpu_s = time.perf_counter() - wall, time.process_time() - cpu
        label = "baseline/Naive2"
    else:
        est = BASELINES[name]().fit(train)
        fit_s, fit_cpu_s = time.perf_counter() - wall, time.process_time() - cpu
        forecasts = est.predict()
        label = f"baseline/{name}"
    predict_s = time.perf_counter() - wall - fit_s
    for k in test:  # forecasts must cover exactly the test weeks
        if not forecasts[k].index.equals(test[k].index):
            raise RuntimeError(f"{label}: forecast of {k} is indexed {forecasts[k].index[:2]}, "
                               f"test {test[k].index[:2]}")
    scores = m4_scores(test, forecasts, y_train=train, m=1)
    return {"model": label, "seed": seed if kind == "estimator" else None,
            "sMAPE": scores["smape"], "MASE": scores["mase"], "OWA": scores["owa"],
            "series": scores["n_series"], "lookback": lookback, "fit_s": fit_s,
            "fit_cpu_s": fit_cpu_s, "predict_s": predict_s, "epochs": epochs,
            "best_epoch": best_epoch, "params": n_params,
            "val_loss": (min(h["val_loss"] for h in est.history_ if "val_loss" in h)
                         if kind == "estimator" else None)}


# ----------------------------------------------------------------- report
def _published():
    return pd.DataFrame([{"model": m, "sMAPE": s, "MASE": q, "OWA": o, "note": n}
                         for m, s, q, o, n in PUBLISHED])


def write_report(rows: pd.DataFrame, quick, out_dir: Path):
    out_dir.mkdir(parents=True, exist_ok=True)
    rows.to_csv(out_dir / "m4_weekly.csv", index=False)
    records = json.loads(rows.to_json(orient="records"))
    (out_dir / "m4_weekly.json").write_text(json.dumps(records, indent=1) + "\n")
    measured = rows.groupby("model", sort=False).agg(
        seeds=("seed", "count"), sMAPE=("sMAPE", "mean"), MASE=("MASE", "mean"),
        OWA=("OWA", "mean"), lookback=("lookback", "first"), epochs=("epochs", "mean"),
        fit_cpu_s=("fit_cpu_s", "mean"), fit_s=("fit_s", "mean"),
        peak_mb=("peak_mb", "max")).reset_index()
    measured = measured.sort_values("OWA", kind="stable")
    table = measured[["model", "sMAPE", "MASE", "OWA", "lookback", "epochs", "fit_cpu_s",
                      "fit_s", "peak_mb"]].rename(columns={
                          "fit_cpu_s": "fit CPU s", "fit_s": "fit wall s",
                          "peak_mb": "peak RSS MB"})
    for c in ("lookback", "epochs"):
        table[c] = [("–" if pd.isna(v) else f"{v:g}") for v in table[c]]
    n_series = int(rows["series"].iloc[0])
    theta = measured.loc[measured["model"] == "baseline/Theta", "OWA"]
    deep = measured[~measured["model"].str.startswith("baseline/")]
    lines = [
        "# M4 Weekly: one global model per estimator",
        "",
        f"Written by `benchmarks/m4.py` on {datetime.date.today().isoformat()} ({machine()}).",
        "" if not quick else "**--quick smoke test: a few series, 1 epoch; not a result.**",
        "",
        f"{n_series} weekly series, horizon {H}; sMAPE and MASE (m = 1) averaged over the "
        f"series, OWA = mean of their ratios to Naive2's averages (M4's definition). Deep "
        f"models: one global model each, fitted on the dict of training series with the "
        f"estimator's defaults except `horizon={H}` and `lookback=suggest_lookback(train, {H}, "
        f"season_length={SEASON})`; one seed per row unless `seeds` > 1 (mean). Baselines are "
        f"fitted per series. Lower is better; OWA < 1 beats Naive2.",
        "",
        markdown_table(table, floats={"sMAPE": ".3f", "MASE": ".3f", "OWA": ".3f",
                                      "fit CPU s": ".0f", "fit wall s": ".0f",
                                      "peak RSS MB": ".0f"}),
        "",
        "Published (official M4 results, weekly subset; – where not published per subset "
        "in the data README):",
        "",
        markdown_table(_published(), floats={"sMAPE": ".3f", "MASE": ".3f", "OWA": ".3f"},
                       left=("model", "note")),
        "",
    ]
    if len(deep):
        target = 0.971 if theta.empty else float(theta.iloc[0])
        below = deep[deep["OWA"] < 0.971]
        lines += [
            "Targets: every estimator below Theta's published OWA 0.971 "
            f"({len(below)} of {len(deep)} measured are; our Theta baseline: "
            f"{'not run' if theta.empty else f'{target:.3f}'}), the best below ES-RNN's 0.851 "
            f"(best measured: {deep['OWA'].min():.3f}, {deep.iloc[0]['model']}).",
            "",
        ]
    labels = [n.removesuffix("Forecaster") if kind == "estimator" else f"baseline/{n}"
              for kind, n in _select(None)]
    missing = [m for m in labels if m not in set(measured["model"])]
    if missing:
        lines += [f"Not run yet: {', '.join(missing)} (`python benchmarks/m4.py --models "
                  f"{' '.join(m.removeprefix('baseline/') for m in missing)} --append`).", ""]
    lines += ["Commands that produced the rows:", ""]
    lines += [f"- `{c}`" for c in dict.fromkeys(rows["command"])]
    (out_dir / "m4_weekly.md").write_text("\n".join(lines) + "\n")
    return table


# ----------------------------------------------------------------- main
def _select(requested):
    names = sorted((c.__name__ for c in ESTIMATORS), key=lambda n: (
        ORDER.index(n) if n in ORDER else len(ORDER)))
    every = [("estimator", n) for n in names] + [("baseline", b) for b in BASELINES]
    if not requested:
        return every
    chosen = []
    for r in requested:
        key = r.lower().removesuffix("forecaster")
        if key == "baselines":
            chosen += [("baseline", b) for b in BASELINES]
            continue
        match = [e for e in every if e[1].lower().removesuffix("forecaster") == key]
        if not match:
            raise SystemExit(f"Unknown model {r!r}. Choose among "
                             f"{[n.removesuffix('Forecaster') for n in names]}, baselines "
                             f"{list(BASELINES)} or 'baselines'.")
        chosen += match
    return chosen


def _merge(old, new):
    if old is None:
        return new
    keys = set(zip(new["model"], new["seed"].astype(str)))
    keep = [(m, s) not in keys for m, s in zip(old["model"], old["seed"].astype(str))]
    return pd.concat([old[keep], new], ignore_index=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="*", help="estimators (e.g. GRU), baselines "
                        f"({', '.join(BASELINES)}) or 'baselines'; default: all")
    parser.add_argument("--seeds", nargs="*", type=int, default=[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: {QUICK_SERIES} series, 1 epoch")
    parser.add_argument("--out", default=str(RESULTS), help="output folder")
    parser.add_argument("--append", action="store_true",
                        help="keep the rows already in OUT/m4_weekly.csv (the same model and "
                             "seed are replaced)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    previous = out / "m4_weekly.csv"
    old = pd.read_csv(previous) if args.append and previous.exists() else None
    command = " ".join(["python benchmarks/m4.py", *(argv if argv is not None else sys.argv[1:])])
    rows, table = [], None
    for kind, name in _select(args.models):
        for seed in (args.seeds if kind == "estimator" else [None]):
            row = run_isolated(run_job, kind, name, seed, args.quick)
            rows.append({**row, "command": command})
            print(f"{row['model']:>28} seed={seed} sMAPE={row['sMAPE']:.3f} "
                  f"MASE={row['MASE']:.3f} OWA={row['OWA']:.3f} fit={row['fit_cpu_s']:.0f} "
                  f"CPU s epochs={row['epochs']} peak={row['peak_mb']:.0f} MB", flush=True)
            # rewritten after every model, so an interrupted run keeps what it measured
            table = write_report(_merge(old, pd.DataFrame(rows)), args.quick, out)
    if table is not None:
        print(markdown_table(table))
    return table


if __name__ == "__main__":
    main()
