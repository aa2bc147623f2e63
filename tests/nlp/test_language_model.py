"""RNNLM: stateful truncated-BPTT batching, the network, scoring, sampling and persistence."""

import inspect
import math
import pickle
import zipfile

import numpy as np
import pytest
import torch
from sklearn.base import clone
from torch.nn import functional as F

from tests.test_docs import documented_params
from tsforecast.exceptions import ModelFileError, NotFittedError
from tsforecast.nlp import RNNLM
from tsforecast.nlp.datasets import load_ptb, load_tiny_shakespeare
from tsforecast.nlp.language_model import LanguageModelNet, _StatefulTraining, _StreamChunks

CPU = {"accelerator": "cpu"}
TINY = dict(embedding_size=16, hidden_size=16, n_layers=1, bptt=8, batch_size=4,
            max_epochs=1, random_state=0, trainer_kwargs=CPU)
# A cycle of 8 words: after any word the next one is certain, so a model that
# learnt it has a perplexity near 1 (against 9 for guessing among the 8 words and <eos>).
CYCLE = "a b c d e f g h"
FAST_LEARNER = dict(TINY, embedding_size=32, hidden_size=32, optimizer="adam",
                    learning_rate=1e-2, clip=1.0, dropout=0.0, max_epochs=8)


@pytest.fixture(scope="module")
def cycle_model():
    return RNNLM(**FAST_LEARNER).fit([CYCLE] * 60, validation=[CYCLE] * 5)


@pytest.fixture(scope="module")
def ptb_model():
    """A tiny word model on the first PTB sentences (its vocabulary has <unk>)."""
    lines = [" ".join(s) for s in load_ptb("train", as_sentences=True)[:300]]
    return RNNLM(**dict(TINY, bptt=12)).fit(lines)


# ------------------------------------------------------------------ batching
def test_streams_are_read_in_consecutive_chunks_and_targets_are_shifted():
    ids = np.arange(23)
    chunks = _StreamChunks(ids, n_streams=2, bptt=4)
    # 2 streams of 11 tokens from offsets 0 and 11; the 23rd token is dropped
    assert len(chunks) == 3  # 10 input positions per stream in chunks of 4, 4, 2
    xs, ys = zip(*(chunks[i] for i in range(len(chunks))))
    assert [x.shape for x in xs] == [(2, 4), (2, 4), (2, 2)]
    x, y = torch.cat(xs, dim=1), torch.cat(ys, dim=1)
    assert x.tolist() == [list(range(0, 10)), list(range(11, 21))]
    assert y.tolist() == [list(range(1, 11)), list(range(12, 22))]


def test_the_training_loader_is_never_shuffled():
    lm = RNNLM(**dict(TINY, max_epochs=2))
    seen = []

    import pytorch_lightning as pl

    class Spy(pl.Callback):
        def on_train_batch_start(self, trainer, module, batch, batch_idx):
            seen.append(batch[0][:, 0].tolist())

    lm.set_params(trainer_kwargs={**CPU, "callbacks": [Spy()]}).fit([CYCLE] * 10)
    half = len(seen) // 2
    assert seen[:half] == seen[half:]  # both epochs read the same chunks in the same order
    assert half == len(_StreamChunks(np.zeros(90), 4, 8))


def _module(tie_weights=False, seed=0):
    torch.manual_seed(seed)
    net = LanguageModelNet(12, embedding_size=8, hidden_size=8, n_layers=2, dropout=0.0,
                           tie_weights=tie_weights)
    return _StatefulTraining(net, optimizer="sgd", learning_rate=1.0, lr_decay=None)


def test_hidden_state_is_carried_across_chunks_and_reset_each_epoch():
    module = _module()
    chunk1 = (torch.tensor([[0, 1, 2, 3]]), torch.tensor([[1, 2, 3, 4]]))
    chunk2 = (torch.tensor([[4, 5, 6, 7]]), torch.tensor([[5, 6, 7, 8]]))
    module.on_train_epoch_start()
    module.training_step(chunk1, 0)
    carried = module.training_step(chunk2, 1)
    module.on_train_epoch_start()
    assert module._state is None
    fresh = module.training_step(chunk2, 0)
    assert not torch.isclose(carried, fresh)
    # after the reset, the state is that of reading chunk 2 from zeros
    with torch.no_grad():
        _, (h, c) = module.network(torch.tensor([[4, 5, 6, 7]]))
    assert torch.allclose(module._state[0], h) and torch.allclose(module._state[1], c)


