"""Character-level language model on Tiny Shakespeare: validation loss in nats per character.

:class:`tsforecast.nlp.RNNLM` with ``unit="char"`` on the first 90% of
Tiny Shakespeare's characters, validated on the last 10% (the split of
char-rnn and nanoGPT). The loss is the mean negative log-likelihood per
character in nats over the whole validation text read as one stream
(``RNNLM.loss_per_token``; bits per character = nats / ln 2). Samples are
drawn at temperatures 0.5, 0.8 and 1.0. Writes
``benchmarks/results/char_shakespeare.json`` and ``.md``.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/char_shakespeare.py
    python benchmarks/char_shakespeare.py --quick --out /tmp/char   # smoke test
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from _common import RESULTS, machine
from lm_ptb import EpochPrinter

import torch

from tsforecast.nlp import RNNLM
from tsforecast.nlp.datasets import load_tiny_shakespeare

PARAMS = dict(unit="char", cell="lstm", embedding_size=256, hidden_size=256, n_layers=2,
              dropout=0.1, tie_weights=True, bptt=100, batch_size=32, optimizer="adam",
              learning_rate=3e-3, clip=1.0, lr_decay=0.3, max_epochs=12, patience=3,
              random_state=0)
PROMPT = "ROMEO:\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="stop training after this much wall time (best epoch kept)")
    parser.add_argument("--accelerator", default="cpu", help="'cpu', 'gpu' or 'auto'")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 50,000 training characters, 1 epoch")
    parser.add_argument("--out", default=str(RESULTS), help="results folder")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    train, valid = load_tiny_shakespeare()
    params = dict(PARAMS)
    if args.max_epochs:
        params["max_epochs"] = args.max_epochs
    if args.quick:
        train, valid = train[:50_000], valid[:5_000]
        params["max_epochs"] = 1
    trainer_kwargs = {"accelerator": args.accelerator, "callbacks": [EpochPrinter()]}
    if args.max_minutes:
        trainer_kwargs["max_time"] = {"minutes": args.max_minutes}
    model = RNNLM(**params, verbose=False, trainer_kwargs=trainer_kwargs)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(train, validation=valid)
    fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    nats = model.loss_per_token(valid)
    results = {
        "params": params,
        "max_minutes": args.max_minutes,
        "valid_nats_per_char": round(nats, 4),
        "valid_bits_per_char": round(nats / math.log(2), 4),
        "epochs_run": len(model.history_),
        "best_epoch": model.best_epoch_,
        "fit_cpu_s": round(fit_cpu, 1),
        "fit_wall_s": round(fit_wall, 1),
        "history": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in h.items()}
                    for h in model.history_],
        "samples": {str(t): model.generate(PROMPT, n=300, temperature=t, random_state=0)
                    for t in (0.5, 0.8, 1.0)},
        "command": "OMP_NUM_THREADS=1 python benchmarks/char_shakespeare.py " + " ".join(argv),
        "machine": machine() + f", accelerator {args.accelerator}",
        "date": time.strftime("%Y-%m-%d"),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "char_shakespeare" + ("_quick" if args.quick else "")
    (out / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = "\n".join(f"| {h['epoch']} | {h.get('train_loss')} | {h.get('val_loss')} |"
                     for h in results["history"])
    samples = "\n\n".join(f"Temperature {t}:\n\n```text\n{PROMPT}{s}\n```"
                          for t, s in results["samples"].items())
    (out / f"{stem}.md").write_text(f"""# Character-level RNNLM on Tiny Shakespeare

Produced by `{results['command']}` on {results['date']} ({results['machine']}).

| measure | value |
|---|---:|
| validation loss (nats/char) | {results['valid_nats_per_char']} |
| validation bits/char | {results['valid_bits_per_char']} |
| epochs run (best) | {results['epochs_run']} ({results['best_epoch']}) |
| fit CPU time (s) | {results['fit_cpu_s']} |
| fit wall time (s) | {results['fit_wall_s']} |

Settings: {', '.join(f'{k}={v}' for k, v in params.items())}.
Wall-time cap: {f'{args.max_minutes:g} minutes' if args.max_minutes else 'none'}.

| epoch | train loss (nats/char) | validation loss (nats/char, streams) |
|---:|---:|---:|
{rows}

{samples}
""")
    print((out / f"{stem}.md").read_text(), flush=True)


if __name__ == "__main__":
    main()
