"""Seq2Seq for text: learning, options, attention, decoding, errors, persistence, data."""

import numpy as np
import pytest
import torch
from sklearn.base import clone

from tests.test_docs import documented_params
from tsforecast.exceptions import ModelFileError, NotFittedError
from tsforecast.nlp import Seq2Seq
from tsforecast.nlp.datasets import load_addition, load_date
from tsforecast.nlp.seq2seq import Seq2SeqNet

CPU = {"accelerator": "cpu"}
FAST = dict(hidden_size=16, max_epochs=1, batch_size=32, random_state=0, verbose=False,
            trainer_kwargs=CPU)
LEARN = dict(hidden_size=32, batch_size=32, learning_rate=1e-2, max_epochs=10, patience=None,
             random_state=0, verbose=False, trainer_kwargs=CPU)


def reversal(n, seed, letters="abcde"):
    """Random strings of 3-6 letters and the same strings reversed."""
    rng = np.random.default_rng(seed)
    sources = ["".join(rng.choice(list(letters), rng.integers(3, 7))) for _ in range(n)]
    return sources, [s[::-1] for s in sources]


@pytest.fixture(scope="module")
def pairs():
    return reversal(600, 0), reversal(200, 1)


@pytest.fixture(scope="module", params=[False, True], ids=["forward", "reversed"])
def reverser(request, pairs):
    (sources, targets), _ = pairs
    return Seq2Seq(attention="additive", reverse_input=request.param, **LEARN).fit(sources, targets)


# ---------------------------------------------------------------------- learning and attention
def test_learns_to_reverse_strings(reverser, pairs):
    _, (sources, targets) = pairs
    assert reverser.score(sources, targets) >= 0.97
    assert reverser.score(sources, targets, beam_width=3) >= 0.97
    assert reverser.predict(["abcde"]) == ["edcba"]


def test_attention_rows_sum_to_one_and_follow_the_reversal(reverser):
    weights, inputs, outputs = reverser.predict_attention("abcde")
    assert inputs == list("abcde") and outputs == [*"edcba", "</s>"]
    assert weights.shape == (6, 5)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
    # output t copies input 4 - t, in reading order also when the input is fed reversed
    assert list(weights[:5].argmax(axis=1)) == [4, 3, 2, 1, 0]


def test_attention_plot_draws_the_matrix(reverser):
    import matplotlib

    matplotlib.use("Agg")
    from tsforecast.plotting import plot_attention

    weights, inputs, outputs = reverser.predict_attention("abcd")
    ax = plot_attention(weights, x_labels=inputs, y_labels=outputs)
    np.testing.assert_allclose(ax.images[0].get_array(), weights)
    assert [t.get_text() for t in ax.get_xticklabels()] == inputs
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_scores_are_log_probabilities_and_beam_is_never_worse(reverser, pairs):
    _, (sources, _) = pairs
    greedy, greedy_logp = reverser.predict_with_scores(sources[:50])
    beam, beam_logp = reverser.predict_with_scores(sources[:50], beam_width=4)
    assert greedy == reverser.predict(sources[:50])
    assert greedy_logp.shape == (50,) and (greedy_logp <= 0).all()
    assert (beam_logp >= greedy_logp - 1e-6).all()


def test_reversed_peeky_model_learns_single_digit_sums_better_than_plain():
    questions = [f"{a}+{b}" for a in range(10) for b in range(10)]
    answers = [str(a + b) for a in range(10) for b in range(10)]
    settings = dict(attention=None, hidden_size=32, batch_size=10, learning_rate=1e-2,
                    max_epochs=50, patience=None, validation_size=None, random_state=0,
                    verbose=False, trainer_kwargs=CPU)
    best = Seq2Seq(reverse_input=True, peeky=True, **settings).fit(questions, answers)
    plain = Seq2Seq(**settings).fit(questions, answers)
    assert best.score(questions, answers) >= 0.98
    assert best.history_[-1]["train_loss"] < 0.5 * plain.history_[-1]["train_loss"]


# ---------------------------------------------------------------------- options
@pytest.mark.parametrize("options", [
    dict(attention=None), dict(attention=None, reverse_input=True),
    dict(attention=None, peeky=True), dict(attention="additive", peeky=True),
    dict(attention="dot"), dict(attention="general", bidirectional=True),
    dict(attention="additive", bidirectional=True, cell="gru"),
    dict(attention=None, bidirectional=True, n_layers=2, dropout=0.2),
], ids=str)
def test_each_option_trains_and_predicts(options, pairs):
    (sources, targets), _ = pairs
    model = Seq2Seq(**options, **FAST).fit(sources[:64], targets[:64])
    predictions, logp = model.predict_with_scores(sources[:5], beam_width=2)
    assert len(predictions) == 5 and all(isinstance(p, str) for p in predictions)
    assert np.isfinite(logp).all() and (logp <= 0).all()
    assert set("".join(predictions)) <= set("abcde")
    assert {"train_loss", "val_loss"} <= set(model.history_[0])


