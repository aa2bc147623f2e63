"""Every check x every text model in ``tsforecast.nlp.NLP_ESTIMATORS``.

A new text model joins the registry and gets one entry in ``CASES`` (its tiny
training data and an output to compare); the checks then cover it. Each fit
is one epoch on a few dozen examples.
"""

import copy
import inspect
import pickle

import numpy as np
import pytest
import pytorch_lightning as pl
import torch
from sklearn.base import clone

from tests.test_docs import documented_params
from tsforecast.exceptions import ModelFileError, NotFittedError
from tsforecast.nlp import (
    NLP_ESTIMATORS,
    RNNLM,
    CTCLabeller,
    SentimentClassifier,
    Seq2Seq,
)
from tsforecast.nlp._base import TextEstimator
from tsforecast.nlp.ctc import make_ctc_task
from tsforecast.nlp.word2vec import _Word2Vec

CPU = {"accelerator": "cpu"}
CTC_X, CTC_Y = make_ctc_task(40, random_state=0)
WORDS = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "ran", "to", "the", "cat"]] * 30
REVIEWS = ["a great film", "a dull film", "great fun and warm", "dull , long and cold"] * 8
STARS = [5, 1, 5, 1] * 8  # labels need not be strings

# base class -> (fast parameters, fit arguments, an output of the fitted model)
CASES = {
    RNNLM: (dict(embedding_size=8, hidden_size=8, n_layers=1, bptt=8, batch_size=4),
            (["a b c d e f g h"] * 10,), lambda est: est.perplexity("a b c d e f g h a b")),
    Seq2Seq: (dict(hidden_size=8, batch_size=16),
              (["abc", "bca", "cab", "abd"] * 8, ["cba", "acb", "bac", "dba"] * 8),
              lambda est: est.predict(["abc", "cab"])),
    CTCLabeller: (dict(hidden_size=8, n_layers=1, batch_size=16), (CTC_X, CTC_Y),
                  lambda est: est.log_probs(CTC_X[:2])[0]),
    _Word2Vec: (dict(vector_size=8, batch_size=64), (WORDS,),
                lambda est: est.most_similar("cat", top=3)),
    SentimentClassifier: (dict(embedding_size=8, hidden_size=8, batch_size=8), (REVIEWS, STARS),
                          lambda est: est.predict_proba(["a great fun film", "unseen words"])),
}


def case(Estimator):
    for base, entry in CASES.items():
        if issubclass(Estimator, base):
            return entry
    raise LookupError(f"{Estimator.__name__} is in NLP_ESTIMATORS but has no entry in CASES "
                      f"of tests/nlp/test_common.py: add its tiny data there.")


def make(Estimator, **params):
    fast, _, _ = case(Estimator)
    return Estimator(**{**fast, "max_epochs": 1, "random_state": 0, "verbose": False,
                        "trainer_kwargs": CPU, **params})


def fit(est):
    return est.fit(*copy.deepcopy(case(type(est))[1]))


def output(est):
    return case(type(est))[2](est)


class Spy(pl.Callback):
    def __init__(self):
        self.epochs = 0

    def on_train_epoch_end(self, trainer, pl_module):
        self.epochs += 1


# ------------------------------------------------------------------ construction
def check_default_constructible(Estimator, tmp_path):
    est = Estimator()
    assert isinstance(est, TextEstimator)
    assert repr(est).startswith(Estimator.__name__ + "(")


def check_init_stores_params_only(Estimator, tmp_path):
    est = make(Estimator)
    assert set(vars(est)) == set(est.get_params())
    assert est.get_params()["trainer_kwargs"] is CPU  # stored as given, not copied


def check_clone_and_set_params(Estimator, tmp_path):
    est = make(Estimator)
    twin = clone(est)
    assert twin is not est and twin.get_params() == est.get_params()
    assert twin.set_params(max_epochs=2, learning_rate=0.5) is twin
    assert twin.max_epochs == 2 and est.max_epochs == 1
    assert not hasattr(clone(fit(est)), "network_")  # a clone is unfitted


def check_documented_params_match_signature(Estimator, tmp_path):
    signature = [p for p in inspect.signature(Estimator.__init__).parameters if p != "self"]
    assert sorted(documented_params(Estimator)) == sorted(signature)
    doc = inspect.getdoc(Estimator)
    for section in ("Attributes", "References", "Examples"):
        assert f"\n{section}\n" in doc


# ------------------------------------------------------------------ fitting
def check_unfitted_raises(Estimator, tmp_path):
    est = make(Estimator)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        output(est)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        est.save(tmp_path / "m.zip")


def check_fit_returns_self_and_keeps_params(Estimator, tmp_path):
    est = make(Estimator)
    before = est.get_params()
    assert fit(est) is est
    assert est.get_params() == before
    assert est.history_ and all("train_loss" in row for row in est.history_)
    assert hasattr(est, "best_epoch_") and hasattr(est, "network_")
    assert not est.network_.training  # left in eval mode: predictions are deterministic


