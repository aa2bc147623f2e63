"""Recurrent networks (Elman RNN, LSTM, GRU) and their forecasters."""

from __future__ import annotations

import inspect
import textwrap
import warnings

import torch
from torch import nn
from torch.nn import functional as F

from .._shared import shared_params
from ..base import BaseForecaster
from ..exceptions import ModelFileError
from ..utils.validation import check_bool, check_int, check_options
from ._layers import DirectHead

__all__ = ["RecurrentNet", "recurrent_stack", "RNNForecaster", "LSTMForecaster", "GRUForecaster",
           "recurrent_search_space"]

_GATES = {"rnn": 1, "lstm": 4, "gru": 3}
_LAYERS = {"rnn": "Elman (tanh) recurrent layers", "lstm": "LSTM layers", "gru": "GRU layers"}
HEADS = ("parallel", "linear")


class _GroupLayerNorm(nn.Module):
    """LayerNorm applied to each of ``groups`` gate blocks of width ``size`` separately."""

    def __init__(self, groups: int, size: int, bias: bool = True):
        super().__init__()
        self.groups, self.size = groups, size
        self.weight = nn.Parameter(torch.ones(groups * size))
        self.bias = nn.Parameter(torch.zeros(groups * size)) if bias else None

    def forward(self, x):
        shape = x.shape
        x = F.layer_norm(x.reshape(*shape[:-1], self.groups, self.size), (self.size,))
        x = x.reshape(shape) * self.weight
        return x + self.bias if self.bias is not None else x


class _CustomRecurrentLayer(nn.Module):
    """One recurrent layer with optional layer normalisation and LSTM peepholes.

    The input projection of all ``L`` steps is one matrix product before the
    time loop, so each step costs a single ``(B, D) x (D, G*D)`` product.
    With ``layer_norm`` the input and recurrent projections are normalised
    separately per gate, and the LSTM cell state before the output tanh
    (Ba et al., 2016). With ``peephole`` the input and forget gates see
    ``c_{t-1}`` and the output gate sees ``c_t`` (Gers & Schmidhuber, 2000).
    """

    def __init__(self, input_size, hidden_size, cell, layer_norm, peephole):
        super().__init__()
        G = _GATES[cell]
        self.cell, self.hidden_size = cell, hidden_size
        self.w_x = nn.Linear(input_size, G * hidden_size, bias=not layer_norm)
        self.w_h = nn.Linear(hidden_size, G * hidden_size, bias=False)
        self.layer_norm = layer_norm
        if layer_norm:
            self.ln_x = _GroupLayerNorm(G, hidden_size)  # its bias is the gate bias
            self.ln_h = _GroupLayerNorm(G, hidden_size, bias=False)
            if cell == "lstm":
                self.ln_c = nn.LayerNorm(hidden_size)
        self.peephole = peephole
        if peephole:
            self.w_c = nn.Parameter(torch.zeros(3, hidden_size))  # diagonal i, f, o weights

    def forward(self, x, state=None):
        # B batch, L steps, D hidden, G gates
        B, L, _ = x.shape
        D = self.hidden_size
        xp = self.w_x(x)  # -> (B, L, G*D), all steps at once
        if self.layer_norm:
            xp = self.ln_x(xp)
        h, c = state if state is not None else (x.new_zeros(B, D), x.new_zeros(B, D))
        outputs = []
        for t in range(L):
            hp = self.w_h(h)
            if self.layer_norm:
                hp = self.ln_h(hp)
            if self.cell == "rnn":
                h = torch.tanh(xp[:, t] + hp)
            elif self.cell == "gru":
                xr, xz, xn = xp[:, t].chunk(3, dim=1)
                hr, hz, hn = hp.chunk(3, dim=1)
                r = torch.sigmoid(xr + hr)
                z = torch.sigmoid(xz + hz)
                n = torch.tanh(xn + r * hn)
                h = (1 - z) * n + z * h
            else:
                i, f, u, o = (xp[:, t] + hp).chunk(4, dim=1)  # nn.LSTM's gate order
                if self.peephole:
                    i = i + self.w_c[0] * c
                    f = f + self.w_c[1] * c
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(u)
                if self.peephole:
                    o = o + self.w_c[2] * c
                h = torch.sigmoid(o) * torch.tanh(self.ln_c(c) if self.layer_norm else c)
            outputs.append(h)
        return torch.stack(outputs, dim=1), (h, c)  # -> (B, L, D), final (h, c)


