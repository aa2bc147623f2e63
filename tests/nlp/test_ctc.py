"""CTC: the decoders against brute force and torch's CTC loss, the estimator contract, learning."""

import itertools
import math
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone

from tests.test_docs import documented_params
from tsforecast.exceptions import ModelFileError, NotFittedError
from tsforecast.nlp import CTCLabeller
from tsforecast.nlp.ctc import (
    CTCNet,
    best_path_decode,
    edit_distance,
    label_error_rate,
    make_ctc_task,
    prefix_beam_search,
)

CPU = {"accelerator": "cpu"}
TINY = dict(hidden_size=8, n_layers=1, max_epochs=1, batch_size=16, random_state=0,
            verbose=False, trainer_kwargs=CPU)


def random_log_probs(rng, n_frames, n_classes):
    logits = rng.normal(scale=2.0, size=(n_frames, n_classes))
    return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)


def collapse(path, blank=0):
    out = []
    for k, c in enumerate(path):
        if c != blank and (k == 0 or c != path[k - 1]):
            out.append(c)
    return tuple(out)


def brute_force(log_probs):
    """Every labelling's log-probability, summing all C**T frame paths."""
    n_frames, n_classes = log_probs.shape
    totals = {}
    for path in itertools.product(range(n_classes), repeat=n_frames):
        lp = sum(log_probs[t, c] for t, c in enumerate(path))
        key = collapse(path)
        totals[key] = np.logaddexp(totals.get(key, -np.inf), lp)
    return totals


def torch_log_prob(log_probs, labelling):
    """log p(labelling | x) from torch's CTC forward recursion."""
    if not labelling:  # the empty labelling has one path: all blanks
        return float(log_probs[:, 0].sum())
    loss = torch.nn.functional.ctc_loss(
        torch.tensor(log_probs)[:, None, :], torch.tensor([labelling]),
        torch.tensor([len(log_probs)]), torch.tensor([len(labelling)]), blank=0,
        reduction="sum")
    return -float(loss)


def exact_width(n_frames, n_labels):
    return sum(n_labels ** k for k in range(n_frames + 1))


# ---------------------------------------------------------------------- decoders
@pytest.mark.parametrize("path, expected", [
    ([1, 1, 0, 1, 2], [1, 1, 2]),  # "aa-ab" -> "aab"
    ([1, 0, 1], [1, 1]),  # a blank separates repeats
    ([1, 1, 1], [1]),
    ([0, 0], []),
    ([2, 0, 0, 1, 1, 0], [2, 1]),
])
def test_best_path_collapses_repeats_then_drops_blanks(path, expected):
    assert best_path_decode(np.log(np.eye(3)[path] * 0.9 + 0.05)) == expected


@pytest.mark.parametrize("seed", range(40))
def test_prefix_beam_search_finds_the_most_probable_labelling(seed):
    rng = np.random.default_rng(seed)
    n_frames, n_labels = int(rng.integers(1, 6)), int(rng.integers(2, 4))
    lp = random_log_probs(rng, n_frames, n_labels + 1)
    totals = brute_force(lp)
    best = max(totals, key=totals.get)
    labelling, log_prob = prefix_beam_search(lp, beam_width=exact_width(n_frames, n_labels))
    assert tuple(labelling) == best
    assert log_prob == pytest.approx(totals[best], abs=1e-9)
    # ... and it is torch's CTC probability of that labelling
    assert log_prob == pytest.approx(torch_log_prob(lp, labelling), abs=1e-6)
    # probabilities of all labellings sum to one
    assert np.logaddexp.reduce(list(totals.values())) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_prefix_beam_beats_or_ties_best_path(seed):
    rng = np.random.default_rng(100 + seed)
    lp = random_log_probs(rng, 5, 3)
    labelling, log_prob = prefix_beam_search(lp, beam_width=exact_width(5, 2))
    assert log_prob >= torch_log_prob(lp, best_path_decode(lp)) - 1e-9


def test_narrow_beam_gives_a_lower_bound_and_best_path_differs_somewhere():
    rng = np.random.default_rng(7)
    differs = 0
    for _ in range(30):
        lp = random_log_probs(rng, 8, 4)
        labelling, log_prob = prefix_beam_search(lp, beam_width=2)
        assert log_prob <= torch_log_prob(lp, labelling) + 1e-9
        wide, _ = prefix_beam_search(lp, beam_width=64)
        differs += wide != best_path_decode(lp)
    assert differs > 0  # summing over alignments changes the answer on some inputs


def test_prefix_beam_search_sums_the_paths_of_a_labelling():
    p = np.array([[0.6, 0.4], [0.6, 0.4]])  # best path "--" (0.36) but "a" has 0.64
    assert best_path_decode(np.log(p)) == []
    labelling, log_prob = prefix_beam_search(np.log(p))
    assert labelling == [1] and math.exp(log_prob) == pytest.approx(0.64)


def test_prefix_beam_search_checks_the_beam_width():
    with pytest.raises(ValueError, match="'beam_width' parameter of prefix_beam_search"):
        prefix_beam_search(np.zeros((2, 3)), beam_width=0)


