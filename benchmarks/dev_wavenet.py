"""WaveNetForecaster on ETTh1 (lookback 96, horizon 96), the standard long-horizon protocol.

Train rows [0, 8640), validation [8640 - L, 11520), test [11520 - L, 14400); columns
z-normalised with training statistics; every stride-1 test window; MSE and MAE on the
normalised scale. The estimator's own ``validation_size`` reproduces the split: it is fitted
on rows [0, 11520) with the last 2880 rows as validation, and its scaler sees only the
training rows. Run from the repository root (``PYTHONPATH=.`` picks up its tsforecast):

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/dev_wavenet.py --setting M --max-epochs 3
    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/dev_wavenet.py --set linear_skip=False

Other parameters keep the estimator's defaults (``--max-epochs 50`` is the default
training: early stopping with patience 5). It prints the changed parameters, the epochs
run, the best validation epoch, the receptive field, the test MSE and MAE and the fit time;
``--trace`` also prints the validation loss and test MSE after every epoch.
"""

from __future__ import annotations

import argparse
import ast
import time

import numpy as np
import pytorch_lightning as pl
import torch

from tsforecast import WaveNetForecaster
from tsforecast.datasets import load_etth1

TRAIN, VAL, TEST = 8640, 11520, 14400


def evaluate(est, frame):
    """MSE and MAE over every stride-1 test window, on the train-normalised scale."""
    L, H = est.lookback, est.horizon
    scale = frame.iloc[:TRAIN].std(ddof=0).to_numpy()
    origins = range(VAL, TEST - H + 1)
    histories = [frame.iloc[o - L:o] for o in origins]
    forecasts = np.stack([f.to_numpy() for f in est.predict(y=histories)])
    actual = np.stack([frame.iloc[o:o + H].to_numpy() for o in origins])
    err = (forecasts - actual) / scale  # z-normalising both: the mean cancels
    return float((err ** 2).mean()), float(np.abs(err).mean()), len(origins)


class EpochTrace(pl.Callback):
    """Print the test MSE after every epoch (a development aid: it peeks at the test set)."""

    def __init__(self, frame, lookback, horizon):
        train = frame.iloc[:TRAIN]
        values = ((frame - train.mean()) / train.std(ddof=0)).to_numpy(np.float32)
        windows = torch.from_numpy(values[VAL - lookback:]).unfold(0, lookback + horizon, 1)
        windows = windows.transpose(1, 2)  # -> (N, L + H, F)
        self.past, self.actual = windows[:, :lookback], windows[:, lookback:]

    def on_train_epoch_end(self, trainer, pl_module):
        network = pl_module.network.eval()
        with torch.no_grad():
            pred = torch.cat([network(p, p.new_zeros(len(p), self.actual.shape[1], 0))
                              for p in self.past.split(512)])
        network.train()
        mse = float(((pred - self.actual) ** 2).mean())
        val = float(trainer.callback_metrics.get("val_loss", float("nan")))
        print(f"  epoch {trainer.current_epoch}: val loss {val:.4f}  test MSE {mse:.4f}",
              flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", choices=["M", "S"], default="M",
                        help="M: 7 columns -> 7 columns; S: OT -> OT")
    parser.add_argument("--max-epochs", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override an estimator parameter, e.g. --set linear_skip=False")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trace", action="store_true",
                        help="print the test MSE after each epoch (peeks at the test set)")
    args = parser.parse_args()
    torch.set_num_threads(1)

    frame = load_etth1().iloc[:TEST]
    if args.setting == "S":
        frame = frame[["OT"]]
    params = {}
    for item in args.set:
        name, _, value = item.partition("=")
        params[name] = ast.literal_eval(value)
    trainer_kwargs = {"accelerator": "cpu"}
    if args.trace:
        trainer_kwargs["callbacks"] = [EpochTrace(frame, 96, 96)]
    est = WaveNetForecaster(lookback=96, horizon=96, max_epochs=args.max_epochs,
                            validation_size=(VAL - TRAIN) / VAL, random_state=args.seed,
                            verbose=False, trainer_kwargs=trainer_kwargs, **params)
    start = time.perf_counter()
    est.fit(frame.iloc[:VAL])
    seconds = time.perf_counter() - start
    mse, mae, n = evaluate(est, frame)
    print(f"setting={args.setting} {params} epochs={len(est.history_)} "
          f"best_epoch={est.best_epoch_} receptive_field={est.receptive_field_} "
          f"windows={n} MSE={mse:.4f} MAE={mae:.4f} fit_s={seconds:.0f}")


if __name__ == "__main__":
    main()
