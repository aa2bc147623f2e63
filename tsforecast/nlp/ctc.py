"""CTC sequence labelling: inputs and label sequences of different lengths, no alignment given.

Connectionist temporal classification (Graves et al., 2006) trains a network
that emits, at every input frame, a distribution over the labels plus a
*blank*. A frame-level path maps to a labelling by collapsing repeated labels
and then dropping blanks (``aa-ab`` -> ``aab``); the probability of a
labelling is the sum over all paths that collapse to it, which
``torch.nn.CTCLoss`` computes with the forward-backward recursion. Decoding
either takes the most probable path and collapses it (best path) or searches
the labellings themselves, merging the paths of each prefix (prefix beam
search).

:class:`CTCLabeller` reuses the encoders of :mod:`tsforecast.models` (the
:class:`~tsforecast.models.seq2seq.RecurrentEncoder` LSTM/GRU, or the
:class:`~tsforecast.models.transformer.TransformerStack`) and trains through
the library's one Lightning module. :func:`make_ctc_task` draws the documented
synthetic task ("noisy digit strings").
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._atomic import atomic_fit
from .._persistence import (
    HISTORY,
    NUMBERS,
    fitted_schema,
    load_estimator,
    restore_network,
    save_estimator,
)
from .._training import TrainingModule, resolve_verbose, train_network
from ..models.seq2seq import RecurrentEncoder
from ..models.transformer import PositionalEncoding, TransformerStack
from ..utils.validation import (
    check_bool,
    check_dict,
    check_float,
    check_int,
    check_options,
    check_random_state,
)

__all__ = ["CTCNet", "CTCLabeller", "best_path_decode", "prefix_beam_search",
           "label_error_rate", "edit_distance", "make_ctc_task"]

_FITTED = fitted_schema(labels={"type": "array", "minItems": 1},
                        string_labels={"type": "boolean"},
                        n_features_in={"type": "integer", "minimum": 1}, feature_mean=NUMBERS,
                        feature_scale=NUMBERS, history=HISTORY)

ENCODERS = ("lstm", "gru", "transformer")
DECODERS = ("best_path", "prefix_beam")
BLANK = 0
_JSON_LABEL = (str, int, float, bool)


# ------------------------------------------------------------------------------ the network
class CTCNet(nn.Module):
    """Per-frame log-probabilities of the labels and the blank, from an encoder of ``models/``.

    Inputs: ``x`` ``(B, T, F)`` padded frames and ``lengths`` ``(B,)`` the true
    number of frames of each sequence. Outputs: ``log_probs`` ``(B, T, C)``
    (``C = n_labels + 1``, column 0 the blank; rows beyond a sequence's length
    are padding) and ``lengths`` unchanged, as ``torch.nn.CTCLoss`` needs them.

    Recurrent encoders read packed sequences, so padding never enters the
    backward direction; the Transformer masks padded frames as keys.
    """

    def __init__(self, n_features, n_labels, *, encoder="lstm", hidden_size=64, n_layers=2,
                 bidirectional=True, n_heads=4, dropout=0.0):
        super().__init__()
        self.recurrent = encoder != "transformer"
        if self.recurrent:
            self.encoder = RecurrentEncoder(encoder, n_features, hidden_size, n_layers,
                                            bidirectional=bidirectional, dropout=dropout)
            width = self.encoder.key_size
        else:
            self.embed = nn.Linear(n_features, hidden_size)
            self.position = PositionalEncoding(hidden_size, dropout)
            self.encoder = TransformerStack(n_layers, hidden_size, n_heads, 4 * hidden_size,
                                            dropout)
            width = hidden_size
        self.head = nn.Linear(width, n_labels + 1)

    def forward(self, x, lengths):
        T = x.shape[1]
        if self.recurrent:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True,
                                                       enforce_sorted=False)
            out, _ = self.encoder(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=T)
        else:
            padding = torch.arange(T, device=x.device)[None, :] >= lengths.to(x.device)[:, None]
            out, _, _ = self.encoder(self.position(self.embed(x)), key_padding_mask=padding)
        return self.head(out).log_softmax(dim=-1), lengths  # -> (B, T, C), (B,)


class _CTCObjective(nn.Module):
    """``torch.nn.CTCLoss`` on the ``(log_probs, lengths)`` of :class:`CTCNet`.

    The target is ``(B, S)`` label ids padded with the blank (0), which no
    label uses, so the target lengths are the counts of non-zero ids.
    """

    def __init__(self):
        super().__init__()
        # zero_infinity: a batch whose impossible alignment slipped through gives 0, not inf
        self.ctc = nn.CTCLoss(blank=BLANK, zero_infinity=True)

    def forward(self, output, target):
        log_probs, lengths = output
        return self.ctc(log_probs.transpose(0, 1), target, lengths, (target != BLANK).sum(1))


# ------------------------------------------------------------------------------ decoding
def best_path_decode(log_probs, blank=BLANK):
    """Most probable frame path, collapsed: merge repeated labels, then drop blanks.

    Parameters
    ----------
    log_probs : array-like of shape (T, C)
        Per-frame log-probabilities (or any scores: only the argmax matters).
    blank : int, default=0
        Column of the blank.

    Returns
    -------
    list of int
        The label ids (columns) of the decoded labelling.

    Examples
    --------
    >>> import numpy as np
    >>> path = [1, 1, 0, 1, 2]  # "aa-ab" with blank "-" = 0, a = 1, b = 2
    >>> best_path_decode(np.eye(3)[path])
    [1, 1, 2]
    """
    path = np.asarray(log_probs).argmax(axis=-1)
    keep = np.ones(len(path), dtype=bool)
    keep[1:] = path[1:] != path[:-1]
    return [int(k) for k in path[keep & (path != blank)]]


def _logadd(a, b):
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    hi, lo = (a, b) if a > b else (b, a)
    return hi + math.log1p(math.exp(lo - hi))


def prefix_beam_search(log_probs, beam_width=8, blank=BLANK):
    """CTC prefix beam search: the most probable labelling, summing over its alignments.

    Each kept prefix carries two log-probabilities over the frames read so
    far: of the paths that collapse to it and end in a blank, and of those
    that end in its last label. At each frame a prefix may stay (a blank, or a
    repeat of its last label, which collapses) or grow by one label (a repeat
    of the last label grows it only after a blank). The ``beam_width`` most
    probable prefixes are kept. With a beam as wide as the number of possible
    prefixes the search is exact.

    Parameters
    ----------
    log_probs : array-like of shape (T, C)
        Per-frame log-probabilities (each row a log-softmax).
    beam_width : int, default=8
    blank : int, default=0
        Column of the blank.

    Returns
    -------
    labelling : list of int
        The label ids (columns) of the best prefix after the last frame.
    log_prob : float
        Its log-probability: the log of the summed probabilities of all its
        paths. Exact when nothing was pruned; otherwise a lower bound, as the
        paths through pruned prefixes are lost.

    References
    ----------
    Graves, A. (2012). Supervised sequence labelling with recurrent neural
    networks, ch. 7. Springer. Hannun, A. Y. et al. (2014). First-pass large
    vocabulary continuous speech recognition using bi-directional recurrent
    DNNs. arXiv:1408.2873.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.6, 0.4], [0.6, 0.4]])  # columns: blank, "a"
    >>> best_path_decode(np.log(p))  # the path "--" (0.36) wins among paths
    []
    >>> labelling, log_prob = prefix_beam_search(np.log(p))
    >>> labelling, round(float(np.exp(log_prob)), 2)  # "a" sums "a-", "-a", "aa"
    ([1], 0.64)
    """
    check_int("prefix_beam_search", "beam_width", beam_width)
    lp = np.asarray(log_probs, dtype=np.float64)
    n_frames, n_classes = lp.shape
    labels = [c for c in range(n_classes) if c != blank]
    beams = {(): (0.0, -math.inf)}  # prefix -> (log p ending in blank, log p ending in label)
    for t in range(n_frames):
        row = lp[t].tolist()
        grown = {}

        def add(prefix, p_blank, p_label):
            old_b, old_l = grown.get(prefix, (-math.inf, -math.inf))
            grown[prefix] = (_logadd(old_b, p_blank), _logadd(old_l, p_label))

        for prefix, (p_b, p_l) in beams.items():
            total = _logadd(p_b, p_l)
            last = prefix[-1] if prefix else None
            # stay: a blank, or the last label again (collapses into it)
            add(prefix, total + row[blank],
                p_l + row[last] if last is not None else -math.inf)
            for c in labels:
                # a repeat of the last label only counts as new after a blank
                p = (p_b if c == last else total) + row[c]
                add(prefix + (c,), -math.inf, p)
        ranked = sorted(grown.items(), key=lambda kv: -_logadd(*kv[1]))
        beams = dict(ranked[:beam_width])
    prefix, (p_b, p_l) = max(beams.items(), key=lambda kv: _logadd(*kv[1]))
    return list(prefix), _logadd(p_b, p_l)


# ------------------------------------------------------------------------------ evaluation
def edit_distance(a, b):
    """Levenshtein distance: fewest insertions, deletions and substitutions turning a into b.

    Examples
    --------
    >>> edit_distance("kitten", "sitting")
    3
    """
    a, b = list(a), list(b)
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, z in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != z))
    return row[-1]


def label_error_rate(y_true, y_pred):
    """Total edit distance between predicted and true labellings over the total true length.

    Parameters
    ----------
    y_true, y_pred : sequence of sequences
        Label sequences (lists of labels or strings), paired by position.

    Returns
    -------
    float
        ``sum(edit_distance(t, p)) / sum(len(t))``; 0 is perfect and it can
        exceed 1 when the predictions are longer than the references.

    Examples
    --------
    >>> label_error_rate(["abc", "dd"], ["abd", "d"])  # 1 substitution + 1 deletion over 5
    0.4
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"label_error_rate needs one prediction per reference; got "
                         f"{len(y_true)} references and {len(y_pred)} predictions.")
    total = sum(len(t) for t in y_true)
    if total == 0:
        raise ValueError("label_error_rate needs at least one label in y_true; every "
                         "reference labelling is empty.")
    return sum(edit_distance(t, p) for t, p in zip(y_true, y_pred)) / total


