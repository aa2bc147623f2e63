"""How fit, predict and memory grow with the number of series and rows.

Synthetic data: noisy daily sine waves with random levels and scales, hourly
time stamps. Many series: 1e2, 1e3, 1e4 and 1e5 series whose lengths are
drawn uniformly from 200 to 800 steps (500 on average, so 1e5 series hold
about 5e7 rows), given as a dict ``{id: pd.Series}`` and as a long frame with
``unique_id``/``ds``/``y`` columns. One long series: 1e5, 1e6 and 1e7 rows.

Each size runs in a fresh process (peak RSS, ``ru_maxrss``, is that size's
own, the input data and the libraries included). The model is
``GRUForecaster(lookback=48, horizon=12)`` with its defaults. Measured:

Times are CPU seconds of the (single-threaded) process, so that they do not
depend on what else runs on the machine; wall-clock fit times are in the JSON.

- ``input_mb``: RSS once the input exists (interpreter, libraries, data);
- ``prep_s``: fit's O(rows) data preparation, from ``fit`` to Lightning's
  first hook: input conversion, spans, per-series scaling, the one
  concatenated float32 buffer and the window start rows;
- ``batch_ms``: training time per batch (of 32 windows), measured on a bounded
  number of batches (``trainer_kwargs={"limit_train_batches": ...}``), and the
  sampler's set-up at the start of an epoch (a permutation of all windows);
- ``epoch_s``: the extrapolated time of one full epoch: sampler set-up +
  training batches x ``batch_ms`` + validation batches x their measured time;
- ``predict_s``: ``predict()`` for every series (streamed in batches);
- ``peak_mb``: peak RSS from then on (fit and predict), the input included:
  the peak is reset to the current RSS after the input is built (Linux
  ``/proc/self/clear_refs``), so that building the synthetic data does not
  count; ``make_peak_mb`` is the peak while building it.

Examples::

    python benchmarks/scale.py                       # every size (minutes; 1e5 needs ~2 GB)
    python benchmarks/scale.py --sizes 100 1000 --long-rows 100000 --append
    python benchmarks/scale.py --quick --out /tmp/scale

Results: ``scale.json`` and ``scale.md`` (table) and ``scale.png`` (growth
curves) under ``--out`` (default benchmarks/results).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import RESULTS, machine, markdown_table

import numpy as np
import pandas as pd

LOOKBACK, HORIZON, BATCH = 48, 12, 32
TRAIN_BATCHES, VAL_BATCHES = 200, 5
LENGTHS = (200, 800)


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _status_mb(field):
    """``VmRSS`` (now) or ``VmHWM`` (peak since the last reset) of this process, in MB."""
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def _reset_peak():
    """Reset the peak RSS to the current RSS (Linux >= 4.0), so that a later peak is fit's
    and predict's own, not that of building the synthetic input. False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def make_data(layout, n_series, n_rows, seed=0):
    """Synthetic series: a dict of Series, a long frame, or one long Series."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2020-01-01")
    if layout == "long_series":
        t = np.arange(n_rows)
        values = 10 + np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n_rows)
        return pd.Series(values, index=pd.date_range(start, periods=n_rows, freq="h"), name="y")
    lengths = rng.integers(LENGTHS[0], LENGTHS[1] + 1, n_series)
    levels = 10 ** rng.uniform(0, 4, n_series)  # levels from 1 to 1e4
    ids = [f"s{i}" for i in range(n_series)]

    def one(n, level):
        step = np.arange(n)
        return level * (1 + 0.1 * np.sin(2 * np.pi * step / 24) + 0.02 * rng.standard_normal(n))

    if layout == "long_frame":
        values = np.empty(int(lengths.sum()))
        first = np.cumsum(lengths) - lengths
        for lo, n, level in zip(first, lengths, levels):
            values[lo:lo + n] = one(n, level)
        step = np.arange(len(values)) - np.repeat(first, lengths)
        return pd.DataFrame({"unique_id": pd.Index(ids).repeat(lengths),
                             "ds": start + pd.to_timedelta(step, "h"), "y": values})
    # built series by series: the peak RSS of the input is the input's own
    return {k: pd.Series(one(n, level), index=pd.date_range(start, periods=n, freq="h"),
                         name="y") for k, n, level in zip(ids, lengths, levels)}


def measure(layout, n_series, n_rows):
    """One size, in this process: returns a row (meant for a fresh process)."""
    import torch
    from pytorch_lightning import Callback

    from tsforecast import GRUForecaster

    torch.set_num_threads(1)
    y = make_data(layout, n_series, n_rows)
    rows = len(y) if layout != "dict" else sum(len(s) for s in y.values())
    gc.collect()
    make_peak_mb = _rss_mb()
    reset = _reset_peak()
    input_mb = _status_mb("VmRSS") if reset else make_peak_mb

    class Clock(Callback):
        def __init__(self):
            self.t = {}
            self.val = []

        # CPU seconds of this (single-threaded) process: what a step costs, whatever else
        # runs on the machine; wall-clock seconds are reported beside them.
        def on_fit_start(self, trainer, pl_module):
            self.t["fit_start"] = time.process_time()
            self.t["fit_start_wall"] = time.perf_counter()

        def on_train_epoch_start(self, trainer, pl_module):
            self.t["epoch_start"] = time.process_time()

        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            self.t.setdefault("first_batch", time.process_time())

        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            self.t["last_batch"] = time.process_time()
            self.t["n_batches"] = batch_idx + 1

        def on_validation_batch_start(self, trainer, pl_module, batch, batch_idx,
                                      dataloader_idx=0):
            self.val.append(time.process_time())

        def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx,
                                    dataloader_idx=0):
            self.val[-1] = time.process_time() - self.val[-1]

    clock = Clock()
    est = GRUForecaster(lookback=LOOKBACK, horizon=HORIZON, batch_size=BATCH, max_epochs=1,
                        random_state=0, verbose=False,
                        trainer_kwargs={"accelerator": "cpu", "callbacks": [clock],
                                        "limit_train_batches": TRAIN_BATCHES,
                                        "limit_val_batches": VAL_BATCHES})
    t0, c0 = time.perf_counter(), time.process_time()
    est.fit(y)
    fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    t = clock.t
    n_batches = t["n_batches"]
    batch_s = (t["last_batch"] - t["first_batch"]) / max(n_batches - 1, 1) if n_batches > 1 \
        else t["last_batch"] - t["first_batch"]
    sampler_s = t["first_batch"] - t["epoch_start"]
    # the window counts, recomputed from the lengths as fit splits them
    from tsforecast.data.splits import chronological_spans
    from tsforecast.data.windows import window_starts

    lengths = ([len(s) for s in y.values()] if layout == "dict" else
               y["unique_id"].value_counts(sort=False).tolist() if layout == "long_frame"
               else [len(y)])
    spans = [chronological_spans(n, lookback=LOOKBACK, horizon=HORIZON, validation_size=0.2)
             for n in lengths]
    n_train = len(window_starts(lengths, LOOKBACK + HORIZON,
                                last_target=[s.train[1] for s in spans]))
    n_val = len(window_starts(lengths, LOOKBACK + HORIZON,
                              first_target=[s.validation[0] for s in spans],
                              last_target=[s.validation[1] for s in spans], lookback=LOOKBACK))
    val_batch_s = float(np.median(clock.val)) if clock.val else 0.0
    full_batches = -(-n_train // BATCH)
    full_val = -(-n_val // max(BATCH, 256))
    epoch_s = sampler_s + full_batches * batch_s + full_val * val_batch_s
    p0 = time.process_time()
    forecast = est.predict()
    predict_s = time.process_time() - p0
    n_forecasts = len(forecast) if isinstance(forecast, dict) else (
        forecast["unique_id"].nunique() if layout == "long_frame" else 1)
    return {"layout": layout, "series": n_series if layout != "long_series" else 1,
            "rows": int(rows), "train_windows": int(n_train), "input_mb": input_mb,
            "prep_s": t["fit_start"] - c0, "prep_wall_s": t["fit_start_wall"] - t0, "sampler_s": sampler_s,
            "batch_ms": 1000 * batch_s, "measured_batches": n_batches,
            "val_batch_ms": 1000 * val_batch_s, "epoch_s": epoch_s, "fit_s": fit_s,
            "fit_cpu_s": fit_cpu_s, "predict_s": predict_s, "forecasts": int(n_forecasts),
            "peak_mb": _status_mb("VmHWM") if reset else _rss_mb(),
            "make_peak_mb": make_peak_mb, "peak_reset": reset}


def _in_subprocess(layout, n_series, n_rows, timeout):
    cmd = [sys.executable, __file__, "--one", layout, str(n_series), str(n_rows)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{layout} {n_series} x {n_rows} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------- report
def _plot(frame, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for layout, part in frame.groupby("layout", sort=False):
        part = part.sort_values("rows")
        style = dict(marker="o", label=layout.replace("_", " "))
        axes[0].loglog(part["rows"], part["prep_s"], **style)
        axes[1].loglog(part["rows"], part["epoch_s"], **style)
        axes[2].loglog(part["rows"], part["peak_mb"], **style)
    lo, hi = frame["rows"].min(), frame["rows"].max()
    for ax, col in zip(axes[:2], ("prep_s", "epoch_s")):
        ref = frame.loc[frame["rows"].idxmax(), col]  # a slope-1 line through the largest run
        ax.loglog([lo, hi], [ref * lo / hi, ref], color="grey", ls=":", label="linear")
    axes[2].axhline(2048, color="red", ls="--", lw=1, label="2 GB goal")
    titles = ("fit's data preparation (s)", "one epoch, extrapolated (s)", "peak RSS (MB)")
    for ax, title in zip(axes, titles):
        ax.set_title(title)
        ax.set_xlabel("total rows")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(frame, out, quick, command):
    out.mkdir(parents=True, exist_ok=True)
    order = {"dict": 0, "long_frame": 1, "long_series": 2}
    frame = frame.sort_values(["layout", "rows"], key=lambda c: c.map(order)
                              if c.name == "layout" else c).reset_index(drop=True)
    (out / "scale.json").write_text(frame.to_json(orient="records", indent=1) + "\n")
    _plot(frame, out / "scale.png")
    shown = frame[["layout", "series", "rows", "train_windows", "prep_s", "sampler_s",
                   "batch_ms", "epoch_s", "predict_s", "input_mb", "peak_mb"]].copy()
    shown["prep µs/row"] = 1e6 * frame["prep_s"] / frame["rows"]
    for c in ("series", "rows", "train_windows"):
        shown[c] = [f"{v:,.0f}" for v in shown[c]]
    text = [
        "# Scale: fit, predict and memory against the number of series and rows",
        "",
        f"Written by `benchmarks/scale.py` on {datetime.date.today().isoformat()} "
        f"({machine()}).",
        "" if not quick else "**--quick smoke test: small sizes only.**",
        "",
        f"`GRUForecaster(lookback={LOOKBACK}, horizon={HORIZON})`, defaults otherwise "
        f"(batch {BATCH}, validation_size 0.2). Many series: lengths uniform in "
        f"{LENGTHS[0]}-{LENGTHS[1]} hourly steps (mean 500), as a dict of Series and as a "
        f"long frame (`unique_id`/`ds`/`y`, string ids); one long series otherwise. Each row "
        f"is one fresh process. Times are CPU seconds of the single-threaded process. `prep_s`: fit's O(rows) data preparation (input conversion, "
        f"per-series scaling, the concatenated float32 buffer, window starts); `sampler_s`: "
        f"the shuffle of all training windows at the start of an epoch; `batch_ms`: one "
        f"training step, measured on {TRAIN_BATCHES} batches; `epoch_s`: one full epoch "
        f"extrapolated from those ({VAL_BATCHES} validation batches timed likewise), not "
        f"run; `predict_s`: `predict()` for all series; `input_mb`: RSS once the input "
        f"exists (interpreter, libraries and data); `peak_mb`: peak RSS of fit and predict, "
        f"the input included (the peak is reset after building the input).",
        "",
        markdown_table(shown, floats={"prep_s": ".2f", "sampler_s": ".2f", "batch_ms": ".2f",
                                      "epoch_s": ".0f", "predict_s": ".2f", "input_mb": ".0f",
                                      "peak_mb": ".0f", "prep µs/row": ".3f"},
                       left=("layout",)),
        "",
        "![growth curves](scale.png)",
        "",
        f"Command: `{command}`",
        "",
    ]
    (out / "scale.md").write_text("\n".join(text))
    return shown


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=None,
                        help="numbers of series (default 100 1000 10000 100000)")
    parser.add_argument("--layouts", nargs="*", default=["dict", "long_frame"],
                        choices=["dict", "long_frame"])
    parser.add_argument("--long-rows", nargs="*", type=int, default=None,
                        help="rows of the one long series (default 1e5 1e6 1e7)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--out", default=str(RESULTS), help="output folder")
    parser.add_argument("--append", action="store_true",
                        help="keep the rows already in OUT/scale.json (same layout and size "
                             "replaced)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per size")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        layout, n_series, n_rows = args.one[0], int(args.one[1]), int(args.one[2])
        print(json.dumps(measure(layout, n_series, n_rows)))
        return None
    sizes = args.sizes if args.sizes is not None else ([30, 100] if args.quick else
                                                      [100, 1_000, 10_000, 100_000])
    long_rows = args.long_rows if args.long_rows is not None else (
        [20_000] if args.quick else [100_000, 1_000_000, 10_000_000])
    jobs = [(layout, n, 0) for n in sizes for layout in args.layouts]
    jobs += [("long_series", 1, n) for n in long_rows]
    out = Path(args.out)
    old = []
    if args.append and (out / "scale.json").exists():
        old = json.loads((out / "scale.json").read_text())
    command = " ".join(["python benchmarks/scale.py", *(argv if argv is not None
                                                        else sys.argv[1:])])
    rows, shown = [], None
    for layout, n_series, n_rows in jobs:
        row = _in_subprocess(layout, n_series, n_rows, args.timeout)
        row["command"] = command
        rows.append(row)
        print(f"{layout:>12} series={row['series']:<7} rows={row['rows']:<9} "
              f"prep={row['prep_s']:.2f}s batch={row['batch_ms']:.2f}ms "
              f"epoch~{row['epoch_s']:.0f}s predict={row['predict_s']:.2f}s "
              f"peak={row['peak_mb']:.0f}MB", flush=True)
        new_keys = {(r["layout"], r["rows"], r["series"]) for r in rows}
        kept = [r for r in old if (r["layout"], r["rows"], r["series"]) not in new_keys]
        shown = write_report(pd.DataFrame(kept + rows), out, args.quick, command)
    return shown


if __name__ == "__main__":
    main()
