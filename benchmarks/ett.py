"""ETTh1 long-horizon benchmark: every registered estimator plus simple baselines.

The standard protocol (Zhou et al., 2021; Wu et al., 2021): the first 14,400
hourly rows; train/validation/test = 12/4/4 months = rows [0, 8640),
[8640 - L, 11520), [11520 - L, 14400); z-normalisation with the training
rows' statistics; every stride-1 test window; MSE and MAE on the normalised
scale, averaged over all windows, steps and columns. Settings M (7 columns
-> 7 columns) and S (OT -> OT), lookback L = 96, horizons 96/192/336/720.

Examples::

    python benchmarks/ett.py --models LSTM GRU RNN --horizons 96 --max-epochs 10
    python benchmarks/ett.py --seeds 0 1 2           # every model, mean +- std
    python benchmarks/ett.py --quick --out /tmp/ett  # a smoke test in seconds
    python benchmarks/ett.py --models WaveNet --horizons 96 --set channels=16 --out /tmp/wn
    python benchmarks/ett.py --models GRU --horizons 192 --append   # add rows to a table
    python benchmarks/ett.py --combine a/ett.csv b/ett.csv          # merge parts, run nothing

``--set name=value`` (repeatable) overrides a constructor parameter of every
estimator in the run that has it (values are Python literals); the report
lists the overrides, so a table made with them is never mistaken for the
defaults. ``--append`` keeps the rows already in ``--out``/ett.csv and
replaces those with the same model, setting, horizon and seed, so a table can
be built in several runs; ``--combine`` merges tables made in parallel (each row
keeps the command that produced it).

Results go to ``--out`` (default ``benchmarks/results``): ``ett.csv`` and
``ett.json`` (one row per model, setting, horizon and seed) and ``ett.md``
(the protocol, the table and the published reference numbers).
"""

from __future__ import annotations

import argparse
import ast
import datetime
import inspect
import json
import sys
import time
from pathlib import Path

from _common import FULL, QUICK, RESULTS, load_normalised, machine, markdown_table, run_isolated

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.linear_model import Ridge

from tsforecast.data.splits import chronological_spans, n_rows
from tsforecast.model_selection import backtest
from tsforecast.models import ESTIMATORS

# Published test MSE on ETTh1, setting M, L = 96, H = 96 / 192 / 336 / 720 (None: not
# published at L = 96). The multi-horizon rows are the tables of Liu et al. (2024),
# which re-ran the other models at L = 96 under this protocol.
PUBLISHED_M = [
    ("SegRNN", (0.368, None, None, None), "Lin et al. (2023), SegRNN"),
    ("FEDformer", (0.376, 0.420, 0.459, 0.506), "Zhou et al. (2022), FEDformer, ICML"),
    ("TimesNet", (0.384, 0.436, 0.491, 0.521), "Wu et al. (2023), TimesNet, ICLR"),
    ("iTransformer", (0.386, 0.441, 0.487, 0.503), "Liu et al. (2024), iTransformer, ICLR"),
    ("DLinear", (0.386, 0.437, 0.481, 0.519),
     "Zeng et al. (2023), Are transformers effective for time series forecasting?, AAAI"),
    ("PatchTST", (0.414, 0.460, 0.501, 0.500), "Nie et al. (2023), PatchTST, ICLR"),
]
# Setting S (OT from OT) is published at L = 336 only (Zeng et al., 2023, univariate table).
PUBLISHED_S_336 = [
    ("NLinear", (0.053, 0.069, 0.081, 0.080), "Zeng et al. (2023), L = 336"),
    ("DLinear", (0.056, 0.071, 0.098, 0.189), "Zeng et al. (2023), L = 336"),
]
HORIZONS = (96, 192, 336, 720)


# ----------------------------------------------------------------- baselines
class _Baseline(BaseEstimator):
    """The public ``fit`` / ``predict(horizon, X, y)`` contract, for lists of histories."""

    def _histories(self, y, n_last):
        # Only the last rows are converted: a backtest passes thousands of histories.
        tails = (h.iloc[-n_last:] if hasattr(h, "iloc") else h[-n_last:] for h in y)
        return [np.asarray(t, dtype=np.float64).reshape(len(t), -1) for t in tails]


class LastValue(_Baseline):
    """Repeat the last observed value."""

    def __init__(self, horizon=96):
        self.horizon = horizon

    def fit(self, y, X=None):
        self.n_features_in_ = np.asarray(y).reshape(len(y), -1).shape[1]
        return self

    def predict(self, horizon=None, X=None, y=None):
        h = horizon or self.horizon
        return [np.repeat(x, h, axis=0) for x in self._histories(y, 1)]