def test_gradients_stop_at_the_chunk_boundary():
    module = _module(tie_weights=False)
    chunk1 = (torch.tensor([[0, 1, 2, 3]]), torch.tensor([[1, 2, 3, 4]]))
    chunk2 = (torch.tensor([[4, 5, 6, 7]]), torch.tensor([[5, 6, 7, 8]]))
    module.on_train_epoch_start()
    module.training_step(chunk1, 0)
    assert all(not s.requires_grad for s in module._state)  # detached between chunks
    module.network.zero_grad()
    module.training_step(chunk2, 1).backward()
    grad = module.network.embedding.weight.grad
    # the embeddings of chunk 1's tokens shaped the carried state but get no gradient
    assert torch.all(grad[[0, 1, 2, 3]] == 0)
    assert torch.all(grad[[4, 5, 6, 7]].abs().sum(dim=1) > 0)
    # without truncation (one pass over both chunks) they would get one
    module.network.zero_grad()
    logits, _ = module.network(torch.tensor([[0, 1, 2, 3, 4, 5, 6, 7]]))
    F.cross_entropy(logits[0, 4:], torch.tensor([5, 6, 7, 8])).backward()
    assert torch.all(module.network.embedding.weight.grad[[0, 1, 2, 3]].abs().sum(dim=1) > 0)


def test_validation_decays_the_learning_rate_on_a_plateau():
    module = _StatefulTraining(_module().network, optimizer="adam", learning_rate=1e-3,
                               lr_decay=0.5)
    assert isinstance(module.configure_optimizers(), torch.optim.Adam)  # no validation
    module.monitor_validation = True
    config = module.configure_optimizers()
    scheduler = config["lr_scheduler"]
    assert scheduler["monitor"] == "val_loss" and scheduler["strict"] is False
    assert isinstance(scheduler["scheduler"], torch.optim.lr_scheduler.ReduceLROnPlateau)
    assert scheduler["scheduler"].factor == 0.5


# ------------------------------------------------------------------ network
def test_tied_weights_are_one_parameter():
    net = LanguageModelNet(10, embedding_size=6, hidden_size=6, tie_weights=True)
    assert net.decoder.weight is net.embedding.weight
    assert sum(p.numel() for p in net.parameters()) == sum(
        p.numel() for p in LanguageModelNet(10, embedding_size=6, hidden_size=6,
                                            tie_weights=False).parameters()) - 60
    untied = LanguageModelNet(10, embedding_size=6, hidden_size=6, tie_weights=False)
    assert untied.decoder.weight is not untied.embedding.weight
    lm = RNNLM(**TINY).fit([CYCLE] * 10)
    assert lm.network_.decoder.weight is lm.network_.embedding.weight


def test_network_uses_the_recurrent_stack_of_the_models_package():
    from tsforecast.models.recurrent import recurrent_stack

    net = LanguageModelNet(10, embedding_size=6, hidden_size=6, n_layers=2, cell="gru")
    assert type(net.rnn) is type(recurrent_stack(6, 6, 2, cell="gru"))
    logits, state = net(torch.zeros(3, 5, dtype=torch.long))
    assert logits.shape == (3, 5, 10) and state.shape == (2, 3, 6)


# ------------------------------------------------------------------ scoring
def test_perplexity_is_exp_of_the_mean_nll_computed_by_hand(cycle_model):
    text = "a b c d x e f g h a b"  # x is unknown: the vocabulary has no <unk> -> error
    with pytest.raises(ValueError, match=r"1 word\(s\) that are not in the vocabulary.*'x'"):
        cycle_model.perplexity(text)
    text = "a b c d b e f g h a b c\nd e f"
    lm = cycle_model
    ids = torch.tensor([lm.token_to_id_[t] for t in (*text.split("\n")[0].split(), "<eos>",
                                                     "d", "e", "f", "<eos>")])
    with torch.no_grad():
        logits, _ = lm.network_(ids[None])  # one pass, no chunks
    nll = -F.log_softmax(logits[0, :-1], dim=-1)[torch.arange(len(ids) - 1), ids[1:]]
    assert lm.loss_per_token(text) == pytest.approx(nll.mean().item(), rel=1e-5)
    assert lm.perplexity(text) == pytest.approx(math.exp(nll.mean().item()), rel=1e-5)