def _n_repeats(labels):
    return sum(1 for a, b in zip(labels[:-1], labels[1:]) if a == b)


# ------------------------------------------------------------------------------ synthetic task
def make_ctc_task(n_samples=1000, *, n_symbols=5, n_features=8, label_length=(3, 8),
                  frames_per_symbol=(2, 6), silence_prob=0.3, noise=0.7, random_state=None):
    """Noisy digit strings: a synthetic CTC task with unaligned inputs and labels.

    Each sample is a random string of ``label_length`` digits from
    ``"0".."n_symbols-1"`` (repeats allowed). Every digit is rendered as a run
    of ``frames_per_symbol`` frames, each its prototype vector times a gain
    drawn per run from [0.7, 1.3], plus Gaussian noise of standard deviation
    ``noise``. Silence (noise only, 1-3 frames) separates every pair of equal
    adjacent digits, otherwise follows a digit with probability
    ``silence_prob``, and may open and close the sequence (0-2 frames). The
    labeller sees neither the run lengths nor where digits start: input and
    label lengths differ and no alignment is given.

    The prototypes are the same for every ``random_state`` (drawn from a fixed
    seed), so training and test sets drawn with different seeds come from one
    task.

    Parameters
    ----------
    n_samples : int, default=1000
    n_symbols : int, default=5
        Distinct digits, at most 10.
    n_features : int, default=8
        Width of a frame.
    label_length : (int, int), default=(3, 8)
        Inclusive range of the number of digits per sample.
    frames_per_symbol : (int, int), default=(2, 6)
        Inclusive range of the frames of one digit.
    silence_prob : float, default=0.3
    noise : float, default=0.7
        Standard deviation of the Gaussian noise added to every frame (the
        prototypes have unit variance per feature).
    random_state : int or None, default=None

    Returns
    -------
    X : list of ndarray of shape (T_i, n_features), float32
    y : list of str

    Examples
    --------
    >>> X, y = make_ctc_task(3, random_state=0)
    >>> y
    ['32110000', '0310113', '4024442']
    >>> [x.shape for x in X]
    [(43, 8), (38, 8), (37, 8)]
    """
    name = "make_ctc_task"
    check_int(name, "n_samples", n_samples)
    check_int(name, "n_symbols", n_symbols)
    check_int(name, "n_features", n_features)
    if n_symbols > 10:
        raise ValueError(f"make_ctc_task draws digit strings, so 'n_symbols' must be at most "
                         f"10. Got {n_symbols} instead.")
    for pname, value in (("label_length", label_length),
                         ("frames_per_symbol", frames_per_symbol)):
        if (not isinstance(value, (tuple, list)) or len(value) != 2
                or not all(isinstance(v, numbers.Integral) for v in value)
                or not 1 <= value[0] <= value[1]):
            raise ValueError(f"The '{pname}' parameter of make_ctc_task must be a pair of "
                             f"ints (low, high) with 1 <= low <= high. Got {value!r} instead.")
    check_float(name, "silence_prob", silence_prob, low=0.0, high=1.0)
    check_float(name, "noise", noise, low=0.0, high=math.inf, high_open=True)
    check_random_state(name, random_state)
    prototypes = np.random.default_rng(20060625).standard_normal((n_symbols, n_features))
    rng = np.random.default_rng(random_state)
    X, y = [], []
    for _ in range(n_samples):
        digits = rng.integers(n_symbols, size=rng.integers(label_length[0], label_length[1] + 1))
        runs = [np.zeros((rng.integers(0, 3), n_features))]
        for k, d in enumerate(digits):
            n = rng.integers(frames_per_symbol[0], frames_per_symbol[1] + 1)
            runs.append(np.repeat(prototypes[d][None] * rng.uniform(0.7, 1.3), n, axis=0))
            last = k == len(digits) - 1
            if (not last and digits[k + 1] == d) or (not last and rng.random() < silence_prob):
                runs.append(np.zeros((rng.integers(1, 4), n_features)))
        runs.append(np.zeros((rng.integers(0, 3), n_features)))
        frames = np.concatenate(runs)
        X.append((frames + noise * rng.standard_normal(frames.shape)).astype(np.float32))
        y.append("".join(str(d) for d in digits))
    return X, y


