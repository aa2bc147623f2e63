"""Sanity run of Seq2SeqAttentionForecaster on ETTh1 (lookback 96, horizon 96).

Protocol of the long-horizon benchmark: train rows [0, 8640), validation
[8640 - L, 11520), test [11520 - L, 14400); every column z-normalised with the
training rows' statistics; every stride-1 test window (2,785 for L = H = 96);
MSE and MAE on the normalised scale. Setting "M" forecasts the 7 columns from
the 7 columns, "S" the oil temperature from itself. A ridge-free least-squares
linear map from the 96 inputs to the 96 outputs (shared by the columns) is
printed for reference.

Examples::

    python benchmarks/seq2seq_etth1.py --setting M --max-epochs 3
    python benchmarks/seq2seq_etth1.py --setting M --max-epochs 3 --param attention=dot
"""

from __future__ import annotations

import argparse
import ast
import time

import numpy as np
import torch

from tsforecast import Seq2SeqAttentionForecaster
from tsforecast.datasets import load_etth1

L = H = 96
TRAIN_END, VAL_END, TEST_END = 8640, 11520, 14400


def load(setting):
    df = load_etth1().iloc[:TEST_END]
    values = df.to_numpy() if setting == "M" else df[["OT"]].to_numpy()
    mean, std = values[:TRAIN_END].mean(0), values[:TRAIN_END].std(0)
    return (values - mean) / std


def test_windows(z):
    starts = np.arange(VAL_END - L, TEST_END - L - H + 1)
    inputs = np.stack([z[s:s + L] for s in starts])
    targets = np.stack([z[s + L:s + L + H] for s in starts])
    return inputs, targets


def linear_reference(z, inputs, targets):
    """Least-squares map from a column's 96 inputs (plus bias) to its 96 outputs."""
    train = z[:TRAIN_END]
    starts = np.arange(0, TRAIN_END - L - H + 1)
    x = np.concatenate([np.stack([train[s:s + L, c] for s in starts]) for c in range(z.shape[1])])
    y = np.concatenate([np.stack([train[s + L:s + L + H, c] for s in starts])
                        for c in range(z.shape[1])])
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.linalg.lstsq(x1, y, rcond=None)[0]
    pred = np.einsum("nlc,lh->nhc", inputs, w[:-1]) + w[-1][None, :, None]
    return ((pred - targets) ** 2).mean()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", choices=["M", "S"], default="M")
    parser.add_argument("--max-epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--param", action="append", default=[],
                        help="estimator parameter as name=value, e.g. attention=dot")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    params = {}
    for item in args.param:
        name, value = item.split("=", 1)
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value

    z = load(args.setting)
    inputs, targets = test_windows(z)
    print(f"ETTh1 {args.setting}: {len(inputs)} test windows; linear reference MSE "
          f"{linear_reference(z, inputs, targets):.4f}")
    est = Seq2SeqAttentionForecaster(
        lookback=L, horizon=H, max_epochs=args.max_epochs, random_state=args.seed,
        validation_size=(VAL_END - TRAIN_END) / VAL_END, verbose=False,
        trainer_kwargs={"accelerator": "cpu"}, **params)
    start = time.perf_counter()
    est.fit(z[:VAL_END])
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    pred = np.stack(est.predict(y=list(inputs)))
    pred_s = time.perf_counter() - start
    mse = ((pred - targets) ** 2).mean()
    mae = np.abs(pred - targets).mean()
    train = [round(r["train_loss"], 4) for r in est.history_]
    val = [round(r.get("val_loss", float("nan")), 4) for r in est.history_]
    print(f"params {params or 'defaults'}; epochs {len(est.history_)} (best {est.best_epoch_}); "
          f"train_loss per epoch {train}; val_loss per epoch {val}")
    print(f"test MSE {mse:.4f}  MAE {mae:.4f}  fit {fit_s:.0f} s  predict {pred_s:.1f} s")


if __name__ == "__main__":
    main()
