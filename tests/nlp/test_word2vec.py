"""word2vec: the estimator contract, the sampling, the network, training and the export."""

import pickle
import re

import numpy as np
import pytest
import torch
from sklearn.base import clone

from tests.test_docs import documented_params
from tsforecast.exceptions import NotFittedError
from tsforecast.nlp import CBOW, SkipGram, load_word2vec_format, save_word2vec_format
from tsforecast.nlp.word2vec import NOISE_POWER, Word2VecNet, _Batches

ESTIMATORS = (CBOW, SkipGram)
FAST = dict(vector_size=16, max_epochs=2, batch_size=256, random_state=0,
            trainer_kwargs={"accelerator": "cpu"})

ANIMALS = ["cat", "dog", "cow", "horse", "sheep", "goat"]
COLOURS = ["red", "blue", "green", "yellow", "black", "white"]


def two_topic_corpus(n=400, seed=0):
    """Animals and colours fill different slots of different sentence frames.

    Words of one group share their contexts and never meet the other group's,
    so good vectors put each word nearest to its own group.
    """
    rng = np.random.default_rng(seed)
    frames = [("the {} eats grass in the field", ANIMALS),
              ("a {} animal sleeps on the farm", ANIMALS),
              ("she painted the wall {} today", COLOURS),
              ("my car is {} and shiny", COLOURS)]
    sentences = []
    for _ in range(n):
        frame, words = frames[rng.integers(len(frames))]
        sentences.append(frame.format(words[rng.integers(len(words))]).split())
    return sentences


@pytest.fixture(scope="module")
def corpus():
    return two_topic_corpus()


@pytest.fixture(scope="module", params=ESTIMATORS, ids=lambda c: c.__name__)
def fitted(request, corpus):
    params = dict(FAST, vector_size=24, max_epochs=10, learning_rate=3e-2, subsample=None)
    return request.param(**params).fit(corpus)


# ---------------------------------------------------------------------- the estimator contract
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_construction_and_cloning(Estimator):
    est = Estimator(vector_size=8, window_size=2, random_state=3)
    assert clone(est).get_params() == est.get_params()
    assert est.set_params(n_negatives=7).n_negatives == 7
    params = set(est.get_params())
    assert set(vars(est)) == params  # __init__ stores its arguments and nothing else
    assert Estimator().get_params()["vector_size"] == 100


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_docstring_documents_exactly_the_signature(Estimator):
    import inspect

    signature = [p for p in inspect.signature(Estimator.__init__).parameters if p != "self"]
    assert sorted(documented_params(Estimator)) == sorted(signature)
    doc = inspect.getdoc(Estimator)
    for section in ("Attributes", "References", "Examples"):
        assert f"\n{section}\n" in doc


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_unfitted_estimator_raises(Estimator, tmp_path):
    est = Estimator()
    for call in (lambda: est.most_similar("cat"), lambda: est.similarity("cat", "dog"),
                 lambda: est.analogy("a", "b", "c"),
                 lambda: est.save_word2vec_format(tmp_path / "v.txt")):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call()


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_fit_returns_self_keeps_params_and_inputs(Estimator, corpus):
    est = Estimator(**FAST)
    before = est.get_params()
    data = [list(s) for s in corpus[:60]]
    copy = [list(s) for s in data]
    assert est.fit(data) is est
    assert est.get_params() == before
    assert data == copy
    assert est.word_vectors_.shape == (len(est.vocabulary_), 16)
    assert np.isfinite(est.word_vectors_).all()
    assert est.vocabulary_[0] == "the"  # most frequent first
    assert est.word_counts_[0] == max(est.word_counts_)
    assert [h["epoch"] for h in est.history_] == [0, 1]


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_same_seed_same_vectors_and_refits_start_fresh(Estimator, corpus):
    data = corpus[:60]
    a = Estimator(**FAST).fit(data)
    b = Estimator(**FAST).fit(data)
    np.testing.assert_array_equal(a.word_vectors_, b.word_vectors_)
    a.fit(data)  # a second fit starts from scratch
    np.testing.assert_array_equal(a.word_vectors_, b.word_vectors_)
    c = Estimator(**dict(FAST, random_state=1)).fit(data)
    assert not np.allclose(c.word_vectors_, b.word_vectors_)
    state = torch.random.get_rng_state()
    Estimator(**FAST).fit(data)
    assert torch.equal(torch.random.get_rng_state(), state)  # global RNG left alone


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_pickle_round_trip(Estimator, corpus):
    est = Estimator(**FAST).fit(corpus[:60])
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.word_vectors_, est.word_vectors_)
    assert again.most_similar("cat") == est.most_similar("cat")