# ---------------------------------------------------------------------- evaluation
def test_edit_distance_and_label_error_rate():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], [1, 2]) == 2 and edit_distance("ab", "ab") == 0
    assert edit_distance([1, 2, 3], [1, 3]) == 1
    assert label_error_rate(["abc", "dd"], ["abd", "d"]) == pytest.approx(2 / 5)
    assert label_error_rate(["ab"], ["abxyz"]) == pytest.approx(1.5)  # can exceed 1
    with pytest.raises(ValueError, match="one prediction per reference"):
        label_error_rate(["ab"], [])
    with pytest.raises(ValueError, match="at least one label"):
        label_error_rate([""], ["a"])


def test_synthetic_task_is_reproducible_and_unaligned():
    X, y = make_ctc_task(50, random_state=3)
    X2, y2 = make_ctc_task(50, random_state=3)
    assert y == y2 and all(np.array_equal(a, b) for a, b in zip(X, X2))
    assert all(3 <= len(s) <= 8 and set(s) <= set("01234") for s in y)
    for x, s in zip(X, y):
        repeats = sum(a == b for a, b in zip(s, s[1:]))
        # every digit gets >= 2 frames and a silence frame separates repeats
        assert len(x) >= 2 * len(s) + repeats and x.shape[1] == 8 and x.dtype == np.float32
    assert len({len(x) - 3 * len(s) for x, s in zip(X, y)}) > 5  # no fixed frames per label
    with pytest.raises(ValueError, match="'label_length' parameter of make_ctc_task"):
        make_ctc_task(5, label_length=(4, 2))


# ---------------------------------------------------------------------- the estimator
@pytest.fixture(scope="module")
def task():
    X, y = make_ctc_task(300, noise=0.5, random_state=0)
    X_test, y_test = make_ctc_task(100, noise=0.5, random_state=1)
    return X, y, X_test, y_test


@pytest.fixture(scope="module")
def fitted(task):
    X, y, _, _ = task
    return CTCLabeller("gru", hidden_size=32, n_layers=1, learning_rate=1e-2, batch_size=16,
                       max_epochs=12, random_state=0, verbose=False, trainer_kwargs=CPU).fit(X, y)


def test_learns_the_synthetic_task(fitted, task):
    _, _, X_test, y_test = task
    best = fitted.predict(X_test)
    beam = fitted.predict(X_test, decoder="prefix_beam", beam_width=8)
    assert all(isinstance(s, str) for s in best + beam)
    assert label_error_rate(y_test, best) < 0.2
    assert label_error_rate(y_test, beam) < 0.2
    assert fitted.score(X_test, y_test) == pytest.approx(1 - label_error_rate(y_test, best))
    assert fitted.history_[-1]["train_loss"] < 0.3 * fitted.history_[0]["train_loss"]
    assert fitted.labels_ == list("01234") and fitted.string_labels_


def test_log_probs_are_per_frame_distributions(fitted, task):
    _, _, X_test, _ = task
    out = fitted.log_probs(X_test[:5])
    for x, lp in zip(X_test[:5], out):
        assert lp.shape == (len(x), 6)
        assert np.allclose(np.exp(lp).sum(axis=1), 1.0, atol=1e-5)
        assert best_path_decode(lp) == [fitted.labels_.index(c) + 1
                                        for c in fitted.predict([x])[0]]


@pytest.mark.parametrize("encoder", ["lstm", "gru", "transformer"])
def test_padding_does_not_change_a_sequences_output(encoder):
    X, y = make_ctc_task(20, random_state=0)
    est = CTCLabeller(encoder, **TINY).fit(X, y)
    short = min(X, key=len)
    alone = est.log_probs([short])[0]
    batched = est.log_probs([short, max(X, key=len)])[0]  # padded to the longer one
    np.testing.assert_allclose(alone, batched, atol=1e-5)


def test_labels_other_than_strings_come_back_as_lists():
    X, y = make_ctc_task(20, random_state=0)
    words = ["zero", "one", "two", "three", "four"]
    est = CTCLabeller(**TINY).fit(X, [[words[int(c)] for c in s] for s in y])
    pred = est.predict(X[:4])
    assert all(isinstance(p, list) and set(p) <= set(words) for p in pred)
    assert est.labels_ == sorted(words)
    ints = CTCLabeller(**TINY).fit(X, [[np.int64(c) for c in s.encode()] for s in y])
    assert ints.labels_ == sorted({c for s in y for c in s.encode()})
    assert all(type(v) is int for v in ints.labels_)


# ---------------------------------------------------------------------- the contract
def test_docstring_documents_exactly_the_signature():
    import inspect

    signature = [p for p in inspect.signature(CTCLabeller.__init__).parameters if p != "self"]
    assert sorted(documented_params(CTCLabeller)) == sorted(signature)