def test_word_unit_reads_and_writes_words():
    sources = ["one two three", "three two", "two one", "one three"] * 8
    targets = [" ".join(s.split()[::-1]) for s in sources]
    model = Seq2Seq("word", **FAST).fit(sources, targets)
    assert model.source_vocabulary_ == ["<pad>", "<s>", "</s>", "one", "three", "two"]
    prediction = model.predict(["two three one"])[0]
    assert set(prediction.split()) <= {"one", "two", "three"}
    assert "  " not in prediction


def test_predictions_do_not_depend_on_the_batch(reverser, pairs):
    _, (sources, _) = pairs
    together = reverser.predict_with_scores(sources[:8])
    alone = [reverser.predict_with_scores([s]) for s in sources[:8]]
    assert together[0] == [a[0][0] for a in alone]
    np.testing.assert_allclose(together[1], [a[1][0] for a in alone], atol=1e-5)


# ---------------------------------------------------------------------- the estimator contract
def test_construction_cloning_and_documented_parameters():
    est = Seq2Seq(hidden_size=8, attention="dot", random_state=3)
    assert clone(est).get_params() == est.get_params()
    assert set(vars(est)) == set(est.get_params())  # __init__ stores its arguments only
    assert sorted(documented_params(Seq2Seq)) == sorted(est.get_params())


def test_same_seed_same_model_and_refit_starts_fresh(pairs):
    (sources, targets), _ = pairs
    a = Seq2Seq(**FAST).fit(sources[:64], targets[:64])
    b = Seq2Seq(**FAST).fit(sources[:64], targets[:64])
    for (name, p), q in zip(a.network_.state_dict().items(), b.network_.state_dict().values()):
        torch.testing.assert_close(p, q, msg=name)
    before = [p.clone() for p in a.network_.parameters()]
    a.fit(sources[:64], targets[:64])
    for p, q in zip(before, a.network_.parameters()):
        torch.testing.assert_close(p, q)


def test_fit_leaves_inputs_and_parameters_unchanged(pairs):
    (sources, targets), _ = pairs
    src, tgt = list(sources[:40]), list(targets[:40])
    est = Seq2Seq(**FAST)
    params = est.get_params()
    est.fit(src, tgt, validation_data=(src[:5], tgt[:5]))
    assert src == sources[:40] and tgt == targets[:40] and est.get_params() == params


def test_save_and_load_keep_predictions(reverser, pairs, tmp_path):
    _, (sources, _) = pairs
    path = tmp_path / "model.zip"
    reverser.save(path)
    loaded = Seq2Seq.load(path)
    assert loaded.get_params() == reverser.get_params()
    assert loaded.target_vocabulary_ == reverser.target_vocabulary_
    for width in (1, 3):
        a = reverser.predict_with_scores(sources[:30], beam_width=width)
        b = loaded.predict_with_scores(sources[:30], beam_width=width)
        assert a[0] == b[0]
        np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(loaded.predict_attention("abc")[0],
                                  reverser.predict_attention("abc")[0])


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / "not-a-model.zip"
    path.write_text("hello")
    with pytest.raises(ModelFileError, match="is not a tsforecast model file"):
        Seq2Seq.load(path)


# ---------------------------------------------------------------------- errors
def test_unfitted_model_raises():
    with pytest.raises(NotFittedError):
        Seq2Seq().predict(["1+1"])


def test_unknown_characters_are_named(reverser):
    with pytest.raises(ValueError, match=r"Source 1 \('abz!'\) holds the character\(s\) "
                                         r"\['!', 'z'\] that Seq2Seq did not see in fit"):
        reverser.predict(["abc", "abz!"])


@pytest.mark.parametrize("sources, targets, error, message", [
    ("abc", ["cba"], TypeError, "expects sources as a list of str, not one str"),
    ([], [], ValueError, "expects sources as a non-empty list of str"),
    (["abc", 3], ["cba", "3"], TypeError, "item 1 is int 3"),
    (["abc", "ab"], ["cba"], ValueError, "got 2 sources but 1 targets"),
    (["abc", ""], ["cba", "x"], ValueError, "Source 1 given to Seq2Seq has no tokens"),
])
def test_bad_data_is_reported(sources, targets, error, message):
    with pytest.raises(error, match=message):
        Seq2Seq(**FAST).fit(sources, targets)