# ---------------------------------------------------------------------- learning
def test_vectors_group_words_by_shared_contexts(fitted):
    for word, group in [("cat", ANIMALS), ("blue", COLOURS)]:
        neighbours = [w for w, _ in fitted.most_similar(word, top=4)]
        assert set(neighbours) <= set(group), (word, neighbours)
    assert fitted.similarity("cat", "dog") > fitted.similarity("cat", "red") + 0.3
    losses = [h["train_loss"] for h in fitted.history_]
    assert losses[-1] < 0.8 * losses[0]


def test_analogy_and_similarity_use_the_learned_vectors(fitted):
    v = fitted.word_vectors_
    i = fitted.word_to_id_
    cos = v[i["cat"]] @ v[i["dog"]] / np.linalg.norm(v[i["cat"]]) / np.linalg.norm(v[i["dog"]])
    assert fitted.similarity("cat", "dog") == pytest.approx(cos, abs=1e-6)
    answers = [w for w, _ in fitted.analogy("cat", "dog", "red", top=3)]
    assert not {"cat", "dog", "red"} & set(answers)


def test_corpus_forms_and_errors():
    est = SkipGram(**FAST)
    stream = "the cat sat on the mat".split() * 5
    assert est.fit(stream).vocabulary_ == ["the", "cat", "sat", "on", "mat"]
    assert est.fit(np.array(stream)).vocabulary_ == ["the", "cat", "sat", "on", "mat"]
    with pytest.raises(TypeError, match="not one str. Split the text first"):
        est.fit("the cat sat on the mat")
    with pytest.raises(TypeError, match=r"Item 0 is ndarray.*Word ids .* are not accepted"):
        est.fit([np.arange(5)])
    with pytest.raises(ValueError, match="non-empty list of tokens"):
        est.fit([])
    with pytest.raises(ValueError, match=r"at least 2 distinct words occurring min_count=10 "
                                         r"times or more, but the corpus has 1"):
        SkipGram(**FAST, min_count=10).fit(stream)
    with pytest.raises(ValueError, match="found no \\(word, context\\) pairs"):
        est.fit([["one"], ["two"], ["three"]])
    with pytest.raises(ValueError, match=r"'n_negatives' parameter of SkipGram must be a "
                                         r"positive int. Got 0 instead."):
        SkipGram(n_negatives=0).fit(stream)
    with pytest.raises(ValueError, match=r"'subsample' parameter of CBOW must be a float in "
                                         r"\[0.0, 1.0\]"):
        CBOW(subsample=2.0).fit(stream)
    fitted = est.fit(stream)
    with pytest.raises(ValueError, match=r"'dog' is not in the vocabulary of this SkipGram "
                                         r"\(5 words\)"):
        fitted.most_similar("dog")


def test_min_count_drops_rare_words():
    corpus = [["a", "b", "a", "b", "rare"], ["a", "b"]]
    est = CBOW(**dict(FAST, min_count=2)).fit(corpus)
    assert est.vocabulary_ == ["a", "b"] and list(est.word_counts_) == [3, 3]


# ---------------------------------------------------------------------- sampling
def _batches(ids, sentence, *, cbow, window_size=2, subsample_keep=None, counts=None, seed=0):
    counts = np.bincount(ids) if counts is None else counts
    noise = counts**NOISE_POWER
    keep = np.ones(len(counts)) if subsample_keep is None else subsample_keep
    return _Batches(np.asarray(ids), np.asarray(sentence), keep, np.cumsum(noise / noise.sum()),
                    cbow=cbow, window_size=window_size, n_negatives=5, batch_size=64, seed=seed)


def test_skipgram_pairs_stay_within_windows_and_sentences():
    ids = np.arange(10)
    sentence = np.array([0] * 6 + [1] * 4)
    context, target = _batches(ids, sentence, cbow=False, window_size=2).examples()
    pairs = set(zip(context[:, 0].tolist(), target.tolist()))
    for centre, other in pairs:
        assert 1 <= abs(centre - other) <= 2 and sentence[centre] == sentence[other]
    with_window_1 = _batches(ids, sentence, cbow=False, window_size=1).examples()
    assert sorted(zip(with_window_1[0][:, 0].tolist(), with_window_1[1].tolist())) == sorted(
        [(i, i + 1) for i in range(9) if i != 5] + [(i + 1, i) for i in range(9) if i != 5])


