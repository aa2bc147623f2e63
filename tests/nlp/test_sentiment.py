"""SentimentClassifier: learning, scikit-learn conventions, padding, vectors, the data loader."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from tsforecast.nlp import SentimentClassifier
from tsforecast.nlp.datasets import POLARITY_ENV, load_sentence_polarity
from tsforecast.nlp.sentiment import SentimentNet

CPU = {"accelerator": "cpu"}
SMALL = dict(embedding_size=16, hidden_size=16, batch_size=16, max_epochs=10, min_count=1,
             learning_rate=1e-2, patience=None, random_state=0, verbose=False,
             trainer_kwargs=CPU)


def reviews(n=240, seed=0):
    """Sentences whose class is carried by one word among neutral filler, in any position."""
    rng = np.random.default_rng(seed)
    filler = "the film plot actors story scenes music camera and it was a".split()
    good, bad = ["great", "wonderful", "moving"], ["boring", "awful", "dull"]
    texts, labels = [], []
    for i in range(n):
        words = list(rng.choice(filler, size=rng.integers(4, 12)))
        positive = i % 2 == 0
        words.insert(rng.integers(len(words) + 1), rng.choice(good if positive else bad))
        texts.append(" ".join(words))
        labels.append("pos" if positive else "neg")
    return texts, labels


TEXTS, LABELS = reviews()


@pytest.mark.parametrize("encoder", ["gru", "lstm", "cnn"])
def test_learns_the_words_that_carry_the_class(encoder):
    test_texts, test_labels = reviews(60, seed=1)
    model = SentimentClassifier(encoder, **SMALL).fit(TEXTS, LABELS)
    assert model.score(test_texts, test_labels) >= 0.9  # chance: 0.5
    assert list(model.classes_) == ["neg", "pos"]
    proba = model.predict_proba(["it was great", "it was awful"])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 1] > 0.5 > proba[1, 1]
    assert model.best_epoch_ is not None and "val_loss" in model.history_[0]


def test_labels_of_any_type_come_back_as_given():
    flags = [label == "pos" for label in LABELS]
    model = SentimentClassifier(**dict(SMALL, max_epochs=1)).fit(TEXTS, flags)
    assert model.classes_.tolist() == [False, True]
    assert set(model.predict(TEXTS[:10]).tolist()) <= {False, True}
    three = SentimentClassifier(**dict(SMALL, max_epochs=1)).fit(
        TEXTS, [i % 3 for i in range(len(TEXTS))])
    assert three.predict_proba(TEXTS[:4]).shape == (4, 3)


@pytest.mark.parametrize("encoder", ["gru", "lstm", "cnn"])
@pytest.mark.parametrize("pooling", ["max", "mean", "attention"])
def test_padding_never_changes_a_text_s_output(encoder, pooling):
    torch.manual_seed(0)
    net = SentimentNet(20, 3, embedding_size=8, hidden_size=6, encoder=encoder,
                       pooling=pooling, dropout=0.0).eval()
    short = torch.tensor([[3, 4, 5]])
    padded = torch.tensor([[3, 4, 5, 0, 0, 0, 0], [6, 7, 8, 9, 10, 11, 12]])
    alone = net(short, torch.tensor([3]))
    together = net(padded, torch.tensor([3, 7]))
    assert alone.shape == (1, 3)
    torch.testing.assert_close(together[:1], alone)


def test_word_dropout_reads_words_as_unk_in_training_only():
    torch.manual_seed(0)
    net = SentimentNet(50, 2, embedding_size=4, hidden_size=4, dropout=0.0, word_dropout=0.3)
    weight = net.embedding.weight.detach()
    assert weight[1:].abs().max() <= 0.25 and not weight[0].any()  # Kim's random vectors
    seen = []
    net.embedding.register_forward_hook(lambda module, args, out: seen.append(args[0]))
    tokens = torch.randint(2, 50, (200, 30))
    tokens[:, 20:] = 0  # padding
    lengths = torch.full((200,), 20)
    net.train()(tokens, lengths)
    dropped = seen[-1][:, :20] == 1
    assert 0.25 < dropped.float().mean() < 0.35  # ~ word_dropout of the real tokens
    torch.testing.assert_close(seen[-1][:, :20][~dropped], tokens[:, :20][~dropped])
    assert not seen[-1][:, 20:].any()  # padding stays padding
    net.eval()(tokens, lengths)
    torch.testing.assert_close(seen[-1], tokens)  # prediction reads every word


def test_works_in_a_pipeline_and_cross_val_score():
    shout = FunctionTransformer(lambda texts: [t.upper() for t in texts])
    pipe = make_pipeline(shout, SentimentClassifier(**SMALL))
    assert pipe.fit(TEXTS, LABELS).score(*reviews(40, seed=2)) >= 0.9  # "text" lower-cases
    scores = cross_val_score(SentimentClassifier(**SMALL), TEXTS, np.array(LABELS), cv=3)
    assert scores.shape == (3,) and scores.mean() >= 0.8


def test_refit_trains_the_chosen_epochs_on_every_text():
    """refit=True: early stopping on the validation share picks the epochs, then the same seed
    trains that many on all texts; refit=False keeps the best epoch's network."""
    texts = [f"{t} w{i}" for i, t in enumerate(TEXTS)]  # a word only this text has
    small = dict(SMALL, max_epochs=3, patience=1)
    refit = SentimentClassifier(refit=True, **small).fit(texts, LABELS)
    kept = SentimentClassifier(**small).fit(texts, LABELS)  # refit=False by default
    n_val = 24  # 10 % of 240 texts
    assert {f"w{i}" for i in range(240)} <= set(refit.vocabulary_)
    assert len(set(refit.vocabulary_) - set(kept.vocabulary_)) == n_val
    # the validated run's record is kept: it chose the number of epochs
    assert refit.history_ == kept.history_ and refit.best_epoch_ == kept.best_epoch_
    assert "val_loss" in refit.history_[0]
    by_hand = SentimentClassifier(**dict(small, validation_size=None,
                                         max_epochs=kept.best_epoch_ + 1)).fit(texts, LABELS)
    assert by_hand.best_epoch_ is None and len(by_hand.history_) == kept.best_epoch_ + 1
    assert by_hand.vocabulary_ == refit.vocabulary_
    np.testing.assert_allclose(refit.predict_proba(texts[:20]), by_hand.predict_proba(texts[:20]),
                               rtol=1e-5, atol=1e-6)
    assert not np.allclose(refit.predict_proba(texts[:20]), kept.predict_proba(texts[:20]))
    # without a validation share there is nothing to refit: one run of max_epochs
    plain = SentimentClassifier(**dict(small, validation_size=None)).fit(texts, LABELS)
    assert plain.best_epoch_ is None and len(plain.history_) == 3


