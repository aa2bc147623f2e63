"""Counting: preprocessing, co-occurrence, PPMI, SVD, similarity and analogies."""

import numpy as np
import pytest
import scipy.sparse as sp

from tsforecast.nlp import (
    analogy,
    cos_similarity,
    create_co_matrix,
    encode,
    most_similar,
    ppmi,
    preprocess,
    reduce_dimensions,
    tokenize,
)
from tsforecast.nlp.datasets import load_ptb

TEXT = "You say goodbye and I say hello."


@pytest.fixture
def toy():
    return preprocess(TEXT)


def naive_co_matrix(corpus, vocab_size, window_size):
    """The textbook double loop, as a reference for the vectorised version."""
    C = np.zeros((vocab_size, vocab_size), dtype=np.int64)
    for i, word in enumerate(corpus):
        for j in range(max(0, i - window_size), min(len(corpus), i + window_size + 1)):
            if j != i:
                C[word, corpus[j]] += 1
    return C


# ---------------------------------------------------------------------- preprocessing
def test_preprocess_lowercases_and_keeps_punctuation(toy):
    corpus, word_to_id, id_to_word = toy
    assert corpus.tolist() == [0, 1, 2, 3, 4, 1, 5, 6]
    assert corpus.dtype == np.int64
    assert id_to_word == ["you", "say", "goodbye", "and", "i", "hello", "."]
    assert word_to_id == {w: i for i, w in enumerate(id_to_word)}


def test_tokenize_words_numbers_and_punctuation():
    assert tokenize("Don't panic: 3.5% of U.S. cars, e-mail!") == [
        "don't", "panic", ":", "3.5", "%", "of", "u", ".", "s", ".", "cars", ",", "e-mail", "!"]


def test_encode_with_an_existing_vocabulary():
    corpus, word_to_id, id_to_word = encode(["b", "a", "b"], {"a": 0, "b": 1})
    assert corpus.tolist() == [1, 0, 1] and id_to_word == ["a", "b"]
    with pytest.raises(ValueError, match=r"1 tokens are not in the given vocabulary.*\['c'\]"):
        encode(["a", "c"], {"a": 0})


def test_preprocess_errors():
    with pytest.raises(ValueError, match="found no words"):
        preprocess("  ")
    with pytest.raises(TypeError, match="preprocess expects text as a str. Got list"):
        preprocess(["you", "say"])
    with pytest.raises(TypeError, match="not one str"):
        encode("you say")


# ---------------------------------------------------------------------- co-occurrence
def test_co_matrix_of_the_toy_sentence(toy):
    corpus, word_to_id, _ = toy
    C = create_co_matrix(corpus, len(word_to_id))
    assert sp.issparse(C) and C.format == "csr"
    np.testing.assert_array_equal(C.toarray(), [
        [0, 1, 0, 0, 0, 0, 0],
        [1, 0, 1, 0, 1, 1, 0],
        [0, 1, 0, 1, 0, 0, 0],
        [0, 0, 1, 0, 1, 0, 0],
        [0, 1, 0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 1, 0],
    ])


@pytest.mark.parametrize("window_size", [1, 2, 5])
def test_co_matrix_matches_the_double_loop(window_size):
    corpus = np.random.default_rng(0).integers(0, 30, size=500)
    C = create_co_matrix(corpus, 30, window_size=window_size)
    np.testing.assert_array_equal(C.toarray(), naive_co_matrix(corpus, 30, window_size))


def test_co_matrix_errors():
    with pytest.raises(ValueError, match=r"word ids in \[0, 7\], but vocab_size=5"):
        create_co_matrix(np.arange(8), 5)
    with pytest.raises(TypeError, match="1-D array of int word ids"):
        create_co_matrix(["you", "say"], 2)
    with pytest.raises(ValueError, match="'window_size' parameter of create_co_matrix"):
        create_co_matrix(np.arange(3), 3, window_size=0)
    assert create_co_matrix(np.array([0]), 1).nnz == 0


# ---------------------------------------------------------------------- PPMI and SVD
def test_ppmi_of_the_toy_sentence(toy):
    corpus, word_to_id, _ = toy
    C = create_co_matrix(corpus, len(word_to_id))
    W = ppmi(C)
    assert sp.issparse(W)
    # log2(C * N / (S_you * S_say)) = log2(1 * 14 / (1 * 4))
    assert W[word_to_id["you"], word_to_id["say"]] == pytest.approx(np.log2(14 / 4))
    assert round(W[word_to_id["you"], word_to_id["say"]], 3) == 1.807
    assert (W.toarray()[C.toarray() == 0] == 0).all() and W.min() >= 0
    np.testing.assert_allclose(ppmi(C.toarray()), W.toarray(), atol=1e-6)


def test_ppmi_stays_sparse_on_ptb_sized_input():
    corpus, word_to_id, _ = load_ptb("valid")
    C = create_co_matrix(corpus, len(word_to_id), window_size=2)
    W = ppmi(C)
    assert sp.issparse(W) and 0 < W.nnz <= C.nnz < 0.01 * np.prod(C.shape)


def test_ppmi_errors():
    with pytest.raises(ValueError, match="square co-occurrence matrix"):
        ppmi(np.ones((2, 3)))
    with pytest.raises(ValueError, match="non-negative counts"):
        ppmi(sp.csr_matrix(-np.eye(3)))


