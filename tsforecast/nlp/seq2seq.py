"""Sequence-to-sequence models for text: an encoder-decoder over characters or words.

:class:`Seq2Seq` reads a source string with a recurrent encoder and writes
the target string one token at a time with a recurrent decoder, optionally
attending over the encoder states. The encoder, the decoder step and the
attention are the forecasters' own (:mod:`tsforecast.models.seq2seq`); this
module adds the token embeddings, the projection onto the vocabulary, the
vocabularies and the decoding (:mod:`tsforecast.nlp.decoding`). Training
runs through the library's one Lightning module, with teacher forcing: the
decoder reads the true previous token, and the loss is the cross-entropy of
the next token, padding ignored.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .._atomic import atomic_fit
from .._persistence import EPOCH, HISTORY, STRINGS, fitted_schema
from ..data.splits import n_rows
from ..models.seq2seq import CELLS, AttentionDecoderCell, RecurrentEncoder, top_state
from ..utils.validation import check_bool, check_float, check_int, check_options
from ._base import TextEstimator
from .decoding import beam_search, greedy_search
from .vocab import Vocabulary, check_texts, pad_ids, tokenize

__all__ = ["Seq2SeqNet", "Seq2Seq"]

_FITTED = fitted_schema(source_vocabulary=STRINGS, target_vocabulary=STRINGS,
                        max_target_length={"type": "integer", "minimum": 0}, history=HISTORY,
                        best_epoch=EPOCH)

PAD, START, END = "<pad>", "<s>", "</s>"
SPECIALS = (PAD, START, END)  # ids 0, 1, 2 of both vocabularies
ATTENTIONS = (None, "additive", "dot", "general")
UNITS = ("char", "word")


class Seq2SeqNet(nn.Module):
    """Token encoder-decoder: embeddings, :class:`RecurrentEncoder`, :class:`AttentionDecoderCell`.

    Inputs: ``source`` ``(B, S)`` token ids padded with 0, ``lengths`` ``(B,)``
    their lengths, ``target_in`` ``(B, T)`` the decoder's inputs (``<s>``
    then the target tokens: teacher forcing). Output: logits ``(B, T, V)``
    of the next target token; those of ids 0 and 1 (``<pad>``, ``<s>``),
    which never follow, are ``-inf``.

    With ``peeky`` the encoder's final top state ``h`` joins the decoder's
    input at every step and the output layer's input (Cho et al., 2014):
    ``y_t = W [f_t; h] + b`` with ``f_t`` the decoder features.
    """

    def __init__(self, source_size, target_size, *, embedding_size=16, hidden_size=128,
                 cell="lstm", n_layers=1, bidirectional=False, attention="additive",
                 peeky=False, dropout=0.0):
        super().__init__()
        self.source_embedding = nn.Embedding(source_size, embedding_size, padding_idx=0)
        self.target_embedding = nn.Embedding(target_size, embedding_size, padding_idx=0)
        self.encoder = RecurrentEncoder(cell, embedding_size, hidden_size, n_layers,
                                        bidirectional=bidirectional, dropout=dropout)
        self.peeky = peeky
        summary = hidden_size if peeky else 0
        self.decoder = AttentionDecoderCell(cell, embedding_size + summary, hidden_size,
                                            self.encoder.key_size, attention, n_layers,
                                            dropout=dropout)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(self.decoder.features_size + summary, target_size)
        # <pad> and <s> are never a next token: the model gives them probability 0
        never = torch.zeros(target_size, dtype=torch.bool)
        never[:2] = True
        self.register_buffer("never", never, persistent=False)

    def encode(self, source, lengths):
        """The decoding state, every tensor batch-first (as ``tsforecast.nlp.decoding`` needs)."""
        S = source.shape[1]
        x = self.dropout(self.source_embedding(source))  # -> (B, S, E)
        # Packing makes the final state that of each source's last real token,
        # so a prediction does not depend on the other sources in its batch.
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        keys, state = self.encoder(packed)
        keys = pad_packed_sequence(keys, batch_first=True, total_length=S)[0]  # -> (B, S, K)
        mask = torch.arange(S, device=source.device) >= lengths[:, None]  # True: padding
        lstm = isinstance(state, tuple)
        rnn = tuple(s.transpose(0, 1) for s in state) if lstm else state.transpose(0, 1)
        attention = self.decoder.attention
        return {"rnn": rnn, "keys": keys, "mask": mask, "summary": top_state(state),
                "projected": attention.project_keys(keys) if attention is not None else None}

    def decode_step(self, state, tokens):
        """One decoder step: logits ``(B, V)``, the new state, attention weights ``(B, S)``."""
        rnn = state["rnn"]
        rnn = tuple(s.transpose(0, 1) for s in rnn) if isinstance(rnn, tuple) \
            else rnn.transpose(0, 1)  # -> (n_layers, B, D)
        summary = [state["summary"]] if self.peeky else []
        x = torch.cat([self.dropout(self.target_embedding(tokens)), *summary], dim=-1)
        features, rnn, weights = self.decoder(x, rnn, state["keys"], state["mask"],
                                              state["projected"])
        logits = self.out(self.dropout(torch.cat([features, *summary], dim=-1)))
        logits = logits.masked_fill(self.never, float("-inf"))
        rnn = tuple(s.transpose(0, 1) for s in rnn) if isinstance(rnn, tuple) \
            else rnn.transpose(0, 1)
        return logits, {**state, "rnn": rnn}, weights

    def forward(self, source, lengths, target_in):
        state = self.encode(source, lengths)
        logits = []
        for t in range(target_in.shape[1]):
            step_logits, state, _ = self.decode_step(state, target_in[:, t])
            logits.append(step_logits)
        return torch.stack(logits, dim=1)  # -> (B, T, V)


class _SequenceCrossEntropy(nn.Module):
    """Mean cross-entropy over the real (non-padding) target tokens."""

    def __init__(self):
        super().__init__()
        self.loss = nn.CrossEntropyLoss(ignore_index=0)

    def forward(self, logits, target):
        return self.loss(logits.transpose(1, 2), target)  # (B, V, T) against (B, T)


class _Batches(torch.utils.data.IterableDataset):
    """Batches ``((source, lengths, target_in), target_out)``, cut to each batch's longest row."""

    def __init__(self, source, lengths, target, target_lengths, batch_size, seed=None):
        super().__init__()
        self.source, self.lengths = source, lengths
        self.target, self.target_lengths = target, target_lengths
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed) if seed is not None else None

    def __iter__(self):
        n = len(self.source)
        order = torch.from_numpy(self.rng.permutation(n)) if self.rng is not None else None
        for start in range(0, n, self.batch_size):
            rows = (order[start:start + self.batch_size] if order is not None
                    else slice(start, start + self.batch_size))
            lengths = self.lengths[rows]
            source = self.source[rows, :int(lengths.max())]
            target = self.target[rows, :int(self.target_lengths[rows].max()) + 1]
            # target rows are <s> t_1 .. t_n </s>: input drops the last, output the first
            yield (source, lengths, target[:, :-1]), target[:, 1:]