class _CustomRecurrentStack(nn.Module):
    """Stacked :class:`_CustomRecurrentLayer` s with the interface of ``nn.LSTM``/``nn.GRU``.

    ``forward(x, state=None)`` returns ``(outputs, state)``; ``state`` is
    ``(h, c)`` for an LSTM and ``h`` otherwise, each ``(n_layers, B, D)``.
    """

    def __init__(self, input_size, hidden_size, n_layers, cell, layer_norm, peephole, dropout):
        super().__init__()
        self.cell = cell
        self.layers = nn.ModuleList(
            _CustomRecurrentLayer(input_size if k == 0 else hidden_size, hidden_size, cell,
                                  layer_norm, peephole)
            for k in range(n_layers))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, state=None):
        if state is not None:  # -> one (h, c) pair per layer
            h0, c0 = state if self.cell == "lstm" else (state, torch.zeros_like(state))
            state = list(zip(h0.unbind(0), c0.unbind(0)))
        finals = []
        for k, layer in enumerate(self.layers):
            x, final = layer(self.dropout(x) if k else x, None if state is None else state[k])
            finals.append(final)
        h = torch.stack([f[0] for f in finals])
        return x, ((h, torch.stack([f[1] for f in finals])) if self.cell == "lstm" else h)


def recurrent_stack(input_size, hidden_size, n_layers, *, cell="lstm", dropout=0.0,
                    layer_norm=False, peephole=False):
    """Stacked recurrent layers with the interface of ``nn.LSTM``/``nn.GRU`` (batch first).

    The fused ``nn.RNN``/``nn.LSTM``/``nn.GRU`` unless ``layer_norm`` or
    ``peephole`` asks for the custom cells. ``forward(x, state=None)`` maps
    ``x`` ``(B, L, input_size)`` to ``(outputs (B, L, D), state)``, ``state``
    being ``(h, c)`` for an LSTM and ``h`` otherwise, each ``(n_layers, B, D)``;
    passing the state back continues the sequence. ``dropout`` acts between
    stacked layers. Shared by :class:`RecurrentNet` and the language models of
    :mod:`tsforecast.nlp`.
    """
    if layer_norm or peephole:
        return _CustomRecurrentStack(input_size, hidden_size, n_layers, cell, layer_norm,
                                     peephole, dropout)
    fused = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
    return fused(input_size, hidden_size, n_layers, batch_first=True,
                 dropout=dropout if n_layers > 1 else 0.0)


