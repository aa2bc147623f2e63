"""One epoch of LSTMForecaster on ETTh1-M and M4 Weekly with 1 and 2 training processes.

The same estimator (lookback 96, horizon 96, hidden size 64, batch size 32
per process, MSE, Adam 1e-3, no dropout, no validation so that every run
does the same work: one pass over the 8,449 training windows of rows
[0, 8640), z-normalised) is fitted with ``trainer_kwargs={"accelerator":
"cpu", "devices": n, "strategy": "ddp"}``, n = 1, 2, one torch thread per
process. Each row reports:

- ``fit wall s``: the whole ``fit`` call, as a user waits for it (with 2
  processes: starting them, importing torch and Lightning in each, sending
  the job, training, returning the weights);
- ``epoch wall s`` / ``epoch CPU s``: the training epoch alone, measured
  inside each process (slowest rank; CPU summed over ranks);
- ``fit CPU s``: CPU time of the caller and every process it started;
- ``steps``, ``step ms``: optimiser steps per process and their median
  time (forward, backward with the gradient all-reduce, optimiser step);
- ``train loss`` (mean over the epoch, all ranks) and ``val MSE`` (forecasts
  from every 24th origin of the validation months [8640, 11520)), both after
  the same number of training samples (one epoch);
- ``speed-up``: 1-process time / this row's time, for the whole fit and for
  the epoch alone.

M4 Weekly runs the same way as one global model (lookback 52, horizon 13) over
the last 156 weeks of each of the 359 series, scored by the sMAPE of the 13
test weeks.

The communication overhead per step is estimated twice: as the 2-process
median step time minus the 1-process one (each rank computes a batch of the
same size as the single process, so the rest is the gradient all-reduce and
waiting for the slower rank), and directly, as the median time of 50
all-reduces of a gradient-sized tensor after training (gloo, loopback). Runs alternate between the
configurations ``--repeats`` times; the table keeps each one's fastest run.
The load average of the machine is recorded before and after.

Examples::

    python benchmarks/distributed.py
    python benchmarks/distributed.py --quick --out /tmp/dist   # a smoke test
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from _common import FULL, QUICK, RESULTS, StepTimer, load_normalised, machine, markdown_table

import numpy as np
import pandas as pd
import torch

from tsforecast import LSTMForecaster


def _cpu_s():
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


M4_DIR = Path(os.environ.get("TSFORECAST_M4", "/work/shared/data/m4"))
M4_HISTORY = 156  # the last three years of each weekly series
M4_LOOKBACK, M4_HORIZON = 52, 13


def load_m4_weekly(quick=False):
    """M4 Weekly: the last ``M4_HISTORY`` weeks of the 359 training series, and the test weeks."""
    train = pd.read_csv(M4_DIR / "Weekly-train.csv", index_col=0)
    test = pd.read_csv(M4_DIR / "Weekly-test.csv", index_col=0)
    if quick:
        train, test = train.iloc[:20], test.iloc[:20]
    series = [row.dropna().to_numpy(dtype=float)[-M4_HISTORY:] for _, row in train.iterrows()]
    return series, test.to_numpy(dtype=float)


def _estimator(lookback, horizon, epochs, trainer):
    return LSTMForecaster(
        lookback=lookback, horizon=horizon, hidden_size=64, batch_size=32,
        max_epochs=epochs, patience=None, validation_size=0.0, loss="mse", dropout=0.0,
        lr_decay=None, learning_rate=1e-3, random_state=0, verbose=False,
        trainer_kwargs=trainer)


def run(dataset, n_processes, protocol, horizon, epochs):
    """Fit one epoch with ``n_processes``; time it and score the model it gives."""
    trainer = {"accelerator": "cpu", "devices": n_processes, "strategy": "ddp"}
    with tempfile.TemporaryDirectory() as folder:
        trainer["callbacks"] = [StepTimer(folder)]
        if dataset == "ETTh1-M":
            df = load_normalised(protocol, "M")
            est, y = _estimator(protocol.lookback, horizon, epochs, trainer), \
                df.iloc[:protocol.train_end]
            samples = protocol.train_end - protocol.lookback - horizon + 1
        else:
            y, test = load_m4_weekly(quick=protocol is QUICK)
            est = _estimator(M4_LOOKBACK, M4_HORIZON, epochs, trainer)
            samples = sum(len(s) - M4_LOOKBACK - M4_HORIZON + 1 for s in y)
        cpu, start = _cpu_s(), time.perf_counter()
        est.fit(y)
        wall, cpu = time.perf_counter() - start, _cpu_s() - cpu
        ranks = [json.loads(p.read_text()) for p in sorted(Path(folder).glob("rank-*.json"))]
    if dataset == "ETTh1-M":  # MSE of z-normalised forecasts from every 24th origin
        values = df.to_numpy()
        origins = np.arange(protocol.train_end, protocol.val_end - horizon + 1, 24)
        pred = est.forecast_origins(values, origins, horizon)
        true = np.stack([values[o:o + horizon] for o in origins])
        score = ("val MSE", float(np.mean((pred - true) ** 2)))
    else:  # sMAPE (%) of the 13 test weeks after each series
        pred = np.stack([np.asarray(p, dtype=float) for p in est.predict()])
        score = ("test sMAPE", float(200 * np.mean(np.abs(pred - test) /
                                                    (np.abs(pred) + np.abs(test)))))
    n_params = sum(p.numel() for p in est.network_.parameters())
    return {
        "dataset": dataset, "processes": n_processes, "fit_wall_s": wall, "fit_cpu_s": cpu,
        "epoch_wall_s": max(r["epoch_wall_s"] for r in ranks),
        "epoch_cpu_s": sum(r["epoch_cpu_s"] for r in ranks),
        "epoch_cpu_max_s": max(r["epoch_cpu_s"] for r in ranks),
        "allreduce_ms": float(np.median([r.get("allreduce_ms_median", np.nan)
                                         for r in ranks])),
        "steps": ranks[0]["steps"], "step_ms": float(np.median([r["step_ms_median"]
                                                                 for r in ranks])),
        "train_loss": est.history_[-1]["train_loss"], "score_name": score[0],
        "score": score[1], "samples": int(samples) * epochs, "gradient_kb": n_params * 4 / 1024,
    }


def _table(rows):
    """Fastest run per process count, speed-ups and the all-reduce overhead per step."""
    best = rows.sort_values("fit_wall_s").groupby("processes", as_index=False).first()
    one = best[best.processes == 1].iloc[0]
    best["fit speed-up"] = one.fit_wall_s / best.fit_wall_s
    best["epoch speed-up"] = one.epoch_wall_s / best.epoch_wall_s
    # On cores of their own the ranks would take about their CPU time: the speed-up the
    # epoch would reach on an idle machine, whatever else ran during the benchmark.
    best["epoch speed-up, idle cores"] = one.epoch_cpu_max_s / best.epoch_cpu_max_s
    best["comm ms/step"] = best.step_ms - one.step_ms
    best.loc[best.processes == 1, "comm ms/step"] = np.nan
    best[one.score_name] = best.score
    return best, one


def _explain(best, one):
    two = best[best.processes == 2]
    if not len(two):
        return []
    t = two.iloc[0]
    fmt = ".2f" if one.score_name == "test sMAPE" else ".4f"
    faster = "as fast" if t["epoch speed-up"] >= 1 else "as fast (slower)"
    return [
        f"With 2 processes each optimiser step reads 2 x 32 windows, so the epoch takes "
        f"{int(t.steps)} steps per process instead of {int(one.steps)}: the same samples, "
        f"half the updates, which is why the loss after one epoch differs (train "
        f"{t.train_loss:.4f} vs {one.train_loss:.4f}, {one.score_name} {t.score:{fmt}} vs "
        f"{one.score:{fmt}}). The epoch itself runs {t['epoch speed-up']:.2f}x {faster}; the "
        f"whole fit {t['fit speed-up']:.2f}x, because starting two processes (importing "
        f"torch and Lightning in each, sending the job, returning the weights) costs "
        f"{t.fit_wall_s - t.epoch_wall_s:.1f} s against {one.fit_wall_s - one.epoch_wall_s:.1f} "
        f"s of set-up in one process. A step costs {t['comm ms/step']:+.2f} ms against one "
        f"process ({t.step_ms:.2f} vs {one.step_ms:.2f} ms); the all-reduce of the "
        f"{t.gradient_kb:.0f} KiB of gradients alone takes {t.allreduce_ms:.2f} ms, "
        f"{t.allreduce_ms / t.step_ms:.0%} of a step. In CPU time the 2 processes spend {t.epoch_cpu_s:.2f} s on "
        f"the epoch against {one.epoch_cpu_s:.2f} s for one "
        f"({t.epoch_cpu_s / one.epoch_cpu_s - 1:+.0%}), and the slowest rank "
        f"{t.epoch_cpu_max_s:.2f} s: with a free core per process the epoch would run "
        f"about {t['epoch speed-up, idle cores']:.2f}x as fast.",
        "",
    ]


def write_report(rows, args, protocol, horizon, load, out):
    command = "python benchmarks/distributed.py" + (" --quick" if args.quick else "")
    lines = [
        "# Multi-process training on CPU: one epoch, 1 and 2 processes",
        "",
        f"Generated by `{command}` on {datetime.date.today()} ({machine()}). "
        f"Load average (1 min) before: {load[0]:.2f}, after: {load[1]:.2f}, on "
        f"{os.cpu_count()} logical CPUs shared with other jobs; fastest of {args.repeats} "
        f"alternating runs per row.",
        "",
        f"LSTMForecaster, hidden size 64, batch size 32 per process, MSE, Adam 1e-3, no "
        f"dropout, no validation, {args.epochs} epoch(s); "
        f"`trainer_kwargs={{'accelerator': 'cpu', 'devices': n, 'strategy': 'ddp'}}`, one "
        f"torch thread per process. `fit wall s`: the whole call; `epoch wall s`/`epoch CPU "
        f"s`: the training epoch measured inside the processes (slowest rank; CPU summed); "
        f"`fit CPU s`: the caller and every process it started; `step ms`: median "
        f"optimiser step (forward, backward with the gradient all-reduce, update); `comm "
        f"ms/step`: 2-process step minus 1-process step (the all-reduce plus waiting for "
        f"the slower rank, and noise from other jobs); `all-reduce ms`: one all-reduce of "
        f"the gradients alone (gloo, loopback; median of 50 after training). `epoch speed-up, idle cores`: the "
        f"ratio of the slowest rank's epoch CPU time, i.e. the speed-up of the epoch when "
        f"each process has a core to itself, which a loaded machine does not give.",
        "",
    ]
    floats = {"fit_wall_s": ".1f", "fit_cpu_s": ".1f", "epoch_wall_s": ".2f",
              "epoch_cpu_s": ".2f", "step_ms": ".2f", "comm ms/step": "+.2f",
              "train_loss": ".4f", "val MSE": ".4f", "test sMAPE": ".2f",
              "fit speed-up": ".2f", "epoch speed-up": ".2f", "epoch_cpu_max_s": ".2f",
              "epoch speed-up, idle cores": ".2f", "allreduce_ms": ".2f"}
    names = {"fit_wall_s": "fit wall s", "fit_cpu_s": "fit CPU s",
             "epoch_wall_s": "epoch wall s", "epoch_cpu_s": "epoch CPU s",
             "step_ms": "step ms", "train_loss": "train loss",
             "epoch_cpu_max_s": "epoch CPU s, slowest rank",
             "allreduce_ms": "all-reduce ms"}
    for dataset, group in rows.groupby("dataset", sort=False):
        best, one = _table(group)
        if dataset == "ETTh1-M":
            what = (f"ETTh1, setting M (7 columns), lookback {protocol.lookback}, horizon "
                    f"{horizon}: the {int(one.samples):,} training windows of rows [0, "
                    f"{protocol.train_end}), z-normalised. `val MSE`: forecasts from every "
                    f"24th origin of rows [{protocol.train_end}, {protocol.val_end}).")
        else:
            what = (f"M4 Weekly, one global model over the last {M4_HISTORY} weeks of "
                    f"{'20' if args.quick else 'all 359'} series, lookback {M4_LOOKBACK}, "
                    f"horizon {M4_HORIZON}: {int(one.samples):,} training windows. `test "
                    f"sMAPE` (%): the 13 test weeks of every series.")
        cols = ["processes", "fit_wall_s", "fit_cpu_s", "epoch_wall_s", "epoch_cpu_s",
                "epoch_cpu_max_s", "steps", "step_ms", "comm ms/step", "allreduce_ms",
                "train_loss",
                one.score_name, "fit speed-up", "epoch speed-up",
                "epoch speed-up, idle cores"]
        table = best[cols].rename(columns=names)
        lines += [f"## {dataset}", "", what, "",
                  markdown_table(table, floats={names.get(k, k): v for k, v in floats.items()},
                                 left=()), "", *_explain(best, one)]
    (out / "distributed.md").write_text("\n".join(lines))
    (out / "distributed.json").write_text(json.dumps(
        {"command": command, "date": str(datetime.date.today()), "machine": machine(),
         "load_before": load[0], "load_after": load[1], "rows": rows.to_dict("records")},
        indent=1))
    print("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="600 ETTh1 rows, lookback 24, horizon 12; 20 M4 series")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--datasets", nargs="+", default=["ETTh1-M", "M4-Weekly"],
                        choices=["ETTh1-M", "M4-Weekly"])
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    protocol = QUICK if args.quick else FULL
    horizon = 12 if args.quick else 96
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    rows = []
    for dataset in args.datasets:
        for repeat in range(args.repeats):
            for n in args.processes:
                row = run(dataset, n, protocol, horizon, args.epochs)
                print(f"repeat {repeat}: {row}", file=sys.stderr)
                rows.append({"repeat": repeat, **row})
    write_report(pd.DataFrame(rows), args, protocol, horizon,
                 (load_before, os.getloadavg()[0]), out)


if __name__ == "__main__":
    main()