def test_unknown_and_rare_words_read_as_unk():
    model = SentimentClassifier(**dict(SMALL, max_epochs=1, min_count=2)).fit(
        TEXTS + ["zyzzyva great"], LABELS + ["pos"])
    assert "zyzzyva" not in model.vocabulary_ and model.vocabulary_[:2] == ["<pad>", "<unk>"]
    np.testing.assert_array_equal(model.predict_proba(["qwerty", ""]),
                                  model.predict_proba(["zyzzyva", "zyzzyva"]))


def test_pretrained_vectors_initialise_the_embedding(tmp_path):
    vector = np.linspace(-1, 1, 16).astype(np.float32)
    tiny_steps = dict(SMALL, max_epochs=1, learning_rate=1e-9)
    model = SentimentClassifier(embeddings={"great": vector, "absent": vector},
                                **tiny_steps).fit(TEXTS, LABELS)
    row = model.network_.embedding.weight[model.vocabulary_.index("great")].detach().numpy()
    np.testing.assert_allclose(row, vector, atol=1e-6)
    with pytest.warns(UserWarning, match="save does not store the 'embeddings' parameter"):
        model.save(tmp_path / "m.zip")
    assert SentimentClassifier.load(tmp_path / "m.zip").embeddings is None
    path = tmp_path / "vectors.txt"
    path.write_text("1 3\ngreat 1 2 3\n")
    with pytest.raises(ValueError, match="have 3 dimensions but embedding_size=16. Set "
                                         "embedding_size=3"):
        SentimentClassifier(embeddings=path, **tiny_steps).fit(TEXTS, LABELS)
    fitted = SentimentClassifier(embeddings=str(path), **dict(tiny_steps, embedding_size=3))
    fitted.fit(TEXTS, LABELS).save(tmp_path / "p.zip")
    assert SentimentClassifier.load(tmp_path / "p.zip").embeddings == str(path)


def test_bad_inputs_name_what_to_fix():
    model = SentimentClassifier(**SMALL)
    with pytest.raises(TypeError, match="expects texts as a list of str, not one str"):
        model.fit("a great film", ["pos"])
    with pytest.raises(ValueError, match="needs one label per text, but got 3 texts"):
        model.fit(TEXTS[:3], LABELS[:2])
    with pytest.raises(ValueError, match="needs at least 2 classes; every label is 'pos'"):
        model.fit(TEXTS[:3], ["pos"] * 3)
    with pytest.raises(ValueError, match="The 'pooling' parameter .* one of 'max', 'mean', "
                                         "'attention'. Got 'sum'"):
        SentimentClassifier(pooling="sum").fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="'word_dropout' parameter"):
        SentimentClassifier(word_dropout=1.0).fit(TEXTS, LABELS)
    with pytest.raises(TypeError, match="The 'refit' parameter of SentimentClassifier must be a "
                                        "bool. Got 'yes'"):
        SentimentClassifier(refit="yes").fit(TEXTS, LABELS)
    with pytest.raises(TypeError, match="'embeddings' parameter .* Got list instead"):
        SentimentClassifier(embeddings=[1.0]).fit(TEXTS, LABELS)
    with pytest.raises(TypeError, match=r"item 1 is int 3\. Convert it with str\(\)"):
        model.fit(["a", 3], ["pos", "neg"])


# ------------------------------------------------------------------ the data loader
def test_load_sentence_polarity_decodes_mixed_files(tmp_path, monkeypatch):
    (tmp_path / "rt-polarity.pos").write_bytes(
        "a charming caf\u00e9 story .\n\n".encode() + "na\u00efve but sweet\n".encode("latin-1"))
    (tmp_path / "rt-polarity.neg").write_bytes(b"flat and dull . \n")
    texts, labels = load_sentence_polarity(tmp_path)
    assert texts == ["a charming caf\u00e9 story .", "na\u00efve but sweet", "flat and dull ."]
    assert labels.tolist() == [1, 1, 0] and labels.dtype == np.int64
    monkeypatch.setenv(POLARITY_ENV, str(tmp_path))
    assert load_sentence_polarity()[0] == texts


def test_load_sentence_polarity_says_where_it_looked(tmp_path, monkeypatch):
    (tmp_path / "rt-polarity.pos").write_text("fine\n")
    with pytest.raises(FileNotFoundError, match=r"not at .* \(the 'path' argument\): "
                                                r"rt-polarity.neg missing.*set \$"):
        load_sentence_polarity(tmp_path)
    monkeypatch.setenv(POLARITY_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=rf"nowhere \(\${POLARITY_ENV}\)"):
        load_sentence_polarity()