def test_cbow_contexts_are_the_neighbours_of_the_centre():
    ids = np.arange(8)
    batches = _batches(ids, np.zeros(8, dtype=int), cbow=True, window_size=3)
    context, target = batches.examples()
    assert context.shape == (8, 6)
    for row, centre in zip(context, target):
        words = row[row != batches.pad]
        assert len(words) >= 1 and all(1 <= abs(w - centre) <= 3 for w in words)


def test_negatives_follow_the_unigram_distribution_to_the_power_075():
    counts = np.array([1000, 100, 10, 1])
    ids = np.repeat(np.arange(4), counts)
    batches = _batches(ids, np.zeros(len(ids), dtype=int), cbow=False, counts=counts)
    negatives = np.concatenate([targets[:, 1:].numpy().ravel()
                                for (_, targets), _ in batches])
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(np.bincount(negatives, minlength=4) / len(negatives), expected,
                               atol=0.01)


def test_subsampling_thins_frequent_words():
    ids = np.repeat([0, 1], [9000, 1000])
    keep = np.array([0.1, 1.0])
    batches = _batches(ids, np.zeros(len(ids), dtype=int), cbow=True, subsample_keep=keep)
    _, target = batches.examples()
    assert abs((target == 0).sum() - 900) < 100 and (target == 1).sum() > 900


def test_batches_are_inputs_and_labels_for_bce():
    batches = _batches(np.arange(20) % 7, np.zeros(20, dtype=int), cbow=True)
    (context, targets), labels = next(iter(batches))
    assert context.dtype == targets.dtype == torch.int64
    assert targets.shape == labels.shape == (len(context), 6)
    assert labels[:, 0].eq(1).all() and labels[:, 1:].eq(0).all()


# ---------------------------------------------------------------------- the network
def test_network_scores_targets_with_embeddings():
    net = Word2VecNet(vocab_size=10, vector_size=4)
    assert isinstance(net.input_vectors, torch.nn.Embedding)
    assert not [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        net.output_vectors.weight.normal_()
    context = torch.tensor([[1, 2, 10, 10], [3, 10, 10, 10]])  # 10 pads
    targets = torch.tensor([[4, 5, 6], [7, 8, 9]])
    logits = net(context, targets)
    assert logits.shape == (2, 3)
    inp, out = net.input_vectors.weight, net.output_vectors.weight
    mean = (inp[1] + inp[2]) / 2  # the pads do not count in the mean
    assert torch.allclose(logits[0], out[[4, 5, 6]] @ mean, atol=1e-6)
    assert torch.allclose(logits[1], out[[7, 8, 9]] @ inp[3], atol=1e-6)


# ---------------------------------------------------------------------- export
def test_save_word2vec_format_round_trip(fitted, tmp_path):
    path = tmp_path / "vectors.txt"
    fitted.save_word2vec_format(path)
    lines = path.read_text().splitlines()
    assert lines[0] == f"{len(fitted.vocabulary_)} 24"
    assert re.fullmatch(r"the( -?[0-9.e+-]+){24}", lines[1])
    vectors, word_to_id, id_to_word = load_word2vec_format(path)
    assert id_to_word == fitted.vocabulary_ and word_to_id == fitted.word_to_id_
    np.testing.assert_allclose(vectors, fitted.word_vectors_, rtol=1e-5, atol=1e-7)


def test_gensim_reads_the_export(fitted, tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    path = tmp_path / "vectors.txt"
    fitted.save_word2vec_format(path)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=False)
    assert kv.index_to_key == fitted.vocabulary_
    ours = [w for w, _ in fitted.most_similar("cat", top=3)]
    assert [w for w, _ in kv.most_similar("cat", topn=3)] == ours


def test_save_word2vec_format_refuses_words_with_spaces(tmp_path):
    with pytest.raises(ValueError, match=r"contain whitespace .*\['new york'\]"):
        save_word2vec_format(tmp_path / "v.txt", np.ones((2, 3)), ["city", "new york"])
    with pytest.raises(ValueError, match=r"one row of word_vectors per word: got shape \(2, 3\) "
                                         r"for 3 words"):
        save_word2vec_format(tmp_path / "v.txt", np.ones((2, 3)), ["a", "b", "c"])


def test_load_word2vec_format_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("cat 0.1 0.2\n")
    with pytest.raises(ValueError, match="does not start with the word2vec text header"):
        load_word2vec_format(bad)
    bad.write_text("2 2\ncat 0.1 0.2\n")
    with pytest.raises(ValueError, match="announces 2 words but holds 1"):
        load_word2vec_format(bad)
