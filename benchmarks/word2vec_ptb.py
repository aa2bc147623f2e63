"""word2vec (CBOW and skip-gram) on Penn Treebank: training time and vector quality.

Trains both estimators on the 42,068 sentences of the training split on one
CPU thread and scores the vectors on WordSim-353, SimLex-999 and the
questions-words analogies (restricted to PTB's 10,000-word vocabulary; the
test sets come from gensim's test data, see ``_word_eval.py``) and by the
nearest neighbours of frequent words. Writes
``benchmarks/results/word2vec_ptb.json`` and ``.md``.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/word2vec_ptb.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # this checkout's tsforecast, and _word_eval
from _word_eval import evaluate, markdown  # noqa: E402

from tsforecast.nlp import CBOW, SkipGram  # noqa: E402
from tsforecast.nlp.datasets import load_ptb  # noqa: E402

RESULTS = HERE / "results"
MODELS = {"CBOW": CBOW, "SkipGram": SkipGram}
#: Epochs of the recorded run; every other setting is the estimators' default
#: (100 dimensions, window 5, 5 negatives, subsampling 1e-3, batches of 4096
#: examples at learning rate 1e-2: few, large batches keep the number of dense
#: Adam steps, which dominate the time on CPU, small).
EPOCHS = {"CBOW": 10, "SkipGram": 5}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--epochs", type=int, help="override max_epochs of every model")
    parser.add_argument("--output", default="word2vec_ptb", help="results file stem")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    sentences = load_ptb("train", as_sentences=True)
    report, results = [], {"corpus": f"PTB train, {sum(map(len, sentences))} words in "
                                      f"{len(sentences)} sentences",
                           "machine": f"{platform.processor() or platform.machine()}, torch "
                                      f"threads {torch.get_num_threads()}, OMP_NUM_THREADS="
                                      f"{os.environ.get('OMP_NUM_THREADS')}"}
    for name in args.models:
        model = MODELS[name](max_epochs=args.epochs or EPOCHS[name], random_state=0,
                             verbose=False, trainer_kwargs={"accelerator": "cpu"})
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(sentences)
        timing = {"fit wall time (s)": round(time.perf_counter() - wall, 1),
                  "fit CPU time (s)": round(time.process_time() - cpu, 1),
                  "settings": {k: v for k, v in model.get_params().items()
                               if k not in ("verbose", "trainer_kwargs")},
                  "train loss by epoch": [round(h["train_loss"], 4) for h in model.history_]}
        scores = evaluate(model.word_to_id_, model.vocabulary_, model.word_vectors_)
        results[name] = {"timing": timing, **scores}
        report.append(markdown(name, timing, scores))
        print(report[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(results, indent=2) + "\n")
    command = " ".join(["python benchmarks/word2vec_ptb.py", *(argv or sys.argv[1:])])
    head = (f"Produced by `OMP_NUM_THREADS=1 {command}` on {time.strftime('%Y-%m-%d')} "
            f"({results['corpus']}; {results['machine']}).\n\n")
    (RESULTS / f"{args.output}.md").write_text(head + "\n".join(report))


if __name__ == "__main__":
    main()
