"""Tokenising and vocabularies: text to a corpus of word ids.

A *corpus* is a 1-D int64 array of word ids; ``word_to_id`` maps each word to
its id and ``id_to_word`` is the list of words in id order. Ids follow the
order of first appearance, so results do not depend on hashing or sorting.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

__all__ = ["preprocess", "tokenize", "encode"]

# Numbers keep their decimal point or thousands comma ("3.14", "1,000"); words keep
# inner apostrophes and hyphens ("don't", "state-of-the-art"); any other
# non-space character is a token of its own (punctuation).
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['\u2019-]\w+)*|[^\w\s]")


def tokenize(text):
    """Split ``text`` into lower-cased words and punctuation tokens.

    Parameters
    ----------
    text : str

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
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects text as a str. Got {type(text).__name__} instead.")
    return _TOKEN.findall(text.lower())


def encode(tokens, word_to_id=None):
    """Map tokens to a corpus of ids, building the vocabulary in order of first appearance.

    Parameters
    ----------
    tokens : sequence of str
    word_to_id : dict or None, default=None
        An existing vocabulary to encode with (e.g. a training split's); every
        token must be in it. None builds a new one.

    Returns
    -------
    corpus : ndarray of shape (n_tokens,), dtype int64
    word_to_id : dict of str to int
    id_to_word : list of str

    Raises
    ------
    ValueError
        If ``word_to_id`` is given and a token is not in it.

    Examples
    --------
    >>> from tsforecast.nlp import encode
    >>> corpus, word_to_id, id_to_word = encode(["a", "rose", "is", "a", "rose"])
    >>> corpus.tolist(), id_to_word
    ([0, 1, 2, 0, 1], ['a', 'rose', 'is'])
    """
    if isinstance(tokens, str):
        raise TypeError("encode expects a sequence of tokens, not one str. Split the text "
                        "first, e.g. with tokenize(text), or call preprocess(text).")
    # pandas.factorize hashes in C and numbers values by first appearance
    codes, uniques = pd.factorize(np.asarray(tokens, dtype=object))
    uniques = [str(w) for w in uniques]
    if word_to_id is None:
        return codes.astype(np.int64), {w: i for i, w in enumerate(uniques)}, uniques
    missing = [w for w in uniques if w not in word_to_id]
    if missing:
        raise ValueError(
            f"{len(missing)} tokens are not in the given vocabulary of {len(word_to_id)} "
            f"words, e.g. {missing[:5]}. Encode with the vocabulary they belong to, or pass "
            f"word_to_id=None to build a new one."
        )
    lookup = np.array([word_to_id[w] for w in uniques], dtype=np.int64)
    id_to_word = [None] * len(word_to_id)
    for word, i in word_to_id.items():
        id_to_word[i] = word
    return lookup[codes], dict(word_to_id), id_to_word


def preprocess(text):
    """Turn text into a corpus of word ids and its vocabulary.

    The text is lower-cased and split into words and punctuation tokens
    (see :func:`tokenize`); ids are given in order of first appearance.

    Parameters
    ----------
    text : str

    Returns
    -------
    corpus : ndarray of shape (n_tokens,), dtype int64
    word_to_id : dict of str to int
    id_to_word : list of str

    See Also
    --------
    create_co_matrix : Count co-occurrences in the corpus.
    tsforecast.nlp.datasets.load_ptb : The same triple for Penn Treebank.

    Examples
    --------
    >>> from tsforecast.nlp import preprocess
    >>> corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    >>> corpus
    array([0, 1, 2, 3, 4, 1, 5, 6])
    >>> id_to_word
    ['you', 'say', 'goodbye', 'and', 'i', 'hello', '.']
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocess expects text as a str. Got {type(text).__name__} "
                        f"instead. To encode tokens you already have, use encode(tokens).")
    tokens = tokenize(text)
    if not tokens:
        raise ValueError("preprocess found no words in the text (it is empty or blank). "
                         "Pass a text with at least one word.")
    return encode(tokens)


def text_lines(path, what):
    """Yield ``(line number, line)`` of the UTF-8 text file ``path``, numbered from 1.

    The reader of every user text file in :mod:`tsforecast.nlp`: a binary or
    mis-encoded file raises ``ValueError`` naming the file, the line and the
    byte, instead of a bare ``UnicodeDecodeError``. ``what`` says what the file
    should be, for the message.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            where = f"{path}, line {number}"
            if b"\x00" in raw:
                column = raw.index(b"\x00") + 1
                raise ValueError(
                    f"{where}: a NUL byte at column {column}, so this is binary data, not UTF-8 "
                    f"text. Expected {what} (binary word vectors: save them in the text "
                    f"format)."
                )
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise ValueError(
                    f"{where}: byte {raw[err.start:err.start + 1]!r} at column {err.start + 1} is "
                    f"not UTF-8 text; the file looks binary or uses another encoding. Expected "
                    f"{what}; convert it to UTF-8 (or, for binary word vectors, save them in "
                    f"the text format)."
                ) from None