def test_reduce_dimensions_is_a_truncated_svd():
    M = sp.random(300, 200, density=0.05, random_state=0, format="csr")
    U = reduce_dimensions(M, n_components=10, random_state=0)
    np.testing.assert_allclose(U.T @ U, np.eye(10), atol=1e-8)
    full = np.linalg.svd(M.toarray(), compute_uv=False)[:10]
    US = reduce_dimensions(M, n_components=10, power=1.0, n_iter=10, random_state=0)
    np.testing.assert_allclose(np.linalg.norm(US, axis=0), full, rtol=1e-3)
    np.testing.assert_array_equal(U, reduce_dimensions(M, n_components=10, random_state=0))
    with pytest.raises(ValueError, match=r"'n_components' parameter of reduce_dimensions must "
                                         r"be below min\(M.shape\) = 200"):
        reduce_dimensions(M, n_components=200)


# ---------------------------------------------------------------------- similarity
def test_most_similar_you_on_co_occurrence_vectors(toy):
    corpus, word_to_id, id_to_word = toy
    C = create_co_matrix(corpus, len(word_to_id))
    result = most_similar("you", word_to_id, id_to_word, C, top=5)
    assert [(w, round(s, 4)) for w, s in result] == [
        ("goodbye", 0.7071), ("i", 0.7071), ("hello", 0.7071), ("say", 0.0), ("and", 0.0)]
    dense = most_similar("you", word_to_id, id_to_word, C.toarray(), top=5)
    assert [w for w, _ in dense] == [w for w, _ in result]


def test_cos_similarity():
    assert cos_similarity([1, 0], [0, 2]) == pytest.approx(0.0)
    assert cos_similarity([1, 1], [2, 2]) == pytest.approx(1.0)
    assert cos_similarity([1, 0], [-3, 0]) == pytest.approx(-1.0)
    assert cos_similarity([0, 0], [1, 0]) == 0.0  # eps: no NaN for a zero vector
    assert cos_similarity(sp.csr_matrix([[1, 0, 1]]), np.array([0, 1, 1])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="same length"):
        cos_similarity([1, 0], [1, 0, 0])


def test_analogy_by_vector_arithmetic():
    # two directions: gender (axis 0) and royalty (axis 1), plus a distractor
    words = ["man", "woman", "king", "queen", "boy", "girl", "prince", "apple"]
    vectors = np.array([[1, 0, 1], [-1, 0, 1], [1, 1, 1], [-1, 1, 1], [1, 0, 0.5],
                        [-1, 0, 0.5], [1, 1, 0.5], [0, -1, 3]], dtype=float)
    word_to_id = {w: i for i, w in enumerate(words)}
    assert analogy("man", "king", "woman", word_to_id, words, vectors)[0][0] == "queen"
    assert analogy("man", "woman", "boy", word_to_id, words, vectors)[0][0] == "girl"
    assert analogy("man", "king", "boy", word_to_id, words, vectors)[0][0] == "prince"
    answers = [w for w, _ in analogy("man", "king", "woman", word_to_id, words, vectors, top=8)]
    assert {"man", "king", "woman"}.isdisjoint(answers) and len(answers) == 5


def test_similarity_errors(toy):
    corpus, word_to_id, id_to_word = toy
    C = create_co_matrix(corpus, len(word_to_id))
    with pytest.raises(ValueError, match=r"most_similar: 'cat' is not in the vocabulary \(7"):
        most_similar("cat", word_to_id, id_to_word, C)
    with pytest.raises(ValueError, match="word_matrix has 3 rows but the vocabulary has 7"):
        most_similar("you", word_to_id, id_to_word, np.ones((3, 2)))
    with pytest.raises(ValueError, match="analogy: 'queen' is not in the vocabulary"):
        analogy("you", "say", "queen", word_to_id, id_to_word, C)
    with pytest.raises(ValueError, match="'top' parameter of most_similar"):
        most_similar("you", word_to_id, id_to_word, C, top=0)


# ---------------------------------------------------------------------- on real text
def test_count_vectors_on_a_ptb_slice_find_related_words():
    """PPMI + SVD on the first 200,000 training tokens: weekdays and verbs find their kind."""
    corpus, word_to_id, id_to_word = load_ptb("train")
    corpus = corpus[:200_000]
    vocab = int(corpus.max()) + 1  # ids are in order of first appearance
    W = ppmi(create_co_matrix(corpus, vocab, window_size=2))
    vectors = reduce_dimensions(W, n_components=50, random_state=0)
    id_to_word, word_to_id = id_to_word[:vocab], {w: i for w, i in word_to_id.items()
                                                  if i < vocab}
    near = {w: [n for n, _ in most_similar(w, word_to_id, id_to_word, vectors, top=5)]
            for w in ("monday", "buy")}
    assert {"tuesday", "wednesday", "thursday", "friday"} & set(near["monday"])
    assert "sell" in near["buy"]


# ---------------------------------------------------------------------- PTB
def test_load_ptb():
    corpus, word_to_id, id_to_word = load_ptb("train")
    assert len(corpus) == 929_589 and len(id_to_word) == 10_000
    assert " ".join(id_to_word[i] for i in corpus[27:33]) == "N years old will join the"
    assert (np.asarray(id_to_word)[corpus] == "<eos>").sum() == 42_068
    test, test_word_to_id, _ = load_ptb("test")
    assert test_word_to_id == word_to_id  # one vocabulary for every split
    assert len(test) == 78_669 + 3_761
    sentences = load_ptb("valid", as_sentences=True)
    assert len(sentences) == 3_370 and sum(map(len, sentences)) == 70_390
    with pytest.raises(ValueError, match="'split' parameter of load_ptb must be one of"):
        load_ptb("dev")
