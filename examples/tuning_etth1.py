"""Tune an LSTMForecaster on ETTh1's oil temperature with pruning and a persistent study.

Uses the standard ETTh1 borders (12/4/4 months of train/validation/test).
Each trial trains on the last weeks of the training months and is scored by
its 24-hour forecasts from every hour of the validation months (MSE in
degrees squared, on the original scale). The median pruner stops trials
whose validation loss lags. The study lives in a SQLite file: run the script
again (or after killing it) and it resumes, running only the missing trials;
run it in two terminals at once and they share the work. The best parameters
are refitted and evaluated on the test months against the seasonal-naive
forecast.

Run with ``python examples/tuning_etth1.py`` (``--quick`` for a smoke test).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from tsforecast import LSTMForecaster
from tsforecast.datasets import load_etth1
from tsforecast.tuning import tune

LOOKBACK, HORIZON, SEASON = 96, 24, 24
TRAIN_END, VAL_END, TEST_END = 8640, 11520, 14400  # 12, 16 and 20 months of hours


def forecast_every_origin(est, y, start, stop):
    """24-hour forecasts from every hour in [start, stop - HORIZON], from the true history."""
    origins = range(start, stop - HORIZON + 1)
    histories = [y[o - LOOKBACK:o] for o in origins]
    forecasts = np.stack(est.predict(y=histories))
    actual = np.stack([y[o:o + HORIZON] for o in origins])
    return forecasts, actual


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny run for smoke tests")
    parser.add_argument("--trials", type=int, default=20, help="total trials in the study")
    parser.add_argument("--storage", default="sqlite:///tuning_etth1.db",
                        help="Optuna storage URL (SQLite file, or PostgreSQL for many machines)")
    parser.add_argument("--study-name", default="lstm-etth1-ot")
    parser.add_argument("--seed", type=int, default=0,
                        help="sampler and model seed; give each parallel worker its own")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    ot = load_etth1()["OT"]
    history = 400 if args.quick else 2000  # training hours per trial, before the validation months
    holdout = 120 if args.quick else VAL_END - TRAIN_END
    test_end = VAL_END + 120 if args.quick else TEST_END
    y = ot.iloc[VAL_END - holdout - history:VAL_END]  # training weeks + validation months

    est = LSTMForecaster(lookback=LOOKBACK, horizon=HORIZON, batch_size=64,
                         max_epochs=2 if args.quick else 8, patience=2,
                         trainer_kwargs={"accelerator": "cpu"})
    n_trials = 3 if args.quick else args.trials
    t0 = time.perf_counter()
    result = tune(est, y, n_trials=n_trials, validation=holdout, metric="mse",
                  storage=args.storage, study_name=args.study_name, random_state=args.seed)
    wall = time.perf_counter() - t0

    table = result.summary()
    print(table.drop(columns=["worker"]).round(4).to_string())
    print(f"\ntrials: {result.n_trials} ({result.n_complete} complete, {result.n_pruned} pruned) "
          f"in study '{result.study.study_name}'; this run took {wall:.0f} s")
    best_params = {k: round(v, 5) if isinstance(v, float) else v
                   for k, v in result.best_params.items()}
    print(f"best trial {result.best_trial}: best holdout MSE {result.best_value:.4f} with "
          f"{best_params}")

    # The refitted best model on the test months, against the same hour yesterday.
    values = ot.to_numpy()
    best = result.best_estimator
    pred, actual = forecast_every_origin(best, values, VAL_END, test_end)
    snaive = np.stack([values[o - SEASON:o - SEASON + HORIZON]
                       for o in range(VAL_END, test_end - HORIZON + 1)])
    print(f"\ntest months, {len(actual)} forecasts of {HORIZON} h:  MSE tuned LSTM "
          f"{np.mean((pred - actual) ** 2):.4f}   seasonal naive "
          f"{np.mean((snaive - actual) ** 2):.4f}")


if __name__ == "__main__":
    main()
