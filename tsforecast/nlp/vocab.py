"""The one tokeniser and the one vocabulary of every text model in :mod:`tsforecast.nlp`.

:func:`tokenize` splits text into tokens of a *unit*: ``"text"`` (lower-cased
words and punctuation, for raw text), ``"word"`` (whitespace-separated, for
text that is already tokenised, such as Penn Treebank) or ``"char"``.
:class:`Vocabulary` maps tokens to ids and back, keeps their counts, puts
special tokens (padding, unknown, start/end, the CTC blank) first, and
stores itself as JSON so that fitted models save without pickles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch

from ..utils.validation import check_int, check_options

__all__ = ["UNITS", "tokenize", "check_texts", "pad_ids", "Vocabulary"]

UNITS = ("text", "word", "char")
ORDERS = ("frequency", "appearance", "sorted")

# Numbers keep their decimal point or thousands comma ("3.14", "1,000"); words keep
# inner apostrophes and hyphens ("don't", "state-of-the-art"); any other
# non-space character is a token of its own (punctuation).
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['\u2019-]\w+)*|[^\w\s]")


def tokenize(text, unit="text"):
    """Split ``text`` into tokens.

    Parameters
    ----------
    text : str
    unit : {"text", "word", "char"}, default="text"
        ``"text"``: lower-cased words and punctuation tokens (numbers keep
        their decimal point, words their inner apostrophes and hyphens).
        ``"word"``: the whitespace-separated tokens, unchanged.
        ``"char"``: every character.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from tsforecast.nlp import tokenize
    >>> tokenize("You say goodbye, and I say hello.")
    ['you', 'say', 'goodbye', ',', 'and', 'i', 'say', 'hello', '.']
    >>> tokenize("It's a state-of-the-art, 3.5-ton truck!")
    ["it's", 'a', 'state-of-the-art', ',', '3.5', '-', 'ton', 'truck', '!']
    >>> tokenize("New York", unit="word"), tokenize("ab", unit="char")
    (['New', 'York'], ['a', 'b'])
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects text as a str. Got {type(text).__name__} instead.")
    if unit == "text":
        return _TOKEN.findall(text.lower())
    if unit == "word":
        return text.split()
    check_options("tokenize", "unit", unit, UNITS)
    return list(text)


def check_texts(owner, texts, what="texts"):
    """Return ``texts`` as a non-empty list of str, or raise naming ``owner`` and ``what``."""
    name = owner if isinstance(owner, str) else type(owner).__name__
    if isinstance(texts, str):
        raise TypeError(f"{name} expects {what} as a list of str, not one str. Wrap a single "
                        f"string in a list: [{texts[:30]!r}].")
    if isinstance(texts, (np.ndarray, pd.Series)):
        texts = list(texts)
    if not isinstance(texts, Sequence) or len(texts) == 0:
        got = "an empty list" if hasattr(texts, "__len__") else type(texts).__name__
        raise ValueError(f"{name} expects {what} as a non-empty list of str. Got {got}.")
    for i, v in enumerate(texts):
        if not isinstance(v, str):
            raise TypeError(f"{name} expects {what} as a list of str; item {i} is "
                            f"{type(v).__name__} {v!r}. Convert it with str() first.")
    return list(texts)


def pad_ids(rows):
    """Lists of ids -> a zero-padded LongTensor ``(N, max_len)`` and the lengths ``(N,)``."""
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    out = np.zeros((len(rows), int(lengths.max())), dtype=np.int64)
    out[np.arange(out.shape[1]) < lengths[:, None]] = [i for r in rows for i in r]
    return torch.from_numpy(out), torch.from_numpy(lengths)


