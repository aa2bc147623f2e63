"""Count-based word vectors on Penn Treebank: time the pipeline and score the vectors.

Co-occurrence counts with a window of 2, PPMI, truncated SVD to 100
dimensions, on the 929,589-token training split (10,000 words). Writes
``benchmarks/results/count_ptb.json`` and ``.md``.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/count_ptb.py
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # this checkout's tsforecast, and _word_eval
from _word_eval import evaluate, markdown  # noqa: E402

from tsforecast.nlp import create_co_matrix, ppmi, reduce_dimensions  # noqa: E402
from tsforecast.nlp.datasets import load_ptb  # noqa: E402

RESULTS = HERE / "results"


def main():
    timing = {}
    start = time.perf_counter()
    corpus, word_to_id, id_to_word = load_ptb("train")
    timing["load_ptb (s)"] = round(time.perf_counter() - start, 2)

    start = time.perf_counter()
    C = create_co_matrix(corpus, len(word_to_id), window_size=2)
    timing["co-occurrence, window 2 (s)"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    W = ppmi(C)
    timing["PPMI (s)"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    vectors = reduce_dimensions(W, n_components=100, random_state=0)
    timing["truncated SVD to 100 dimensions (s)"] = round(time.perf_counter() - start, 2)
    timing["pipeline total (s)"] = round(sum(timing.values()) - timing["load_ptb (s)"], 2)
    timing["matrix"] = (f"{C.shape[0]} x {C.shape[1]}, {C.nnz} non-zero counts "
                        f"({C.nnz / np.prod(C.shape):.2%}), {W.nnz} positive PPMI entries")

    scores = evaluate(word_to_id, id_to_word, vectors)
    result = {"corpus": f"PTB train, {len(corpus)} tokens, {len(word_to_id)} words",
              "timing": timing, **scores,
              "machine": f"{platform.processor() or platform.machine()}, "
                         f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "count_ptb.json").write_text(json.dumps(result, indent=2) + "\n")
    report = markdown("PPMI + SVD (window 2, 100 dimensions)", timing, scores)
    head = (f"Produced by `OMP_NUM_THREADS=1 python benchmarks/count_ptb.py` on "
            f"{time.strftime('%Y-%m-%d')} ({result['corpus']}; {result['machine']}).\n\n")
    (RESULTS / "count_ptb.md").write_text(head + report)
    print(report)


if __name__ == "__main__":
    main()
