"""CTC on the "noisy digit strings" task: label error rate of best-path and prefix beam decoding.

Draws training and held-out sequences with
:func:`tsforecast.nlp.ctc.make_ctc_task` (default settings: 5 digits, 8
features, 3-8 digits per string, 2-6 frames per digit, noise 0.7), trains
:class:`tsforecast.nlp.CTCLabeller` on one CPU thread and reports the label
error rate (total edit distance / total reference length) of both decoders on
the held-out set, with the CPU times. Writes
``benchmarks/results/ctc_synthetic.json`` and ``.md``.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/ctc_synthetic.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # this checkout's tsforecast, and _common
from _common import RESULTS, machine  # noqa: E402

import torch  # noqa: E402

from tsforecast.nlp import CTCLabeller  # noqa: E402
from tsforecast.nlp.ctc import label_error_rate, make_ctc_task  # noqa: E402

#: The recorded configurations; every other setting is the estimator's default
#: (hidden size 64, 2 layers, bidirectional, learning rate 3e-3, batches of 32).
MODELS = {
    "BiLSTM (defaults)": dict(encoder="lstm"),
    "Transformer": dict(encoder="transformer", learning_rate=1e-3),
}
BEAM_WIDTH = 8


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=4000, help="training sequences")
    parser.add_argument("--test", type=int, default=1000, help="held-out sequences")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--output", default="ctc_synthetic", help="results file stem")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    X, y = make_ctc_task(args.train, random_state=0)
    X_test, y_test = make_ctc_task(args.test, random_state=1)
    task = (f"make_ctc_task defaults; {args.train} training sequences (random_state=0), "
            f"{args.test} held-out (random_state=1); held-out: "
            f"{sum(map(len, X_test)) / len(X_test):.1f} frames and "
            f"{sum(map(len, y_test)) / len(y_test):.2f} labels per sequence on average")
    rows = []
    for name in args.models:
        model = CTCLabeller(**MODELS[name], max_epochs=args.epochs, random_state=0,
                            verbose=False, trainer_kwargs={"accelerator": "cpu"})
        cpu = time.process_time()
        model.fit(X, y)
        fit_cpu = time.process_time() - cpu
        row = {"model": name, "settings": {k: v for k, v in model.get_params().items()
                                           if k not in ("verbose", "trainer_kwargs")},
               "fit CPU s": round(fit_cpu, 1),
               "train loss by epoch": [round(h["train_loss"], 4) for h in model.history_]}
        for decoder in ("best_path", "prefix_beam"):
            cpu = time.process_time()
            pred = model.predict(X_test, decoder=decoder, beam_width=BEAM_WIDTH)
            row[f"{decoder} CPU s"] = round(time.process_time() - cpu, 2)
            row[f"{decoder} LER"] = round(label_error_rate(y_test, pred), 4)
            row[f"{decoder} exact-match"] = round(
                sum(a == b for a, b in zip(y_test, pred)) / len(y_test), 4)
        n_seen = min(len(X), args.test)  # the fit on seen data, to tell noise from overfitting
        row["train best_path LER"] = round(label_error_rate(y[:n_seen],
                                                            model.predict(X[:n_seen])), 4)
        rows.append(row)
        print(json.dumps(row), flush=True)
    command = " ".join(["python benchmarks/ctc_synthetic.py", *(argv or sys.argv[1:])])
    results = {"command": f"OMP_NUM_THREADS=1 {command}", "date": time.strftime("%Y-%m-%d"),
               "task": task, "machine": machine(), "beam_width": BEAM_WIDTH, "models": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"Produced by `{results['command']}` on {results['date']} ({results['machine']}).",
             "", f"Task: {task}. Label error rate (LER) = total edit distance / total "
             f"reference length on the held-out set; exact match = share of sequences "
             f"decoded without error; prefix beam width {BEAM_WIDTH}; training-set LER: best "
             f"path on the first {min(args.train, args.test)} training sequences.", "",
             "| model | epochs | fit CPU s | best-path LER | prefix-beam LER | best-path exact "
             "| prefix-beam exact | decode CPU s (best / beam) | training-set LER |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['settings']['max_epochs']} | {r['fit CPU s']} | "
                     f"{r['best_path LER']:.4f} | {r['prefix_beam LER']:.4f} | "
                     f"{r['best_path exact-match']:.3f} | {r['prefix_beam exact-match']:.3f} | "
                     f"{r['best_path CPU s']} / {r['prefix_beam CPU s']} | "
                     f"{r['train best_path LER']:.4f} |")
    (RESULTS / f"{args.output}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
