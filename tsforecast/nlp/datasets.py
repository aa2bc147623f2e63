"""Text corpora shipped with tsforecast; everything loads offline from the package.

See ``tsforecast/nlp/data/NOTICE.md`` for sources and licences.
"""

from __future__ import annotations

import functools
from importlib import resources

from ..utils.validation import check_bool, check_options
from .text import encode

__all__ = ["load_ptb", "load_tiny_shakespeare"]

PTB_SPLITS = ("train", "valid", "test")
EOS = "<eos>"


def _ptb_lines(split):
    path = resources.files(__package__).joinpath("data", f"ptb.{split}.txt")
    with path.open("r", encoding="utf-8") as f:
        return [line.split() for line in f]


def load_ptb(split="train", *, as_sentences=False):
    """Load the Penn Treebank corpus in Mikolov's word-level preprocessing.

    The standard language-modelling version of the Wall Street Journal part
    of Penn Treebank: lower-cased, punctuation removed, numbers replaced by
    ``N``, rare words by ``<unk>``, a vocabulary of 10,000 words.
    train/valid/test have 887,521/70,390/78,669 words in 42,068/3,370/3,761
    sentences (one per line).

    Parameters
    ----------
    split : {"train", "valid", "test"}, default="train"
    as_sentences : bool, default=False
        False: the corpus as word ids, each sentence followed by ``"<eos>"``.
        True: the sentences as lists of words (no ``"<eos>"``), the input
        that :class:`~tsforecast.nlp.SkipGram` and :class:`~tsforecast.nlp.CBOW`
        fit on.

    Returns
    -------
    corpus : ndarray of shape (n_tokens,), dtype int64
        With ``as_sentences=False``. Ids come from the training split's
        vocabulary (order of first appearance), the same for every split.
    word_to_id : dict of str to int
    id_to_word : list of str
        10,000 words.
    sentences : list of list of str
        With ``as_sentences=True``, instead of the three above.

    References
    ----------
    Marcus, M. P., Santorini, B. & Marcinkiewicz, M. A. (1993). Building a
    large annotated corpus of English: the Penn Treebank. *Computational
    Linguistics*, 19(2).
    Mikolov, T. et al. (2010). Recurrent neural network based language model.
    *Interspeech*.

    Examples
    --------
    >>> from tsforecast.nlp.datasets import load_ptb
    >>> corpus, word_to_id, id_to_word = load_ptb("train")
    >>> len(corpus), len(id_to_word)
    (929589, 10000)
    >>> " ".join(id_to_word[i] for i in corpus[25:37])
    'pierre <unk> N years old will join the board as a nonexecutive'
    >>> load_ptb("valid", as_sentences=True)[0][:6]
    ['consumers', 'may', 'want', 'to', 'move', 'their']
    """
    check_options("load_ptb", "split", split, PTB_SPLITS)
    check_bool("load_ptb", "as_sentences", as_sentences)
    lines = _ptb_lines(split)
    if as_sentences:
        return lines
    word_to_id = None if split == "train" else _train_vocabulary()
    return encode(_with_eos(lines), word_to_id)


@functools.lru_cache(maxsize=1)
def _train_vocabulary():
    return encode(_with_eos(_ptb_lines("train")))[1]


def _with_eos(lines):
    return [token for line in lines for token in (*line, EOS)]


def load_tiny_shakespeare():
    """Load Tiny Shakespeare, the character-level corpus of char-rnn, split 90/10.

    1,115,394 characters (65 distinct) of Shakespeare's plays, speaker names
    and speeches on their own lines. The first 90% of the characters are for
    training and the last 10% for validation, the split of char-rnn and
    nanoGPT.

    Returns
    -------
    train : str
        The first 1,003,854 characters.
    validation : str
        The last 111,540 characters.

    References
    ----------
    Karpathy, A. (2015). The unreasonable effectiveness of recurrent neural
    networks. Blog post and the karpathy/char-rnn repository.

    Examples
    --------
    >>> from tsforecast.nlp.datasets import load_tiny_shakespeare
    >>> train, validation = load_tiny_shakespeare()
    >>> len(train), len(validation)
    (1003854, 111540)
    >>> print(train[:24])
    First Citizen:
    Before we
    """
    path = resources.files(__package__).joinpath("data", "tinyshakespeare.txt")
    with path.open("r", encoding="utf-8") as f:
        text = f.read()
    cut = int(0.9 * len(text))
    return text[:cut], text[cut:]
