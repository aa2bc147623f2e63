"""Quantile heads on ETTh1-S: coverage, width and pinball loss of the GRU's native quantiles.

The protocol of ``benchmarks/ett.py`` (setting S: OT -> OT, z-normalised with
the training rows' statistics, lookback L = 96, horizon H = 96, every stride-1
test window in rows [11520, 14400)). For each set of levels, one
``GRUForecaster`` with its defaults and ``loss="quantile"`` is fitted on rows
[0, 11520), whose tail [8640, 11520) is the validation set early stopping
watches. The outer levels form the interval; its nominal coverage is their
difference (0.9 - 0.1 = 80 %, 0.975 - 0.025 = 95 %). A second row per set
widens (or narrows) the interval by the conformalised quantile regression
margin (CQR, Romano et al., 2019), one per horizon step, computed on the
forecasts from every origin of the validation tail.

Examples::

    python benchmarks/quantile_head.py --seeds 0 1 2    # writes benchmarks/results/quantile_head.*
    python benchmarks/quantile_head.py --quick --out /tmp/qh   # a smoke test in seconds

Results: ``quantile_head.json`` (one row per set of levels, variant and seed)
and ``quantile_head.md`` (the protocol and the table, averaged over seeds).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from _common import FULL, QUICK, RESULTS, load_normalised, machine, markdown_table

import numpy as np
import pandas as pd
import torch

from tsforecast import GRUForecaster
from tsforecast._quantile_head import cqr_correction

LEVEL_SETS = ((0.1, 0.5, 0.9), (0.025, 0.5, 0.975))


def _truth(values, origins, horizon):
    return np.stack([values[o:o + horizon] for o in origins])  # -> (S, H, T)


def _interval_rows(levels, q, truth, margin):
    """Coverage, width and interval score of ``[q_lo - margin, q_hi + margin]``."""
    alpha = 1.0 - (levels[-1] - levels[0])
    lower, upper = q[..., 0] - margin, q[..., -1] + margin
    inside = (truth >= lower) & (truth <= upper)
    # Winkler / interval score (Gneiting & Raftery, 2007): width plus 2/alpha times the miss
    score = (upper - lower + 2 / alpha * np.maximum(lower - truth, 0)
             + 2 / alpha * np.maximum(truth - upper, 0))
    by_step = inside.mean(axis=(0, 2))
    return {"coverage": inside.mean(), "worst step coverage": by_step.min(),
            "best step coverage": by_step.max(), "width": (upper - lower).mean(),
            "interval score": score.mean()}


def run(levels, protocol, horizon, seed, max_epochs):
    torch.set_num_threads(1)
    data = load_normalised(protocol, "S")
    values = data.to_numpy()
    params = dict(lookback=protocol.lookback, horizon=horizon, loss="quantile",
                  quantiles=levels, validation_size=protocol.validation_size,
                  random_state=seed, verbose=False, trainer_kwargs={"accelerator": "cpu"})
    if max_epochs is not None:
        params["max_epochs"] = max_epochs
    est = GRUForecaster(**params)
    wall, cpu = time.perf_counter(), time.process_time()
    est.fit(data.iloc[: protocol.val_end])
    train_s, train_cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    test = np.arange(protocol.val_end, protocol.rows - horizon + 1)
    assert len(test) == protocol.n_test_windows(horizon)
    calibration = np.arange(protocol.train_end, protocol.val_end - horizon + 1)
    cpu = time.process_time()
    q_cal = est.forecast_origins(values, calibration, horizon, quantiles=True)
    margin = cqr_correction(_truth(values, calibration, horizon), q_cal[..., 0],
                            q_cal[..., -1], levels[-1] - levels[0])  # -> (H, T)
    cqr_cpu_s = time.process_time() - cpu
    q = est.forecast_origins(values, test, horizon, quantiles=True)  # -> (S, H, T, Q)
    truth = _truth(values, test, horizon)
    error = truth[..., None] - q
    pinball = np.maximum(np.asarray(levels) * error, (np.asarray(levels) - 1) * error).mean()
    median = q[..., list(levels).index(0.5)]
    common = {"levels": " / ".join(f"{v:g}" for v in levels),
              "nominal": levels[-1] - levels[0], "seed": seed,
              "pinball": pinball, "median MSE": ((median - truth) ** 2).mean(),
              "median MAE": np.abs(median - truth).mean(), "train s": train_s,
              "train CPU s": train_cpu_s, "epochs": len(est.history_),
              "windows": int(len(test)), "calibration windows": int(len(calibration))}
    rows = [{**common, "variant": "head", **_interval_rows(levels, q, truth, 0.0),
             "calibration CPU s": 0.0},
            {**common, "variant": "head + CQR", **_interval_rows(levels, q, truth, margin),
             "calibration CPU s": cqr_cpu_s, "mean CQR margin": float(margin.mean())}]
    return rows


def report(rows, out_dir, command, protocol, horizon):
    frame = pd.DataFrame(rows)
    (out_dir / "quantile_head.json").write_text(
        json.dumps(frame.to_dict(orient="records"), indent=1, default=float))
    columns = ["nominal", "coverage", "worst step coverage", "best step coverage", "width",
               "interval score", "pinball", "median MSE", "median MAE", "epochs", "train s",
               "train CPU s", "calibration CPU s"]
    groups = frame.groupby(["levels", "variant"], sort=False)
    shown = groups[columns].mean().reset_index()
    shown.insert(2, "seeds", groups.size().to_numpy())
    spread = groups[["coverage", "pinball"]].agg(["min", "max"])
    text = [
        "# Quantile heads on ETTh1-S",
        "",
        f"- Command: `{command}`",
        f"- Date: {datetime.date.today().isoformat()}; machine: {machine()}",
        "",
        "## Protocol",
        "",
        f"ETTh1 setting S (OT -> OT), the first {protocol.rows} rows z-normalised with the "
        f"training rows' statistics; lookback L = {protocol.lookback}, horizon H = {horizon}; "
        f"`GRUForecaster` with its defaults and `loss=\"quantile\"`, fitted on rows "
        f"[0, {protocol.val_end}) with the validation tail [{protocol.train_end}, "
        f"{protocol.val_end}); scores over every stride-1 test window "
        f"({protocol.n_test_windows(horizon)}), all steps, on the normalised scale.",
        "",
        "- interval: the outer levels; nominal coverage = their difference.",
        "- head + CQR: the interval widened by the conformalised quantile regression margin "
        "(Romano et al., 2019), one per horizon step, from every validation-tail origin "
        "(`tsforecast._quantile_head.cqr_correction`).",
        "- worst / best step coverage: over the H horizon steps.",
        "- interval score: Winkler's, width + (2/alpha) x miss, alpha = 1 - nominal.",
        "- pinball: mean over all levels (the training loss); median MSE / MAE: the 0.5 level "
        "as a point forecast (compare the GRU trained on MAE in `ett.md`).",
        "- train s / train CPU s: wall-clock and process CPU seconds of `fit` (wall-clock "
        "depends on the load of the shared machine); calibration CPU s: forecasting the "
        "validation origins and computing the margin.",
        "- Means over the seeds; min - max over seeds: "
        + "; ".join(f"{lv} {va}: coverage {r[('coverage', 'min')]:.3f} - "
                    f"{r[('coverage', 'max')]:.3f}, pinball {r[('pinball', 'min')]:.4f} - "
                    f"{r[('pinball', 'max')]:.4f}" for (lv, va), r in spread.iterrows()) + ".",
        "",
        markdown_table(shown, floats={"nominal": ".3f", "coverage": ".3f",
                                      "worst step coverage": ".3f",
                                      "best step coverage": ".3f", "width": ".3f",
                                      "interval score": ".3f", "train s": ".1f",
                                      "train CPU s": ".1f",
                                      "calibration CPU s": ".1f", "epochs": ".1f"},
                       left=("levels", "variant")),
        "",
    ]
    (out_dir / "quantile_head.md").write_text("\n".join(text))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", nargs="*", type=int, default=[0])
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="override the estimator's default (50, with early stopping)")
    parser.add_argument("--quick", action="store_true",
                        help="600 rows, L = 24, H = 12, 2 epochs: a smoke test")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    protocol, horizon = (QUICK, 12) if args.quick else (FULL, 96)
    max_epochs = 2 if args.quick and args.max_epochs is None else args.max_epochs
    rows = []
    for levels in LEVEL_SETS:
        for seed in args.seeds:
            rows.extend(run(levels, protocol, horizon, seed, max_epochs))
            print(pd.DataFrame(rows[-2:])[["levels", "variant", "seed", "coverage", "width",
                                           "pinball"]], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    command = "python benchmarks/quantile_head.py " + " ".join(sys.argv[1:] if argv is None
                                                               else argv)
    report(rows, args.out, command.strip(), protocol, horizon)


if __name__ == "__main__":
    main()
