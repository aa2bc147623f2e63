"""Text classification: a recurrent or convolutional encoder summarised into class probabilities.

:class:`SentimentClassifier` is the many-to-one model of the movie-review
example: token embeddings, an LSTM/GRU (optionally bidirectional) or a 1-D
convolution over them, a summary of the positions (mean, max or attention
pooling) and a softmax over the classes. It is built on
:class:`~tsforecast.nlp._base.TextEstimator`, so parameters, seeding,
training and save/load are the ones of every text model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import torch
from sklearn.base import ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._atomic import atomic_fit
from .._persistence import EPOCH, HISTORY, STRINGS, fitted_schema
from ..data.splits import n_rows
from ..models.seq2seq import RecurrentEncoder
from ..utils.validation import check_bool, check_float, check_int, check_options
from ._base import TextEstimator
from .vocab import UNITS, Vocabulary, check_texts, pad_ids, tokenize
from .word2vec import vectors_of

__all__ = ["SentimentNet", "SentimentClassifier"]

PAD, UNK = "<pad>", "<unk>"  # ids 0 and 1
ENCODERS, POOLINGS = ("gru", "lstm", "cnn"), ("max", "mean", "attention")
KERNEL_SIZES = (3, 4, 5)  # Kim (2014)
_NET = ("embedding_size", "hidden_size", "encoder", "bidirectional", "pooling", "dropout",
        "word_dropout")  # SentimentClassifier's parameters that shape SentimentNet
_FITTED = fitted_schema(vocabulary=STRINGS, classes={"type": "array", "minItems": 2},
                        history=HISTORY, best_epoch=EPOCH)


class SentimentNet(nn.Module):
    """Embedding, encoder, pooling over the real tokens, and a linear layer onto the classes.

    Inputs: ``tokens`` (B, L) ids padded with 0 and ``lengths`` (B,).
    Output: logits (B, C). The encoder is a recurrent layer (read packed, so
    padding never enters it) or convolutions of widths 3, 4 and 5 with
    ``hidden_size`` filters each; the pooling sees only the real positions.
    Embeddings start ~ U(-0.25, 0.25) as Kim's (2014) random vectors (small
    enough for Adam's steps to move them); in training a ``word_dropout``
    share of the tokens is read as ``"<unk>"`` (id 1).
    """

    def __init__(self, vocab_size, n_classes, *, embedding_size=128, hidden_size=64,
                 encoder="gru", bidirectional=True, pooling="max", dropout=0.5, word_dropout=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_size, padding_idx=0)
        self.embedding.weight.data.uniform_(-0.25, 0.25)[0] = 0.0  # Kim's (2014) random vectors
        self.dropout = nn.Dropout(dropout)
        if encoder == "cnn":
            self.convs = nn.ModuleList(nn.Conv1d(embedding_size, hidden_size, k, padding=k // 2)
                                       for k in KERNEL_SIZES)
            width = hidden_size * len(KERNEL_SIZES)
        else:
            self.convs = None
            self.rnn = RecurrentEncoder(encoder, embedding_size, hidden_size,
                                        bidirectional=bidirectional)
            width = self.rnn.key_size
        self.pooling, self.word_dropout = pooling, word_dropout
        self.score = nn.Linear(width, 1) if pooling == "attention" else None
        self.out = nn.Linear(width, n_classes)

    def forward(self, tokens, lengths):
        L = tokens.shape[1]
        if self.training and self.word_dropout:  # whole words read as "<unk>" (id 1)
            drop = torch.rand(tokens.shape, device=tokens.device) < self.word_dropout
            tokens = tokens.masked_fill(drop & (tokens > 0), 1)
        x = self.dropout(self.embedding(tokens))  # -> (B, L, E)
        if self.convs is not None:
            h = torch.cat([torch.relu(conv(x.transpose(1, 2)))[..., :L] for conv in self.convs],
                          dim=1).transpose(1, 2)  # -> (B, L, D)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True,
                                                       enforce_sorted=False)
            h, _ = self.rnn(packed)
            h = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=L)[0]
        pad = (torch.arange(L, device=tokens.device) >= lengths[:, None])[..., None]  # (B, L, 1)
        if self.pooling == "max":
            summary = h.masked_fill(pad, float("-inf")).max(dim=1).values
        elif self.pooling == "mean":
            summary = h.masked_fill(pad, 0.0).sum(dim=1) / lengths[:, None].to(h.dtype)
        else:  # a learnt score per position, softmax over the real ones (Yang et al., 2016)
            weights = torch.softmax(self.score(torch.tanh(h)).masked_fill(pad, float("-inf")), 1)
            summary = (weights * h).sum(dim=1)  # -> (B, D)
        return self.out(self.dropout(summary))  # -> (B, C)


def _collate(batch):
    rows, labels = zip(*batch)
    return pad_ids(rows), torch.as_tensor(labels)


class SentimentClassifier(ClassifierMixin, TextEstimator):
    """Text classifier: embeddings, a recurrent or convolutional encoder, pooling, softmax.

    Each text is split into tokens (see :func:`~tsforecast.nlp.tokenize`),
    embedded, read by a (bi)directional GRU or LSTM or by 1-D convolutions of
    widths 3, 4 and 5 (Kim, 2014), summarised by max, mean or attention
    pooling over its tokens, and mapped to class probabilities. Training
    minimises the cross-entropy with Adam; a random ``validation_size`` share
    of the texts chooses the best epoch and stops early, and with ``refit``
    the network is then trained again, from the same seed, on every text for
    that many epochs. Labels may be any
    sortable values (strings, ints, bools); tokens seen fewer than
    ``min_count`` times and tokens new at prediction become ``"<unk>"``, and
    in training ``word_dropout`` of the tokens are read as ``"<unk>"`` too.

    Parameters
    ----------
    encoder : {"gru", "lstm", "cnn"}, default="gru"
        Recurrent layer, or convolutions over the embeddings.
    unit : {"text", "word", "char"}, default="text"
        Tokens: lower-cased words and punctuation, whitespace-separated
        words as given, or characters.
    embedding_size : int, default=128
        Dimension of the token embeddings (that of ``embeddings`` when given).
    hidden_size : int, default=64
        Units per recurrent direction, or filters per convolution width.
    bidirectional : bool, default=True
        Recurrent encoders also read each text backwards (ignored by "cnn").
    pooling : {"max", "mean", "attention"}, default="max"
        Summary of the encoder's outputs over the real tokens.
    dropout : float, default=0.5
        On the embeddings and on the summary.
    word_dropout : float, default=0.25
        Share of a training text's tokens read as ``"<unk>"`` in each batch
        (whole words dropped, Iyyer et al., 2015), so that no single word
        decides; prediction reads every word.
    min_count : int, default=2
        Training tokens seen fewer times are replaced by ``"<unk>"``.
    embeddings : str, path-like, mapping or None, default=None
        Pre-trained word vectors that initialise the embedding of the words
        they cover: a file in word2vec's text format (e.g. from
        :meth:`Word2Vec.save_word2vec_format`) or a mapping word -> vector.
        :meth:`save` keeps a path; a mapping comes back None (the trained
        weights hold what it gave).

    Other Parameters
    ----------------
    learning_rate : float, default=3e-3
        Adam's learning rate.
    batch_size : int, default=128
        Texts per gradient step.
    max_epochs : int, default=10
        Most passes over the training texts.
    patience : int or None, default=2
        Early-stopping patience on the validation loss; None disables.
    validation_size : float or None, default=0.1
        Random share of the texts held out to pick the best epoch; None or 0
        trains ``max_epochs`` on everything.
    refit : bool, default=False
        After early stopping, train afresh (same seed) on all the texts,
        validation share included, for the number of epochs it chose
        (``best_epoch_ + 1``), and keep that network and its vocabulary.
        False keeps the best epoch's network, which never saw the validation
        share. No effect without validation. Off by default: it measured no
        gain on the sentence polarity benchmark for 1.6 times the fit time.
    random_state : int or None, default=None
        Seed of the weights, the split and the batch order.
    verbose : bool or None, default=None
        Progress bar; None shows it when standard error is a terminal.
    trainer_kwargs : dict or None, default=None
        Extra arguments for ``pytorch_lightning.Trainer``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted; column ``k`` of :meth:`predict_proba` is ``classes_[k]``.
    vocabulary_ : list of str
        Tokens by id; ids 0 and 1 are ``"<pad>"`` and ``"<unk>"``.
    network_ : SentimentNet
        The trained network (with ``refit``, the one trained on every text).
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss`` and, with validation, ``val_loss``
        (of the run with validation, which chose the epochs).
    best_epoch_ : int or None
        Epoch (from 0) of the lowest validation loss, whose weights were kept
        or, with ``refit``, how many epochs (plus one) the refit trained
        (None without validation).

    See Also
    --------
    tsforecast.nlp.datasets.load_sentence_polarity : The movie-review benchmark set.
    tsforecast.nlp.Word2Vec : Word vectors to start from (``embeddings=``).

    References
    ----------
    Kim, Y. (2014). Convolutional neural networks for sentence classification. *EMNLP*.
    Iyyer, M. et al. (2015). Deep unordered composition rivals syntactic methods
    for text classification. *ACL*.
    Yang, Z. et al. (2016). Hierarchical attention networks for document
    classification. *NAACL*.
    Pang, B. & Lee, L. (2005). Seeing stars: exploiting class relationships for
    sentiment categorization with respect to rating scales. *ACL*.

    Examples
    --------
    >>> from tsforecast.nlp import SentimentClassifier
    >>> texts = ["a great film", "a dull film", "great fun", "dull and long"] * 8
    >>> labels = ["pos", "neg", "pos", "neg"] * 8
    >>> model = SentimentClassifier(hidden_size=8, embedding_size=8, max_epochs=1,
    ...     random_state=0, trainer_kwargs={"accelerator": "cpu"}).fit(texts, labels)
    >>> model.classes_.tolist(), model.predict_proba(["great"]).shape
    (['neg', 'pos'], (1, 2))
    """

    _fitted_schema = _FITTED

    def __init__(self, encoder="gru", *, unit="text", embedding_size=128, hidden_size=64,
                 bidirectional=True, pooling="max", dropout=0.5, word_dropout=0.25, min_count=2,
                 embeddings=None, learning_rate=3e-3, batch_size=128, max_epochs=10, patience=2,
                 validation_size=0.1, refit=False, random_state=None, verbose=None,
                 trainer_kwargs=None):
        super().__init__(learning_rate=learning_rate, batch_size=batch_size, max_epochs=max_epochs,
                         random_state=random_state, verbose=verbose, trainer_kwargs=trainer_kwargs)
        self.encoder, self.unit, self.embeddings, self.refit = encoder, unit, embeddings, refit
        self.embedding_size, self.hidden_size, self.pooling = embedding_size, hidden_size, pooling
        self.bidirectional, self.dropout, self.word_dropout = bidirectional, dropout, word_dropout
        self.min_count, self.patience, self.validation_size = min_count, patience, validation_size

    def _check_own_params(self):
        for name, options in (("encoder", ENCODERS), ("unit", UNITS), ("pooling", POOLINGS)):
            check_options(self, name, getattr(self, name), options)
        for name in ("embedding_size", "hidden_size", "min_count"):
            check_int(self, name, getattr(self, name))
        for name in ("bidirectional", "refit"):
            check_bool(self, name, getattr(self, name))
        for name in ("dropout", "word_dropout"):
            check_float(self, name, getattr(self, name), low=0.0, high=1.0, high_open=True)
        if not isinstance(self.embeddings, (str, os.PathLike, Mapping, type(None))):
            raise TypeError(f"The 'embeddings' parameter of SentimentClassifier must be a path "
                            f"to a word2vec text file, a mapping word -> vector, or None. Got "
                            f"{type(self.embeddings).__name__} instead.")

    @atomic_fit
    def fit(self, texts, labels):
        """Learn to tell the classes of ``texts`` apart, from scratch.

        Parameters
        ----------
        texts : list of str
        labels : array-like of shape (n_texts,)
            The class of each text (any sortable values).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self._check_params()
        texts, labels = check_texts(self, texts), np.asarray(labels)
        if labels.ndim != 1 or len(labels) != len(texts):
            raise ValueError(f"SentimentClassifier.fit needs one label per text, but got "
                             f"{len(texts)} texts and labels of shape {labels.shape}.")
        self.classes_, y = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"SentimentClassifier.fit needs at least 2 classes; every label "
                             f"is {self.classes_.tolist()[0]!r}. Pass texts of several classes.")
        seed, tokens = self._seed(), [tokenize(t, self.unit) for t in texts]
        order = np.random.default_rng(seed).permutation(len(texts))
        n_val = n_rows(self.validation_size, len(texts), "validation_size", type(self).__name__)
        self.vocabulary_ = Vocabulary.from_tokens(
            [w for i in order[n_val:] for w in tokens[i]], min_count=self.min_count,
            specials=(PAD, UNK)).tokens
        rows = self._encode(tokens)

        def loader(idx, shuffle):
            return torch.utils.data.DataLoader(
                [(rows[i], y[i]) for i in idx], batch_size=self.batch_size, shuffle=shuffle,
                collate_fn=_collate, generator=torch.Generator().manual_seed(seed))

        self._train(seed, loader(order[n_val:], True), loader(order[:n_val], False) if n_val
                    else None, loss=nn.CrossEntropyLoss(), patience=self.patience)
        if self.refit and self.best_epoch_ is not None:  # the chosen epochs on every text
            final = clone(self).set_params(validation_size=None, random_state=seed,
                                           max_epochs=self.best_epoch_ + 1).fit(texts, labels)
            self.vocabulary_, self.network_ = final.vocabulary_, final.network_
        return self

    def _encode(self, tokens):
        vocab = Vocabulary(self.vocabulary_, unknown=UNK)
        return [vocab.encode(t).tolist() or [1] for t in tokens]  # an empty text reads "<unk>"

    def _make_network(self):
        return SentimentNet(len(self.vocabulary_), len(self.classes_),
                            **{name: getattr(self, name) for name in _NET})

    def _initialise_network(self, network):
        found = {} if self.embeddings is None else vectors_of(self.vocabulary_, self.embeddings)
        for i, vector in found.items():
            if vector.shape != (self.embedding_size,):
                raise ValueError(f"The 'embeddings' of SentimentClassifier have {vector.size} "
                                 f"dimensions but embedding_size={self.embedding_size}. Set "
                                 f"embedding_size={vector.size}.")
            network.embedding.weight.data[i] = torch.from_numpy(vector)

    def predict_proba(self, texts):
        """Class probabilities of each text.

        Parameters
        ----------
        texts : list of str

        Returns
        -------
        ndarray of shape (n_texts, n_classes)
            Column ``k`` is the probability of ``classes_[k]``; rows sum to 1.
        """
        check_is_fitted(self)
        rows = self._encode([tokenize(t, self.unit) for t in check_texts(self, texts)])
        with torch.no_grad():  # 512 texts at a time
            out = [self.network_(*pad_ids(rows[i:i + 512])) for i in range(0, len(rows), 512)]
        return torch.softmax(torch.cat(out), dim=-1).double().numpy()

    def predict(self, texts):
        """The most probable class of each text.

        Parameters
        ----------
        texts : list of str

        Returns
        -------
        ndarray of shape (n_texts,)
        """
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def _fitted_state(self):
        return {"vocabulary": self.vocabulary_, "classes": self.classes_.tolist()}

    def _restore(self, state):
        self.vocabulary_, self.classes_ = state["vocabulary"], np.asarray(state["classes"])