class SeasonalNaive(_Baseline):
    """Repeat the last ``period`` values (the same hour of the previous day for 24)."""

    def __init__(self, period=24, horizon=96):
        self.period = period
        self.horizon = horizon

    def fit(self, y, X=None):
        self.n_features_in_ = np.asarray(y).reshape(len(y), -1).shape[1]
        return self

    def predict(self, horizon=None, X=None, y=None):
        h = horizon or self.horizon
        steps = np.arange(h) % self.period
        return [x[steps] for x in self._histories(y, self.period)]


class RidgeDirect(_Baseline):
    """Ridge regression from the last ``lookback`` values of a column to its next ``horizon``.

    One linear map shared by all columns (channel independent), fitted on the
    training windows; ``alpha`` is picked on the validation windows (targets
    in the last ``validation_size`` of the rows passed to ``fit``).
    """

    def __init__(self, lookback=96, horizon=96, validation_size=0.25,
                 alphas=(0.1, 1.0, 10.0, 100.0, 1000.0)):
        self.lookback = lookback
        self.horizon = horizon
        self.validation_size = validation_size
        self.alphas = alphas

    def _pairs(self, values, first_target, last_target):
        L, H = self.lookback, self.horizon
        windows = np.lib.stride_tricks.sliding_window_view(values, L + H, axis=0)  # (N, k, L+H)
        starts = np.arange(max(first_target - L, 0), last_target - L - H + 1)
        w = windows[starts].reshape(-1, L + H)  # -> (N * k, L + H): columns as samples
        return w[:, :L], w[:, L:]

    def fit(self, y, X=None):
        values = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        n = len(values)
        train_end = n - n_rows(self.validation_size, n, "validation_size", "RidgeDirect")
        x_tr, y_tr = self._pairs(values, 0, train_end)
        x_va, y_va = self._pairs(values, train_end, n)
        scores = {a: np.mean((Ridge(alpha=a).fit(x_tr, y_tr).predict(x_va) - y_va) ** 2)
                  for a in self.alphas}
        self.alpha_ = min(scores, key=scores.get)
        self.model_ = Ridge(alpha=self.alpha_).fit(x_tr, y_tr)
        return self

    def predict(self, horizon=None, X=None, y=None):
        last = np.stack(self._histories(y, self.lookback))
        S, L, k = last.shape
        out = self.model_.predict(last.transpose(0, 2, 1).reshape(S * k, L))  # -> (S*k, H)
        return list(out.reshape(S, k, -1).transpose(0, 2, 1))  # -> S x (H, k)


BASELINES = {
    "last": lambda p, h: LastValue(horizon=h),
    "snaive24": lambda p, h: SeasonalNaive(period=24, horizon=h),
    "ridge": lambda p, h: RidgeDirect(lookback=p.lookback, horizon=h,
                                      validation_size=p.validation_size),
}


# ----------------------------------------------------------------- one job
def _check_no_leak(est, fit_rows, protocol, horizon):
    """The validation tail is exactly [train_end, val_end); the scaler saw training rows only."""
    spans = chronological_spans(len(fit_rows), lookback=est.lookback, horizon=est._n_out,
                                validation_size=est.validation_size)
    assert spans.train == (0, protocol.train_end), spans
    assert spans.validation == (protocol.train_end, protocol.val_end), spans
    if est.scaler_ is not None:
        train = fit_rows.iloc[: protocol.train_end].to_numpy()
        assert np.allclose(est.scaler_.mean_, train.mean(axis=0))
        assert np.allclose(est.scaler_.scale_, train.std(axis=0))
        assert not np.allclose(est.scaler_.mean_, fit_rows.to_numpy().mean(axis=0))


def _overrides_for(cls, overrides):
    """The ``--set`` overrides that ``cls`` accepts."""
    accepted = inspect.signature(cls.__init__).parameters
    return {k: v for k, v in overrides.items() if k in accepted}


