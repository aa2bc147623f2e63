"""word2vec: CBOW and skip-gram word vectors trained with negative sampling.

Both models learn two vectors per word, an *input* vector (the word vector
kept after training) and an *output* vector, by telling a word that occurs
near a context (label 1) from ``n_negatives`` words drawn from the unigram
distribution raised to 0.75 (label 0), with a logistic loss (Mikolov et al.,
2013). Skip-gram scores each context word against the centre word's input
vector; CBOW scores the centre word against the mean of the context words'
input vectors.

The training pairs are built with array operations, once per epoch: frequent
words are subsampled, each centre word draws a window size in
``[1, window_size]`` (nearer words count more), windows stop at sentence
ends, and the negatives of a batch are drawn in one call. Training runs
through the library's one Lightning module, as the forecasters do.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._atomic import atomic_fit
from .._training import TrainingModule, resolve_verbose, train_network
from ..utils.validation import (
    check_bool,
    check_dict,
    check_float,
    check_int,
    check_random_state,
)
from .similarity import analogy as _analogy
from .similarity import cos_similarity
from .similarity import most_similar as _most_similar
from .text import text_lines

__all__ = ["Word2VecNet", "CBOW", "SkipGram", "save_word2vec_format", "load_word2vec_format"]

#: Exponent of the unigram counts in the noise distribution (Mikolov et al., 2013).
NOISE_POWER = 0.75


class Word2VecNet(nn.Module):
    """Logits of target words given a context, from input and output word vectors.

    Inputs: ``context`` (B, C) word ids, padded with ``vocab_size`` (C = 1 for
    skip-gram: the centre word; C = 2 * window for CBOW: the context words),
    and ``targets`` (B, 1 + K) word ids: the true word, then K negatives.
    Output: (B, 1 + K) logits, the dot products of the mean input vector of
    the context with each target's output vector.
    """

    def __init__(self, vocab_size: int, vector_size: int):
        super().__init__()
        self.pad = vocab_size
        self.input_vectors = nn.Embedding(vocab_size + 1, vector_size, padding_idx=vocab_size)
        self.output_vectors = nn.Embedding(vocab_size, vector_size)
        # word2vec's initialisation: small random input vectors, zero output vectors
        nn.init.uniform_(self.input_vectors.weight, -0.5 / vector_size, 0.5 / vector_size)
        with torch.no_grad():
            self.input_vectors.weight[vocab_size].zero_()
        nn.init.zeros_(self.output_vectors.weight)

    def forward(self, context, targets):
        n_context = (context != self.pad).sum(dim=1, keepdim=True).clamp(min=1)  # -> (B, 1)
        # the padding row is zero, so the sum runs over the real context words
        hidden = self.input_vectors(context).sum(dim=1) / n_context  # -> (B, D)
        out = self.output_vectors(targets)  # -> (B, 1 + K, D)
        return torch.bmm(out, hidden.unsqueeze(2)).squeeze(2)  # -> (B, 1 + K)


class _Batches(torch.utils.data.IterableDataset):
    """Training batches of one epoch, drawn afresh (subsampling, windows, negatives) each epoch.

    Yields ``((context, targets), labels)`` as :class:`Word2VecNet` and
    ``BCEWithLogitsLoss`` expect them.
    """

    def __init__(self, ids, sentence, keep_prob, noise_cdf, *, cbow, window_size, n_negatives,
                 batch_size, seed):
        super().__init__()
        self.ids, self.sentence, self.keep_prob = ids, sentence, keep_prob
        self.noise_cdf, self.cbow, self.window = noise_cdf, cbow, window_size
        self.n_negatives, self.batch_size = n_negatives, batch_size
        self.pad = len(noise_cdf)
        self.rng = np.random.default_rng(seed)

    def examples(self):
        """(context (N, C), true target (N,)) for one epoch, shuffled."""
        rng = self.rng
        keep = rng.random(len(self.ids)) < self.keep_prob[self.ids]
        ids, sentence = self.ids[keep], self.sentence[keep]
        n = len(ids)
        reach = rng.integers(1, self.window + 1, size=n)  # each centre's window size
        if self.cbow:
            context = np.full((n, 2 * self.window), self.pad, dtype=np.int64)
            for k, offset in enumerate([*range(-self.window, 0), *range(1, self.window + 1)]):
                lo, hi = max(0, -offset), min(n, n - offset)
                centre = np.arange(lo, hi)
                ok = (sentence[centre] == sentence[centre + offset]) & (abs(offset) <= reach[lo:hi])
                context[centre[ok], k] = ids[centre[ok] + offset]
            has_context = (context != self.pad).any(axis=1)
            context, target = context[has_context], ids[has_context]
        else:
            centres, targets = [], []
            for offset in range(1, self.window + 1):
                left, right = np.arange(n - offset), np.arange(offset, n)
                same = sentence[left] == sentence[right]
                forward = same & (offset <= reach[left])  # left is the centre
                backward = same & (offset <= reach[right])  # right is the centre
                centres += [ids[left[forward]], ids[right[backward]]]
                targets += [ids[right[forward]], ids[left[backward]]]
            context = np.concatenate(centres)[:, None]
            target = np.concatenate(targets)
        order = rng.permutation(len(target))
        return context[order], target[order]

    def __iter__(self):
        context, target = self.examples()
        labels = None
        for start in range(0, len(target), self.batch_size):
            ctx = context[start:start + self.batch_size]
            size = len(ctx)
            noise = np.searchsorted(self.noise_cdf, self.rng.random((size, self.n_negatives)),
                                    side="right")
            noise = np.minimum(noise, self.pad - 1)  # guards against cdf[-1] rounding below 1
            targets = np.concatenate([target[start:start + size, None], noise], axis=1)
            if labels is None or len(labels) != size:
                labels = torch.zeros(size, 1 + self.n_negatives)
                labels[:, 0] = 1.0
            yield (torch.from_numpy(ctx), torch.from_numpy(targets)), labels


def _sentences(corpus, name):
    """Check the corpus and return it as a list of token sequences."""
    if isinstance(corpus, str):
        raise TypeError(
            f"{name}.fit expects tokens (a list of str) or sentences (a list of lists of "
            f"str), not one str. Split the text first, e.g. with "
            f"tsforecast.nlp.tokenize(text)."
        )
    if isinstance(corpus, np.ndarray) and corpus.ndim == 1 and corpus.dtype.kind in "US":
        corpus = corpus.tolist()
    if not isinstance(corpus, (Sequence, np.ndarray)) or len(corpus) == 0:
        what = "an empty corpus" if hasattr(corpus, "__len__") else type(corpus).__name__
        raise ValueError(f"{name}.fit expects a non-empty list of tokens or of sentences. "
                         f"Got {what} instead.")
    if all(isinstance(t, str) for t in corpus):
        return [list(corpus)]
    for i, sentence in enumerate(corpus):
        if isinstance(sentence, str) or not isinstance(sentence, (Sequence, np.ndarray)) or \
                not all(isinstance(t, str) for t in sentence):
            raise TypeError(
                f"{name}.fit expects tokens (a list of str) or sentences (a list of lists of "
                f"str). Item {i} is {type(sentence).__name__} {str(sentence)[:40]!r}. Word "
                f"ids from preprocess or load_ptb are not accepted: map them back to words "
                f"(load_ptb(split, as_sentences=True) gives sentences)."
            )
    return corpus


class _Word2Vec(BaseEstimator):
    """Shared fit, lookups and export of :class:`CBOW` and :class:`SkipGram`."""

    _cbow = False

    def __init__(self, vector_size=100, *, window_size=5, n_negatives=5, subsample=1e-3,
                 min_count=1, learning_rate=1e-2, batch_size=4096, max_epochs=5,
                 random_state=None, verbose=None, trainer_kwargs=None):
        self.vector_size = vector_size
        self.window_size = window_size
        self.n_negatives = n_negatives
        self.subsample = subsample
        self.min_count = min_count
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.random_state = random_state
        self.verbose = verbose
        self.trainer_kwargs = trainer_kwargs

    def _check_params(self):
        check_int(self, "vector_size", self.vector_size)
        check_int(self, "window_size", self.window_size)
        check_int(self, "n_negatives", self.n_negatives)
        check_float(self, "subsample", self.subsample, low=0.0, high=1.0, allow_none=True)
        check_int(self, "min_count", self.min_count)
        check_float(self, "learning_rate", self.learning_rate, low=0.0, high=float("inf"),
                    low_open=True, high_open=True)
        check_int(self, "batch_size", self.batch_size)
        check_int(self, "max_epochs", self.max_epochs)
        check_random_state(self, self.random_state)
        check_bool(self, "verbose", self.verbose, allow_none=True)
        check_dict(self, "trainer_kwargs", self.trainer_kwargs)

    @atomic_fit
    def fit(self, corpus, y=None):
        """Learn word vectors from a corpus, from scratch.

        Parameters
        ----------
        corpus : list of str, or list of lists of str
            One stream of tokens, or sentences (context windows stop at
            sentence ends), e.g. ``load_ptb("train", as_sentences=True)`` or
            ``[tokenize(line) for line in lines]``.
        y : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        name = type(self).__name__
        self._check_params()
        sentences = _sentences(corpus, name)
        lengths = np.array([len(s) for s in sentences], dtype=np.int64)
        tokens = np.empty(int(lengths.sum()), dtype=object)
        tokens[:] = [t for s in sentences for t in s]
        codes, uniques = pd.factorize(tokens)
        counts = np.bincount(codes, minlength=len(uniques))
        frequent = np.flatnonzero(counts >= self.min_count)
        if len(frequent) < 2:
            raise ValueError(
                f"{name} needs at least 2 distinct words occurring min_count={self.min_count} "
                f"times or more, but the corpus has {len(frequent)} ({len(uniques)} distinct "
                f"words, {len(tokens)} tokens). Lower 'min_count' or pass a larger corpus."
            )
        # most frequent first; ties keep the order of first appearance
        order = frequent[np.argsort(-counts[frequent], kind="stable")]
        new_id = np.full(len(uniques), -1, dtype=np.int64)
        new_id[order] = np.arange(len(order))
        ids = new_id[codes]
        sentence = np.repeat(np.arange(len(sentences)), lengths)
        kept = ids >= 0
        ids, sentence = ids[kept], sentence[kept]
        word_counts = counts[order]

        frequency = word_counts / word_counts.sum()
        if self.subsample:
            # word2vec's subsampling: keep a word with prob (sqrt(f / t) + 1) * t / f
            ratio = self.subsample / frequency
            keep_prob = np.minimum(1.0, np.sqrt(ratio) + ratio)
        else:
            keep_prob = np.ones(len(order))
        noise = word_counts.astype(np.float64) ** NOISE_POWER
        noise_cdf = np.cumsum(noise / noise.sum())

        seed = (self.random_state if self.random_state is not None
                else int(np.random.SeedSequence().generate_state(1)[0]))
        batches = _Batches(ids, sentence, keep_prob, noise_cdf, cbow=self._cbow,
                           window_size=self.window_size, n_negatives=self.n_negatives,
                           batch_size=self.batch_size, seed=seed)
        if not np.any(sentence[1:] == sentence[:-1]):
            raise ValueError(
                f"{name} found no (word, context) pairs: every sentence has fewer than 2 "
                f"words after dropping words below min_count={self.min_count}. Pass longer "
                f"sentences or lower 'min_count'."
            )
        verbose = resolve_verbose(self.verbose)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            network = Word2VecNet(len(order), self.vector_size)
            loader = torch.utils.data.DataLoader(batches, batch_size=None)
            module = TrainingModule(network, loss=nn.BCEWithLogitsLoss(),
                                    learning_rate=self.learning_rate)
            self.history_, _ = train_network(module, loader, None, max_epochs=self.max_epochs,
                                             verbose=verbose, trainer_kwargs=self.trainer_kwargs)
        self.network_ = network.eval()
        self.vocabulary_ = [str(uniques[i]) for i in order]
        self.word_to_id_ = {w: i for i, w in enumerate(self.vocabulary_)}
        self.word_counts_ = word_counts
        self.word_vectors_ = network.input_vectors.weight[:-1].detach().cpu().numpy().copy()
        return self

    # ------------------------------------------------------------------ lookups
    def _check_words(self, *words):
        check_is_fitted(self)
        for word in words:
            if word not in self.word_to_id_:
                raise ValueError(
                    f"{word!r} is not in the vocabulary of this {type(self).__name__} "
                    f"({len(self.vocabulary_)} words). Check the spelling and case, or refit "
                    f"on a corpus that contains it (with a lower 'min_count' if it is rare)."
                )

    def most_similar(self, word, top=5):
        """Return the ``top`` words whose vectors are closest to ``word``'s by cosine.

        Parameters
        ----------
        word : str
        top : int, default=5

        Returns
        -------
        list of (str, float)
            Words and cosine similarities, most similar first, without ``word``.
        """
        self._check_words(word)
        return _most_similar(word, self.word_to_id_, self.vocabulary_, self.word_vectors_,
                             top=top)

    def analogy(self, a, b, c, top=5):
        """Solve "``a`` is to ``b`` as ``c`` is to ?" with the word vectors.

        Parameters
        ----------
        a, b, c : str
        top : int, default=5

        Returns
        -------
        list of (str, float)
            Candidates closest by cosine to ``b - a + c``, without ``a``, ``b``, ``c``.
        """
        self._check_words(a, b, c)
        return _analogy(a, b, c, self.word_to_id_, self.vocabulary_, self.word_vectors_,
                        top=top)

    def similarity(self, word1, word2):
        """Cosine similarity of the vectors of two words, in [-1, 1].

        Parameters
        ----------
        word1, word2 : str

        Returns
        -------
        float
        """
        self._check_words(word1, word2)
        return cos_similarity(self.word_vectors_[self.word_to_id_[word1]],
                              self.word_vectors_[self.word_to_id_[word2]])

    def save_word2vec_format(self, path):
        """Write the word vectors in word2vec's text format.

        The first line holds the number of words and the dimension; each
        further line a word and its vector, separated by spaces. gensim
        (``KeyedVectors.load_word2vec_format(path)``), fastText tools and
        :func:`load_word2vec_format` read it.

        Parameters
        ----------
        path : str or path-like
        """
        check_is_fitted(self)
        save_word2vec_format(path, self.word_vectors_, self.vocabulary_)