def test_learns_a_repetitive_text(cycle_model):
    vocab = len(cycle_model.vocabulary_)
    assert vocab == 9  # 8 words and <eos>
    assert cycle_model.perplexity(CYCLE + "\n" + CYCLE) < 1.5  # far below 9
    history = cycle_model.history_
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert "val_loss" in history[0] and cycle_model.best_epoch_ is not None
    # a shuffled text is much less likely than the learnt order
    assert cycle_model.perplexity("h g f e d c b a") > 5 * cycle_model.perplexity(CYCLE)


def test_unknown_words_become_unk_when_the_vocabulary_has_it(ptb_model):
    assert "<unk>" in ptb_model.vocabulary_
    assert ptb_model.perplexity("the zyzzyva company said") == pytest.approx(
        ptb_model.perplexity("the <unk> company said"))


def test_char_unit_scores_characters():
    text = "abcabcabd\n" * 30
    lm = RNNLM("char", **dict(TINY, max_epochs=2)).fit(text)
    assert sorted(lm.vocabulary_) == ["\n", "a", "b", "c", "d"]
    assert lm.loss_per_token("abcab") == pytest.approx(math.log(lm.perplexity("abcab")))
    out = lm.generate("ab", n=7, random_state=0)
    assert isinstance(out, str) and len(out) == 7 and set(out) <= set("abcd\n")
    with pytest.raises(ValueError, match=r"not in the vocabulary of this RNNLM \('z'\)"):
        lm.loss_per_token("abz")


# ------------------------------------------------------------------ sampling
def test_top_k_1_is_greedy_and_continues_the_cycle(cycle_model):
    outs = {cycle_model.generate("a b c", n=12, top_k=1, random_state=s) for s in range(3)}
    assert len(outs) == 1  # deterministic whatever the seed
    words = outs.pop().replace("\n", " <eos> ").split()
    assert words[:5] == ["d", "e", "f", "g", "h"]
    # a temperature near 0 is greedy too
    assert cycle_model.generate("a b c", n=12, temperature=1e-3, random_state=5) == \
        cycle_model.generate("a b c", n=12, top_k=1)


def test_temperature_flattens_the_distribution(ptb_model):
    def distinct(temperature):
        return len(set(ptb_model.generate("the", n=200, temperature=temperature,
                                          random_state=0).split()))

    assert distinct(0.3) < distinct(1.0) < distinct(3.0)
    assert ptb_model.generate("the", n=30, random_state=1) == \
        ptb_model.generate("the", n=30, random_state=1)
    sample = ptb_model.generate("the", n=30, top_k=5, random_state=0)
    assert len(sample.replace("\n", " <eos> ").split()) == 30


# ------------------------------------------------------------------ contract and errors
def test_parameters_documented_and_clone_round_trip():
    signature = [p for p in inspect.signature(RNNLM.__init__).parameters if p != "self"]
    assert sorted(documented_params(RNNLM)) == sorted(signature)
    lm = RNNLM(**TINY)
    assert clone(lm).get_params() == lm.get_params()
    assert not hasattr(clone(lm), "vocabulary_")


def test_same_seed_same_model_and_refit_starts_fresh():
    a = RNNLM(**TINY).fit([CYCLE] * 10)
    b = RNNLM(**TINY).fit([CYCLE] * 10)
    assert a.perplexity(CYCLE) == b.perplexity(CYCLE)
    b.fit(["x y z"] * 10)
    assert "a" not in b.vocabulary_ and sorted(b.vocabulary_) == ["<eos>", "x", "y", "z"]


@pytest.mark.parametrize("params, message", [
    (dict(unit="byte"), r"'unit' parameter of RNNLM must be one of 'word', 'char'"),
    (dict(cell="rnn"), r"'cell' parameter of RNNLM must be one of 'lstm', 'gru'"),
    (dict(dropout=1.0), r"'dropout' parameter of RNNLM must be a float in \[0.0, 1.0\)"),
    (dict(bptt=0), r"'bptt' parameter of RNNLM must be a positive int. Got 0"),
    (dict(optimizer="rmsprop"), r"'optimizer' parameter of RNNLM must be one of"),
    (dict(embedding_size=8, hidden_size=16),
     r"tie_weights=True .* 'embedding_size' must equal 'hidden_size'. Got embedding_size=8 "
     r"and hidden_size=16; make them equal or set tie_weights=False"),
])
def test_bad_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        RNNLM(**{**TINY, **params}).fit([CYCLE] * 10)


