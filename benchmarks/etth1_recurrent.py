"""Recurrent forecasters (RNN, LSTM, GRU, Seq2SeqAttention) on ETTh1 with their defaults.

Standard long-horizon protocol: the first 14,400 rows; train rows [0, 8640),
validation [8640 - L, 11520), test [11520 - L, 14400); every column
z-normalised with the training rows' mean and standard deviation; the
estimator is fitted on rows [0, 11520) with ``validation_size=2880/11520`` so
that its validation tail (early stopping) is exactly rows [8640, 11520) and
its own scaler sees the training rows only; every stride-1 test window is
forecast (2,785 at L = H = 96); MSE and MAE on the normalised scale, averaged
over windows, steps and columns. Setting "M": 7 columns -> 7 columns;
"S": the oil temperature ``OT`` -> ``OT``.

Only ``lookback``, ``horizon`` and ``random_state`` are set; every other
parameter keeps the estimator's default unless ``--param name=value`` says
otherwise. One torch thread. ``train CPU s`` is the process CPU time of
``fit``.

Examples::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/etth1_recurrent.py --model LSTM
    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/etth1_recurrent.py --model GRU \\
        --setting S --horizon 96 --seeds 0 1 2
    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/etth1_recurrent.py --model LSTM \\
        --param segment_len=None --param max_epochs=10
"""

from __future__ import annotations

import argparse
import ast
import time

import numpy as np
import torch

import tsforecast
from tsforecast.datasets import load_etth1

TRAIN_END, VAL_END, TEST_END = 8640, 11520, 14400
MODELS = ("RNN", "LSTM", "GRU", "Seq2SeqAttention")


def load(setting):
    """The first 14,400 rows, z-normalised with the training rows' statistics."""
    df = load_etth1().iloc[:TEST_END]
    values = df.to_numpy() if setting == "M" else df[["OT"]].to_numpy()
    mean, std = values[:TRAIN_END].mean(0), values[:TRAIN_END].std(0)
    return (values - mean) / std


def ridge_reference(z, L, H, alpha=1.0):
    """Ridge map from a column's L inputs (plus bias) to its H outputs, shared by the columns."""
    def pairs(lo, hi):  # windows whose targets lie in rows [lo, hi)
        starts = np.arange(max(lo - L, 0), hi - L - H + 1)
        w = np.lib.stride_tricks.sliding_window_view(z, L + H, axis=0)[starts]  # (N, k, L+H)
        w = w.reshape(-1, L + H)
        return w[:, :L], w[:, L:]

    x, y = pairs(0, TRAIN_END)
    x1 = np.hstack([x, np.ones((len(x), 1))])
    reg = alpha * np.eye(L + 1)
    reg[-1, -1] = 0.0
    w = np.linalg.solve(x1.T @ x1 + reg, x1.T @ y)
    xt, yt = pairs(VAL_END, TEST_END)
    pred = np.hstack([xt, np.ones((len(xt), 1))]) @ w
    return float(np.mean((pred - yt) ** 2)), float(np.mean(np.abs(pred - yt)))


def run(model, setting, L, H, seed, params):
    z = load(setting)
    cls = getattr(tsforecast, f"{model}Forecaster")
    est = cls(lookback=L, horizon=H, validation_size=(VAL_END - TRAIN_END) / VAL_END,
              random_state=seed, verbose=False, trainer_kwargs={"accelerator": "cpu"},
              **params)
    wall, cpu = time.perf_counter(), time.process_time()
    est.fit(z[:VAL_END])
    fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    starts = np.arange(VAL_END, TEST_END - H + 1)  # first forecast row of each test window
    past = np.stack([z[s - L:s] for s in starts])  # (windows, L, k)
    # The batched private path of predict, with the estimator's own scaler.
    if est.scaler_ is not None:
        past = est.scaler_.transform(past)
    past = torch.from_numpy(past.astype(np.float32))
    out = est._forecast(past, torch.zeros(len(starts), H, 0), H).numpy().astype(np.float64)
    if est.scaler_ is not None:
        out = est.scaler_.inverse_transform(out)
    actual = np.stack([z[s:s + H] for s in starts])
    err = out - actual
    return dict(mse=float(np.mean(err ** 2)), mae=float(np.mean(np.abs(err))),
                cpu=fit_cpu, wall=fit_wall, epochs=len(est.history_), best=est.best_epoch_,
                windows=len(starts),
                params=sum(p.numel() for p in est.network_.parameters()),
                val=[round(h["val_loss"], 4) for h in est.history_ if "val_loss" in h])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, default="LSTM")
    parser.add_argument("--setting", choices=("M", "S"), default="M")
    parser.add_argument("--lookback", type=int, default=96)
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--param", action="append", default=[],
                        help="name=value (a Python literal) overriding a default")
    parser.add_argument("--ridge", action="store_true", help="also print the ridge reference")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    params = {}
    for item in args.param:
        name, value = item.split("=", 1)
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    L, H = args.lookback, args.horizon
    if args.ridge:
        mse, mae = ridge_reference(load(args.setting), L, H)
        print(f"ridge {args.setting} L={L} H={H}: MSE={mse:.4f} MAE={mae:.4f}")
    rows = []
    for seed in args.seeds:
        r = run(args.model, args.setting, L, H, seed, params)
        rows.append(r)
        print(f"{args.model} {args.setting} L={L} H={H} seed={seed} {params} | "
              f"MSE={r['mse']:.4f} MAE={r['mae']:.4f} | windows={r['windows']} "
              f"epochs={r['epochs']} best={r['best']} train_cpu={r['cpu']:.0f}s "
              f"wall={r['wall']:.0f}s params={r['params']} val={r['val']}", flush=True)
    if len(rows) > 1:
        mse = np.array([r["mse"] for r in rows])
        mae = np.array([r["mae"] for r in rows])
        cpu = np.array([r["cpu"] for r in rows])
        print(f"SUMMARY {args.model} {args.setting} H={H} seeds={args.seeds} {params} | "
              f"MSE={mse.mean():.4f} ± {mse.std(ddof=1):.4f} "
              f"MAE={mae.mean():.4f} ± {mae.std(ddof=1):.4f} | "
              f"train_cpu={cpu.mean():.0f}s epochs={np.mean([r['epochs'] for r in rows]):.1f}")


if __name__ == "__main__":
    main()
