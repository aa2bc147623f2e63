"""Reliability of the nlp estimators: atomic fit, divergence, corrupt files, text loaders."""

import re

import numpy as np
import pytest

from tsforecast.exceptions import TrainingError
from tsforecast.nlp import CBOW, RNNLM, CTCLabeller, Seq2Seq, SkipGram
from tsforecast.nlp.ctc import make_ctc_task

from ..test_reliability import Boom, check_corrupt_files_are_refused, fitted_state


CTC_X, CTC_Y = make_ctc_task(40, random_state=0)
WORDS = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "ran", "to", "the", "cat"]] * 30


def _tk(callbacks=()):
    return {"accelerator": "cpu", "callbacks": list(callbacks)}


# name: (make(trainer_kwargs, **overrides), fit args, output of the fitted model)
CASES = {
    "RNNLM": (lambda tk, **kw: RNNLM(**{**dict(embedding_size=8, hidden_size=8, n_layers=1,
                                               bptt=8, batch_size=4, max_epochs=1,
                                               random_state=0, trainer_kwargs=tk), **kw}),
              (["a b c d e f g h"] * 10,), lambda est: est.perplexity("a b c d e f g h a b")),
    "Seq2Seq": (lambda tk, **kw: Seq2Seq(**{**dict(hidden_size=8, max_epochs=1, batch_size=16,
                                                   random_state=0, verbose=False,
                                                   trainer_kwargs=tk), **kw}),
                (["abc", "bca", "cab", "abd"] * 8, ["cba", "acb", "bac", "dba"] * 8),
                lambda est: est.predict(["abc", "cab"])),
    "CTCLabeller": (lambda tk, **kw: CTCLabeller(**{**dict(hidden_size=8, n_layers=1,
                                                           max_epochs=1, batch_size=16,
                                                           random_state=0, verbose=False,
                                                           trainer_kwargs=tk), **kw}),
                    (CTC_X, CTC_Y), lambda est: est.log_probs(CTC_X[:2])[0]),
    "CBOW": (lambda tk, **kw: CBOW(**{**dict(vector_size=8, max_epochs=1, batch_size=64,
                                             random_state=0, trainer_kwargs=tk), **kw}),
             (WORDS,), lambda est: est.word_vectors_),
    "SkipGram": (lambda tk, **kw: SkipGram(**{**dict(vector_size=8, max_epochs=1, batch_size=64,
                                                     random_state=0, trainer_kwargs=tk), **kw}),
                 (WORDS,), lambda est: est.word_vectors_),
}


@pytest.mark.parametrize("name", CASES)
def test_failed_fit_is_atomic(name):
    make, args, output = CASES[name]
    fresh = make(_tk([Boom()]))
    with pytest.raises(TrainingError, match="boom"):
        fresh.fit(*args)
    assert fitted_state(fresh) == {}
    boom = Boom(armed=False)
    est = make(_tk([boom])).fit(*args)
    before, state = output(est), fitted_state(est)
    boom.armed = True
    with pytest.raises(TrainingError, match="boom"):
        est.fit(*args)
    assert fitted_state(est) == state
    np.testing.assert_equal(output(est), before)


# ---------------------------------------------------------------------- divergence
@pytest.mark.parametrize("name, overrides", [
    ("RNNLM", dict(optimizer="adam", learning_rate=10.0)),
    ("RNNLM", dict(optimizer="sgd", learning_rate=1e3)),
    ("Seq2Seq", dict(learning_rate=1e3)),
    ("CTCLabeller", dict(learning_rate=1e3)),
    ("CBOW", dict(learning_rate=1e3)),
    ("SkipGram", dict(learning_rate=1e3)),
])
def test_diverging_training_stops_with_a_clear_error(name, overrides):
    make, args, _ = CASES[name]
    est = make(_tk(), **{**overrides, "max_epochs": 3})
    with pytest.raises(TrainingError, match=r"The training loss .* at epoch \d+, batch \d+.* "
                                            r"diverg.*learning_rate="):
        est.fit(*args)
    assert not any(k.endswith("_") for k in vars(est))