def run_job(kind, name, setting, horizon, seed, max_epochs, protocol, overrides=None):
    """Fit one model on rows [0, val_end) and backtest every test window; return a row."""
    torch.set_num_threads(1)
    data = load_normalised(protocol, setting)
    fit_rows = data.iloc[: protocol.val_end]
    if kind == "estimator":
        cls = {c.__name__: c for c in ESTIMATORS}[name]
        params = dict(lookback=protocol.lookback, horizon=horizon,
                      validation_size=protocol.validation_size, random_state=seed,
                      verbose=False, trainer_kwargs={"accelerator": "cpu"})
        if max_epochs is not None:
            params["max_epochs"] = max_epochs
        params.update(_overrides_for(cls, overrides or {}))
        est = cls(**params)
        label = name.removesuffix("Forecaster")
    else:
        est = BASELINES[name](protocol, horizon)
        label = f"baseline/{name}"
    wall, cpu = time.perf_counter(), time.process_time()
    est.fit(fit_rows)
    train_s, train_cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    epochs = best_epoch = n_params = None
    if kind == "estimator":
        _check_no_leak(est, fit_rows, protocol, horizon)
        epochs, best_epoch = len(est.history_), est.best_epoch_
        n_params = sum(p.numel() for p in est.network_.parameters())
    elif name == "ridge":
        n_params = est.model_.coef_.size + est.model_.intercept_.size
    wall = time.perf_counter()
    result = backtest(est, data, start=protocol.val_end, step=1, horizon=horizon,
                      metrics=("mse", "mae"))
    predict_s = time.perf_counter() - wall
    n_windows = result.forecasts["origin"].nunique()
    assert n_windows == protocol.n_test_windows(horizon), n_windows
    return {"model": label, "setting": setting, "H": horizon, "seed": seed,
            "MSE": result.metrics["mse"], "MAE": result.metrics["mae"],
            "train_s": train_s, "train_cpu_s": train_cpu_s, "epochs": epochs,
            "best_epoch": best_epoch, "params": n_params, "predict_s": predict_s,
            "windows": int(n_windows)}


