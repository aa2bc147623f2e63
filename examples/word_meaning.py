"""Word meaning three ways: thesaurus, counting, word2vec (the outputs in docs/nlp/word-meaning.md).

Prints WordNet lookups, the count-based pipeline on a toy sentence and on
Penn Treebank, and a short word2vec run on Penn Treebank. Needs WordNet 3.0
(``sudo apt-get install wordnet-base``). Run from the repository root::

    OMP_NUM_THREADS=1 python examples/word_meaning.py [--quick]

``--quick`` (used by the tests) runs the Penn Treebank parts on its first
3,000 sentences.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's tsforecast

from tsforecast.nlp import (  # noqa: E402
    SkipGram,
    create_co_matrix,
    most_similar,
    ppmi,
    preprocess,
    reduce_dimensions,
)
from tsforecast.nlp import wordnet  # noqa: E402
from tsforecast.nlp.datasets import load_ptb  # noqa: E402


def show(title):
    print(f"\n## {title}\n")


def rounded(pairs):
    return [(w, round(s, 4)) for w, s in pairs]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="PTB parts on a small slice")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    n_sentences = 3000 if args.quick else None
    # a slice of PTB lacks rarer words such as "toyota" or "king"
    queries = ("you", "year") if args.quick else ("you", "year", "car", "toyota")

    show("WordNet: synonyms, definitions, hypernyms, path similarity")
    print(">>> wordnet.synsets('car')")
    print(wordnet.synsets("car"))
    car = wordnet.synset("car.n.01")
    print(">>> car = wordnet.synset('car.n.01'); car.lemma_names()")
    print(car.lemma_names())
    print(">>> car.definition()")
    print(repr(car.definition()))
    print(">>> ' -> '.join(s.name() for s in car.hypernym_paths()[0])")
    print(" -> ".join(s.name() for s in car.hypernym_paths()[0]))
    for other in ("novel.n.01", "dog.n.01", "motorcycle.n.01", "car.n.01"):
        print(f">>> round(wordnet.path_similarity('car.n.01', '{other}'), 4)")
        print(round(wordnet.path_similarity("car.n.01", other), 4))

    show("Counting on a toy sentence")
    corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    print(">>> corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')")
    print(corpus, id_to_word)
    C = create_co_matrix(corpus, len(word_to_id), window_size=1)
    print(">>> C = create_co_matrix(corpus, len(word_to_id)); C.toarray()")
    print(C.toarray())
    print(">>> most_similar('you', word_to_id, id_to_word, C)")
    print(rounded(most_similar("you", word_to_id, id_to_word, C)))
    print(">>> W = ppmi(C); W.toarray().round(3)")
    print(ppmi(C).toarray().round(3))

    show("Counting on Penn Treebank: window 2, PPMI, SVD to 100 dimensions")
    start = time.perf_counter()
    corpus, word_to_id, id_to_word = load_ptb("train")
    if n_sentences:
        corpus = corpus[:60_000]
    C = create_co_matrix(corpus, len(word_to_id), window_size=2)
    vectors = reduce_dimensions(ppmi(C), n_components=100, random_state=0)
    print(f"{len(corpus)} tokens, {len(word_to_id)} words, "
          f"{time.perf_counter() - start:.1f} s from loading to vectors")
    for query in queries:
        print(f">>> most_similar('{query}', word_to_id, id_to_word, vectors)")
        print(rounded(most_similar(query, word_to_id, id_to_word, vectors)))

    show("word2vec: SkipGram on Penn Treebank, one epoch")
    start = time.perf_counter()
    model = SkipGram(max_epochs=1, random_state=0, verbose=False,
                     trainer_kwargs={"accelerator": "cpu"})
    model.fit(load_ptb("train", as_sentences=True)[:n_sentences])
    print(f">>> model = SkipGram(max_epochs=1, random_state=0).fit(load_ptb('train', "
          f"as_sentences=True))  # {time.perf_counter() - start:.0f} s")
    for query in queries:
        print(f">>> model.most_similar('{query}')")
        print(rounded(model.most_similar(query)))
    if not args.quick:
        print(">>> model.analogy('man', 'king', 'woman', top=3)")
        print(rounded(model.analogy("man", "king", "woman", top=3)))


if __name__ == "__main__":
    main()
