"""Text corpora: those shipped with tsforecast, and the sentence polarity set from a local copy.

Everything loads offline. See ``tsforecast/nlp/data/NOTICE.md`` for the
sources and licences of the shipped corpora; the sentence polarity set is
released for research use only, so it is not shipped and is read from a path.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path

import numpy as np

from ..utils.validation import check_bool, check_options
from .text import encode

__all__ = ["load_ptb", "load_tiny_shakespeare", "load_addition", "load_date",
           "load_sentence_polarity"]

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


#: The reference split (Saitoh, 2018): the 50,000 pairs shuffled by NumPy's
#: legacy generator seeded with 1984, the first 45,000 for training.
_DLFS2_SEED, _DLFS2_TRAIN = 1984, 45_000


@functools.lru_cache(maxsize=2)
def _dlfs2_pairs(name):
    path = resources.files(__package__).joinpath("data", f"{name}.txt")
    with path.open("r", encoding="utf-8") as f:
        pairs = [line.rstrip("\n").split("_", 1) for line in f]
    order = np.arange(len(pairs))
    np.random.RandomState(_DLFS2_SEED).shuffle(order)
    questions = [pairs[i][0].strip() for i in order]
    answers = [pairs[i][1].strip() for i in order]
    return ((questions[:_DLFS2_TRAIN], answers[:_DLFS2_TRAIN]),
            (questions[_DLFS2_TRAIN:], answers[_DLFS2_TRAIN:]))


def _copy(split):
    (train_q, train_a), (val_q, val_a) = split
    return (list(train_q), list(train_a)), (list(val_q), list(val_a))


def load_addition():
    """Load the addition task: 50,000 sums of two numbers below 1,000, as text.

    Each question is two non-negative integers of up to three digits joined
    by ``+`` (``"71+118"``), each answer their sum (``"189"``). The split is
    the reference's (Saitoh, 2018): the pairs shuffled by NumPy's legacy
    generator seeded with 1984, the first 45,000 for training and the last
    5,000 for validation; it is the same on every call.

    Returns
    -------
    (train_questions, train_answers) : tuple of list of str
        45,000 pairs.
    (val_questions, val_answers) : tuple of list of str
        5,000 pairs.

    References
    ----------
    Saitoh, K. (2018). *Deep Learning from Scratch 2* (O'Reilly Japan),
    chapter 7; data ``dataset/addition.txt`` of
    oreilly-japan/deep-learning-from-scratch-2 (MIT License).

    Examples
    --------
    >>> from tsforecast.nlp.datasets import load_addition
    >>> (train_q, train_a), (val_q, val_a) = load_addition()
    >>> len(train_q), len(val_q)
    (45000, 5000)
    >>> train_q[0], train_a[0]
    ('71+118', '189')
    """
    return _copy(_dlfs2_pairs("addition"))


def load_date():
    """Load the date-format task: 50,000 dates in varied formats and their ISO form.

    Questions are dates written in many ways (``"september 27, 1994"``,
    ``"2/10/93"``, ``"TUESDAY, SEPTEMBER 25, 1984"``), answers the same date
    as ``YYYY-MM-DD``. Split as :func:`load_addition`: the reference's
    shuffle (seed 1984), 45,000 pairs for training, 5,000 for validation.

    Returns
    -------
    (train_questions, train_answers) : tuple of list of str
        45,000 pairs.
    (val_questions, val_answers) : tuple of list of str
        5,000 pairs.

    References
    ----------
    Saitoh, K. (2018). *Deep Learning from Scratch 2* (O'Reilly Japan),
    chapter 8; data ``dataset/date.txt`` of
    oreilly-japan/deep-learning-from-scratch-2 (MIT License).

    Examples
    --------
    >>> from tsforecast.nlp.datasets import load_date
    >>> (train_q, train_a), (val_q, val_a) = load_date()
    >>> len(train_q), len(val_q)
    (45000, 5000)
    >>> all(len(a) == 10 and a[4] == a[7] == "-" for a in train_a[:100])
    True
    """
    return _copy(_dlfs2_pairs("date"))


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


#: Environment variable naming the folder of the sentence polarity files.
POLARITY_ENV = "TSFORECAST_SENTIMENT_DATA"
_POLARITY_FILES = ("rt-polarity.pos", "rt-polarity.neg")


def _polarity_folder(path):
    if path is not None:
        return Path(path), "the 'path' argument"
    if os.environ.get(POLARITY_ENV):
        return Path(os.environ[POLARITY_ENV]), f"${POLARITY_ENV}"
    checkout = Path(__file__).resolve().parents[2]  # the folder holding tsforecast/
    return checkout.parent / "shared" / "data" / "sentiment", "the default beside the checkout"


def _decoded_lines(file):
    """Lines of ``file``, each decoded as UTF-8 or, failing that, as Latin-1.

    Some copies of the set mix the two encodings line by line, so one
    encoding for the whole file would fail or garble half of it.
    """
    lines = []
    for raw in file.read_bytes().splitlines():
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("latin-1")
        if line.strip():
            lines.append(line.strip())
    return lines


def load_sentence_polarity(path=None):
    """Load the sentence polarity set v1.0 (Pang & Lee, 2005) from a local folder.

    10,662 one-sentence movie-review snippets, 5,331 positive and 5,331
    negative, lower-cased and tokenised (tokens separated by spaces). The
    set is released for research use and is not shipped with tsforecast:
    the folder holding ``rt-polarity.pos`` and ``rt-polarity.neg`` is
    ``path``, else the environment variable ``TSFORECAST_SENTIMENT_DATA``,
    else ``shared/data/sentiment`` beside the folder that holds the
    ``tsforecast`` package's checkout. Lines are decoded as UTF-8, or as
    Latin-1 where that fails (some copies mix the two); blank lines are skipped.

    Parameters
    ----------
    path : str, path-like or None, default=None
        The folder of the two files.

    Returns
    -------
    texts : list of str
        The positive snippets, then the negative ones, in file order.
    labels : ndarray of shape (n_texts,), dtype int64
        1 for positive, 0 for negative.

    Raises
    ------
    FileNotFoundError
        If the folder lacks either file; the message names the folder, where
        it came from, and how to point to a copy.

    References
    ----------
    Pang, B. & Lee, L. (2005). Seeing stars: exploiting class relationships for
    sentiment categorization with respect to rating scales. *ACL*.
    """
    folder, source = _polarity_folder(path)
    missing = [name for name in _POLARITY_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"The sentence polarity set is not at {folder} ({source}): {', '.join(missing)} "
            f"missing. It is not shipped with tsforecast (research-use licence); download "
            f"rt-polarity.pos and rt-polarity.neg (Pang & Lee's sentence polarity data v1.0) "
            f"and pass their folder as path=..., or set ${POLARITY_ENV} to it."
        )
    positive, negative = (_decoded_lines(folder / name) for name in _POLARITY_FILES)
    labels = np.r_[np.ones(len(positive), dtype=np.int64), np.zeros(len(negative), dtype=np.int64)]
    return positive + negative, labels
