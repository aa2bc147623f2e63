"""Sentence polarity: 10-fold cross-validated accuracy of SentimentClassifier with its defaults.

Reads the sentence polarity set v1.0 (Pang & Lee, 2005; 10,662 movie-review
snippets) from a local copy with
:func:`tsforecast.nlp.datasets.load_sentence_polarity` (``--data``, else
``$TSFORECAST_SENTIMENT_DATA``, else ``../shared/data/sentiment`` beside the
checkout), splits it with scikit-learn's ``StratifiedKFold(n_folds,
shuffle=True, random_state=0)`` and trains :class:`tsforecast.nlp.SentimentClassifier`
with its default settings on each training fold (one CPU thread), scoring the
accuracy on the held-out fold. The row "+ word2vec (PTB)" starts the
embedding from skip-gram vectors that :class:`tsforecast.nlp.Word2Vec` learns
on Penn Treebank's training text (``--ptb-vectors``; the vectors' training
time is reported apart). Writes ``benchmarks/results/sentiment.json`` and ``.md``
with the published accuracies beside.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/sentiment.py --ptb-vectors
    OMP_NUM_THREADS=1 python benchmarks/sentiment.py --quick   # 2 folds on 2,000 texts
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # this checkout's tsforecast, and _common
from _common import RESULTS, machine  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from tsforecast.nlp import SentimentClassifier, Word2Vec  # noqa: E402
from tsforecast.nlp.datasets import load_ptb, load_sentence_polarity  # noqa: E402

#: Published 10-fold cross-validated accuracies on the same set (shared/data/README.md).
PUBLISHED = [
    ("CNN, randomly initialised vectors (Kim, 2014)", 76.1),
    ("Multinomial naive Bayes (Wang & Manning, 2012)", 79.0),
    ("NBSVM-bi (Wang & Manning, 2012)", 79.4),
    ("CNN-static, pre-trained word2vec (Kim, 2014)", 81.0),
    ("CNN-non-static, pre-trained word2vec (Kim, 2014)", 81.5),
]
SEED = 0
DEFAULTS, PTB = "SentimentClassifier (defaults)", "+ word2vec vectors trained on PTB"


def ptb_vectors(path, size):
    """Skip-gram vectors of ``size`` dimensions from PTB's training text, written to ``path``."""
    cpu = time.process_time()
    model = Word2Vec("skipgram", vector_size=size, random_state=SEED, verbose=False,
                     trainer_kwargs={"accelerator": "cpu"})
    model.fit(load_ptb("train", as_sentences=True))
    model.save_word2vec_format(path)
    return time.process_time() - cpu, model


def _fold(texts, labels, train, test, params):
    """Fit on one training fold (one torch thread); accuracy %, CPU s and best epoch."""
    torch.set_num_threads(1)
    model = SentimentClassifier(random_state=SEED, verbose=False,
                                trainer_kwargs={"accelerator": "cpu"}, **params)
    cpu = time.process_time()
    model.fit([texts[i] for i in train], labels[train])
    seconds = time.process_time() - cpu
    return 100 * model.score([texts[i] for i in test], labels[test]), seconds, model.best_epoch_


def cross_validate(texts, labels, n_folds, rows, jobs):
    """Every row's folds, ``jobs`` fits at a time (separate processes, one thread each)."""
    folds = list(StratifiedKFold(n_folds, shuffle=True, random_state=SEED).split(texts, labels))
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = {(name, k): pool.submit(_fold, texts, labels, train, test, params)
                for name, params in rows.items() for k, (train, test) in enumerate(folds)}
        for (name, k), run in runs.items():
            print(f"{name}, fold {k}: {run.result()[0]:.2f} %", flush=True)
    out = {}
    for name, params in rows.items():
        scores, seconds, epochs = zip(*(runs[name, k].result() for k in range(n_folds)))
        out[name] = {"accuracy %": [round(s, 2) for s in scores],
                     "mean %": round(statistics.mean(scores), 2),
                     "std %": round(statistics.stdev(scores), 2) if n_folds > 1 else 0.0,
                     "fit CPU s per fold": round(statistics.mean(seconds), 1),
                     "best epochs": list(epochs), "settings": params}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="folder of rt-polarity.pos/.neg")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--quick", action="store_true",
                        help="2 folds on a stratified sample of 2,000 texts (a smoke run)")
    parser.add_argument("--ptb-vectors", action="store_true",
                        help="also a row with word2vec vectors trained on PTB")
    parser.add_argument("--jobs", type=int, default=1, help="folds trained at once")
    parser.add_argument("--out", default=str(RESULTS), help="folder of the results")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    texts, labels = load_sentence_polarity(args.data)
    n_folds = 2 if args.quick else args.folds
    if args.quick:
        keep = np.sort(np.random.default_rng(SEED).permutation(len(texts))[:2000])
        texts, labels = [texts[i] for i in keep], labels[keep]
    rows = {DEFAULTS: {}}
    with tempfile.TemporaryDirectory() as tmp:
        if args.ptb_vectors:
            size = SentimentClassifier().embedding_size
            path = Path(tmp) / "ptb.txt"
            w2v_cpu, w2v = ptb_vectors(path, size)
            rows[PTB] = {"embeddings": str(path)}
        results = cross_validate(texts, labels, n_folds, rows, args.jobs)
    if args.ptb_vectors:
        vocab = set(w2v.vocabulary_)
        words = {w for t in texts for w in t.split()}
        results[PTB]["settings"] = {"embeddings": f"skip-gram, {size} dimensions, Word2Vec "
                                                  f"defaults, PTB train ({len(vocab)} words)"}
        results[PTB]["word2vec fit CPU s"] = round(w2v_cpu, 1)
        results[PTB]["polarity words covered %"] = round(100 * len(words & vocab) / len(words), 1)
    rows = results
    command = " ".join(["OMP_NUM_THREADS=1 python benchmarks/sentiment.py",
                        *(argv if argv is not None else sys.argv[1:])])
    results = {"command": command, "date": time.strftime("%Y-%m-%d"), "machine": machine(),
               "data": f"{len(texts)} texts ({int(labels.sum())} positive)",
               "protocol": f"StratifiedKFold({n_folds}, shuffle=True, random_state={SEED}); "
                           f"accuracy on each held-out fold", "rows": rows,
               "published": dict(PUBLISHED)}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sentiment.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"Produced by `{command}` on {results['date']} ({results['machine']}).", "",
             f"Sentence polarity v1.0, {results['data']}; {results['protocol']}. CPU seconds: "
             f"one fold's fit on one thread (mean over folds).", "",
             "| model | accuracy % (mean ± std over folds) | fit CPU s per fold |",
             "|---|---:|---:|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['mean %']:.1f} ± {r['std %']:.1f} | "
                     f"{r['fit CPU s per fold']:.0f} |")
    for name, accuracy in PUBLISHED:
        lines.append(f"| {name} (published) | {accuracy:.1f} | |")
    if PTB in rows:
        r = rows[PTB]
        lines += ["", f"The PTB vectors cover {r['polarity words covered %']} % of the polarity "
                      f"set's distinct words and took {r['word2vec fit CPU s']:.0f} CPU s to "
                      f"train (not in the per-fold time)."]
    (out / "sentiment.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