def test_construction_cloning_and_unfitted_errors(tmp_path):
    est = CTCLabeller("gru", hidden_size=8, random_state=3)
    assert clone(est).get_params() == est.get_params()
    assert set(vars(est)) == set(est.get_params())
    assert est.set_params(n_layers=3).n_layers == 3
    X, _ = make_ctc_task(2, random_state=0)
    for call in (lambda: est.predict(X), lambda: est.log_probs(X),
                 lambda: est.save(tmp_path / "m.zip")):
        with pytest.raises(NotFittedError):
            call()


def test_fit_returns_self_keeps_params_and_inputs_and_is_reproducible():
    X, y = make_ctc_task(20, random_state=0)
    X_copy, y_copy = [x.copy() for x in X], list(y)
    est = CTCLabeller(**TINY)
    params = est.get_params()
    assert est.fit(X, y) is est
    assert est.get_params() == params
    assert y == y_copy and all(np.array_equal(a, b) for a, b in zip(X, X_copy))
    first = est.log_probs(X[:3])
    again = CTCLabeller(**TINY).fit(X, y).log_probs(X[:3])
    refit = est.fit(X, y).log_probs(X[:3])
    for a, b, c in zip(first, again, refit):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert pickle.loads(pickle.dumps(est)).predict(X[:3]) == est.predict(X[:3])


def test_errors_name_the_problem():
    X, y = make_ctc_task(10, random_state=0)
    with pytest.raises(ValueError, match=r"label sequence 2 \(length 3, 1 equal adjacent "
                                         r"labels\) with its input of 3 frames.*4 frames"):
        CTCLabeller(**TINY).fit(X[:2] + [X[2][:3]], y[:2] + ["aab"])
    with pytest.raises(ValueError, match="X has 10 and y has 9"):
        CTCLabeller(**TINY).fit(X, y[:9])
    with pytest.raises(TypeError, match="only strings or only lists of labels. Item 1"):
        CTCLabeller(**TINY).fit(X[:2], ["ab", ["a", "b"]])
    with pytest.raises(ValueError, match="every label sequence in y is empty"):
        CTCLabeller(**TINY).fit(X[:2], ["", ""])
    with pytest.raises(ValueError, match="Item 1 of X has 3 features but item 0, the first"):
        CTCLabeller(**TINY).fit([X[0], X[1][:, :3]], y[:2])
    with pytest.raises(ValueError, match="'encoder' parameter of CTCLabeller must be one of"):
        CTCLabeller(encoder="rnn").fit(X, y)
    with pytest.raises(ValueError, match="multiple of 'n_heads'"):
        CTCLabeller("transformer", hidden_size=10, n_heads=4).fit(X, y)
    est = CTCLabeller(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="Item 0 of X has 5 features but CTCLabeller was "
                                         "fitted with 8"):
        est.predict([X[0][:, :5]])
    with pytest.raises(ValueError, match="'decoder' parameter of CTCLabeller"):
        est.predict(X, decoder="greedy")
    with pytest.raises(ValueError, match="NaN or infinite"):
        est.predict([np.full((4, 8), np.nan)])


def test_save_load_round_trip(tmp_path, fitted, task):
    _, _, X_test, _ = task
    path = tmp_path / "ctc.zip"
    fitted.save(path)
    loaded = CTCLabeller.load(path)
    assert loaded.get_params() == fitted.get_params()
    assert loaded.labels_ == fitted.labels_ and loaded.string_labels_
    for a, b in zip(loaded.log_probs(X_test[:5]), fitted.log_probs(X_test[:5])):
        np.testing.assert_array_equal(a, b)
    assert loaded.predict(X_test[:5], decoder="prefix_beam") == \
        fitted.predict(X_test[:5], decoder="prefix_beam")


def test_load_refuses_other_files(tmp_path):
    from tsforecast._persistence import NLP_FORMAT as FORMAT
    from tsforecast._persistence import write_archive

    other = tmp_path / "other.zip"
    write_archive(other, {"format": FORMAT, "schema_version": 1, "class": "SkipGram"}, {})
    with pytest.raises(ModelFileError, match="holds a 'SkipGram', not a CTCLabeller"):
        CTCLabeller.load(other)
    forecaster = tmp_path / "forecaster.zip"
    write_archive(forecaster, {"format": "tsforecast-model", "schema_version": 1}, {})
    with pytest.raises(ModelFileError, match="is not a tsforecast-nlp-model file"):
        CTCLabeller.load(forecaster)


def test_save_refuses_labels_json_cannot_keep(tmp_path):
    X, y = make_ctc_task(10, random_state=0)
    est = CTCLabeller(**TINY).fit(X, [[(c, c) for c in s] for s in y])
    with pytest.raises(ValueError, match="stores labels as JSON.*got tuple"):
        est.save(tmp_path / "m.zip")


def test_network_maps_frames_to_label_log_probs():
    net = CTCNet(4, 3, encoder="lstm", hidden_size=8, n_layers=1)
    out, lengths = net(torch.randn(2, 7, 4), torch.tensor([7, 3]))
    assert out.shape == (2, 7, 4) and lengths.tolist() == [7, 3]
    assert torch.allclose(out.exp().sum(-1), torch.ones(2, 7), atol=1e-5)
