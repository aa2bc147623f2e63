"""Word-vector evaluation shared by the PTB benchmarks: similarity, analogies, neighbours.

The similarity (WordSim-353, SimLex-999) and analogy (Mikolov et al.'s
questions-words) test sets are read from the files gensim ships in its test
data (``pip install gensim``; nothing is downloaded at run time). Without
gensim only the nearest neighbours of frequent words are reported.
PTB has a 10,000-word vocabulary, so each score is over the pairs or
questions whose words are all in it; the coverage is reported beside it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from tsforecast.nlp import most_similar

#: Frequent PTB words whose neighbours are printed.
PROBES = ["you", "year", "car", "toyota", "monday", "president", "stock", "buy", "good"]


def _gensim_test_data():
    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "test" / "test_data"
    return path if (path / "wordsim353.tsv").is_file() else None


def _pairs(path):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, b, score = line.split("\t")[:3]
        rows.append((a.lower(), b.lower(), float(score)))
    return rows


def _normalise(vectors):
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8)


def similarity_score(pairs, word_to_id, vectors):
    """Spearman correlation of cosine similarities with human ratings, on covered pairs."""
    M = _normalise(vectors)
    kept = [(a, b, s) for a, b, s in pairs if a in word_to_id and b in word_to_id]
    cos = [float(M[word_to_id[a]] @ M[word_to_id[b]]) for a, b, _ in kept]
    rho = spearmanr(cos, [s for _, _, s in kept]).statistic if len(kept) > 2 else float("nan")
    return {"spearman": round(float(rho), 4), "pairs_covered": len(kept),
            "pairs_total": len(pairs)}


def analogy_score(path, word_to_id, vectors):
    """Top-1 accuracy on the analogy questions whose four words are all in the vocabulary."""
    questions, total = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            continue
        words = line.lower().split()
        total += 1
        if all(w in word_to_id for w in words):
            questions.append([word_to_id[w] for w in words])
    if not questions:
        return {"accuracy": float("nan"), "questions_covered": 0, "questions_total": total}
    q = np.array(questions)
    M = _normalise(vectors)
    correct = 0
    for start in range(0, len(q), 512):
        block = q[start:start + 512]
        target = M[block[:, 1]] - M[block[:, 0]] + M[block[:, 2]]
        scores = _normalise(target) @ M.T
        rows = np.arange(len(block))[:, None]
        scores[rows, block[:, :3]] = -np.inf
        correct += int((scores.argmax(axis=1) == block[:, 3]).sum())
    return {"accuracy": round(correct / len(q), 4), "questions_covered": len(q),
            "questions_total": total}


def evaluate(word_to_id, id_to_word, vectors):
    """All available scores and the probes' five nearest neighbours."""
    vectors = np.asarray(vectors, dtype=np.float64)
    result = {"neighbours": {w: [[n, round(s, 3)] for n, s in
                                 most_similar(w, word_to_id, id_to_word, vectors, top=5)]
                             for w in PROBES if w in word_to_id}}
    data = _gensim_test_data()
    if data is None:
        result["benchmarks"] = ("not available: install gensim for the WordSim-353, SimLex-999 "
                                "and questions-words test sets")
        return result
    result["wordsim353"] = similarity_score(_pairs(data / "wordsim353.tsv"), word_to_id, vectors)
    result["simlex999"] = similarity_score(_pairs(data / "simlex999.txt"), word_to_id, vectors)
    result["analogy"] = analogy_score(data / "questions-words.txt", word_to_id, vectors)
    return result


def markdown(name, timing, scores):
    """A small Markdown report: timings, scores and neighbours."""
    lines = [f"### {name}", ""]
    lines += [f"- {k}: {v}" for k, v in timing.items()]
    for key in ("wordsim353", "simlex999"):
        if key in scores:
            s = scores[key]
            lines.append(f"- {key}: Spearman {s['spearman']} on {s['pairs_covered']}/"
                         f"{s['pairs_total']} pairs in the vocabulary")
    if "analogy" in scores:
        s = scores["analogy"]
        lines.append(f"- analogies (questions-words): top-1 accuracy {s['accuracy']} on "
                     f"{s['questions_covered']}/{s['questions_total']} questions in the vocabulary")
    if "benchmarks" in scores:
        lines.append(f"- benchmarks: {scores['benchmarks']}")
    lines += ["", "| word | nearest neighbours (cosine) |", "|---|---|"]
    for word, neighbours in scores["neighbours"].items():
        lines.append(f"| {word} | " + ", ".join(f"{n} ({s:.2f})" for n, s in neighbours) + " |")
    return "\n".join(lines) + "\n"