class Vocabulary:
    """Tokens and their ids: the specials first, then the kept tokens.

    Build one from data with :meth:`from_tokens`; the constructor takes the
    tokens in id order. Tokens are any hashable values (strings for text,
    labels for :class:`~tsforecast.nlp.CTCLabeller`); :meth:`state_dict` needs
    JSON values (str, int, float, bool).

    Parameters
    ----------
    tokens : sequence of hashable
        The tokens by id, specials included.
    counts : sequence of int or None, default=None
        Occurrences of each token in the data it was built from (0 for specials).
    unknown : hashable or None, default=None
        The token that stands for tokens outside the vocabulary in
        :meth:`encode`; None makes unknown tokens an error.

    Attributes
    ----------
    tokens : list
        Token of each id.
    counts : ndarray of int64 or None
    index : dict
        Id of each token.

    Examples
    --------
    >>> from tsforecast.nlp.vocab import Vocabulary
    >>> vocab = Vocabulary.from_tokens("a rose is a rose".split(), specials=["<pad>", "<unk>"],
    ...                                unknown="<unk>")
    >>> vocab.tokens
    ['<pad>', '<unk>', 'a', 'rose', 'is']
    >>> vocab.encode(["a", "tulip"]).tolist(), vocab.decode([3, 4])
    ([2, 1], ['rose', 'is'])
    """

    def __init__(self, tokens, counts=None, *, unknown=None):
        self.tokens = list(tokens)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            raise ValueError("Vocabulary got the same token twice; every token needs one id.")
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        if unknown is not None and unknown not in self.index:
            raise ValueError(f"The unknown token {unknown!r} is not in the vocabulary. Add it "
                             f"to the specials.")
        self.unknown = unknown

    @classmethod
    def from_tokens(cls, tokens, *, order="frequency", min_count=1, max_size=None,
                    specials=(), unknown=None):
        """Build the vocabulary of a token stream.

        Parameters
        ----------
        tokens : sequence of hashable
        order : {"frequency", "appearance", "sorted"}, default="frequency"
            Most frequent first (ties in order of first appearance), order of
            first appearance, or sorted (order of appearance when the tokens
            cannot be compared).
        min_count : int, default=1
            Tokens seen fewer times are left out.
        max_size : int or None, default=None
            Keep at most this many tokens besides the specials (the most
            frequent ones, whatever ``order``).
        specials : sequence of hashable, default=()
            Tokens that take the first ids, in this order, whether or not
            they occur.
        unknown : hashable or None, default=None
            One of ``specials`` (or a token of the data) that stands for unknown tokens.

        Returns
        -------
        Vocabulary
        """
        check_options("Vocabulary", "order", order, ORDERS)
        check_int("Vocabulary", "min_count", min_count)
        check_int("Vocabulary", "max_size", max_size, allow_none=True)
        first = {}  # token -> code, in order of first appearance (Python equality and hashing)
        codes = np.fromiter((first.setdefault(t, len(first)) for t in tokens), dtype=np.int64,
                            count=len(tokens))
        uniques = list(first)
        counts = np.bincount(codes, minlength=len(uniques))
        specials = list(specials)
        reserved = set(specials)
        keep = np.array([counts[i] >= min_count and uniques[i] not in reserved
                         for i in range(len(uniques))], dtype=bool)
        kept = np.flatnonzero(keep)
        by_count = kept[np.argsort(-counts[kept], kind="stable")]
        if max_size is not None:
            by_count = by_count[:max_size]
        if order == "frequency":
            kept = by_count
        else:
            kept = np.sort(by_count)  # first appearance
            if order == "sorted":
                try:
                    kept = np.array(sorted(kept, key=lambda i: uniques[i]), dtype=np.int64)
                except TypeError:  # tokens of mixed types keep the order of first appearance
                    pass
        special_counts = [int(counts[first[s]]) if s in first else 0 for s in specials]
        words = [uniques[i].item() if isinstance(uniques[i], np.generic) else uniques[i]
                 for i in kept]
        return cls([*specials, *words], [*special_counts, *counts[kept].tolist()],
                   unknown=unknown)

    def __len__(self):
        return len(self.tokens)

    def __contains__(self, token):
        return token in self.index

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and self.state_dict() == other.state_dict()

    def __repr__(self):
        shown = ", ".join(repr(t) for t in self.tokens[:5])
        return f"Vocabulary({len(self)} tokens: {shown}{', ...' if len(self) > 5 else ''})"

    def encode(self, tokens, *, missing="error", owner="model", what="The input", unit="token",
               hint="Use only known tokens, or refit on data that contains them."):
        """Ids of ``tokens``, as a 1-D int64 array.

        Tokens outside the vocabulary get the id of ``unknown`` if it is set;
        otherwise ``missing`` decides.

        Parameters
        ----------
        tokens : sequence of hashable
        missing : {"error", "drop", "mark"}, default="error"
            An error naming the unknown tokens, drop them, or give them id -1.
        owner, what, unit, hint : str
            The error message's words: "``what`` has 2 ``unit``\\(s) that are
            not in the vocabulary of this ``owner`` (...). ``hint``"

        Returns
        -------
        ndarray of int64
        """
        get, fallback = self.index.get, -1 if self.unknown is None else self.index[self.unknown]
        ids = np.fromiter((get(t, fallback) for t in tokens), dtype=np.int64, count=len(tokens))
        if fallback >= 0 or missing == "mark":
            return ids
        absent = ids < 0
        if not absent.any():
            return ids
        if missing == "drop":
            return ids[~absent]
        unknown = list(dict.fromkeys(t for t, bad in zip(tokens, absent) if bad))
        shown = ", ".join(repr(t) for t in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise ValueError(f"{what} has {len(unknown)} {unit}(s) that are not in the vocabulary "
                         f"of this {owner} ({shown}{more}). {hint}")

    def decode(self, ids):
        """Tokens of ``ids``.

        Parameters
        ----------
        ids : iterable of int

        Returns
        -------
        list
        """
        return [self.tokens[int(i)] for i in ids]

    def state_dict(self):
        """The vocabulary as JSON-ready values; :meth:`from_state_dict` rebuilds it.

        Returns
        -------
        dict
        """
        return {"tokens": list(self.tokens),
                "counts": None if self.counts is None else self.counts.tolist(),
                "unknown": self.unknown}

    @classmethod
    def from_state_dict(cls, state):
        """Rebuild a vocabulary from :meth:`state_dict`.

        Parameters
        ----------
        state : dict

        Returns
        -------
        Vocabulary
        """
        return cls(state["tokens"], state["counts"], unknown=state["unknown"])
