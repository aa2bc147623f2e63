"""Word-level language model on Penn Treebank: test and validation perplexity of RNNLM.

Two configurations of :class:`tsforecast.nlp.RNNLM` (2-layer LSTMs with tied
embedding and decoder, truncated BPTT over 35 words, 20 streams, SGD at
learning rate 20 with gradient norm clipped to 0.25, the rate divided by 4
after each epoch without validation improvement, the best validation epoch
kept):

- ``small``: 200 units, dropout 0.2, 12 epochs: the size of the literature's
  2 x 200 baseline (Zaremba et al., 2014: 114.5 test perplexity), for a CPU
  in about half an hour.
- ``large``: 650 units, dropout 0.5, 40 epochs: Zaremba et al.'s medium
  model with weight tying (published 75.4-82.7); meant for a GPU, on a CPU
  cap it with ``--max-minutes``.

Perplexity is ``exp`` of the mean negative log-likelihood per word, over
the whole split read as one stream (``RNNLM.perplexity``). Writes
``benchmarks/results/lm_ptb_<config>.json`` and ``.md``.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/lm_ptb.py --config small
    OMP_NUM_THREADS=1 python benchmarks/lm_ptb.py --config large --max-minutes 15
    python benchmarks/lm_ptb.py --quick --out /tmp/lm   # a smoke test on small slices
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from _common import RESULTS, machine

import pytorch_lightning as pl
import torch

from tsforecast.nlp import RNNLM
from tsforecast.nlp.datasets import load_ptb

CONFIGS = {
    "small": dict(embedding_size=200, hidden_size=200, n_layers=2, dropout=0.2,
                  max_epochs=12),
    "large": dict(embedding_size=650, hidden_size=650, n_layers=2, dropout=0.5,
                  max_epochs=40),
}
COMMON = dict(unit="word", cell="lstm", tie_weights=True, bptt=35, batch_size=20,
              optimizer="sgd", learning_rate=20.0, clip=0.25, lr_decay=0.25, patience=5,
              random_state=0)
PUBLISHED = {
    "small": "2 x 200 LSTM, no dropout, untied: 114.5 test (Zaremba et al., 2014)",
    "large": "2 x 650 LSTM, dropout 0.5: 82.7 test (Zaremba et al., 2014); tied: 77.7-75.4 "
             "(Inan et al., 2017; Press & Wolf, 2017)",
}


class EpochPrinter(pl.Callback):
    """Print each epoch's validation loss and the elapsed time, to follow a long run."""

    def __init__(self):
        self.start = time.perf_counter()

    def on_validation_epoch_end(self, trainer, pl_module):
        loss = trainer.callback_metrics.get("val_loss")
        if loss is not None:
            lr = trainer.optimizers[0].param_groups[0]["lr"]
            print(f"epoch {trainer.current_epoch}: val loss {float(loss):.4f} (exp "
                  f"{math.exp(float(loss)):.2f}), lr {lr:g}, "
                  f"{time.perf_counter() - self.start:.0f} s", flush=True)


def lines(split):
    return [" ".join(words) for words in load_ptb(split, as_sentences=True)]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=list(CONFIGS), default="small")
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="stop training after this much wall time (best epoch kept)")
    parser.add_argument("--accelerator", default="cpu", help="'cpu', 'gpu' or 'auto'")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 2,000 training lines, 1 epoch, 200 test lines")
    parser.add_argument("--out", default=str(RESULTS), help="results folder")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    train, valid, test = lines("train"), lines("valid"), lines("test")
    params = {**COMMON, **CONFIGS[args.config]}
    if args.quick:
        train, valid, test = train[:2000], valid[:200], test[:200]
        params["max_epochs"] = 1
    trainer_kwargs = {"accelerator": args.accelerator, "callbacks": [EpochPrinter()]}
    if args.max_minutes:
        trainer_kwargs["max_time"] = {"minutes": args.max_minutes}
    model = RNNLM(**params, verbose=False, trainer_kwargs=trainer_kwargs)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(train, validation=valid)
    fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall = time.perf_counter()
    results = {
        "config": args.config,
        "params": params,
        "max_minutes": args.max_minutes,
        "test_perplexity": round(model.perplexity(test), 2),
        "valid_perplexity": round(model.perplexity(valid), 2),
        "epochs_run": len(model.history_),
        "best_epoch": model.best_epoch_,
        "fit_cpu_s": round(fit_cpu, 1),
        "fit_wall_s": round(fit_wall, 1),
        "eval_wall_s": round(time.perf_counter() - wall, 1),
        "history": [{"epoch": h["epoch"],
                     "train_ppl": round(math.exp(h["train_loss"]), 2),
                     "valid_ppl": round(math.exp(h["val_loss"]), 2) if "val_loss" in h
                     else None} for h in model.history_],
        "samples": {t: model.generate("the company said", n=30, temperature=t, random_state=0)
                    for t in (0.7, 1.0)},
        "published": PUBLISHED[args.config],
        "command": "OMP_NUM_THREADS=1 python benchmarks/lm_ptb.py " + " ".join(argv),
        "machine": machine() + f", accelerator {args.accelerator}",
        "date": time.strftime("%Y-%m-%d"),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"lm_ptb_{args.config}" + ("_quick" if args.quick else "")
    (out / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = "\n".join(f"| {h['epoch']} | {h['train_ppl']} | {h['valid_ppl']} |"
                     for h in results["history"])
    samples = "\n".join(f"- temperature {t}: `{s.replace(chr(10), ' / ')}`"
                        for t, s in results["samples"].items())
    (out / f"{stem}.md").write_text(f"""# RNNLM on Penn Treebank: {args.config} configuration

Produced by `{results['command']}` on {results['date']} ({results['machine']}).

| measure | value |
|---|---:|
| test perplexity | {results['test_perplexity']} |
| validation perplexity | {results['valid_perplexity']} |
| epochs run (best) | {results['epochs_run']} ({results['best_epoch']}) |
| fit CPU time (s) | {results['fit_cpu_s']} |
| fit wall time (s) | {results['fit_wall_s']} |

Settings: {', '.join(f'{k}={v}' for k, v in params.items())}.
Wall-time cap: {f'{args.max_minutes:g} minutes' if args.max_minutes else 'none'}.
Published: {results['published']}.

| epoch | train perplexity | validation perplexity (streams) |
|---:|---:|---:|
{rows}

Samples after "the company said" (`<eos>` shown as ` / `):

{samples}
""")
    print((out / f"{stem}.md").read_text(), flush=True)


if __name__ == "__main__":
    main()