@pytest.mark.parametrize("name", CASES)
def test_default_training_is_not_flagged_as_diverging(name):
    make, args, _ = CASES[name]
    est = make(_tk(), max_epochs=3).fit(*args)
    assert len(est.history_) == 3 and all(np.isfinite(r["train_loss"]) for r in est.history_)


# ---------------------------------------------------------------------- corrupt model files
NLP_FIELDS = {"RNNLM": ["vocabulary", "history", "best_epoch"],
              "Seq2Seq": ["source_vocabulary", "target_vocabulary", "max_target_length",
                          "history", "best_epoch"],
              "CTCLabeller": ["labels", "string_labels", "n_features_in", "feature_mean",
                              "feature_scale", "history"]}


@pytest.mark.parametrize("name", NLP_FIELDS)
def test_corrupt_model_files_are_refused_cleanly(name, tmp_path):
    make, args, _ = CASES[name]
    est = make(_tk()).fit(*args)
    saved = tmp_path / "model.zip"
    est.save(saved)
    check_corrupt_files_are_refused(type(est).load, saved, tmp_path, NLP_FIELDS[name])


# ---------------------------------------------------------------------- text-file loaders
def _binary_word2vec(path):
    """word2vec's own binary format (-binary 1): a text header, then raw float32 vectors."""
    with open(path, "wb") as f:
        f.write(b"2 4\n")
        for word in (b"cat", b"dog"):
            f.write(word + b" " + np.array([0.5, -1.25, 3.0, 1e-3], np.float32).tobytes()
                    + b"\n")
    return path


@pytest.mark.parametrize("content, line, problem", [
    (None, r"line [23]", r"binary data, not UTF-8 text"),
    (b"\x00\x01\x02\x03garbage\xff\xfe", "line 1", r"not UTF-8 text|binary"),
    (b"", "line 1", r"does not start with the word2vec text header"),
    (b"two 3\ncat 1 2 3\n", "line 1", r"does not start with the word2vec text header"),
    (b"2 3\ncat 1 2 3\ndog 1 2\n", "line 3", r"'dog' has 2 numbers, expected 3"),
    (b"2 3\ncat 1 2 3\ndog 1 x 3\n", "line 3", r"'x' is not a number"),
    (b"2 3\ncat 1 2 3\ndog 1 nan 3\n", "line 3", r"'nan' is not a finite number"),
    (b"1 3\ncat 1 2 3\ndog 1 2 3\n", "line 3", r"more than the 1 words its header announces"),
    (b"3 3\ncat 1 2 3\ndog 1 2 3\n", "line 3", r"announces 3 words but holds 2"),
])
def test_word2vec_text_loader_names_file_line_and_problem(content, line, problem, tmp_path):
    from tsforecast.nlp import load_word2vec_format

    path = tmp_path / "vectors.txt"
    if content is None:
        _binary_word2vec(path)
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError) as info:
        load_word2vec_format(path)
    text = str(info.value)
    assert text.startswith(f"{path}, line ") and re.search(line, text), text
    assert re.search(problem, text), text


def test_word2vec_text_loader_still_reads_good_files(tmp_path):
    from tsforecast.nlp import load_word2vec_format

    path = tmp_path / "vectors.txt"
    path.write_text("2 3\ncat 1 2 3\ndog -1.5 0 2e-3\n", encoding="utf-8")
    vectors, word_to_id, id_to_word = load_word2vec_format(path)
    np.testing.assert_allclose(vectors, [[1, 2, 3], [-1.5, 0, 2e-3]], rtol=1e-6)
    assert id_to_word == ["cat", "dog"] and word_to_id == {"cat": 0, "dog": 1}


def test_wordnet_reader_names_a_binary_file(tmp_path):
    from tsforecast.nlp.wordnet import _check_version

    (tmp_path / "data.noun").write_bytes(b"  1 This is WordNet\n\xff\xfe\x00\x81 binary\n")
    with pytest.raises(ValueError, match=rf"{tmp_path / 'data.noun'}, line 2: .*not UTF-8"):
        _check_version(tmp_path)