class RecurrentNet(nn.Module):
    """Recurrent layers over time steps or segments, read out by a direct multi-step head.

    Inputs: ``past`` ``(B, L, F)`` and ``future`` covariates ``(B, H, C)``.
    Output: ``(B, H, T)``.

    With ``segment_len=w`` the window is cut into ``N = ceil(L / w)``
    segments (padded at the front with its first row); each segment's
    ``w * F`` values are embedded by a linear layer and a ReLU, and the
    recurrent layers run over the ``N`` segments instead of the ``L`` steps
    (SegRNN, Lin et al., 2023). Without it they run over the time steps.

    Heads: ``"linear"`` maps the last hidden state of the top layer and the
    flattened future covariates to all ``H`` steps at once
    (:class:`~tsforecast.models._layers.DirectHead`). ``"parallel"`` is
    SegRNN's parallel multi-step forecasting: the output is cut into
    ``M = ceil(H / w)`` segments (``w = 1`` without ``segment_len``); for each,
    the recurrent layers take one step from the encoder's final state, with a
    learnt position embedding (plus the projected covariates of that segment)
    as the input, and a shared linear layer maps the step's top state to the
    segment's ``w`` values. The ``M`` steps run as one batch.

    Parameters
    ----------
    n_features, n_targets, horizon : int
        ``F`` input columns (targets first), ``T`` targets, ``H`` output steps.
    cell : {"rnn", "lstm", "gru"}
    hidden_size, n_layers : int
    dropout : float
        Between stacked layers and before the head.
    layer_norm, peephole : bool
        Use the custom cells; otherwise the fused ``nn.RNN``/``nn.LSTM``/``nn.GRU``.
    segment_len : int or None
        Steps per segment; None runs over single steps.
    head : {"linear", "parallel"}
    """

    def __init__(self, n_features, n_targets, horizon, *, cell="lstm", hidden_size=64,
                 n_layers=1, dropout=0.0, layer_norm=False, peephole=False, segment_len=None,
                 head="linear"):
        super().__init__()
        self.n_targets, self.horizon = n_targets, horizon
        self.segment_len, self.head_kind = segment_len, head
        n_covariates = n_features - n_targets
        size = n_features
        self.embed = None
        if segment_len is not None:
            self.embed = nn.Sequential(nn.Linear(segment_len * n_features, hidden_size),
                                       nn.ReLU())
            size = hidden_size
        self.rnn = recurrent_stack(size, hidden_size, n_layers, cell=cell, dropout=dropout,
                                   layer_norm=layer_norm, peephole=peephole)
        self.dropout = nn.Dropout(dropout)
        if head == "linear":
            self.head = DirectHead(hidden_size, horizon, n_targets, n_covariates)
        else:
            w = segment_len or 1
            n_out = -(-horizon // w)
            # The decoder's input must be the encoder's input width.
            self.position = nn.Parameter(torch.randn(n_out, size) / size ** 0.5)
            self.project_covariates = (nn.Linear(w * n_covariates, size) if n_covariates
                                       else None)
            self.head = nn.Linear(hidden_size, w * n_targets)

    def forward(self, past, future):
        # B batch, L lookback, N segments of w steps, M output segments, H horizon,
        # F features, C covariates, T targets, D hidden
        B, L, n_features = past.shape
        w = self.segment_len
        x = past
        if w is not None:
            pad = (-L) % w
            if pad:  # repeat the first row so that the segments cover the window exactly
                x = torch.cat([x[:, :1].expand(-1, pad, -1), x], dim=1)
            x = self.embed(x.reshape(B, -1, w * n_features))  # -> (B, N, D)
        out, state = self.rnn(x)  # -> (B, N, D)
        if self.head_kind == "linear":
            return self.head(self.dropout(out[:, -1]), future)
        M = self.position.shape[0]
        w = w or 1
        query = self.position.expand(B, M, -1)  # -> (B, M, D_in)
        if self.project_covariates is not None:
            cov = future
            if M * w > cov.shape[1]:  # pad the last segment's covariates with the last row
                cov = torch.cat([cov, cov[:, -1:].expand(-1, M * w - cov.shape[1], -1)], 1)
            query = query + self.project_covariates(cov.reshape(B, M, -1))
        # every output segment starts from the encoder's final state: (layers, B*M, D)
        if isinstance(state, tuple):  # an LSTM's (h, c)
            state = tuple(s.repeat_interleave(M, dim=1) for s in state)
        else:
            state = state.repeat_interleave(M, dim=1)
        step, _ = self.rnn(query.reshape(B * M, 1, -1), state)  # -> (B*M, 1, D)
        out = self.head(self.dropout(step[:, 0]))  # -> (B*M, w*T)
        return out.view(B, M * w, self.n_targets)[:, :self.horizon]


def recurrent_search_space(trial):
    """Default tuning search space of the recurrent forecasters, for :func:`tsforecast.tuning.tune`.

    ``learning_rate`` log-uniform in [3e-4, 3e-3], ``hidden_size`` an int
    log-uniform in [32, 256], ``n_layers`` 1 or 2 and ``dropout`` uniform in
    [0, 0.6], centred on the defaults (1e-3, 128, 1, 0.5): the settings that
    change a recurrent forecaster's accuracy most. The window (``lookback``)
    and the ``segment_len`` that cuts it depend on the data's seasonality, so
    they are left to the user (extend this dict in your own search space).

    Parameters
    ----------
    trial : optuna.trial.Trial

    Returns
    -------
    dict
        Parameter values for ``set_params``.
    """
    return {
        "learning_rate": trial.suggest_float("learning_rate", 3e-4, 3e-3, log=True),
        "hidden_size": trial.suggest_int("hidden_size", 32, 256, log=True),
        "n_layers": trial.suggest_int("n_layers", 1, 2),
        "dropout": trial.suggest_float("dropout", 0.0, 0.6),
    }


def _recurrent_doc(cls):
    """The docstring of a recurrent forecaster: its own text inside the text the three share.

    Its own docstring holds a summary line, a note on its cell and a References
    section with its cell's papers.
    """
    own = inspect.cleandoc(cls.__dict__["__doc__"])
    head, references = own.split("References\n----------\n")
    summary, note = head.strip().split("\n\n", 1)
    name = cls.__name__
    description = textwrap.fill(
        f"{_LAYERS[cls.cell]} read the lookback window and a head maps their state (and any "
        "future covariates) to the forecast. By default it follows SegRNN (Lin et al., 2023): "
        "the window is cut into segments of ``segment_len`` steps, each embedded linearly, "
        "the recurrence runs over the segments instead of the steps, and each output segment "
        "is decoded in parallel by one more recurrent step from the final state; each target "
        "column is forecast by the same univariate network (channel independence), trained "
        "on the mean absolute error with a decaying learning rate. ``segment_len=None`` and "
        f'``head="linear"`` give the classic step-by-step network read out by one linear '
        f"layer. {' '.join(note.split())}", width=88, subsequent_indent="    ")
    references = references.strip().replace("\n", "\n    ")
    return f"""{summary}

    {description}

    Parameters
    ----------
    hidden_size : int, default=128
        Units per recurrent layer (and width of the segment embedding).
    n_layers : int, default=1
        Stacked recurrent layers.
    layer_norm : bool, default=False
        Layer-normalised cells (statistics over the hidden units, per sample
        and time step). Uses the custom cell, slower than the fused one.
    peephole : bool, default=False
        Peephole connections from the cell state to the gates (LSTMForecaster only).
    segment_len : int or None, default=24
        Run the recurrence over segments of this many steps, each embedded
        linearly (SegRNN), instead of over single time steps (None). The
        window is padded at the front to whole segments.
    head : {{"parallel", "linear"}}, default="parallel"
        ``"parallel"``: SegRNN's parallel multi-step forecasting, one
        recurrent step per output segment (of ``segment_len`` steps) from the
        encoder's final state, with a learnt position embedding as its input.
        ``"linear"``: one linear layer from the last hidden state to all steps.

    Other Parameters
    ----------------
    dropout : float, default=0.5
        Dropout between layers and before the head.

    See Also
    --------
    RNNForecaster, LSTMForecaster, GRUForecaster : the same network with another cell
        (the class attribute ``cell``, ``"rnn"``, ``"lstm"`` or ``"gru"``).

    References
    ----------
    {references}
    Lin, S., Lin, W., Wu, W., Zhao, F., Mo, R. & Zhang, H. (2023). SegRNN: Segment recurrent
    neural network for long-term time series forecasting. arXiv:2308.11200.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import {name}
    >>> y = np.sin(np.arange(200) * 2 * np.pi / 24)
    >>> est = {name}(lookback=24, horizon=6, max_epochs=1, random_state=0).fit(y)
    >>> est.predict().shape
    (6,)
    """


class _RecurrentForecaster(BaseForecaster):
    """Shared estimator code of the three recurrent forecasters; each fixes ``cell``."""

    #: The recurrent cell, "rnn", "lstm" or "gru": fixed by each forecaster, not a parameter.
    cell = None
    default_search_space = staticmethod(recurrent_search_space)

    def __init_subclass__(cls, **kwargs):
        if cls.__module__ == __name__:  # the three below: their text into the shared one
            cls.__doc__ = _recurrent_doc(cls)
        super().__init_subclass__(**kwargs)  # then BaseForecaster adds the shared sections

    def __init__(self, lookback=48, *, horizon=12, hidden_size=128, n_layers=1,
                 layer_norm=False, peephole=False, segment_len=24, head="parallel",
                 strategy="direct", scaling="revin", channel_independent=True, dropout=0.5,
                 learning_rate=1e-3, lr_decay=0.5, loss="mae", quantiles=None, batch_size=32,
                 max_epochs=50, patience=3, validation_size=0.2, random_state=None, verbose=None,
                 trainer_kwargs=None):
        super().__init__(**shared_params(locals()))
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.layer_norm = layer_norm
        self.peephole = peephole
        self.segment_len = segment_len
        self.head = head

    def _check_model_params(self):
        check_int(self, "hidden_size", self.hidden_size)
        check_int(self, "n_layers", self.n_layers)
        check_bool(self, "layer_norm", self.layer_norm)
        check_bool(self, "peephole", self.peephole)
        check_int(self, "segment_len", self.segment_len, allow_none=True)
        check_options(self, "head", self.head, HEADS)
        if self.peephole and self.cell != "lstm":
            raise ValueError(
                f"The 'peephole' parameter of {type(self).__name__} needs an LSTM cell "
                f"(peepholes connect the LSTM cell state to its gates), but its cell is "
                f"{self.cell!r}. Set peephole=False or use LSTMForecaster."
            )

    def _build_network(self, n_features, n_targets, horizon):
        return RecurrentNet(n_features, n_targets, horizon, cell=self.cell,
                            hidden_size=self.hidden_size, n_layers=self.n_layers,
                            dropout=self.dropout, layer_norm=self.layer_norm,
                            peephole=self.peephole, segment_len=self.segment_len,
                            head=self.head)

    def set_params(self, **params):
        if "cell" in params:  # e.g. a search space written when 'cell' was a parameter
            raise ValueError(
                f"{type(self).__name__} has no 'cell' parameter: each recurrent forecaster is "
                f"fixed to its cell ({self.cell!r}). Got cell={params['cell']!r}; use "
                "RNNForecaster, LSTMForecaster or GRUForecaster for the cell you want "
                "(and tune each separately)."
            )
        return super().set_params(**params)

    @classmethod
    def _legacy_params(cls, params):
        """The class and parameters of ``params`` saved while ``cell`` was a parameter.

        In earlier versions the three forecasters took ``cell``, so an
        ``LSTMForecaster(cell="gru")`` was a GRU network: it comes back as the
        forecaster of its cell (with a warning), with the same weights.
        """
        params = dict(params)
        cell = params.pop("cell", cls.cell)
        by_cell = {c.cell: c for c in (RNNForecaster, LSTMForecaster, GRUForecaster)}
        if cell not in by_cell:
            raise ModelFileError(
                f"{cls.__name__} was saved with cell={cell!r}, which is not a recurrent cell. "
                f"Expected one of {sorted(by_cell)}; the file or pickle is damaged."
            )
        if by_cell[cell] is not cls:
            warnings.warn(
                f"This {cls.__name__} was saved with cell={cell!r}, so its network is a "
                f"{by_cell[cell].__name__}'s: it is loaded as a {by_cell[cell].__name__}. The "
                "recurrent forecasters no longer take 'cell'; each is fixed to its own.",
                UserWarning, stacklevel=3)
        return by_cell[cell], params

    def __setstate__(self, state):
        if "cell" in state:  # pickled while 'cell' was a parameter
            self.__class__, _ = self._legacy_params({"cell": state["cell"]})
            state = {k: v for k, v in state.items() if k != "cell"}
        super().__setstate__(state)


class RNNForecaster(_RecurrentForecaster):
    """Elman recurrent network forecaster.

    Step by step, the plain RNN struggles with long-range dependencies; prefer the LSTM or
    GRU there.

    References
    ----------
    Elman, J. L. (1990). Finding structure in time. *Cognitive Science*, 14(2), 179-211.
    """

    cell = "rnn"


class LSTMForecaster(_RecurrentForecaster):
    """Long short-term memory forecaster.

    Optional layer normalisation and peephole connections.

    References
    ----------
    Hochreiter, S. & Schmidhuber, J. (1997). Long short-term memory. *Neural Computation*, 9(8).
    Gers, F. A. & Schmidhuber, J. (2000). Recurrent nets that time and count. *IJCNN*.
    Ba, J. L., Kiros, J. R. & Hinton, G. E. (2016). Layer normalization. arXiv:1607.06450.
    """

    cell = "lstm"


class GRUForecaster(_RecurrentForecaster):
    """Gated recurrent unit forecaster.

    Fewer parameters than the LSTM, often as accurate; SegRNN's own choice of cell.

    References
    ----------
    Cho, K. et al. (2014). Learning phrase representations using RNN encoder-decoder for
    statistical machine translation. *EMNLP*.
    """

    cell = "gru"