# ----------------------------------------------------------------- report
def _summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean (± std over seeds when there are several) per model, setting and horizon."""
    out = []
    for (setting, H, model), g in rows.groupby(["setting", "H", "model"], sort=False):
        line = {"model": model, "setting": setting, "H": H}
        for metric in ("MSE", "MAE"):
            line[metric] = (f"{g[metric].mean():.4f} ± {g[metric].std(ddof=1):.4f}"
                            if len(g) > 1 else f"{g[metric].mean():.4f}")
        line["seeds"] = len(g)
        for col, fmt in (("train_s", ".1f"), ("train_cpu_s", ".1f"), ("epochs", "g"),
                         ("params", ".0f"), ("predict_s", ".2f"), ("peak_mb", ".0f")):
            value = pd.to_numeric(g[col], errors="coerce").mean()
            line[col] = "–" if np.isnan(value) else format(
                round(value, 1) if col == "epochs" else value, fmt)
        out.append(line)
    return pd.DataFrame(out).rename(columns={
        "train_s": "train s", "train_cpu_s": "train CPU s", "params": "parameters",
        "predict_s": "predict s", "peak_mb": "peak MB"})


def _by_horizon(rows: pd.DataFrame) -> list[str]:
    """Test MSE per model (rows) and horizon (columns), with the published rows beneath."""
    published = {"M": (PUBLISHED_M, "published, L = 96"),
                 "S": (PUBLISHED_S_336, "published, L = 336")}
    text = []
    for setting in dict.fromkeys(rows["setting"]):
        part = rows[rows.setting == setting]
        horizons = sorted(part["H"].unique())
        text += [f"### Test MSE by horizon, setting {setting}", "",
                 "Mean over the seeds run (their number in brackets when more than one).", "",
                 "| model | " + " | ".join(f"H={h}" for h in horizons) + " |",
                 "|---|" + "---:|" * len(horizons)]
        for model in dict.fromkeys(part["model"]):
            cells = []
            for h in horizons:
                g = part[(part.model == model) & (part.H == h)]["MSE"]
                cells.append("–" if g.empty else f"{g.mean():.4f}"
                             + (f" ({len(g)})" if len(g) > 1 else ""))
            text.append(f"| {model} | " + " | ".join(cells) + " |")
        entries, label = published.get(setting, ([], ""))
        for name, values, _ in entries:
            by_h = dict(zip(HORIZONS, values))
            cells = ["–" if by_h.get(h) is None else f"{by_h[h]:.3f}" for h in horizons]
            text.append(f"| {name} ({label}) | " + " | ".join(cells) + " |")
        text.append("")
    return text


def _published_table(entries):
    lines = ["| model | " + " | ".join(f"H={h}" for h in HORIZONS) + " | source |",
             "|---|" + "---:|" * len(HORIZONS) + "---|"]
    for model, values, source in entries:
        cells = " | ".join("–" if v is None else f"{v:.3f}" for v in values)
        lines.append(f"| {model} | {cells} | {source} |")
    return lines


def write_report(rows: pd.DataFrame, args, protocol, out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    rows.to_csv(out_dir / "ett.csv", index=False)
    (out_dir / "ett.json").write_text(json.dumps(rows.to_dict(orient="records"), indent=1,
                                                 default=float))
    L = protocol.lookback
    te, ve, n = protocol.train_end, protocol.val_end, protocol.rows
    commands = list(dict.fromkeys(rows["command"])) if "command" in rows else [_command()]
    text = [
        f"# ETTh1 benchmark (lookback {L})"
        + (" — QUICK smoke test, not a result" if args.quick else ""),
        "",
        f"Generated on {datetime.date.today()} ({machine()}) by"
        + (f" `{commands[0]}`." if len(commands) == 1 else ":"),
        "",
        *([f"- `{c}`" for c in commands] + [""] if len(commands) > 1 else []),
        "## Protocol",
        "",
        f"- Data: `tsforecast.datasets.load_etth1()`, first {n:,} hourly rows.",
        f"- Spans: train rows [0, {te}), validation [{te} - L, {ve}), test [{ve} - L, {n}) "
        f"(L = {L}: windows read L rows before their span; their targets stay inside it).",
        f"- z-normalisation with the mean and standard deviation of the training rows; "
        f"MSE and MAE on that normalised scale, averaged over every stride-1 test window, "
        f"forecast step and column ({protocol.n_test_windows(96) if n == 14_400 else 'all'} "
        f"windows at H = 96).",
        "- Settings: M = the 7 columns forecast jointly from the 7 columns; S = OT from OT.",
        f"- Estimators (every class in `tsforecast.models.ESTIMATORS`): their default "
        f"parameters except lookback = {L}, horizon = H, random_state = seed, "
        f"max_epochs = {args.max_epochs or 'the default'}"
        + (", and the parameters given with `--set` in the commands above"
           if any("--set" in c for c in commands) else "")
        + "; Adam with each estimator's default "
        f"loss, learning-rate schedule and early-stopping patience on the validation span. They are fitted on rows [0, {ve}) with "
        f"validation_size = {protocol.validation_size:g}, so their validation tail is exactly "
        f"[{te}, {ve}) and their own scaler is fitted on [0, {te}) only (checked at run time). "
        f"That scaler sees already normalised data, so it is close to the identity; forecasts "
        f"are mapped back through it, so metrics are on the benchmark's normalised scale. "
        f"Test forecasts come from `tsforecast.model_selection.backtest(refit=False)`.",
        "- Baselines: `last` repeats the last value; `snaive24` repeats the last 24 hours; "
        "`ridge` is a ridge regression from a column's last L values to its next H, shared by "
        "all columns, fitted on the training windows with alpha chosen on the validation "
        "windows.",
        "- Columns: train s / train CPU s = wall-clock and process CPU seconds of `fit`; "
        "epochs = epochs run (early stopping); parameters = network weights; predict s = "
        "the whole backtest over the test windows (batched forecasts, metrics and the tidy "
        "forecast frame); peak MB = peak resident memory of the fresh process that ran the "
        "job (interpreter and libraries included). One torch thread (`torch.set_num_threads(1)`).",
        "",
        "## Results",
        "",
    ]
    summary = _summary(rows)
    text += _by_horizon(rows)
    for setting in dict.fromkeys(summary["setting"]):
        text += [f"### Setting {setting}", "",
                 markdown_table(summary[summary.setting == setting]), ""]
    text += [
        "## Published reference (test MSE)",
        "",
        "Reported by the papers below under the same protocol (their own training budgets "
        "and tuning); – = not published at that lookback.",
        "",
        "Setting M, L = 96:",
        "",
        *_published_table(PUBLISHED_M),
        "",
        "Setting S, L = 336 (no published setting-S numbers at L = 96):",
        "",
        *_published_table(PUBLISHED_S_336),
        "",
    ]
    (out_dir / "ett.md").write_text("\n".join(text))
    return summary


# ----------------------------------------------------------------- main
def _select_models(requested):
    estimators = [c.__name__ for c in ESTIMATORS]
    if not requested:
        return [("estimator", n) for n in estimators] + [("baseline", b) for b in BASELINES]
    chosen = []
    for r in requested:
        key = r.lower().removesuffix("forecaster")
        match = [n for n in estimators if n.lower().removesuffix("forecaster") == key]
        if match:
            chosen.append(("estimator", match[0]))
        elif key in BASELINES:
            chosen.append(("baseline", key))
        else:
            raise SystemExit(f"Unknown model {r!r}. Choose among "
                             f"{[n.removesuffix('Forecaster') for n in estimators]} and "
                             f"baselines {list(BASELINES)}.")
    return chosen


def _merge(old, new):
    """``new`` rows plus the ``old`` ones with another model, setting, horizon or seed."""
    if old is not None:
        keys = ["model", "setting", "H", "seed"]
        new_keys = set(map(tuple, new[keys].astype(str).to_numpy()))
        keep = [tuple(k) not in new_keys for k in old[keys].astype(str).to_numpy()]
        new = pd.concat([old[keep], new], ignore_index=True)
    models = [c.__name__.removesuffix("Forecaster") for c in ESTIMATORS]
    models += [f"baseline/{b}" for b in BASELINES]
    order = {"setting": {"M": 0, "S": 1}, "model": {m: i for i, m in enumerate(models)}}
    return new.sort_values(["setting", "H", "model", "seed"], kind="stable",
                           key=lambda c: c.map(order[c.name]).fillna(len(models))
                           if c.name in order else c).reset_index(drop=True)


def _command():
    return " ".join(["python benchmarks/ett.py", *sys.argv[1:]])


def _parse_override(text):
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise SystemExit(f"--set expects NAME=VALUE (e.g. --set dropout=0.3), got {text!r}.")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # a bare string such as --set loss=mae


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="*", help="estimators (e.g. LSTM or LSTMForecaster) "
                        "and baselines (last, snaive24, ridge); default: all")
    parser.add_argument("--settings", nargs="*", default=["M", "S"], choices=["M", "S"])
    parser.add_argument("--horizons", nargs="*", type=int, default=None,
                        help="default 96 192 336 720 (12 with --quick)")
    parser.add_argument("--seeds", nargs="*", type=int, default=[0])
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="cap on training epochs (default: each estimator's own)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: the first {QUICK.rows} rows, lookback "
                             f"{QUICK.lookback}, 1 epoch")
    parser.add_argument("--out", default=str(RESULTS), help="output folder")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="NAME=VALUE", help="override an estimator parameter "
                        "(Python literal), e.g. --set dropout=0.3; repeatable")
    parser.add_argument("--append", action="store_true",
                        help="keep the rows already in OUT/ett.csv (same model, setting, H "
                             "and seed are replaced)")
    parser.add_argument("--combine", nargs="+", metavar="CSV",
                        help="run nothing: merge these ett.csv files (later files win for the "
                             "same model, setting, H and seed) and write the report to OUT")
    args = parser.parse_args(argv)
    args.overrides = dict(_parse_override(o) for o in args.overrides)
    torch.set_num_threads(1)
    protocol = QUICK if args.quick else FULL
    if args.combine:
        merged = None
        for path in args.combine:
            merged = _merge(merged, pd.read_csv(path))
        summary = write_report(merged, args, protocol, Path(args.out))
        print(markdown_table(summary))
        return summary
    if args.quick:
        args.max_epochs = 1
    horizons = args.horizons or ([12] if args.quick else [96, 192, 336, 720])
    models = _select_models(args.models)
    previous = Path(args.out) / "ett.csv"
    old = pd.read_csv(previous) if args.append and previous.exists() else None
    rows = []
    for setting in args.settings:
        for horizon in horizons:
            for kind, name in models:
                seeds = args.seeds if kind == "estimator" else args.seeds[:1]
                for seed in seeds:
                    row = run_isolated(run_job, kind, name, setting, horizon, seed,
                                       args.max_epochs, protocol, args.overrides)
                    rows.append({**row, "command": _command()})
                    print(f"{row['model']:>18} {setting} H={horizon:<4} seed={seed} "
                          f"MSE={row['MSE']:.4f} MAE={row['MAE']:.4f} "
                          f"train={row['train_s']:.1f}s epochs={row['epochs']} "
                          f"predict={row['predict_s']:.2f}s peak={row['peak_mb']:.0f}MB",
                          flush=True)
                    # rewritten after every job, so an interrupted run keeps what it measured
                    summary = write_report(_merge(old, pd.DataFrame(rows)), args, protocol,
                                           Path(args.out))
    print(markdown_table(summary))
    return summary


if __name__ == "__main__":
    main()
