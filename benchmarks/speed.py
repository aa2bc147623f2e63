"""Speed of the LSTM forecaster on ETTh1: estimator vs a bare PyTorch loop, prediction, memory.

At the ETTh1 benchmark's size (setting M: 7 columns, lookback 96, horizon 96,
hidden size 64, batch size 32; one torch thread):

1. Training throughput (windows per second) of ``LSTMForecaster.fit`` against
   a hand-written PyTorch loop on the same network (built by the estimator,
   same initial weights), the same windows (rows [0, 8640), z-normalised), the
   same batch size, optimiser (Adam 1e-3), loss (MSE) and gradient clipping
   (norm 1). ``fit`` runs without validation so both do the same work. The
   two alternate ``--repeats`` times over ``--batches`` batches each.
   Rates and overheads compare each one's fastest run.
2. Prediction time for all 2,785 stride-1 test windows (rows [11520 - 96,
   14400)): the batched forecast alone, and the whole ``backtest`` call.
3. Peak memory of a fit at two lookbacks, against what materialising every
   training window would take: windows are views of the series, so memory
   does not grow with lookback x length.

The fused ``nn.LSTM`` is compared with the custom cells (``layer_norm``,
``peephole``), which are timed on ``--variant-batches`` batches per run.

Examples::

    python benchmarks/speed.py
    python benchmarks/speed.py --quick --out /tmp/speed   # a smoke test in seconds
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
import time
from pathlib import Path

from _common import FULL, QUICK, RESULTS, load_normalised, machine, markdown_table, run_isolated

import numpy as np
import pandas as pd
import torch

from tsforecast import LSTMForecaster
from tsforecast.data.windows import sliding_windows
from tsforecast.model_selection import backtest

VARIANTS = {  # name -> LSTMForecaster parameters
    "fused nn.LSTM": {},
    "layer_norm": {"layer_norm": True},
    "peephole": {"peephole": True},
    "layer_norm + peephole": {"layer_norm": True, "peephole": True},
}


def make_estimator(protocol, horizon, variant, *, epochs, batches=None, lookback=None):
    trainer = {"accelerator": "cpu"}
    if batches is not None:
        trainer["limit_train_batches"] = batches
    return LSTMForecaster(lookback=lookback or protocol.lookback, horizon=horizon,
                          hidden_size=64, batch_size=32, max_epochs=epochs, patience=None,
                          validation_size=0.0, random_state=0, verbose=False,
                          trainer_kwargs=trainer, **VARIANTS[variant])


def bare_loop(est, values, *, epochs, batches=None, seed=0):
    """The same network, windows, batch size, optimiser, loss and clipping, by hand."""
    L, H, T = est.lookback, est.horizon, values.shape[1]
    torch.manual_seed(seed)
    network = est._make_network(T, 0).train()
    # Row-major, like the estimator's series: a DataFrame's .to_numpy() is column-major,
    # and windows gathered from it would be non-contiguous (slower for the custom cells).
    series = torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))
    windows = sliding_windows(series, L + H)  # a view: nothing is copied
    optimiser = torch.optim.Adam(network.parameters(), lr=est.learning_rate)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(windows), generator=generator)
        n_batches = -(-len(order) // est.batch_size)
        for b in range(n_batches if batches is None else min(batches, n_batches)):
            w = windows[order[b * est.batch_size:(b + 1) * est.batch_size]]
            loss = torch.nn.functional.mse_loss(network(w[:, :L], w[:, L:, T:]), w[:, L:, :T])
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()


def throughput(protocol, horizon, variant, train, *, batches, repeats):
    """Windows per second of ``fit`` and of the bare loop over the same ``batches`` batches.

    The two alternate ``repeats`` times (in alternating order, so that drifts
    in the machine's load hit both alike). Rates and overheads use each one's
    fastest run (wall-clock and CPU time); the median over the pairs of the CPU
    time ratio is reported too.
    """
    n_windows = len(train) - protocol.lookback - horizon + 1
    seen = min(batches * 32, n_windows)
    times = {"est": [], "bare": [], "est_cpu": [], "bare_cpu": []}

    def run_estimator():
        est = make_estimator(protocol, horizon, variant, epochs=1, batches=batches)
        wall, cpu = time.perf_counter(), time.process_time()
        est.fit(train)
        times["est"].append(time.perf_counter() - wall)
        times["est_cpu"].append(time.process_time() - cpu)
        return est

    def run_bare(est):
        wall, cpu = time.perf_counter(), time.process_time()
        bare_loop(est, train.to_numpy(), epochs=1, batches=batches)
        times["bare"].append(time.perf_counter() - wall)
        times["bare_cpu"].append(time.process_time() - cpu)

    for i in range(repeats):
        if i % 2 == 0:
            est = run_estimator()
            run_bare(est)
        else:
            run_bare(est)
            est = run_estimator()
    best = {k: min(v) for k, v in times.items()}  # load from other processes only adds time
    pairs = np.array(times["est_cpu"]) / np.array(times["bare_cpu"])
    row = {"variant": variant, "windows per run": seen, "runs": repeats,
           "estimator windows/s": seen / best["est"],
           "bare loop windows/s": seen / best["bare"],
           "overhead %": 100 * (best["est"] / best["bare"] - 1),
           "CPU overhead %": 100 * (best["est_cpu"] / best["bare_cpu"] - 1),
           "CPU overhead %, median pair": 100 * (np.median(pairs) - 1),
           "runs (s)": {k: [round(t, 3) for t in v] for k, v in times.items()}}
    return row, est


def prediction(est, data, protocol, horizon, repeats):
    """Seconds to forecast every stride-1 test window: batched forecast alone, and backtest."""
    values = data.to_numpy()
    origins = np.arange(protocol.val_end, protocol.rows - horizon + 1)
    forecast_times, backtest_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        est.forecast_origins(values, origins, horizon)
        forecast_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        backtest(est, data, start=protocol.val_end, horizon=horizon, metrics=("mse", "mae"))
        backtest_times.append(time.perf_counter() - start)
    return {"variant": None, "test windows": len(origins),
            "forecast s": min(forecast_times), "backtest s": min(backtest_times)}


def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory_job(protocol, horizon, lookback, n_rows, batches):
    """In a fresh process: fit on the first ``n_rows`` rows; RSS before fit (peak added after)."""
    torch.set_num_threads(1)
    train = load_normalised(dataclasses.replace(protocol, rows=n_rows), "M")
    before = _rss_mb()
    est = make_estimator(protocol, horizon, "fused nn.LSTM", epochs=1, batches=batches,
                         lookback=lookback)
    est.fit(train)
    n_windows = n_rows - lookback - horizon + 1
    return {"lookback": lookback, "series rows": n_rows, "training windows": n_windows,
            "rss_before": before,
            "materialised MB": n_windows * (lookback + horizon) * train.shape[1] * 4 / 2**20}


def framework_overhead(train, batches, repeats):
    """CPU ms per step of fit and of the bare loop with a tiny network: the fixed cost per step."""
    est_ms, bare_ms = [], []
    for _ in range(repeats):
        est = LSTMForecaster(lookback=4, horizon=1, hidden_size=2, batch_size=32, max_epochs=1,
                             patience=None, validation_size=0.0, random_state=0, verbose=False,
                             trainer_kwargs={"accelerator": "cpu",
                                             "limit_train_batches": batches})
        cpu = time.process_time()
        est.fit(train)
        est_ms.append((time.process_time() - cpu) / batches * 1e3)
        cpu = time.process_time()
        bare_loop(est, train.to_numpy(), epochs=1, batches=batches)
        bare_ms.append((time.process_time() - cpu) / batches * 1e3)
    return {"estimator CPU ms/step": float(np.median(est_ms)),
            "bare loop CPU ms/step": float(np.median(bare_ms)),
            "difference ms/step": float(np.median(np.subtract(est_ms, bare_ms)))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=265,
                        help="batches per timed run of the fused LSTM (265 = one epoch)")
    parser.add_argument("--variant-batches", type=int, default=16,
                        help="batches per timed run of the custom-cell variants")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed runs of each of the estimator and the bare loop")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS),
                        metavar="VARIANT", help=f"among {list(VARIANTS)}; default: all")
    parser.add_argument("--memory-lookbacks", nargs=2, type=int, default=None,
                        help="the two lookbacks of the memory check (default 96 720)")
    parser.add_argument("--quick", action="store_true", help="smoke test on a few hundred rows")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    protocol, horizon = (QUICK, 12) if args.quick else (FULL, 96)
    if args.quick:
        args.batches, args.repeats, args.variant_batches = 11, 2, 3
    lookbacks = args.memory_lookbacks or ((24, 96) if args.quick else (96, 720))
    lengths = (protocol.train_end, protocol.rows) if args.quick else (8_640, 17_420)
    data = load_normalised(protocol, "M")
    train = data.iloc[:protocol.train_end]

    train_rows, predict_rows = [], []
    for variant in args.variants:
        fused = variant == "fused nn.LSTM"
        row, est = throughput(protocol, horizon, variant, train,
                              batches=args.batches if fused else args.variant_batches,
                              repeats=args.repeats if fused else min(args.repeats, 3))
        train_rows.append(row)
        pred = prediction(est, data, protocol, horizon, min(args.repeats, 3))
        pred["variant"] = variant
        predict_rows.append(pred)
        print(f"{variant:>22}: fit {row['estimator windows/s']:.0f} windows/s, bare "
              f"{row['bare loop windows/s']:.0f} windows/s, overhead {row['overhead %']:+.1f}% "
              f"(CPU time {row['CPU overhead %']:+.1f}%); "
              f"forecast {pred['forecast s']:.3f}s, backtest {pred['backtest s']:.3f}s "
              f"({pred['test windows']} windows)", flush=True)

    fixed = framework_overhead(train, 50 if args.quick else 250, args.repeats)
    print(f"tiny network: fit {fixed['estimator CPU ms/step']:.2f} CPU ms/step, bare loop "
          f"{fixed['bare loop CPU ms/step']:.2f}", flush=True)

    memory_rows = []
    for lookback in lookbacks:
        for n_rows in lengths:
            row = run_isolated(memory_job, protocol, horizon, lookback, n_rows,
                               3 if args.quick else 20)
            row["peak MB"] = row.pop("peak_mb")
            row["growth in fit MB"] = row["peak MB"] - row.pop("rss_before")
            memory_rows.append(row)
            print(f"lookback {lookback}, {n_rows} rows: peak {row['peak MB']:.0f} MB, grew "
                  f"{row['growth in fit MB']:.0f} MB in fit; materialised windows would take "
                  f"{row['materialised MB']:.0f} MB", flush=True)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "date": str(datetime.date.today()), "quick": args.quick,
              "training": train_rows, "framework overhead": fixed, "prediction": predict_rows,
              "memory": memory_rows}
    (out / "speed.json").write_text(json.dumps(report, indent=1, default=float))
    command = " ".join(["python benchmarks/speed.py", *sys.argv[1:]])
    n_train = len(train) - protocol.lookback - horizon + 1
    training = pd.DataFrame(train_rows).drop(columns=["runs (s)"])
    text = [
        f"# LSTM speed on ETTh1{' — QUICK smoke test, not a result' if args.quick else ''}",
        "",
        f"Generated by `{command}` on {datetime.date.today()} ({machine()}). "
        f"`torch.set_num_threads(1)`.",
        "",
        f"Setting M (7 columns), lookback {protocol.lookback}, horizon {horizon}, hidden size "
        f"64, batch size 32, Adam 1e-3, MSE, gradient clipping at norm 1. Training data: "
        f"the {n_train:,} windows of rows [0, {protocol.train_end}), z-normalised.",
        "",
        "## Training throughput: estimator vs bare PyTorch loop",
        "",
        f"`LSTMForecaster.fit` (no validation, so both loops do the same work; the time "
        f"includes input checks, scaling, windowing and building the Lightning Trainer) "
        f"against a hand-written loop over the same network, initial weights, windows and "
        f"batches. Each run covers {args.batches} batches for the fused LSTM and "
        f"{args.variant_batches} for the custom cells; the estimator and the bare loop "
        f"alternate ({args.repeats} runs each for the fused LSTM, {min(args.repeats, 3)} "
        f"for the custom cells). Rates and overheads compare each one's fastest run (other "
        f"processes can only add time): overhead = estimator time / bare time - 1, in "
        f"wall-clock and in process CPU time; the last column is the median over the "
        f"alternating pairs of the CPU-time ratio.",
        "",
        markdown_table(training, floats={"estimator windows/s": ".0f",
                                         "bare loop windows/s": ".0f", "overhead %": "+.1f",
                                         "CPU overhead %": "+.1f",
                                         "CPU overhead %, median pair": "+.1f"}),
        "",
        "The fixed cost per training step, measured with a tiny network (LSTM of hidden "
        "size 2, lookback 4, horizon 1) whose own compute is negligible, in process CPU "
        f"time over {50 if args.quick else 250} batches (median of {args.repeats} runs):",
        "",
        markdown_table(pd.DataFrame([fixed]), floats=dict.fromkeys(fixed, ".2f")),
        "",
        "## Prediction of every test window",
        "",
        "`forecast s`: the batched forecast of every stride-1 test window (one gather of "
        "windows from the series, forward passes in batches of 1,024). `backtest s`: the "
        "whole `tsforecast.model_selection.backtest` call (forecasts, MSE/MAE overall and "
        "per step, the tidy frame of windows x steps x columns rows). Fastest of "
        f"{min(args.repeats, 3)} runs.",
        "",
        markdown_table(pd.DataFrame(predict_rows), floats={"forecast s": ".3f",
                                                           "backtest s": ".3f"}),
        "",
        "## Peak memory at two lookbacks and two series lengths",
        "",
        f"A fresh process per case fits the fused LSTM ({3 if args.quick else 20} batches; "
        f"memory does not depend on how many) on the first rows of ETTh1. `peak MB`: the "
        f"process's peak resident memory (interpreter and libraries included); `growth in "
        f"fit MB`: peak minus the resident memory just before `fit`; `materialised MB`: "
        f"what a copy of every training window (windows x (lookback + horizon) x 7 float32) "
        f"would take. Windows are views of the series: the growth does not follow the "
        f"number of windows x lookback; what grows with the lookback is the network's "
        f"activations for one batch (batch x lookback x hidden).",
        "",
        markdown_table(pd.DataFrame(memory_rows), floats={"materialised MB": ".0f",
                                                          "peak MB": ".0f",
                                                          "growth in fit MB": ".0f"}),
        "",
    ]
    (out / "speed.md").write_text("\n".join(text))
    print("\n".join(text))
    return report


if __name__ == "__main__":
    main()
