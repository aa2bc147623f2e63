"""Recurrent encoder-decoder with attention, and its forecaster.

The building blocks are public so that the text models in ``tsforecast.nlp``
reuse them instead of keeping a second copy:

- :class:`Attention` scores a query against a sequence of keys (additive,
  dot or general) and returns the context vector and the weights; it takes an
  optional key-padding mask for padded text.
- :class:`RecurrentEncoder` reads a sequence with an LSTM or GRU, optionally
  bidirectional, and returns every step's state (the attention keys) and the
  initial state of a decoder.
- :class:`AttentionDecoderCell` advances a recurrent decoder by one step,
  attending over the encoder states.

A character-level seq2seq model embeds its tokens, runs the encoder, then
calls the decoder cell once per output token and projects its features onto
the vocabulary; :class:`Seq2SeqAttentionNet` does the same with real values.
"""

from __future__ import annotations

import torch
from torch import nn

from .._shared import shared_params
from ..base import BaseForecaster
from ..utils.validation import check_bool, check_float, check_int, check_options

__all__ = ["Attention", "RecurrentEncoder", "AttentionDecoderCell", "Seq2SeqAttentionNet",
           "Seq2SeqAttentionForecaster"]

ATTENTIONS = ("additive", "dot", "general")
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


class Attention(nn.Module):
    """Attention of a query over a sequence of keys: scores, softmax weights and context.

    Inputs: ``query`` ``(B, Dq)`` or ``(B, Q, Dq)`` (Q queries at once, e.g. all
    decoder states under teacher forcing), ``keys`` ``(B, S, Dk)``, optional
    ``key_padding_mask`` ``(B, S)`` of bool where True marks a padded key to
    ignore (PyTorch's convention; every row needs one unmasked key), optional
    ``projected_keys`` from :meth:`project_keys`.
    Outputs: ``context`` ``(B, Dk)`` or ``(B, Q, Dk)``, the weighted sum of the
    keys, and ``weights`` ``(B, S)`` or ``(B, Q, S)``, which sum to 1 over S.

    Parameters
    ----------
    kind : {"additive", "dot", "general"}
        The score of query ``q`` and key ``k``: ``"additive"`` (Bahdanau et
        al., 2015) ``v^T tanh(W_q q + W_k k)``; ``"dot"`` (Luong et al., 2015)
        ``q^T k``, which needs ``query_size == key_size`` and has no
        parameters; ``"general"`` (Luong et al., 2015) ``q^T W k``.
    query_size, key_size : int
        Sizes of the query (e.g. the decoder state) and of each key (e.g. an
        encoder state; twice the hidden size for a bidirectional encoder).
    attention_size : int, optional
        Width of the additive score's hidden layer; defaults to ``query_size``.



    Examples
    --------
    >>> import torch
    >>> att = Attention("general", query_size=8, key_size=16)
    >>> context, weights = att(torch.randn(2, 8), torch.randn(2, 5, 16))
    >>> context.shape, weights.shape
    (torch.Size([2, 16]), torch.Size([2, 5]))
    """

    def __init__(self, kind: str, query_size: int, key_size: int,
                 attention_size: int | None = None):
        super().__init__()
        if kind not in ATTENTIONS:
            raise ValueError(f"Attention kind must be one of {ATTENTIONS}; got {kind!r}.")
        if kind == "dot" and query_size != key_size:
            raise ValueError(
                f"Dot attention needs query_size == key_size; got {query_size} and {key_size}. "
                f"Use kind='general' or 'additive' to compare vectors of different sizes."
            )
        self.kind = kind
        if kind == "additive":
            size = attention_size or query_size
            self.w_query = nn.Linear(query_size, size, bias=False)
            self.w_key = nn.Linear(key_size, size)
            self.v = nn.Linear(size, 1, bias=False)
        elif kind == "general":
            # q^T W k computed as (W q)^T k: one small product per query, none per key.
            self.w = nn.Linear(query_size, key_size, bias=False)

    def project_keys(self, keys: torch.Tensor) -> torch.Tensor | None:
        """The part of the score that depends on the keys only: ``W_k k`` for additive.

        Compute it once per sequence and pass it to every decoder step as
        ``projected_keys``; None for "dot" and "general", which need nothing.
        """
        return self.w_key(keys) if self.kind == "additive" else None

    def forward(self, query, keys, key_padding_mask=None, projected_keys=None):
        single = query.dim() == 2
        q = query.unsqueeze(1) if single else query  # -> (B, Q, Dq)
        if self.kind == "additive":
            pk = self.project_keys(keys) if projected_keys is None else projected_keys
            hidden = torch.tanh(self.w_query(q).unsqueeze(2) + pk.unsqueeze(1))  # (B, Q, S, A)
            scores = self.v(hidden).squeeze(-1)  # -> (B, Q, S)
        else:
            q = self.w(q) if self.kind == "general" else q
            scores = torch.bmm(q, keys.transpose(1, 2))  # -> (B, Q, S)
        if key_padding_mask is not None:
            scores = scores.masked_fill(key_padding_mask.unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)  # -> (B, Q, Dk)
        return (context.squeeze(1), weights.squeeze(1)) if single else (context, weights)