def test_bad_inputs_give_clear_errors():
    with pytest.raises(TypeError, match="RNNLM.fit expects text as a str or a list of str"):
        RNNLM(**TINY).fit(np.arange(10))
    with pytest.raises(ValueError, match=r"batch_size \* 2 = 8 tokens .* has 3 tokens"):
        RNNLM(**TINY).fit("a b")
    with pytest.raises(ValueError, match="validation text needs at least 2 tokens"):
        RNNLM(**TINY).fit([CYCLE] * 10, validation="")
    with pytest.raises(ValueError, match=r"validation text has 1 word\(s\) .*'q'"):
        RNNLM(**TINY).fit([CYCLE] * 10, validation="a b q")
    with pytest.raises(NotFittedError, match="not fitted yet"):
        RNNLM().perplexity("a b")
    with pytest.raises(NotFittedError):
        RNNLM().generate("a")


def test_generate_checks_its_arguments(cycle_model):
    with pytest.raises(ValueError, match="'temperature' parameter of RNNLM.generate"):
        cycle_model.generate("a", temperature=0)
    with pytest.raises(ValueError, match="'top_k' parameter of RNNLM.generate"):
        cycle_model.generate("a", top_k=0)
    with pytest.raises(TypeError, match="expects the prompt as a str"):
        cycle_model.generate(["a"])
    with pytest.raises(ValueError, match=r"prompt has 1 word\(s\) .*'zz'"):
        cycle_model.generate("a zz")
    assert len(cycle_model.generate("", n=5, random_state=0).replace("\n", " x ").split()) \
        >= 1  # an empty prompt starts a new sentence


# ------------------------------------------------------------------ persistence
def test_save_load_and_pickle_round_trip(cycle_model, tmp_path):
    path = tmp_path / "lm.zip"
    cycle_model.save(path)
    loaded = RNNLM.load(path)
    # trainer_kwargs JSON can store are kept, as for the forecasters (issue 18; they were
    # dropped silently before); the common nlp tests check the warning for the others
    assert loaded.get_params() == cycle_model.get_params()
    assert loaded.vocabulary_ == cycle_model.vocabulary_
    assert loaded.history_ == cycle_model.history_
    assert loaded.perplexity(CYCLE) == cycle_model.perplexity(CYCLE)
    assert loaded.network_.decoder.weight is loaded.network_.embedding.weight
    assert loaded.generate("a", n=10, random_state=3) == cycle_model.generate(
        "a", n=10, random_state=3)
    unpickled = pickle.loads(pickle.dumps(cycle_model))
    assert unpickled.perplexity(CYCLE) == cycle_model.perplexity(CYCLE)


def test_load_rejects_other_files(tmp_path, sine_series):
    from tsforecast import LSTMForecaster

    forecaster = tmp_path / "forecaster.zip"
    LSTMForecaster(lookback=24, horizon=6, max_epochs=1, trainer_kwargs=CPU).fit(
        sine_series).save(forecaster)
    with pytest.raises(ModelFileError, match="not a tsforecast-nlp-model file"):
        RNNLM.load(forecaster)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="not a tsforecast model file"):
        RNNLM.load(text)
    with zipfile.ZipFile(tmp_path / "empty.zip", "w"):
        pass
    with pytest.raises(ModelFileError):
        RNNLM.load(tmp_path / "empty.zip")


def test_tiny_shakespeare_split():
    train, validation = load_tiny_shakespeare()
    assert len(train) + len(validation) == 1_115_394
    assert len(train) == int(0.9 * 1_115_394)
    assert train.startswith("First Citizen:") and validation.endswith("\n")


@pytest.mark.slow
@pytest.mark.parametrize("script, stem", [("lm_ptb.py", "lm_ptb_small_quick"),
                                          ("char_shakespeare.py", "char_shakespeare_quick")])
def test_benchmark_scripts_run_in_quick_mode(script, stem, tmp_path):
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
    results = json.loads((tmp_path / f"{stem}.json").read_text())
    assert results["epochs_run"] == 1 and results["fit_cpu_s"] > 0
    assert "--quick" in results["command"]
    assert (tmp_path / f"{stem}.md").read_text().startswith("#")