@pytest.mark.parametrize("params, message", [
    (dict(attention="luong"), "'attention' parameter of Seq2Seq must be one of None, "
                              "'additive', 'dot', 'general'. Got 'luong'"),
    (dict(attention="dot", bidirectional=True), "cannot be 'dot' with bidirectional=True"),
    (dict(unit="byte"), "'unit' parameter of Seq2Seq must be one of 'char', 'word'"),
    (dict(hidden_size=0), "'hidden_size' parameter of Seq2Seq must be a positive int"),
    (dict(validation_size=1.0), r"'validation_size' parameter of Seq2Seq must be a float"),
])
def test_bad_parameters_are_reported(params, message):
    with pytest.raises(ValueError, match=message):
        Seq2Seq(**{**FAST, **params}).fit(["ab", "ba"], ["ba", "ab"])


def test_decoding_arguments_and_attention_without_attention(reverser):
    with pytest.raises(ValueError, match="'beam_width' parameter of Seq2Seq must be a positive"):
        reverser.predict(["abc"], beam_width=0)
    with pytest.raises(TypeError, match="expects one source str"):
        reverser.predict_attention(["abc"])
    plain = Seq2Seq(attention=None, **FAST).fit(["ab", "ba"] * 4, ["ba", "ab"] * 4)
    with pytest.raises(ValueError, match="has attention=None, so it has no attention weights"):
        plain.predict_attention("ab")


# ---------------------------------------------------------------------- the network and data
def test_network_outputs_one_distribution_per_target_step():
    net = Seq2SeqNet(6, 7, embedding_size=4, hidden_size=8, peeky=True)
    logits = net(torch.randint(3, 6, (3, 5)), torch.tensor([5, 2, 4]), torch.randint(1, 7, (3, 4)))
    assert logits.shape == (3, 4, 7)


def test_padding_does_not_change_the_encoding():
    torch.manual_seed(0)
    net = Seq2SeqNet(6, 7, embedding_size=4, hidden_size=8, bidirectional=True).eval()
    source = torch.tensor([[3, 4, 5]])
    padded = torch.tensor([[3, 4, 5, 0, 0]])
    a = net(source, torch.tensor([3]), torch.tensor([[1, 4]]))
    b = net(padded, torch.tensor([3]), torch.tensor([[1, 4]]))
    torch.testing.assert_close(a, b)


def test_addition_and_date_datasets_have_the_reference_split():
    (train_q, train_a), (val_q, val_a) = load_addition()
    assert (len(train_q), len(train_a), len(val_q), len(val_a)) == (45000, 45000, 5000, 5000)
    assert (train_q[0], train_a[0], val_q[0], val_a[0]) == ("71+118", "189", "77+85", "162")
    assert all(int(a) + int(b) == int(s) for (a, b), s in
               zip((q.split("+") for q in train_q[:1000]), train_a[:1000]))
    train_q.append("x")  # callers get their own lists
    assert len(load_addition()[0][0]) == 45000
    (train_q, train_a), (val_q, val_a) = load_date()
    assert (len(train_q), len(val_q)) == (45000, 5000)
    assert (train_q[0], train_a[0]) == ("2/7/72", "1972-02-07")
    assert "september 27, 1994" in train_q + val_q


# ---------------------------------------------------------------------- the benchmark scripts
@pytest.mark.slow
@pytest.mark.parametrize("script", ["seq2seq_addition.py", "seq2seq_date.py"])
def test_benchmark_scripts_run_in_quick_mode(script, tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, str(root / "benchmarks" / script), "--quick",
                           "--out", str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    stem = script.removesuffix(".py")
    results = json.loads((tmp_path / f"{stem}.json").read_text())
    assert results["command"].endswith(f"{script} --quick --out {tmp_path}")
    if stem == "seq2seq_addition":
        assert [r["variant"] for r in results["variants"]] == [
            "plain", "reversed", "peeky", "reversed + peeky"]
        assert all(0 <= r["accuracy"] <= 1 and r["epochs"] == 1 for r in results["variants"])
    else:
        assert 0 <= results["accuracy greedy"] <= 1
        assert (tmp_path / "seq2seq_date_attention.png").stat().st_size > 10_000
    assert (tmp_path / f"{stem}.md").read_text().startswith("Produced by `OMP_NUM_THREADS=1")