def save_word2vec_format(path, word_vectors, id_to_word):
    """Write word vectors in word2vec's text format.

    The first line holds the number of words and the dimension; each further
    line a word and its vector, separated by spaces. Works for any vectors,
    e.g. count-based ones from :func:`~tsforecast.nlp.reduce_dimensions`.

    Parameters
    ----------
    path : str or path-like
    word_vectors : array-like of shape (V, d)
    id_to_word : list of str
        The word of each row; no whitespace inside words.

    Examples
    --------
    >>> import os, tempfile
    >>> from tsforecast.nlp import load_word2vec_format, save_word2vec_format
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
    >>> save_word2vec_format(path, [[0.5, -1.0], [2.0, 0.25]], ["cat", "dog"])
    >>> print(open(path).read().strip())
    2 2
    cat 0.5 -1
    dog 2 0.25
    """
    vectors = np.asarray(word_vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(id_to_word):
        raise ValueError(f"save_word2vec_format expects one row of word_vectors per word: got "
                         f"shape {vectors.shape} for {len(id_to_word)} words.")
    bad = [w for w in id_to_word if not isinstance(w, str) or not w
           or any(c.isspace() for c in w)]
    if bad:
        raise ValueError(f"save_word2vec_format cannot write words that are empty, not str, or "
                         f"contain whitespace (the format separates fields by spaces): "
                         f"{bad[:5]}.")
    with open(os.fspath(path), "w", encoding="utf-8") as f:
        f.write(f"{len(id_to_word)} {vectors.shape[1]}\n")
        for word, row in zip(id_to_word, vectors):
            f.write(word + " " + " ".join(f"{v:.6g}" for v in row) + "\n")


def load_word2vec_format(path):
    """Read word vectors from word2vec's text format.

    Parameters
    ----------
    path : str or path-like
        A file as written by ``save_word2vec_format`` (here, gensim or the
        original word2vec tool with ``-binary 0``).

    Returns
    -------
    word_vectors : ndarray of shape (V, d), dtype float32
    word_to_id : dict of str to int
    id_to_word : list of str

    Examples
    --------
    >>> import os, tempfile
    >>> from tsforecast.nlp import SkipGram, load_word2vec_format
    >>> sentences = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 20
    >>> model = SkipGram(vector_size=8, max_epochs=1, random_state=0,
    ...                  trainer_kwargs={"accelerator": "cpu"}).fit(sentences)
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.txt")
    >>> model.save_word2vec_format(path)
    >>> vectors, word_to_id, id_to_word = load_word2vec_format(path)
    >>> vectors.shape, id_to_word
    ((4, 8), ['the', 'sat', 'cat', 'dog'])
    """
    name = os.fspath(path)
    what = ("word2vec's text format: a line '<n_words> <dimension>', then one word and its "
            "numbers per line")
    lines = text_lines(name, what)
    first = next(lines, (1, ""))[1].split()
    if len(first) != 2 or not all(h.isdigit() for h in first):
        raise ValueError(f"{name}, line 1: the file does not start with the word2vec text "
                         f"header '<n_words> <dimension>'. Got {' '.join(first)[:60]!r}. "
                         f"Expected {what}.")
    n_words, dim = int(first[0]), int(first[1])
    id_to_word, vectors = [], np.empty((n_words, dim), dtype=np.float32)
    number = 1
    for number, line in lines:
        where = f"{name}, line {number}"
        fields = line.rstrip("\r\n").rstrip(" ").split(" ")
        if len(id_to_word) >= n_words:
            raise ValueError(f"{where}: the file holds more than the {n_words} words its header "
                             f"announces. Fix the header or remove the extra lines.")
        if len(fields) != dim + 1:
            raise ValueError(f"{where}: the word {fields[0][:40]!r} has {len(fields) - 1} numbers, "
                             f"expected {dim} (the dimension in the header). Fix or remove "
                             f"the line.")
        try:
            values = np.array(fields[1:], dtype=np.float32)
        except ValueError:
            bad = next(v for v in fields[1:] if not _is_number(v))
            raise ValueError(f"{where}: {bad[:40]!r} is not a number (word {fields[0][:40]!r}). "
                             f"Fix or remove the line.") from None
        if not np.isfinite(values).all():
            bad = fields[1 + int(np.flatnonzero(~np.isfinite(values))[0])]
            raise ValueError(f"{where}: {bad[:40]!r} is not a finite number (word "
                             f"{fields[0][:40]!r}). Fix or remove the line.")
        vectors[len(id_to_word)] = values
        id_to_word.append(fields[0])
    if len(id_to_word) != n_words:
        raise ValueError(f"{name}, line {number}: the file ends there; its header announces "
                         f"{n_words} words but holds {len(id_to_word)}. Fix the header or "
                         f"pass the whole file.")
    return vectors, {w: i for i, w in enumerate(id_to_word)}, id_to_word


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


class CBOW(_Word2Vec):
    """Continuous bag-of-words word2vec: predict a word from the mean of its context.

    Each example averages the input vectors of the words up to
    ``window_size`` positions around a centre word and scores the centre word
    (label 1) against ``n_negatives`` noise words (label 0). CBOW trains
    faster than skip-gram (one example per word instead of one per context
    word) and smooths over the context, which suits frequent words.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the word vectors.
    window_size : int, default=5
        Largest number of context words on each side; each centre word draws
        its window size uniformly from ``1..window_size``.
    n_negatives : int, default=5
        Noise words per example, drawn from the unigram distribution raised
        to the power 0.75.
    subsample : float or None, default=1e-3
        Threshold ``t`` of frequent-word subsampling: a word of corpus
        frequency ``f`` is kept with probability ``(sqrt(f / t) + 1) * t / f``
        each epoch. None or 0 keeps every word.
    min_count : int, default=1
        Words seen fewer times are dropped from the corpus and vocabulary.

    Other Parameters
    ----------------
    learning_rate : float, default=1e-2
        Adam's learning rate.
    batch_size : int, default=4096
        Training examples per gradient step.
    max_epochs : int, default=5
        Passes over the corpus.
    random_state : int or None, default=None
        Seed of the subsampling, windows, negatives and initial vectors.
    verbose : bool or None, default=None
        Progress bar; None shows it when standard error is a terminal.
    trainer_kwargs : dict or None, default=None
        Extra arguments for ``pytorch_lightning.Trainer``.

    Attributes
    ----------
    word_vectors_ : ndarray of shape (n_words, vector_size)
        The learned (input) word vectors, one row per word of ``vocabulary_``.
    vocabulary_ : list of str
        The words, most frequent first.
    word_to_id_ : dict of str to int
        Row of each word in ``word_vectors_``.
    word_counts_ : ndarray of shape (n_words,)
        Occurrences of each word in the corpus.
    network_ : Word2VecNet
        The trained network (input and output vectors).
    history_ : list of dict
        Per epoch: ``epoch`` and ``train_loss`` (binary cross-entropy).

    See Also
    --------
    SkipGram : Predict each context word from the centre word.
    tsforecast.nlp.reduce_dimensions : Count-based vectors by PPMI and SVD.

    References
    ----------
    Mikolov, T., Chen, K., Corrado, G. & Dean, J. (2013). Efficient estimation
    of word representations in vector space. *ICLR Workshop*.
    Mikolov, T., Sutskever, I., Chen, K., Corrado, G. & Dean, J. (2013).
    Distributed representations of words and phrases and their
    compositionality. *NeurIPS*.

    Examples
    --------
    >>> from tsforecast.nlp import CBOW
    >>> sentences = [["the", "cat", "sat", "on", "the", "mat"]] * 20
    >>> model = CBOW(vector_size=8, max_epochs=1, random_state=0,
    ...              trainer_kwargs={"accelerator": "cpu"}).fit(sentences)
    >>> model.word_vectors_.shape
    (5, 8)
    >>> model.vocabulary_
    ['the', 'cat', 'sat', 'on', 'mat']
    """

    _cbow = True

    def __init__(self, vector_size=100, *, window_size=5, n_negatives=5, subsample=1e-3,
                 min_count=1, learning_rate=1e-2, batch_size=4096, max_epochs=5,
                 random_state=None, verbose=None, trainer_kwargs=None):
        super().__init__(vector_size=vector_size, window_size=window_size,
                         n_negatives=n_negatives, subsample=subsample, min_count=min_count,
                         learning_rate=learning_rate, batch_size=batch_size,
                         max_epochs=max_epochs, random_state=random_state, verbose=verbose,
                         trainer_kwargs=trainer_kwargs)


class SkipGram(_Word2Vec):
    """Skip-gram word2vec: predict each context word from the centre word.

    Each (centre, context) pair within ``window_size`` positions is one
    example: the centre word's input vector scores the context word (label 1)
    against ``n_negatives`` noise words (label 0). Skip-gram sees every pair
    separately, which suits rare words and small corpora, at about
    ``window_size`` times CBOW's cost per epoch.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the word vectors.
    window_size : int, default=5
        Largest number of context words on each side; each centre word draws
        its window size uniformly from ``1..window_size``.
    n_negatives : int, default=5
        Noise words per example, drawn from the unigram distribution raised
        to the power 0.75.
    subsample : float or None, default=1e-3
        Threshold ``t`` of frequent-word subsampling: a word of corpus
        frequency ``f`` is kept with probability ``(sqrt(f / t) + 1) * t / f``
        each epoch. None or 0 keeps every word.
    min_count : int, default=1
        Words seen fewer times are dropped from the corpus and vocabulary.

    Other Parameters
    ----------------
    learning_rate : float, default=1e-2
        Adam's learning rate.
    batch_size : int, default=4096
        Training examples per gradient step.
    max_epochs : int, default=5
        Passes over the corpus.
    random_state : int or None, default=None
        Seed of the subsampling, windows, negatives and initial vectors.
    verbose : bool or None, default=None
        Progress bar; None shows it when standard error is a terminal.
    trainer_kwargs : dict or None, default=None
        Extra arguments for ``pytorch_lightning.Trainer``.

    Attributes
    ----------
    word_vectors_ : ndarray of shape (n_words, vector_size)
        The learned (input) word vectors, one row per word of ``vocabulary_``.
    vocabulary_ : list of str
        The words, most frequent first.
    word_to_id_ : dict of str to int
        Row of each word in ``word_vectors_``.
    word_counts_ : ndarray of shape (n_words,)
        Occurrences of each word in the corpus.
    network_ : Word2VecNet
        The trained network (input and output vectors).
    history_ : list of dict
        Per epoch: ``epoch`` and ``train_loss`` (binary cross-entropy).

    See Also
    --------
    CBOW : Predict the centre word from the mean of its context.
    tsforecast.nlp.reduce_dimensions : Count-based vectors by PPMI and SVD.

    References
    ----------
    Mikolov, T., Sutskever, I., Chen, K., Corrado, G. & Dean, J. (2013).
    Distributed representations of words and phrases and their
    compositionality. *NeurIPS*.

    Examples
    --------
    >>> from tsforecast.nlp import SkipGram
    >>> sentences = [["the", "cat", "sat", "on", "the", "mat"]] * 20
    >>> model = SkipGram(vector_size=8, max_epochs=1, random_state=0,
    ...                  trainer_kwargs={"accelerator": "cpu"}).fit(sentences)
    >>> model.word_vectors_.shape
    (5, 8)
    >>> len(model.most_similar("cat", top=3))
    3
    """

    def __init__(self, vector_size=100, *, window_size=5, n_negatives=5, subsample=1e-3,
                 min_count=1, learning_rate=1e-2, batch_size=4096, max_epochs=5,
                 random_state=None, verbose=None, trainer_kwargs=None):
        super().__init__(vector_size=vector_size, window_size=window_size,
                         n_negatives=n_negatives, subsample=subsample, min_count=min_count,
                         learning_rate=learning_rate, batch_size=batch_size,
                         max_epochs=max_epochs, random_state=random_state, verbose=verbose,
                         trainer_kwargs=trainer_kwargs)