def check_inputs_not_mutated(Estimator, tmp_path):
    est = make(Estimator)
    args = copy.deepcopy(case(Estimator)[1])
    kept = copy.deepcopy(args)
    est.fit(*args)
    for arg, original in zip(args, kept):
        np.testing.assert_equal(arg, original)


def check_global_random_state_untouched(Estimator, tmp_path):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fit(make(Estimator))
    assert torch.equal(torch.rand(3), expected)  # fit forks the RNG and seeds its own


def check_deterministic_and_refit_fresh(Estimator, tmp_path):
    est = fit(make(Estimator))
    first = output(est)
    np.testing.assert_equal(output(fit(make(Estimator))), first)
    fit(est.set_params(random_state=7))
    fit(est.set_params(random_state=0))
    np.testing.assert_equal(output(est), first)


def check_trainer_kwargs_reach_the_trainer(Estimator, tmp_path):
    spy = Spy()
    fit(make(Estimator, max_epochs=2, trainer_kwargs={**CPU, "callbacks": [spy]}))
    assert spy.epochs == 2


# ------------------------------------------------------------------ persistence
def check_save_load_round_trip(Estimator, tmp_path):
    est = fit(make(Estimator))
    path = tmp_path / "model.zip"
    est.save(path)
    loaded = Estimator.load(path)
    assert type(loaded) is Estimator and loaded.get_params() == est.get_params()
    assert loaded.history_ == est.history_ and loaded.best_epoch_ == est.best_epoch_
    np.testing.assert_equal(output(loaded), output(est))


def check_save_warns_about_unstorable_trainer_kwargs(Estimator, tmp_path):
    est = fit(make(Estimator, trainer_kwargs={**CPU, "callbacks": [Spy()]}))
    with pytest.warns(UserWarning, match=f"trainer_kwargs of {Estimator.__name__} holds "
                                         f"objects that JSON cannot store"):
        est.save(tmp_path / "m.zip")
    loaded = Estimator.load(tmp_path / "m.zip")
    assert loaded.trainer_kwargs is None
    np.testing.assert_equal(output(loaded), output(est))


def check_load_refuses_another_model(Estimator, tmp_path):
    other = SentimentClassifier if Estimator is not SentimentClassifier else RNNLM
    fit(make(other)).save(tmp_path / "other.zip")
    with pytest.raises(ModelFileError, match=f"holds a '{other.__name__}', not a "
                                             f"{Estimator.__name__}"):
        Estimator.load(tmp_path / "other.zip")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ModelFileError, match="is not a tsforecast model file"):
        Estimator.load(tmp_path / "notes.txt")


def check_pickle(Estimator, tmp_path):
    est = fit(make(Estimator))
    np.testing.assert_equal(output(pickle.loads(pickle.dumps(est))), output(est))


# ------------------------------------------------------------------ errors
def check_bad_shared_params(Estimator, tmp_path):
    name = Estimator.__name__
    cases = [
        (dict(max_epochs=0), ValueError,
         rf"The 'max_epochs' parameter of {name} must be a positive int. Got 0 instead"),
        (dict(batch_size=2.5), ValueError, "The 'batch_size' parameter .* Got 2.5 instead"),
        (dict(learning_rate=0.0), ValueError,
         r"The 'learning_rate' parameter .* must be a float in \(0.0, inf\). Got 0.0"),
        (dict(random_state=-1), ValueError, r"'random_state' .* must be None or an int"),
        (dict(verbose="yes"), TypeError, "The 'verbose' parameter .* must be a bool or None"),
        (dict(trainer_kwargs=["cpu"]), TypeError,
         "The 'trainer_kwargs' parameter .* must be a dict or None. Got list"),
    ]
    params = make(Estimator).get_params()
    if "patience" in params:
        cases.append((dict(patience=0), ValueError,
                      "'patience' parameter .* positive int or None"))
    if "validation_size" in params:
        cases.append((dict(validation_size=1.0), ValueError,
                      r"'validation_size' parameter .* float in \[0.0, 1.0\)"))
    for bad, error, message in cases:
        est = make(Estimator, **bad)
        with pytest.raises(error, match=message):
            fit(est)
        assert not hasattr(est, "network_")


CHECKS = [
    check_default_constructible,
    check_init_stores_params_only,
    check_clone_and_set_params,
    check_documented_params_match_signature,
    check_unfitted_raises,
    check_fit_returns_self_and_keeps_params,
    check_inputs_not_mutated,
    check_global_random_state_untouched,
    check_deterministic_and_refit_fresh,
    check_trainer_kwargs_reach_the_trainer,
    check_save_load_round_trip,
    check_save_warns_about_unstorable_trainer_kwargs,
    check_load_refuses_another_model,
    check_pickle,
    check_bad_shared_params,
]


@pytest.mark.parametrize("Estimator", NLP_ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f.__name__)
def test_common(Estimator, check, tmp_path):
    check(Estimator, tmp_path)


def test_registry_holds_every_text_model():
    import tsforecast.nlp as nlp

    public = {obj for name in nlp.__all__ if isinstance(obj := getattr(nlp, name), type)
              and issubclass(obj, TextEstimator)}
    assert public == set(NLP_ESTIMATORS)