def top_state(state):
    """The top layer's hidden state ``(B, D)`` of an LSTM ``(h, c)`` or GRU ``h`` state."""
    return state[0][-1] if isinstance(state, tuple) else state[-1]


class RecurrentEncoder(nn.Module):
    """An LSTM or GRU that reads a sequence and hands its states to a decoder.

    Inputs: ``x`` ``(B, S, input_size)``. Outputs: ``outputs`` ``(B, S, K)`` with
    ``K = hidden_size * (2 if bidirectional else 1)``, and the decoder's initial
    ``state`` (``(h, c)`` for an LSTM, ``h`` for a GRU), each ``(n_layers, B, hidden_size)``.

    Parameters
    ----------
    cell : {"lstm", "gru"}
    input_size, hidden_size, n_layers : int
    bidirectional : bool, default=False
        Also read the sequence backwards. Each output then concatenates both
        directions (key size ``2 * hidden_size``), and the final states of the
        two directions are merged by a learnt ``tanh(W [h_fwd; h_bwd])`` into
        one decoder-sized state per layer.
    dropout : float, default=0.0
        Between stacked layers.
    """

    def __init__(self, cell, input_size, hidden_size, n_layers=1, *, bidirectional=False,
                 dropout=0.0):
        super().__init__()
        self.rnn = CELLS[cell](input_size, hidden_size, n_layers, batch_first=True,
                               bidirectional=bidirectional,
                               dropout=dropout if n_layers > 1 else 0.0)
        self.key_size = hidden_size * (2 if bidirectional else 1)
        self.bridges = None
        if bidirectional:
            n_parts = 2 if cell == "lstm" else 1
            self.bridges = nn.ModuleList(nn.Linear(2 * hidden_size, hidden_size)
                                         for _ in range(n_parts))

    def _merge(self, s, bridge):
        n2, B, D = s.shape  # (n_layers * 2, B, D), layer-major then direction
        both = s.view(n2 // 2, 2, B, D).permute(0, 2, 1, 3).reshape(n2 // 2, B, 2 * D)
        return torch.tanh(bridge(both))  # -> (n_layers, B, D)

    def forward(self, x):
        outputs, state = self.rnn(x)
        if self.bridges is not None:
            parts = state if isinstance(state, tuple) else (state,)
            merged = tuple(self._merge(s, b) for s, b in zip(parts, self.bridges))
            state = merged if isinstance(state, tuple) else merged[0]
        return outputs, state


class AttentionDecoderCell(nn.Module):
    """One step of a recurrent decoder that attends over the encoder states.

    The previous top-layer state is the query (Bahdanau et al., 2015); the
    context it selects joins the step's input and the step's output features.

    Inputs: ``x`` ``(B, input_size)``, ``state`` (as from :class:`RecurrentEncoder`),
    ``keys`` ``(B, S, key_size)``, optional ``key_padding_mask`` and
    ``projected_keys`` (see :class:`Attention`; compute the latter once with
    ``cell.attention.project_keys(keys)``).
    Outputs: ``features`` ``(B, hidden_size + key_size)`` (new top state and
    context), the new ``state``, and the attention ``weights`` ``(B, S)``.

    Parameters
    ----------
    cell : {"lstm", "gru"}
    input_size : int
        Size of the step's own input (previous output, covariates, ...).
    hidden_size, n_layers : int
    key_size : int
        Size of an encoder state.
    attention : {"additive", "dot", "general"} or None
        None: a plain decoder (Sutskever et al., 2014) that reads no context;
        ``features`` is then the top state alone and ``weights`` None.
    dropout : float, default=0.0
        Between stacked layers.
    """

    def __init__(self, cell, input_size, hidden_size, key_size, attention, n_layers=1, *,
                 dropout=0.0):
        super().__init__()
        self.attention = None
        if attention is not None:
            self.attention = Attention(attention, hidden_size, key_size)
        else:
            key_size = 0
        # Cells, not nn.LSTM/nn.GRU: one step at a time, the fused layers' setup cost dominates.
        Cell = nn.LSTMCell if cell == "lstm" else nn.GRUCell
        self.cells = nn.ModuleList(Cell(input_size + key_size if k == 0 else hidden_size,
                                        hidden_size) for k in range(n_layers))
        self.dropout = nn.Dropout(dropout)
        self.features_size = hidden_size + key_size

    def forward(self, x, state, keys, key_padding_mask=None, projected_keys=None):
        context, weights = x[:, :0], None
        if self.attention is not None:
            context, weights = self.attention(top_state(state), keys, key_padding_mask,
                                              projected_keys)
        lstm = isinstance(state, tuple)
        layers = zip(*(s.unbind(0) for s in state)) if lstm else state.unbind(0)
        inp, new = torch.cat([x, context], dim=-1), []
        for k, (cell, s) in enumerate(zip(self.cells, layers)):
            new.append(cell(self.dropout(inp) if k else inp, s))
            inp = new[-1][0] if lstm else new[-1]
        state = tuple(torch.stack(s) for s in zip(*new)) if lstm else torch.stack(new)
        return torch.cat([inp, context], dim=-1), state, weights


class Seq2SeqAttentionNet(nn.Module):
    """Recurrent encoder-decoder with attention over all encoder states.

    Inputs: ``past`` ``(B, L, F)`` (targets first), ``future`` covariates
    ``(B, H, C)``, and in training optionally ``target`` ``(B, H, T)`` for
    teacher forcing. Output: ``(B, H, T)``, plus attention weights
    ``(B, H, L)`` with ``return_attention=True``.

    Decoder step ``m`` reads the previous forecast (the last observed value
    at ``m = 0``), the covariates ``future[:, m]`` and, if ``peeky``, the
    encoder summary; its features (and the summary, if ``peeky``) are mapped
    to the step's forecast, added to the linear skip path's.

    With ``segment_len=w`` both sides work on segments of ``w`` steps
    (SegRNN's segment-wise iteration, Lin et al., 2023): each history segment
    (the window padded at the front with its first row) is embedded by a
    linear layer and a ReLU, the encoder runs over the ``ceil(L / w)``
    segments, and each of the ``ceil(H / w)`` decoder steps reads the previous
    forecast segment and the segment's covariates and emits ``w`` steps. A
    segment's attention weight is spread evenly over its time steps.

    Parameters
    ----------
    n_features, n_targets, horizon, lookback : int
        ``F``, ``T``, ``H``, ``L``.
    cell, hidden_size, n_layers, bidirectional, attention, reverse_input, peeky,
    teacher_forcing, linear_skip, segment_len, dropout
        As in :class:`Seq2SeqAttentionForecaster`.
    """

    def __init__(self, n_features, n_targets, horizon, lookback, *, cell="lstm", hidden_size=64,
                 n_layers=1, bidirectional=False, attention="general", reverse_input=False,
                 peeky=False, teacher_forcing=0.0, linear_skip=True, segment_len=None,
                 dropout=0.0):
        super().__init__()
        self.n_targets, self.horizon = n_targets, horizon
        self.reverse_input, self.peeky = reverse_input, peeky
        self.teacher_forcing = teacher_forcing
        self.accepts_target = teacher_forcing > 0  # read by the training loop
        self.segment_len = w = segment_len or 1
        self.embed = None
        if segment_len is not None:
            self.embed = nn.Sequential(nn.Linear(w * n_features, hidden_size), nn.ReLU())
        self.encoder = RecurrentEncoder(cell, hidden_size if self.embed else n_features,
                                        hidden_size, n_layers, bidirectional=bidirectional,
                                        dropout=dropout)
        summary = hidden_size if peeky else 0
        # a step reads the previous forecast segment (w*T) and its covariates (w*C)
        self.decoder = AttentionDecoderCell(cell, w * n_features + summary, hidden_size,
                                            self.encoder.key_size, attention, n_layers,
                                            dropout=dropout)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(self.decoder.features_size + summary, w * n_targets)
        # The skip path is a linear map from each target's window to its horizon;
        # the decoder then learns what the linear model misses. A zero output layer
        # starts training from the linear model (the residual-branch trick).
        self.skip = None
        if linear_skip:
            self.skip = nn.Linear(lookback, horizon)
            nn.init.zeros_(self.out.weight)
            nn.init.zeros_(self.out.bias)

    def _spread(self, weights, L):
        """Segment weights ``(B, M, N)`` -> step weights ``(B, M*w, L)``; rows sum to 1."""
        w = self.segment_len
        if w == 1:
            return weights
        steps = weights.repeat_interleave(w, dim=2)[..., -L:]  # drop the front padding
        steps = steps / steps.sum(-1, keepdim=True)
        return steps.repeat_interleave(w, dim=1)

    def forward(self, past, future, return_attention=False, target=None):
        # B batch, L lookback, N history segments of w steps, M forecast segments,
        # H horizon, F features, T targets, C covariates, K key size, D hidden
        B, L, n_features = past.shape
        T, H, w = self.n_targets, self.horizon, self.segment_len
        M = -(-H // w)
        x = past
        if (pad := (-L) % w):  # repeat the first row so that the segments cover the window
            x = torch.cat([x[:, :1].expand(-1, pad, -1), x], dim=1)
        last = x[:, -w:, :T].flatten(1)  # the last observed segment -> (B, w*T)
        if self.embed is not None:
            x = self.embed(x.reshape(B, -1, w * n_features))  # -> (B, N, D)
        keys, state = self.encoder(x.flip(1) if self.reverse_input else x)  # -> (B, N, K)
        if self.reverse_input:
            keys = keys.flip(1)  # back to time order, so weights[..., -1] is the last step
        projected = self.decoder.attention.project_keys(keys)
        summary = [top_state(state)] if self.peeky else []  # -> (B, D)
        base = past.new_zeros(B, M * w, T)
        if self.skip is not None:
            base[:, :H] = self.skip(past[..., :T].transpose(1, 2)).transpose(1, 2)
        cov = future
        if M * w > H and cov.shape[-1]:  # pad the last segment's covariates with the last row
            cov = torch.cat([cov, cov[:, -1:].expand(-1, M * w - H, -1)], dim=1)
        cov = cov.reshape(B, M, -1)  # -> (B, M, w*C)
        teach = target is not None and self.training and self.teacher_forcing > 0
        prev, outputs, maps = last, [], []
        for m in range(M):
            inp = torch.cat([prev, cov[:, m], *summary], dim=-1)
            features, state, weights = self.decoder(inp, state, keys, projected_keys=projected)
            step = (base[:, m * w:(m + 1) * w].flatten(1)
                    + self.out(self.dropout(torch.cat([features, *summary], -1))))
            outputs.append(step)  # -> (B, w*T)
            maps.append(weights)  # -> (B, N)
            prev = step
            if teach and m + 1 < M:  # per window, feed the truth with probability teacher_forcing
                use = torch.rand(B, 1, device=step.device) < self.teacher_forcing
                prev = torch.where(use, target[:, m * w:(m + 1) * w].flatten(1), step)
        out = torch.stack(outputs, dim=1).view(B, M * w, T)[:, :H]  # -> (B, H, T)
        if not return_attention:
            return out
        return out, self._spread(torch.stack(maps, dim=1), L)[:, :H]  # -> (B, H, L)


def _search_space(trial):
    """Default tuning space of :class:`Seq2SeqAttentionForecaster`, around its defaults."""
    return {
        "hidden_size": trial.suggest_categorical("hidden_size", [64, 128, 256]),
        "attention": trial.suggest_categorical("attention", list(ATTENTIONS)),
        "teacher_forcing": trial.suggest_float("teacher_forcing", 0.0, 1.0),
        "learning_rate": trial.suggest_float("learning_rate", 3e-4, 3e-3, log=True),
    }


class Seq2SeqAttentionForecaster(BaseForecaster):
    """Recurrent encoder-decoder (seq2seq) forecaster with attention over the history.

    An LSTM or GRU encoder reads the lookback window; an LSTM or GRU decoder
    then emits the forecast one segment of ``segment_len`` steps at a time
    (one step with ``segment_len=None``), feeding each forecast back as its
    next input and attending at every step over all encoder states, so each
    forecast segment can draw on the history segments that matter to it (the
    same hours yesterday, the latest values). The attention weights of a
    forecast are returned by :meth:`predict_attention` and drawn by
    :func:`tsforecast.plotting.plot_attention`. By default each target column
    is forecast by the same univariate network (channel independence),
    trained on the mean absolute error with a decaying learning rate. An
    optional linear skip path from the window to the forecast carries the
    linear part, so that the recurrent decoder learns only the rest.

    Parameters
    ----------
    hidden_size : int, default=128
        Units of the encoder (per direction) and decoder layers, and width of
        the segment embedding.
    n_layers : int, default=1
        Stacked recurrent layers in the encoder and in the decoder.
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell of the encoder and the decoder.
    bidirectional : bool, default=False
        Bidirectional encoder: each history step's state also summarises the
        steps after it. Not with ``attention="dot"`` (the sizes differ).
    attention : {"additive", "dot", "general"}, default="general"
        Score of a decoder state against an encoder state: Bahdanau's
        additive score, or Luong's dot product or general (bilinear) score.
        "general" is the default: on ETTh1 it forecast at least as well as "additive"
        and trained twice as fast on CPU (see the docs page).
    reverse_input : bool, default=False
        Feed the history to the encoder in reverse time order (Sutskever et
        al., 2014). Attention weights still refer to the history in time order.
    peeky : bool, default=False
        Give the encoder's final state to every decoder step and to the
        output layer, not only as the decoder's initial state.
    teacher_forcing : float, default=0.0
        Probability, per window and decoder step, of feeding the decoder the
        true previous value instead of its own forecast during training.
        Validation and prediction always feed the forecasts back. Has no
        effect with ``strategy="recursive"`` (one decoder step).
    linear_skip : bool, default=False
        Add a linear map from each target's lookback window to its forecast
        (weights shared by the targets); the decoder's output is added to it.
        Off by default: on ETTh1 with segments it forecast worse (see the
        docs page).
    segment_len : int or None, default=24
        Encode the history and decode the forecast in segments of this many
        steps (SegRNN's segment-wise iteration, Lin et al., 2023): each
        encoder step reads one linearly embedded segment, each decoder step
        emits one segment. None works step by step (slow: one decoder step
        per forecast step).

    Other Parameters
    ----------------
    strategy : {"direct", "recursive"}, default="direct"
        Decoder unrolled over all horizon steps, or one step fed back recursively.
    dropout : float, default=0.5
        Dropout between layers and before the output layer.

    See Also
    --------
    LSTMForecaster, GRUForecaster : one recurrent encoder read out by a linear head.
    tsforecast.plotting.plot_attention : draw the weights of :meth:`predict_attention`.

    References
    ----------
    Sutskever, I., Vinyals, O. & Le, Q. V. (2014). Sequence to sequence learning with neural
    networks. *NeurIPS*.
    Bahdanau, D., Cho, K. & Bengio, Y. (2015). Neural machine translation by jointly learning
    to align and translate. *ICLR*.
    Luong, M.-T., Pham, H. & Manning, C. D. (2015). Effective approaches to attention-based
    neural machine translation. *EMNLP*.
    Lin, S., Lin, W., Wu, W., Zhao, F., Mo, R. & Zhang, H. (2023). SegRNN: Segment recurrent
    neural network for long-term time series forecasting. arXiv:2308.11200.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import Seq2SeqAttentionForecaster
    >>> y = np.sin(np.arange(200) * 2 * np.pi / 24)
    >>> est = Seq2SeqAttentionForecaster(lookback=24, horizon=6, max_epochs=1,
    ...                                  random_state=0).fit(y)
    >>> est.predict().shape
    (6,)
    >>> est.predict_attention().shape  # forecast steps x history steps
    (6, 24)
    """

    supports_attention = True
    default_search_space = staticmethod(_search_space)

    def __init__(self, lookback=48, *, horizon=12, hidden_size=128, n_layers=1, cell="lstm",
                 bidirectional=False, attention="general", reverse_input=False, peeky=False,
                 teacher_forcing=0.0, linear_skip=False, segment_len=24, strategy="direct",
                 scaling="revin", channel_independent=True, dropout=0.5, learning_rate=1e-3,
                 lr_decay=0.5, loss="mae", quantiles=None, batch_size=32, max_epochs=50,
                 patience=3, validation_size=0.2, random_state=None, verbose=None,
                 trainer_kwargs=None):
        super().__init__(**shared_params(locals()))
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.cell = cell
        self.bidirectional = bidirectional
        self.attention = attention
        self.reverse_input = reverse_input
        self.peeky = peeky
        self.teacher_forcing = teacher_forcing
        self.linear_skip = linear_skip
        self.segment_len = segment_len

    def _check_model_params(self):
        check_int(self, "hidden_size", self.hidden_size)
        check_int(self, "n_layers", self.n_layers)
        check_options(self, "cell", self.cell, CELLS)
        check_bool(self, "bidirectional", self.bidirectional)
        check_options(self, "attention", self.attention, ATTENTIONS)
        check_bool(self, "reverse_input", self.reverse_input)
        check_bool(self, "peeky", self.peeky)
        check_float(self, "teacher_forcing", self.teacher_forcing, low=0.0, high=1.0)
        check_bool(self, "linear_skip", self.linear_skip)
        check_int(self, "segment_len", self.segment_len, allow_none=True)
        if self.attention == "dot" and self.bidirectional:
            raise ValueError(
                f"The 'attention' parameter of {type(self).__name__} cannot be 'dot' with "
                f"bidirectional=True: dot attention compares the decoder state "
                f"({self.hidden_size} units) with encoder states of both directions "
                f"({2 * self.hidden_size} units). Use attention='general' or 'additive', or "
                f"bidirectional=False."
            )

    def _build_network(self, n_features, n_targets, horizon):
        return Seq2SeqAttentionNet(
            n_features, n_targets, horizon, self.lookback, cell=self.cell,
            hidden_size=self.hidden_size, n_layers=self.n_layers,
            bidirectional=self.bidirectional, attention=self.attention,
            reverse_input=self.reverse_input, peeky=self.peeky,
            teacher_forcing=self.teacher_forcing, linear_skip=self.linear_skip,
            segment_len=self.segment_len, dropout=self.dropout)
