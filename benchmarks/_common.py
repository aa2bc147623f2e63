"""Shared by the benchmark scripts: the ETTh1 protocol's data, isolation and tables."""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run from a checkout: import this repository's tsforecast, not an installed one.
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytorch_lightning as pl  # noqa: E402
import torch  # noqa: E402

from tsforecast.datasets import load_etth1  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


@dataclass(frozen=True)
class Protocol:
    """Row spans of the standard ETTh1 protocol (12/4/4 months of train/val/test)."""

    rows: int = 14_400
    train_end: int = 8_640
    val_end: int = 11_520
    lookback: int = 96

    @property
    def validation_size(self) -> float:
        """The fraction of rows [0, val_end) whose tail is exactly [train_end, val_end)."""
        return (self.val_end - self.train_end) / self.val_end

    def n_test_windows(self, horizon: int) -> int:
        return self.rows - horizon - self.val_end + 1


FULL = Protocol()
# --quick: the first few hundred rows in the same 12/4/4 proportions, short windows.
QUICK = Protocol(rows=600, train_end=360, val_end=480, lookback=24)


def load_normalised(protocol: Protocol, setting: str) -> pd.DataFrame:
    """ETTh1's first ``protocol.rows`` rows, z-normalised with the training rows' statistics.

    Setting "M": all 7 columns; "S": the oil temperature ``OT`` only.
    """
    df = load_etth1().iloc[: protocol.rows]
    if setting == "S":
        df = df[["OT"]]
    train = df.iloc[: protocol.train_end]
    return (df - train.mean()) / train.std(ddof=0)


def run_isolated(fn, *args):
    """Run ``fn(*args)`` (returning a dict) in a forked process and add its peak RSS in MB.

    A fresh process per job makes the peak memory that job's own (the
    interpreter and libraries included). Falls back to this process where
    fork is unavailable; the peak then covers everything run so far.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        row = fn(*args)
        row["peak_mb"] = _peak_mb()
        return row
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def target():
        try:
            row = fn(*args)
            row["peak_mb"] = _peak_mb()
            send.send(("ok", row))
        except BaseException:  # noqa: BLE001 - reported to the parent, which re-raises
            send.send(("error", traceback.format_exc()))

    process = ctx.Process(target=target)
    process.start()
    try:
        status, payload = receive.recv()
    except EOFError:
        status, payload = "error", f"the worker process died (exit code {process.exitcode})"
    process.join()
    if status != "ok":
        raise RuntimeError(f"benchmark job failed:\n{payload}")
    return payload


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
            f"torch {torch.__version__} with {torch.get_num_threads()} thread(s), "
            f"Python {platform.python_version()}")


def markdown_table(frame: pd.DataFrame, floats: dict | None = None,
                   left=("model", "setting", "variant", "measure")) -> str:
    """A GitHub Markdown table; ``floats``: column -> format spec; ``left``: left-aligned."""
    floats = floats or {}
    head = "| " + " | ".join(frame.columns) + " |"
    align = "|" + "|".join("---" if c in left else "---:" for c in frame.columns) + "|"
    lines = [head, align]
    for i in range(len(frame)):
        cells = []
        for c in frame.columns:
            v = frame[c].iloc[i]
            if isinstance(v, (float, np.floating)):
                cells.append("–" if np.isnan(v) else format(v, floats.get(c, ".4f")))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)



class StepTimer(pl.Callback):
    """A Lightning callback writing one rank's epoch and step times to ``folder/rank-<r>.json``.

    Defined here, in an importable module, because multi-process training
    sends callbacks to worker processes by pickling them (a class defined in a
    script's ``__main__`` cannot be found there).
    """

    def __init__(self, folder):
        self.folder = str(folder)
        self.steps = []

    def on_train_epoch_start(self, trainer, pl_module):
        self.epoch = (time.perf_counter(), time.process_time())

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self._step = time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.steps.append(time.perf_counter() - self._step)

    def on_train_epoch_end(self, trainer, pl_module):
        wall, cpu = time.perf_counter() - self.epoch[0], time.process_time() - self.epoch[1]
        self.row = {"rank": trainer.global_rank, "world_size": trainer.world_size,
                    "epoch_wall_s": wall, "epoch_cpu_s": cpu, "steps": len(self.steps),
                    "step_ms_median": 1000 * float(np.median(self.steps)),
                    "step_ms_mean": 1000 * float(np.mean(self.steps))}

    def on_train_end(self, trainer, pl_module):
        if trainer.world_size > 1:  # the all-reduce of one step's gradients, alone
            grads = torch.zeros(sum(p.numel() for p in pl_module.parameters()))
            times = []
            for _ in range(50):
                torch.distributed.barrier()
                start = time.perf_counter()
                torch.distributed.all_reduce(grads)
                times.append(time.perf_counter() - start)
            self.row["allreduce_ms_median"] = 1000 * float(np.median(times))
        path = Path(self.folder) / f"rank-{trainer.global_rank}.json"
        path.write_text(json.dumps(self.row))
