"""One epoch of LSTMForecaster on ETTh1 (setting M) with 1 and 2 training processes.

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

The communication overhead per step is estimated as the 2-process median
step time minus the 1-process one: each rank computes a batch of the same
size as the single process, so the rest is the gradient all-reduce (gloo,
loopback) and waiting for the slower rank. Runs alternate between the
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


def run(n_processes, protocol, horizon, epochs):
    df = load_normalised(protocol, "M")
    values = df.to_numpy()
    trainer = {"accelerator": "cpu", "devices": n_processes, "strategy": "ddp"}
    with tempfile.TemporaryDirectory() as folder:
        est = LSTMForecaster(
            lookback=protocol.lookback, horizon=horizon, hidden_size=64, batch_size=32,
            max_epochs=epochs, patience=None, validation_size=0.0, loss="mse", dropout=0.0,
            lr_decay=None, learning_rate=1e-3, random_state=0, verbose=False,
            trainer_kwargs={**trainer, "callbacks": [StepTimer(folder)]})
        cpu, start = _cpu_s(), time.perf_counter()
        est.fit(df.iloc[:protocol.train_end])
        wall, cpu = time.perf_counter() - start, _cpu_s() - cpu
        ranks = [json.loads(p.read_text()) for p in sorted(Path(folder).glob("rank-*.json"))]
    origins = np.arange(protocol.train_end, protocol.val_end - horizon + 1, 24)
    pred = est._forecast_origins(values, origins, horizon)
    true = np.stack([values[o:o + horizon] for o in origins])
    n_params = sum(p.numel() for p in est.network_.parameters())
    return {
        "processes": n_processes, "fit_wall_s": wall, "fit_cpu_s": cpu,
        "epoch_wall_s": max(r["epoch_wall_s"] for r in ranks),
        "epoch_cpu_s": sum(r["epoch_cpu_s"] for r in ranks),
        "steps": ranks[0]["steps"], "step_ms": float(np.median([r["step_ms_median"]
                                                                 for r in ranks])),
        "train_loss": est.history_[-1]["train_loss"],
        "val_mse": float(np.mean((pred - true) ** 2)),
        "samples": int(protocol.train_end - protocol.lookback - horizon + 1) * epochs,
        "gradient_kb": n_params * 4 / 1024,
    }


def write_report(rows, args, protocol, horizon, load, out):
    best = rows.sort_values("fit_wall_s").groupby("processes", as_index=False).first()
    one = best[best.processes == 1].iloc[0]
    best["fit speed-up"] = one.fit_wall_s / best.fit_wall_s
    best["epoch speed-up"] = one.epoch_wall_s / best.epoch_wall_s
    best["comm ms/step"] = best.step_ms - one.step_ms
    best.loc[best.processes == 1, "comm ms/step"] = np.nan
    table = best.rename(columns={
        "fit_wall_s": "fit wall s", "fit_cpu_s": "fit CPU s", "epoch_wall_s": "epoch wall s",
        "epoch_cpu_s": "epoch CPU s", "step_ms": "step ms", "train_loss": "train loss",
        "val_mse": "val MSE"})[
        ["processes", "fit wall s", "fit CPU s", "epoch wall s", "epoch CPU s", "steps",
         "step ms", "comm ms/step", "train loss", "val MSE", "fit speed-up",
         "epoch speed-up"]]
    two = best[best.processes == 2]
    command = "python benchmarks/distributed.py" + (" --quick" if args.quick else "")
    lines = [
        "# Multi-process training on CPU: one epoch of ETTh1-M",
        "",
        f"Generated by `{command}` on {datetime.date.today()} ({machine()}). "
        f"Load average (1 min) before: {load[0]:.2f}, after: {load[1]:.2f} on "
        f"{os.cpu_count()} logical CPUs; fastest of {args.repeats} alternating runs per row.",
        "",
        f"LSTMForecaster, setting M (7 columns), lookback {protocol.lookback}, horizon "
        f"{horizon}, hidden size 64, batch size 32 per process, MSE, Adam 1e-3, no dropout, "
        f"no validation; {int(best.iloc[0].samples):,} training windows (rows [0, "
        f"{protocol.train_end})), {args.epochs} epoch(s). `trainer_kwargs={{'accelerator': "
        f"'cpu', 'devices': n, 'strategy': 'ddp'}}`, one torch thread per process. "
        f"Gradient all-reduced per step: {best.iloc[0].gradient_kb:.0f} KiB.",
        "",
        markdown_table(table, floats={"fit wall s": ".1f", "fit CPU s": ".1f",
                                      "epoch wall s": ".2f", "epoch CPU s": ".2f",
                                      "step ms": ".2f", "comm ms/step": "+.2f",
                                      "train loss": ".4f", "val MSE": ".4f",
                                      "fit speed-up": ".2f", "epoch speed-up": ".2f"},
                       left=()),
        "",
    ]
    if len(two):
        t = two.iloc[0]
        lines += [
            f"With 2 processes each optimiser step reads 2 x 32 windows, so the epoch takes "
            f"{int(t.steps)} steps instead of {int(one.steps)}: the same samples, half the "
            f"updates, which is why the loss after one epoch differs (train "
            f"{t.train_loss:.4f} vs {one.train_loss:.4f}, validation {t.val_mse:.4f} vs "
            f"{one.val_mse:.4f}). The epoch itself runs {t['epoch speed-up']:.2f}x as fast; "
            f"the whole fit {t['fit speed-up']:.2f}x, because starting two processes "
            f"(importing torch and Lightning in each) costs "
            f"{t.fit_wall_s - t.epoch_wall_s:.1f} s against "
            f"{one.fit_wall_s - one.epoch_wall_s:.1f} s of set-up in one process. Each step "
            f"costs {t['comm ms/step']:+.2f} ms more than in one process (the all-reduce of "
            f"the gradient over loopback, and waiting for the slower rank).",
            "",
        ]
    (out / "distributed.md").write_text("\n".join(lines))
    (out / "distributed.json").write_text(json.dumps(
        {"command": command, "date": str(datetime.date.today()), "machine": machine(),
         "load_before": load[0], "load_after": load[1], "rows": rows.to_dict("records")},
        indent=1))
    print("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="600 rows, lookback 24, horizon 12: a smoke test")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    protocol = QUICK if args.quick else FULL
    horizon = 12 if args.quick else 96
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    rows = []
    for repeat in range(args.repeats):
        for n in args.processes:
            row = run(n, protocol, horizon, args.epochs)
            print(f"repeat {repeat}: {row}", file=sys.stderr)
            rows.append({"repeat": repeat, **row})
    write_report(pd.DataFrame(rows), args, protocol, horizon,
                 (load_before, os.getloadavg()[0]), out)


if __name__ == "__main__":
    main()