# ------------------------------------------------------------------------------ the estimator
class _Sequences(torch.utils.data.Dataset):
    def __init__(self, X, targets):
        self.X, self.targets = X, targets

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.targets[i]


def _pad(frames):
    """Pad float arrays (T_i, F) to a (B, T, F) tensor; return it with the lengths."""
    lengths = torch.tensor([len(x) for x in frames], dtype=torch.int64)
    x = torch.zeros(len(frames), int(lengths.max()), frames[0].shape[1])
    for i, f in enumerate(frames):
        x[i, :len(f)] = torch.from_numpy(f)
    return x, lengths


def _collate(batch):
    frames, targets = zip(*batch)
    x, lengths = _pad(frames)
    target = torch.zeros(len(targets), max(1, max(len(t) for t in targets)), dtype=torch.int64)
    for i, t in enumerate(targets):
        target[i, :len(t)] = torch.as_tensor(t, dtype=torch.int64)
    return (x, lengths), target


class CTCLabeller(BaseEstimator):
    """Sequence labeller trained with CTC: frames in, a shorter label sequence out.

    Fits on inputs and label sequences of different lengths without any
    alignment between them: a network reads the frames and emits per-frame
    log-probabilities of each label and of a blank (index 0), and
    ``torch.nn.CTCLoss`` maximises the summed probability of every frame path
    that collapses (merge repeats, drop blanks) to the target labelling.
    Labels are anything hashable; strings are read as sequences of characters
    and predictions then come back as strings. Input features are
    standardised with the training frames' mean and standard deviation.

    Parameters
    ----------
    encoder : {"lstm", "gru", "transformer"}, default="lstm"
        The network reading the frames: the recurrent encoder of
        :mod:`tsforecast.models.seq2seq` or the Transformer stack of
        :mod:`tsforecast.models.transformer` (a linear embedding of the frames
        plus sinusoidal positions).
    hidden_size : int, default=64
        Width of each recurrent direction, or the Transformer's ``d_model``.
    n_layers : int, default=2
        Stacked recurrent layers or Transformer blocks.
    bidirectional : bool, default=True
        Recurrent encoders also read backwards (each frame's label then
        depends on the whole input). Ignored by the Transformer, which always
        sees the whole input.
    n_heads : int, default=4
        Attention heads of the Transformer; ``hidden_size`` must be a multiple.
    dropout : float, default=0.0
        Between recurrent layers, or inside the Transformer blocks.

    Other Parameters
    ----------------
    learning_rate : float, default=3e-3
        Adam's learning rate.
    batch_size : int, default=32
        Sequences per gradient step (and per forward pass in prediction).
    max_epochs : int, default=20
        Passes over the training sequences.
    random_state : int or None, default=None
        Seed of the initial weights and the batch order.
    verbose : bool or None, default=None
        Progress bar; None shows it when standard error is a terminal.
    trainer_kwargs : dict or None, default=None
        Extra arguments for ``pytorch_lightning.Trainer``.

    Attributes
    ----------
    labels_ : list
        The label of each output column after the blank: column ``k`` of
        :meth:`log_probs` is ``labels_[k - 1]``, column 0 the blank.
    string_labels_ : bool
        Whether ``y`` held strings; predictions are then strings too.
    n_features_in_ : int
        Width of an input frame.
    feature_mean_, feature_scale_ : ndarray of shape (n_features_in_,)
        Standardisation of the frames, from the training frames.
    network_ : CTCNet
        The trained network.
    history_ : list of dict
        Per epoch: ``epoch`` and ``train_loss`` (CTC loss per target label).

    See Also
    --------
    best_path_decode : Collapse the most probable frame path.
    prefix_beam_search : Search labellings, summing over their alignments.
    make_ctc_task : The synthetic "noisy digit strings" task.

    References
    ----------
    Graves, A., Fernández, S., Gomez, F. & Schmidhuber, J. (2006).
    Connectionist temporal classification: labelling unsegmented sequence data
    with recurrent neural networks. *ICML*.

    Examples
    --------
    >>> from tsforecast.nlp import CTCLabeller
    >>> from tsforecast.nlp.ctc import make_ctc_task
    >>> X, y = make_ctc_task(64, random_state=0)
    >>> model = CTCLabeller(hidden_size=16, n_layers=1, max_epochs=1, random_state=0,
    ...                     trainer_kwargs={"accelerator": "cpu"}).fit(X, y)
    >>> len(model.predict(X[:3])), model.log_probs(X[:1])[0].shape == (len(X[0]), 6)
    (3, True)
    """

    def __init__(self, encoder="lstm", *, hidden_size=64, n_layers=2, bidirectional=True,
                 n_heads=4, dropout=0.0, learning_rate=3e-3, batch_size=32, max_epochs=20,
                 random_state=None, verbose=None, trainer_kwargs=None):
        self.encoder = encoder
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.bidirectional = bidirectional
        self.n_heads = n_heads
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.random_state = random_state
        self.verbose = verbose
        self.trainer_kwargs = trainer_kwargs

    # -------------------------------------------------------------------------- checks
    def _check_params(self):
        check_options(self, "encoder", self.encoder, ENCODERS)
        check_int(self, "hidden_size", self.hidden_size)
        check_int(self, "n_layers", self.n_layers)
        check_bool(self, "bidirectional", self.bidirectional)
        check_int(self, "n_heads", self.n_heads)
        if self.encoder == "transformer" and self.hidden_size % self.n_heads:
            raise ValueError(
                f"CTCLabeller with encoder='transformer' needs 'hidden_size' to be a multiple "
                f"of 'n_heads'. Got hidden_size={self.hidden_size} and n_heads={self.n_heads}."
            )
        check_float(self, "dropout", self.dropout, low=0.0, high=1.0, high_open=True)
        check_float(self, "learning_rate", self.learning_rate, low=0.0, high=math.inf,
                    low_open=True, high_open=True)
        check_int(self, "batch_size", self.batch_size)
        check_int(self, "max_epochs", self.max_epochs)
        check_random_state(self, self.random_state)
        check_bool(self, "verbose", self.verbose, allow_none=True)
        check_dict(self, "trainer_kwargs", self.trainer_kwargs)

    def _check_X(self, X, method, n_features=None):
        name = type(self).__name__
        if isinstance(X, np.ndarray) and X.ndim == 3:
            X = list(X)
        if isinstance(X, (str, bytes)) or not isinstance(X, (Sequence, np.ndarray)) \
                or len(X) == 0:
            what = "an empty sequence" if hasattr(X, "__len__") else type(X).__name__
            raise ValueError(f"{name}.{method} expects X as a non-empty list of arrays of "
                             f"shape (n_frames, n_features), one per sequence. Got {what}.")
        out = []
        for i, x in enumerate(X):
            a = np.asarray(x, dtype=np.float32)
            if a.ndim == 1:
                a = a[:, None]
            if a.ndim != 2 or len(a) == 0:
                raise ValueError(f"{name}.{method} expects each item of X to be an array of "
                                 f"shape (n_frames, n_features) with at least one frame. "
                                 f"Item {i} has shape {a.shape}.")
            if n_features is None:
                n_features = a.shape[1]
            if a.shape[1] != n_features:
                seen = (f"{name} was fitted with" if method != "fit"
                        else f"item 0, the first that {name}.fit read, has")
                raise ValueError(f"Item {i} of X has {a.shape[1]} features but {seen} "
                                 f"{n_features}. Pass frames with the same features in the "
                                 f"same order.")
            if not np.isfinite(a).all():
                raise ValueError(f"Item {i} of X passed to {name}.{method} holds NaN or "
                                 f"infinite values. Fill or drop them first.")
            out.append(a)
        return out

    def _check_y(self, y, n):
        name = type(self).__name__
        if isinstance(y, (str, bytes)) or not isinstance(y, (Sequence, np.ndarray)):
            raise TypeError(f"{name}.fit expects y as a list of label sequences (strings or "
                            f"lists of labels), one per item of X. Got {type(y).__name__}.")
        if len(y) != n:
            raise ValueError(f"{name}.fit needs one label sequence per input sequence, but "
                             f"X has {n} and y has {len(y)}.")
        strings = [isinstance(s, str) for s in y]
        if any(strings) and not all(strings):
            i = strings.index(False)
            raise TypeError(f"{name}.fit expects y to hold either only strings or only lists "
                            f"of labels. Item {i} is {type(y[i]).__name__} while others are "
                            f"str.")
        out = []
        for i, s in enumerate(y):
            if not isinstance(s, (str, Sequence, np.ndarray)):
                raise TypeError(f"{name}.fit expects each item of y to be a string or a list "
                                f"of labels. Item {i} is {type(s).__name__} {s!r}.")
            seq = [v.item() if isinstance(v, np.generic) else v for v in s]
            for v in seq:
                try:
                    hash(v)
                except TypeError:
                    raise TypeError(f"Labels must be hashable, but item {i} of y holds "
                                    f"{type(v).__name__} {v!r}.") from None
            out.append(seq)
        return out, all(strings)

    # -------------------------------------------------------------------------- fit
    @atomic_fit
    def fit(self, X, y):
        """Train the labeller from scratch on unaligned (frames, labels) pairs.

        Parameters
        ----------
        X : list of array-like of shape (T_i, n_features)
            Input sequences of varying length (or an array (n, T, n_features)).
        y : list of str, or list of lists of hashable labels
            The label sequence of each input; it may be shorter than its input
            but CTC needs ``T_i >= len(y_i) + r_i`` frames, ``r_i`` the number
            of equal adjacent labels (a blank must separate repeats).

        Returns
        -------
        self : object
            The fitted labeller.
        """
        name = type(self).__name__
        self._check_params()
        X = self._check_X(X, "fit")
        y, strings = self._check_y(y, len(X))
        for i, (x, s) in enumerate(zip(X, y)):
            need = len(s) + _n_repeats(s)
            if len(x) < need:
                raise ValueError(
                    f"{name} cannot align label sequence {i} (length {len(s)}, "
                    f"{_n_repeats(s)} equal adjacent labels) with its input of {len(x)} "
                    f"frames: CTC needs at least len(y) + repeats = {need} frames. Drop "
                    f"sample {i} or pass longer inputs."
                )
        uniques = list(dict.fromkeys(v for s in y for v in s))
        if not uniques:
            raise ValueError(f"{name}.fit found no labels: every label sequence in y is "
                             f"empty. Pass the labellings to learn.")
        try:
            uniques = sorted(uniques)
        except TypeError:  # labels of mixed types keep the order of first appearance
            pass
        to_id = {v: k + 1 for k, v in enumerate(uniques)}
        frames = np.concatenate(X)
        mean, scale = frames.mean(axis=0), frames.std(axis=0)
        scale[scale == 0] = 1.0
        X = [((x - mean) / scale).astype(np.float32) for x in X]
        targets = [[to_id[v] for v in s] for s in y]

        seed = (self.random_state if self.random_state is not None
                else int(np.random.SeedSequence().generate_state(1)[0]))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            network = self._make_network(frames.shape[1], len(uniques))
            loader = torch.utils.data.DataLoader(
                _Sequences(X, targets), batch_size=self.batch_size, shuffle=True,
                collate_fn=_collate, generator=torch.Generator().manual_seed(seed))
            module = TrainingModule(network, loss=_CTCObjective(),
                                    learning_rate=self.learning_rate)
            self.history_, _ = train_network(module, loader, None, max_epochs=self.max_epochs,
                                             verbose=resolve_verbose(self.verbose),
                                             trainer_kwargs=self.trainer_kwargs)
        self.network_ = network.cpu().eval()
        self.labels_ = uniques
        self.string_labels_ = strings
        self.n_features_in_ = frames.shape[1]
        self.feature_mean_ = mean.astype(np.float64)
        self.feature_scale_ = scale.astype(np.float64)
        return self

    def _make_network(self, n_features, n_labels):
        return CTCNet(n_features, n_labels, encoder=self.encoder, hidden_size=self.hidden_size,
                      n_layers=self.n_layers, bidirectional=self.bidirectional,
                      n_heads=self.n_heads, dropout=self.dropout)

    # -------------------------------------------------------------------------- predict
    def log_probs(self, X):
        """Per-frame log-probabilities of the blank (column 0) and of each label.

        Parameters
        ----------
        X : list of array-like of shape (T_i, n_features)

        Returns
        -------
        list of ndarray of shape (T_i, len(labels_) + 1)
            Each row sums to 1 after ``exp``; column ``k >= 1`` is ``labels_[k - 1]``.
        """
        check_is_fitted(self)
        X = self._check_X(X, "log_probs", self.n_features_in_)
        mean = self.feature_mean_.astype(np.float32)
        scale = self.feature_scale_.astype(np.float32)
        X = [(x - mean) / scale for x in X]
        order = np.argsort([len(x) for x in X], kind="stable")  # similar lengths share a batch
        out = [None] * len(X)
        with torch.no_grad():
            for start in range(0, len(X), self.batch_size):
                idx = order[start:start + self.batch_size]
                x, lengths = _pad([X[i] for i in idx])
                log_probs, _ = self.network_(x, lengths)
                for k, i in enumerate(idx):
                    out[i] = log_probs[k, :lengths[k]].numpy().astype(np.float64)
        return out

    def predict(self, X, decoder="best_path", beam_width=8):
        """Decode the label sequence of each input.

        Parameters
        ----------
        X : list of array-like of shape (T_i, n_features)
        decoder : {"best_path", "prefix_beam"}, default="best_path"
            ``"best_path"`` collapses the most probable frame path (fast);
            ``"prefix_beam"`` runs :func:`prefix_beam_search`, which scores a
            labelling by the sum over its alignments.
        beam_width : int, default=8
            Prefixes kept by ``"prefix_beam"``.

        Returns
        -------
        list
            Strings if the labeller was fitted on strings, else lists of labels.
        """
        check_options(self, "decoder", decoder, DECODERS)
        check_int(self, "beam_width", beam_width)
        decoded = []
        for lp in self.log_probs(X):
            ids = (best_path_decode(lp) if decoder == "best_path"
                   else prefix_beam_search(lp, beam_width)[0])
            labels = [self.labels_[k - 1] for k in ids]
            decoded.append("".join(labels) if self.string_labels_ else labels)
        return decoded

    def score(self, X, y):
        """One minus the label error rate of the best-path predictions.

        Parameters
        ----------
        X : list of array-like of shape (T_i, n_features)
        y : list of str, or list of lists of labels

        Returns
        -------
        float
            ``1 - label_error_rate(y, self.predict(X))``; 1 is perfect.
        """
        pred = self.predict(X)
        if len(y) != len(pred):
            raise ValueError(f"{type(self).__name__}.score needs one label sequence per input "
                             f"sequence, but X has {len(pred)} and y has {len(y)}.")
        return 1.0 - label_error_rate([list(s) for s in y], [list(p) for p in pred])

    # -------------------------------------------------------------------------- persistence
    def save(self, path):
        """Save the fitted labeller to ``path`` (a zip of JSON metadata and weights, no pickle).

        Parameters
        ----------
        path : str or path-like
        """
        check_is_fitted(self)
        bad = [v for v in self.labels_ if not isinstance(v, _JSON_LABEL)]
        if bad:
            raise ValueError(
                f"{type(self).__name__}.save stores labels as JSON, which keeps str, int, "
                f"float and bool; got {type(bad[0]).__name__} {bad[0]!r}. Map the labels to "
                f"strings or ints before fit."
            )
        fitted = {"labels": self.labels_, "string_labels": self.string_labels_,
                  "n_features_in": self.n_features_in_,
                  "feature_mean": self.feature_mean_.tolist(),
                  "feature_scale": self.feature_scale_.tolist(), "history": self.history_}
        save_estimator(self, path, fitted, self.network_.state_dict())

    @classmethod
    def load(cls, path):
        """Load a labeller written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        CTCLabeller
            Fitted, with the saved parameters, labels and weights.
        """
        est, fitted, state = load_estimator(cls, path, _FITTED)
        est.labels_ = fitted["labels"]
        est.string_labels_ = fitted["string_labels"]
        est.n_features_in_ = fitted["n_features_in"]
        est.feature_mean_ = np.asarray(fitted["feature_mean"], dtype=np.float64)
        est.feature_scale_ = np.asarray(fitted["feature_scale"], dtype=np.float64)
        est.history_ = fitted["history"]
        network = est._make_network(est.n_features_in_, len(est.labels_))
        est.network_ = restore_network(network, state, path)
        return est