class Seq2Seq(TextEstimator):
    """Encoder-decoder for text, with optional attention: map a string to a string.

    The encoder (an LSTM or GRU, optionally bidirectional) reads the source's
    tokens (characters or words); the decoder writes the target token by
    token, starting from the encoder's final state. With ``attention`` each
    decoder step also reads a context, the encoder states weighted by their
    match with the decoder's previous state (Bahdanau et al., 2015).
    ``reverse_input`` feeds the source backwards and ``peeky`` gives every
    decoder step the encoder's summary (Sutskever et al., 2014; Cho et al.,
    2014); both shorten the path between related input and output tokens.
    The model trains with teacher forcing on the cross-entropy of the next
    token and decodes greedily or by beam search.

    Parameters
    ----------
    unit : {"char", "word"}, default="char"
        Tokens: the characters of each string, or its whitespace-separated
        words (predictions are then joined by single spaces).
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell of encoder and decoder.
    embedding_size : int, default=16
        Size of the token embeddings.
    hidden_size : int, default=128
        Units of each recurrent layer.
    n_layers : int, default=1
        Stacked recurrent layers in encoder and decoder.
    bidirectional : bool, default=False
        Also read the source backwards; the two final states are merged into
        the decoder's initial state by a learnt layer.
    attention : {"additive", "dot", "general"} or None, default="additive"
        Score of the attention (see :class:`~tsforecast.models.seq2seq.Attention`);
        None for a plain encoder-decoder. "dot" needs ``bidirectional=False``.
    reverse_input : bool, default=False
        Feed the source tokens in reverse order.
    peeky : bool, default=False
        Concatenate the encoder's final state to the decoder's input at every
        step and to the output layer's input.
    dropout : float, default=0.0
        Dropout on the embeddings, between stacked layers and before the output layer.

    Other Parameters
    ----------------
    learning_rate : float, default=1e-3
        Adam's learning rate.
    batch_size : int, default=128
        Pairs per gradient step.
    max_epochs : int, default=25
        Most passes over the training pairs.
    patience : int or None, default=3
        Early-stopping patience on the validation loss; None trains ``max_epochs``.
    validation_size : float or None, default=0.1
        Fraction of the pairs, taken from the end, held out for validation
        when ``fit`` gets no ``validation_data``; None or 0 holds out nothing.
    random_state : int or None, default=None
        Seed of the weights and of the batch order.
    verbose : bool or None, default=None
        Progress bar; None shows it when standard error is a terminal.
    trainer_kwargs : dict or None, default=None
        Extra arguments for ``pytorch_lightning.Trainer``.

    Attributes
    ----------
    network_ : Seq2SeqNet
        The trained network.
    source_vocabulary_, target_vocabulary_ : list of str
        Tokens by id; ids 0, 1, 2 are ``"<pad>"``, ``"<s>"``, ``"</s>"``.
    max_target_length_ : int
        Most tokens in a training target; decoding stops one token later by default.
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss`` and ``val_loss`` (cross-entropy per token).
    best_epoch_ : int or None
        Epoch whose weights were kept (the best validation loss).

    See Also
    --------
    tsforecast.nlp.decoding.beam_search : The decoding behind ``beam_width > 1``.
    tsforecast.plotting.plot_attention : Draw the weights of :meth:`predict_attention`.
    tsforecast.Seq2SeqAttentionForecaster : The same encoder and decoder on time series.

    References
    ----------
    Sutskever, I., Vinyals, O. & Le, Q. V. (2014). Sequence to sequence learning with neural
    networks. *NeurIPS*.
    Cho, K. et al. (2014). Learning phrase representations using RNN encoder-decoder for
    statistical machine translation. *EMNLP*.
    Bahdanau, D., Cho, K. & Bengio, Y. (2015). Neural machine translation by jointly learning
    to align and translate. *ICLR*.
    Luong, M.-T., Pham, H. & Manning, C. D. (2015). Effective approaches to attention-based
    neural machine translation. *EMNLP*.

    Examples
    --------
    >>> from tsforecast.nlp import Seq2Seq
    >>> sources = ["abc", "bca", "cab", "acb"] * 8
    >>> targets = [s[::-1] for s in sources]
    >>> model = Seq2Seq(hidden_size=16, max_epochs=1, random_state=0,
    ...                 trainer_kwargs={"accelerator": "cpu"}).fit(sources, targets)
    >>> len(model.predict(["abc", "cab"], beam_width=3))
    2
    >>> weights, inputs, outputs = model.predict_attention("abc")
    >>> weights.shape == (len(outputs), 3), inputs
    (True, ['a', 'b', 'c'])
    """

    _fitted_schema = _FITTED

    def __init__(self, unit="char", *, cell="lstm", embedding_size=16, hidden_size=128,
                 n_layers=1, bidirectional=False, attention="additive", reverse_input=False,
                 peeky=False, dropout=0.0, learning_rate=1e-3, batch_size=128, max_epochs=25,
                 patience=3, validation_size=0.1, random_state=None, verbose=None,
                 trainer_kwargs=None):
        super().__init__(learning_rate=learning_rate, batch_size=batch_size,
                         max_epochs=max_epochs, random_state=random_state, verbose=verbose,
                         trainer_kwargs=trainer_kwargs)
        self.unit = unit
        self.cell = cell
        self.embedding_size = embedding_size
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.bidirectional = bidirectional
        self.attention = attention
        self.reverse_input = reverse_input
        self.peeky = peeky
        self.dropout = dropout
        self.patience = patience
        self.validation_size = validation_size

    # ------------------------------------------------------------------ checks and tokens
    def _check_own_params(self):
        check_options(self, "unit", self.unit, UNITS)
        check_options(self, "cell", self.cell, CELLS)
        check_int(self, "embedding_size", self.embedding_size)
        check_int(self, "hidden_size", self.hidden_size)
        check_int(self, "n_layers", self.n_layers)
        check_bool(self, "bidirectional", self.bidirectional)
        check_options(self, "attention", self.attention, ATTENTIONS)
        check_bool(self, "reverse_input", self.reverse_input)
        check_bool(self, "peeky", self.peeky)
        check_float(self, "dropout", self.dropout, low=0.0, high=1.0, high_open=True)
        if self.attention == "dot" and self.bidirectional:
            raise ValueError(
                f"The 'attention' parameter of Seq2Seq cannot be 'dot' with bidirectional=True: "
                f"dot attention compares the decoder state ({self.hidden_size} units) with "
                f"encoder states of both directions ({2 * self.hidden_size} units). Use "
                f"attention='general' or 'additive', or bidirectional=False."
            )

    def _tokens(self, text):
        return tokenize(text, self.unit)

    def _join(self, tokens):
        return "".join(tokens) if self.unit == "char" else " ".join(tokens)

    def _encode_sources(self, sources):
        """Source strings -> padded ids ``(N, S)`` and lengths; unknown tokens are an error."""
        lookup = self._source_ids
        rows = []
        for i, text in enumerate(sources):
            tokens = self._tokens(text)
            if not tokens:
                raise ValueError(f"Source {i} given to Seq2Seq has no tokens ({text!r}). "
                                 f"Every source needs at least one token; drop empty ones.")
            unknown = sorted({t for t in tokens if t not in lookup})
            if unknown:
                what = "character" if self.unit == "char" else "word"
                raise ValueError(
                    f"Source {i} ({text[:40]!r}) holds the {what}(s) {unknown[:10]} that "
                    f"Seq2Seq did not see in fit ({len(self.source_vocabulary_) - 3} known "
                    f"{what}s). Remove or replace them, or refit with sources that contain them."
                )
            ids = [lookup[t] for t in tokens]
            rows.append(ids[::-1] if self.reverse_input else ids)
        return pad_ids(rows)

    # ------------------------------------------------------------------ fit
    @atomic_fit
    def fit(self, sources, targets, validation_data=None):
        """Learn to map each source string to its target string, from scratch.

        Parameters
        ----------
        sources, targets : list of str
            Pairs of input and output strings.
        validation_data : tuple (sources, targets) or None, default=None
            Pairs for the validation loss (early stopping and the kept
            weights); None holds out the last ``validation_size`` of the pairs.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        sources = check_texts(self, sources, "sources")
        targets = check_texts(self, targets, "targets")
        if len(sources) != len(targets):
            raise ValueError(f"Seq2Seq.fit got {len(sources)} sources but {len(targets)} "
                             f"targets. Pass one target per source.")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("Seq2Seq.fit expects validation_data as a tuple "
                                "(sources, targets) or None.")
            val_sources = check_texts(self, validation_data[0], "validation sources")
            val_targets = check_texts(self, validation_data[1], "validation targets")
            if len(val_sources) != len(val_targets):
                raise ValueError(f"validation_data has {len(val_sources)} sources but "
                                 f"{len(val_targets)} targets. Pass one target per source.")
        else:
            n_val = n_rows(self.validation_size, len(sources), "validation_size", "Seq2Seq")
            if n_val and len(sources) - n_val < 1:
                raise ValueError(f"Seq2Seq holds out {n_val} of {len(sources)} pairs for "
                                 f"validation, which leaves none to train on. Lower "
                                 f"'validation_size' or pass more pairs.")
            cut = len(sources) - n_val
            val_sources, val_targets = sources[cut:], targets[cut:]
            sources, targets = sources[:cut], targets[:cut]

        def vocabulary(texts):
            tokens = [t for text in texts for t in self._tokens(text)]
            return Vocabulary.from_tokens(tokens, order="sorted", specials=SPECIALS).tokens

        self.source_vocabulary_ = vocabulary(sources + val_sources)
        self.target_vocabulary_ = vocabulary(targets + val_targets)
        target_ids = {t: i for i, t in enumerate(self.target_vocabulary_)}

        def encode(src, tgt):
            source, lengths = self._encode_sources(src)
            target, target_lengths = pad_ids([[1, *(target_ids[t] for t in self._tokens(s)), 2]
                                           for s in tgt])
            return source, lengths, target, target_lengths - 1  # tokens after <s>

        train = encode(sources, targets)
        self.max_target_length_ = int(train[3].max()) - 1  # without </s>
        seed = self._seed()
        train_loader = torch.utils.data.DataLoader(
            _Batches(*train, self.batch_size, seed=seed), batch_size=None)
        val_loader = None
        if val_sources:
            val_loader = torch.utils.data.DataLoader(
                _Batches(*encode(val_sources, val_targets), max(self.batch_size, 512)),
                batch_size=None)
        return self._train(seed, train_loader, val_loader, loss=_SequenceCrossEntropy(),
                           patience=self.patience)

    def _make_network(self):
        return Seq2SeqNet(len(self.source_vocabulary_), len(self.target_vocabulary_),
                          embedding_size=self.embedding_size, hidden_size=self.hidden_size,
                          cell=self.cell, n_layers=self.n_layers,
                          bidirectional=self.bidirectional, attention=self.attention,
                          peeky=self.peeky, dropout=self.dropout)

    @property
    def _source_ids(self):
        return {t: i for i, t in enumerate(self.source_vocabulary_)}

    # ------------------------------------------------------------------ decoding
    def _decode(self, sources, beam_width, max_length):
        check_is_fitted(self)
        check_int(self, "beam_width", beam_width)
        check_int(self, "max_length", max_length, allow_none=True)
        sources = check_texts(self, sources, "sources")
        max_length = self.max_target_length_ + 1 if max_length is None else max_length
        source, lengths = self._encode_sources(sources)
        network, chunk = self.network_.eval(), max(self.batch_size, 512)
        texts, scores = [], []
        with torch.no_grad():
            for start in range(0, len(sources), chunk):
                src, lens = source[start:start + chunk], lengths[start:start + chunk]
                state = network.encode(src[:, :int(lens.max())], lens)
                step = _log_prob_step(network)
                begin = torch.full((len(src),), 1, dtype=torch.long)
                seqs, logp = beam_search(step, state, begin, 2, max_length, beam_width)
                texts += [self._join(self.target_vocabulary_[i] for i in s) for s in seqs]
                scores.append(logp.numpy())
        return texts, np.concatenate(scores).astype(np.float64)

    def predict(self, sources, beam_width=1, max_length=None):
        """Translate each source string.

        Parameters
        ----------
        sources : list of str
        beam_width : int, default=1
            1 decodes greedily; larger values run beam search with that many
            hypotheses per source (never a less probable result than greedy).
        max_length : int or None, default=None
            Most output tokens, the end token included; None allows one more
            than the longest training target.

        Returns
        -------
        list of str
        """
        return self._decode(sources, beam_width, max_length)[0]

    def predict_with_scores(self, sources, beam_width=1, max_length=None):
        """Translate each source and return the log-probability of each translation.

        Parameters
        ----------
        sources : list of str
        beam_width : int, default=1
        max_length : int or None, default=None
            As in :meth:`predict`.

        Returns
        -------
        predictions : list of str
        log_probs : ndarray of shape (n_sources,)
            The model's log-probability of each output token sequence (end
            token included when emitted), not normalised by length.
        """
        return self._decode(sources, beam_width, max_length)

    def score(self, sources, targets, beam_width=1):
        """Exact-match accuracy: the fraction of sources translated to exactly their target.

        Parameters
        ----------
        sources, targets : list of str
        beam_width : int, default=1

        Returns
        -------
        float
        """
        targets = check_texts(self, targets, "targets")
        predictions = self.predict(sources, beam_width=beam_width)
        if len(predictions) != len(targets):
            raise ValueError(f"Seq2Seq.score got {len(predictions)} sources but "
                             f"{len(targets)} targets. Pass one target per source.")
        expected = [self._join(self._tokens(t)) for t in targets]
        return float(np.mean([p == t for p, t in zip(predictions, expected)]))

    def predict_attention(self, source, max_length=None):
        """Attention weights of the greedy translation of one source.

        Parameters
        ----------
        source : str
        max_length : int or None, default=None
            As in :meth:`predict`.

        Returns
        -------
        weights : ndarray of shape (n_outputs, n_inputs)
            Row ``t`` is the attention of output step ``t`` over the source
            tokens (in reading order, also with ``reverse_input``); rows sum to 1.
        input_tokens : list of str
            The source's tokens.
        output_tokens : list of str
            The output tokens, ending with ``"</s>"`` when the model ended the sequence.
        """
        check_is_fitted(self)
        if self.attention is None:
            raise ValueError("This Seq2Seq has attention=None, so it has no attention weights. "
                             "Fit it with attention='additive', 'dot' or 'general'.")
        if not isinstance(source, str):
            raise TypeError(f"Seq2Seq.predict_attention expects one source str; got "
                            f"{type(source).__name__}. Call it once per source.")
        check_int(self, "max_length", max_length, allow_none=True)
        max_length = self.max_target_length_ + 1 if max_length is None else max_length
        src, lengths = self._encode_sources([source])
        maps = []
        with torch.no_grad():
            state = self.network_.eval().encode(src, lengths)
            seqs, _ = greedy_search(_log_prob_step(self.network_, maps), state,
                                    torch.tensor([1]), 2, max_length)
        weights = torch.cat(maps).numpy().astype(np.float64)  # -> (n_outputs, S)
        if self.reverse_input:
            weights = weights[:, ::-1].copy()
        outputs = [self.target_vocabulary_[i] for i in seqs[0]]
        if len(weights) > len(outputs):
            outputs.append(END)
        return weights, self._tokens(source), outputs

    # ------------------------------------------------------------------ persistence
    def _fitted_state(self):
        return {"source_vocabulary": self.source_vocabulary_,
                "target_vocabulary": self.target_vocabulary_,
                "max_target_length": self.max_target_length_}

    def _restore(self, state):
        self.source_vocabulary_ = state["source_vocabulary"]
        self.target_vocabulary_ = state["target_vocabulary"]
        self.max_target_length_ = state["max_target_length"]


def _log_prob_step(network, maps=None):
    """The step function of :mod:`~tsforecast.nlp.decoding` for a :class:`Seq2SeqNet`."""
    def step(state, tokens):
        logits, state, weights = network.decode_step(state, tokens)
        if maps is not None:
            maps.append(weights)
        return torch.log_softmax(logits, dim=-1), state
    return step
