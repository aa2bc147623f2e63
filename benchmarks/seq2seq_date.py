"""Seq2Seq with attention on the date-format task, and its attention matrices.

Trains :class:`tsforecast.nlp.Seq2Seq` with additive attention (LSTM,
16-dimensional character embeddings, 128 hidden units, Adam at 1e-3, batches
of 128) on the 45,000 training pairs of ``load_date()``, keeping the weights of
the best epoch on the last 10% of them (early stopping after 3 epochs without
improvement, 10 epochs at most). Reports the exact-match accuracy on the 5,000
validation pairs with greedy decoding and with beam search, and draws the
attention matrices of two dates with :func:`tsforecast.plotting.plot_attention`.
Writes ``benchmarks/results/seq2seq_date.{json,md}`` and
``seq2seq_date_attention.png`` (also copied to ``docs/img/``).

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/seq2seq_date.py
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
from _common import machine  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from tsforecast.nlp import Seq2Seq  # noqa: E402
from tsforecast.nlp.datasets import load_date  # noqa: E402
from tsforecast.plotting import plot_attention  # noqa: E402

SETTINGS = dict(attention="additive", cell="lstm", embedding_size=16, hidden_size=128,
                learning_rate=1e-3, batch_size=128, patience=3, validation_size=0.1,
                random_state=0, verbose=False, trainer_kwargs={"accelerator": "cpu"})
EXAMPLES = ("september 27, 1994", "2/10/93")
BEAM_WIDTH = 5


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--quick", action="store_true",
                        help="2,000 training and 500 validation pairs, 1 epoch (a smoke test)")
    parser.add_argument("--out", default=str(HERE / "results"), help="results folder")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    (train_q, train_a), (val_q, val_a) = load_date()
    epochs = args.epochs
    if args.quick:
        train_q, train_a, val_q, val_a = train_q[:2000], train_a[:2000], val_q[:500], val_a[:500]
        epochs = 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "OMP_NUM_THREADS=1 " + shlex.join(
        ["python", "benchmarks/seq2seq_date.py", *(argv if argv is not None else sys.argv[1:])])
    model = Seq2Seq(max_epochs=epochs, **SETTINGS)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(train_q, train_a)
    fit_cpu, fit_wall = time.process_time() - cpu, time.perf_counter() - wall
    greedy = model.score(val_q, val_a)
    cpu = time.process_time()
    beam = model.score(val_q, val_a, beam_width=BEAM_WIDTH)
    beam_cpu = time.process_time() - cpu
    predictions = model.predict(val_q)
    errors = [f"{q} -> {p} (expected {a})" for q, p, a in zip(val_q, predictions, val_a)
              if p != a]
    results = {
        "command": command, "date": time.strftime("%Y-%m-%d"), "machine": machine(),
        "data": f"load_date(): {len(train_q)} training pairs (the last 10% for early stopping), "
                f"{len(val_q)} validation pairs",
        "settings": {**{k: v for k, v in SETTINGS.items() if k != "trainer_kwargs"},
                     "max_epochs": epochs},
        "accuracy greedy": round(greedy, 4), f"accuracy beam {BEAM_WIDTH}": round(beam, 4),
        "epochs run": len(model.history_), "best epoch": model.best_epoch_,
        "fit CPU s": round(fit_cpu, 1), "fit wall s": round(fit_wall, 1),
        f"beam {BEAM_WIDTH} scoring CPU s": round(beam_cpu, 1),
        "history": [{k: round(v, 4) if isinstance(v, float) else v for k, v in h.items()}
                    for h in model.history_],
        "greedy errors": errors[:20],
    }
    fig, axes = plt.subplots(1, len(EXAMPLES), figsize=(6 * len(EXAMPLES), 4.5))
    for ax, source in zip(axes, EXAMPLES):
        weights, inputs, outputs = model.predict_attention(source)
        plot_attention(weights, x_labels=inputs, y_labels=outputs, ax=ax,
                       title=f"{source!r} -> {model.predict([source])[0]!r}")
        ax.set_xlabel("input character")
        ax.set_ylabel("output character")
    fig.tight_layout()
    fig.savefig(out / "seq2seq_date_attention.png", dpi=110)
    if not args.quick:
        shutil.copy(out / "seq2seq_date_attention.png",
                    HERE.parent / "docs" / "img" / "seq2seq_date_attention.png")
    (out / "seq2seq_date.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "seq2seq_date.md").write_text(markdown(results))
    print(markdown(results))


def markdown(results):
    beam = f"accuracy beam {BEAM_WIDTH}"
    lines = [f"Produced by `{results['command']}` on {results['date']} ({results['machine']}).",
             "", f"Data: {results['data']}. Settings: {results['settings']}.", "",
             f"| decoding | exact-match accuracy |", "|---|---:|",
             f"| greedy | {100 * results['accuracy greedy']:.2f}% |",
             f"| beam search, width {BEAM_WIDTH} | {100 * results[beam]:.2f}% |", "",
             f"Epochs run: {results['epochs run']} (best {results['best epoch']}); fit CPU "
             f"{results['fit CPU s']} s, wall {results['fit wall s']} s; scoring with beam "
             f"width {BEAM_WIDTH}: {results[f'beam {BEAM_WIDTH} scoring CPU s']} CPU s.", "",
             "Greedy errors (at most 20):", ""]
    lines += [f"- `{e}`" for e in results["greedy errors"]] or ["- none"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
