"""Seq2Seq on the addition task: plain, reversed, peeky and reversed + peeky.

Trains :class:`tsforecast.nlp.Seq2Seq` without attention (LSTM, 16-dimensional
character embeddings, 128 hidden units, Adam at 1e-3, batches of 128) for 25
epochs on the 45,000 training pairs of ``load_addition()`` and reports the
exact-match accuracy of the greedy answers on the 5,000 validation pairs after
the last epoch, as in the reference (Saitoh, 2018, chapter 7). Nothing is
selected on the validation pairs: every variant trains all epochs without
early stopping. Writes ``benchmarks/results/seq2seq_addition.{json,md}``
after each variant.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/seq2seq_addition.py
"""

from __future__ import annotations

import argparse
import shlex
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
from _common import machine  # noqa: E402

import pytorch_lightning as pl  # noqa: E402
import torch  # noqa: E402
from sklearn.base import clone  # noqa: E402

from tsforecast.nlp import Seq2Seq  # noqa: E402
from tsforecast.nlp.datasets import load_addition  # noqa: E402

VARIANTS = {
    "plain": dict(reverse_input=False, peeky=False),
    "reversed": dict(reverse_input=True, peeky=False),
    "peeky": dict(reverse_input=False, peeky=True),
    "reversed + peeky": dict(reverse_input=True, peeky=True),
}
#: The reference's accuracies after 25 epochs (Saitoh, 2018), for the table.
REFERENCE = {"plain": 0.09, "reversed": 0.54, "peeky": 0.82, "reversed + peeky": 0.993}
SETTINGS = dict(attention=None, cell="lstm", embedding_size=16, hidden_size=128,
                learning_rate=1e-3, batch_size=128, patience=None, validation_size=None,
                random_state=0, verbose=False, trainer_kwargs={"accelerator": "cpu"})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--quick", action="store_true",
                        help="2,000 training and 500 validation pairs, 1 epoch (a smoke test)")
    parser.add_argument("--gradient-clip", type=float, default=None,
                        help="Trainer gradient_clip_val (the library's default is 1.0; the "
                             "reference clips the gradient norm at 5.0)")
    parser.add_argument("--keep-best", action="store_true",
                        help="hold out the last 10%% of the 45,000 training pairs and keep the "
                             "weights of the epoch with the lowest loss on them (the "
                             "estimator's validation_size=0.1; the 5,000 validation pairs are "
                             "never used for it)")
    parser.add_argument("--output", default="seq2seq_addition", help="results file stem")
    parser.add_argument("--out", default=str(HERE / "results"), help="results folder")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    (train_q, train_a), (val_q, val_a) = load_addition()
    epochs = args.epochs
    if args.quick:
        train_q, train_a, val_q, val_a = train_q[:2000], train_a[:2000], val_q[:500], val_a[:500]
        epochs = 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "OMP_NUM_THREADS=1 " + shlex.join(["python", "benchmarks/seq2seq_addition.py",
                        *(argv if argv is not None else sys.argv[1:])])
    results = {"command": command, "date": time.strftime("%Y-%m-%d"), "machine": machine(),
               "data": f"load_addition(): {len(train_q)} training, {len(val_q)} validation pairs",
               "settings": {**{k: v for k, v in SETTINGS.items() if k != "trainer_kwargs"},
                            **({"validation_size": 0.1} if args.keep_best else {}),
                            "max_epochs": epochs, "gradient_clip_val": args.gradient_clip or 1.0},
               "variants": []}
    for name in args.variants:
        settings = dict(SETTINGS)
        curve = _EpochAccuracy(val_q, val_a)
        settings["trainer_kwargs"] = {**SETTINGS["trainer_kwargs"], "callbacks": [curve]}
        if args.gradient_clip is not None:
            settings["trainer_kwargs"]["gradient_clip_val"] = args.gradient_clip
        if args.keep_best:
            settings["validation_size"] = 0.1
        model = Seq2Seq(max_epochs=epochs, **VARIANTS[name], **settings)
        # fit is atomic, so the model being trained has no vocabulary until fit returns: the
        # curve scores the network in training through a twin with the same vocabularies
        # (fitted on the same pairs for a single batch).
        curve.model = clone(model).set_params(
            max_epochs=1, trainer_kwargs={**SETTINGS["trainer_kwargs"], "limit_train_batches": 1,
                                          "limit_val_batches": 1}).fit(train_q, train_a)
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(train_q, train_a)
        fit_cpu, fit_wall = time.process_time() - cpu - curve.cpu, time.perf_counter() - wall
        accuracy = model.score(val_q, val_a)
        row = {"variant": name, **VARIANTS[name], "accuracy": round(accuracy, 4),
               "reference accuracy": REFERENCE[name], "epochs": len(model.history_),
               "fit CPU s": round(fit_cpu, 1), "fit wall s": round(fit_wall, 1),
               "final train loss": round(model.history_[-1]["train_loss"], 4),
               "accuracy by epoch": curve.accuracy,
               "examples": [f"{q} = {p}" for q, p in zip(val_q[:3], model.predict(val_q[:3]))]}
        results["variants"].append(row)
        print(json.dumps(row), flush=True)
        (out / f"{args.output}.json").write_text(json.dumps(results, indent=2) + "\n")
        (out / f"{args.output}.md").write_text(markdown(results))


class _EpochAccuracy(pl.Callback):
    """Greedy validation accuracy after each epoch, for the learning curve only.

    Nothing is selected with it; its CPU time is left out of the fit time.
    """

    def __init__(self, questions, answers):
        self.questions, self.answers = questions, answers
        self.model, self.accuracy, self.cpu = None, [], 0.0

    def on_train_epoch_end(self, trainer, pl_module):
        cpu = time.process_time()
        self.model.network_ = pl_module.network
        self.accuracy.append(round(self.model.score(self.questions, self.answers), 4))
        pl_module.network.train()
        self.cpu += time.process_time() - cpu


def markdown(results):
    lines = [f"Produced by `{results['command']}` on {results['date']} ({results['machine']}).",
             "", f"Data: {results['data']}. Settings: {results['settings']}. Accuracy: exact "
             f"match of the whole answer, greedy decoding, "
             + ("with the weights of the epoch with the lowest loss on the held-out 10% of "
                "the training pairs." if results["settings"].get("validation_size")
                else "after the last epoch.") + "", "",
             "| variant | accuracy | reference | epochs | fit CPU s | fit wall s |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in results["variants"]:
        lines.append(f"| {r['variant']} | {100 * r['accuracy']:.2f}% | "
                     f"{100 * r['reference accuracy']:.1f}% | {r['epochs']} | {r['fit CPU s']} | "
                     f"{r['fit wall s']} |")
    lines += ["", "Greedy validation accuracy after each epoch (the curve only; nothing is "
              "selected with it):", ""]
    lines += [f"- {r['variant']}: {', '.join(f'{a:.3f}' for a in r['accuracy by epoch'])}"
              for r in results["variants"] if r.get("accuracy by epoch")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
