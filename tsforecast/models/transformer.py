"""Transformer building blocks, the patch Transformer network and its forecaster.

The blocks (:class:`PositionalEncoding`, :class:`TransformerBlock`,
:class:`TransformerStack`) know nothing about time series: they map token
embeddings ``(B, N, D)`` to ``(B, N, D)`` with optional causal and key-padding
masks and hand back their attention weights, so that text models can reuse
them. :class:`TransformerNet` turns a history window into patch tokens and
reads the forecast out of them.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._shared import shared_params
from ..base import BaseForecaster
from ..utils.validation import check_int, check_options
from ._layers import DirectHead

__all__ = ["PositionalEncoding", "TransformerBlock", "TransformerStack", "TransformerNet",
           "TransformerForecaster"]

HEADS = ("flatten", "decoder")


def causal_mask(n: int, device=None) -> torch.Tensor:
    """Boolean ``(n, n)`` mask, True above the diagonal: position t may not attend to s > t."""
    return torch.ones(n, n, dtype=torch.bool, device=device).triu(1)


class PositionalEncoding(nn.Module):
    """Add the fixed sinusoidal position code of Vaswani et al. (2017) to token embeddings.

    ``PE[p, 2i] = sin(p / 10000^(2i/D))``, ``PE[p, 2i+1] = cos(p / 10000^(2i/D))``.
    Inputs: ``x`` ``(B, N, D)``; ``offset`` shifts the positions (decoding
    token by token). Output: ``(B, N, D)``, with dropout.
    """

    def __init__(self, d_model: int, dropout: float = 0.0):
        super().__init__()
        self.d_model = d_model
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        n, d = x.shape[1], self.d_model
        pos = torch.arange(offset, offset + n, device=x.device, dtype=torch.float32)[:, None]
        freq = torch.exp(torch.arange(0, d, 2, device=x.device, dtype=torch.float32)
                         * (-math.log(10000.0) / d))
        pe = torch.zeros(n, d, device=x.device)
        pe[:, 0::2] = torch.sin(pos * freq)
        pe[:, 1::2] = torch.cos(pos * freq[: d // 2])
        return self.dropout(x + pe.to(x.dtype))


class TransformerBlock(nn.Module):
    """Pre-LayerNorm Transformer block: self-attention, optional cross-attention, feed-forward.

    Each sub-layer computes ``x + Dropout(SubLayer(LayerNorm(x)))`` (Xiong et
    al., 2020): the residual path stays an identity, which keeps gradients
    well scaled without a learning-rate warm-up. A stack of these blocks needs
    one final LayerNorm (see :class:`TransformerStack`).

    Inputs: ``x`` ``(B, N, D)``; ``memory`` ``(B, M, D)`` with cross-attention;
    ``causal`` (token t attends to tokens <= t only); ``key_padding_mask``
    ``(B, N)`` and ``memory_key_padding_mask`` ``(B, M)``, True where a token
    is padding and may not be attended to. Outputs: ``(x, self_weights,
    cross_weights)``: ``x`` ``(B, N, D)`` and, with ``need_weights``, the
    weights averaged over heads, ``(B, N, N)`` and ``(B, N, M)`` (None otherwise
    or without cross-attention). Rows sum to 1; a row whose keys are all masked
    is NaN, as in ``torch.nn.MultiheadAttention``.

    Parameters
    ----------
    d_model, n_heads, d_ff : int
        Token width, attention heads (``d_model % n_heads == 0``), hidden
        width of the feed-forward layer.
    dropout : float
        On each sub-layer's output and inside the feed-forward layer.
    attn_dropout : float
        On the attention weights while training.
    cross_attention : bool
        Add a sub-layer attending to ``memory`` (an encoder's output), as in
        the decoder of an encoder-decoder model.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0,
                 attn_dropout: float = 0.0, cross_attention: bool = False):
        super().__init__()
        self.norm_self = nn.LayerNorm(d_model)
        self.self_attn = nn.MultiheadAttention(d_model, n_heads, dropout=attn_dropout,
                                               batch_first=True)
        self.norm_cross = self.cross_attn = None
        if cross_attention:
            self.norm_cross = nn.LayerNorm(d_model)
            self.cross_attn = nn.MultiheadAttention(d_model, n_heads, dropout=attn_dropout,
                                                    batch_first=True)
        self.norm_ff = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout),
                                nn.Linear(d_ff, d_model))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, memory=None, *, causal=False, key_padding_mask=None,
                memory_key_padding_mask=None, need_weights=False):
        h = self.norm_self(x)
        mask = causal_mask(x.shape[1], x.device) if causal else None
        a, self_w = self.self_attn(h, h, h, attn_mask=mask, key_padding_mask=key_padding_mask,
                                   need_weights=need_weights)
        x = x + self.dropout(a)
        cross_w = None
        if self.cross_attn is not None:
            if memory is None:
                raise ValueError("This TransformerBlock has cross-attention: pass memory=...")
            h = self.norm_cross(x)
            a, cross_w = self.cross_attn(h, memory, memory,
                                         key_padding_mask=memory_key_padding_mask,
                                         need_weights=need_weights)
            x = x + self.dropout(a)
        x = x + self.dropout(self.ff(self.norm_ff(x)))
        return x, self_w, cross_w


class TransformerStack(nn.Module):
    """``n_layers`` pre-LN :class:`TransformerBlock` s followed by the final LayerNorm.

    Takes the same inputs as :class:`TransformerBlock` and returns ``(x,
    self_weights, cross_weights)`` with one entry per layer in each list (empty
    lists unless ``need_weights``).
    """

    def __init__(self, n_layers: int, d_model: int, n_heads: int, d_ff: int,
                 dropout: float = 0.0, attn_dropout: float = 0.0, cross_attention: bool = False):
        super().__init__()
        self.blocks = nn.ModuleList(
            TransformerBlock(d_model, n_heads, d_ff, dropout, attn_dropout, cross_attention)
            for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x, memory=None, *, causal=False, key_padding_mask=None,
                memory_key_padding_mask=None, need_weights=False):
        self_ws, cross_ws = [], []
        for block in self.blocks:
            x, self_w, cross_w = block(x, memory, causal=causal,
                                       key_padding_mask=key_padding_mask,
                                       memory_key_padding_mask=memory_key_padding_mask,
                                       need_weights=need_weights)
            if need_weights:
                self_ws.append(self_w)
                if cross_w is not None:
                    cross_ws.append(cross_w)
        return self.norm(x), self_ws, cross_ws


def attention_rollout(weights) -> torch.Tensor:
    """Compose per-layer ``(B, N, N)`` attention maps into token attributions (Abnar & Zuidema).

    Each layer's map is mixed half-and-half with the identity, for the
    residual connection, then the maps are multiplied from the first layer up.
    Rows of the result sum to 1.
    """
    eye = torch.eye(weights[0].shape[-1], device=weights[0].device)
    rollout = eye.expand_as(weights[0])
    for w in weights:
        rollout = (0.5 * w + 0.5 * eye) @ rollout
    return rollout


class TransformerNet(nn.Module):
    """Patch Transformer: an encoder over patches of the history and a forecast head.

    The history (targets and past covariates) is cut into ``N`` patches of
    ``patch_len`` steps every ``patch_stride`` steps (padded at the front with
    its first row so that the patches cover it exactly); each patch becomes one
    token by a linear map, plus a sinusoidal position code. A bidirectional
    pre-LN encoder mixes the tokens: the history is fully observed, so it
    needs no mask. Two heads read the forecast out:

    - ``"flatten"`` (PatchTST, Nie et al., 2023): one linear layer over all
      ``N * D`` token values and the future covariates.
    - ``"decoder"`` (Vaswani et al., 2017): one query token per forecast step
      (a learned step embedding plus that step's covariates) runs through one
      decoder block with causal self-attention, so step h sees the covariates
      of steps <= h only (as a recursive forecast would), and cross-attention
      to the encoder tokens.

    Inputs: ``past`` ``(B, L, F)``, ``future`` ``(B, H, C)``. Output ``(B, H, T)``;
    with ``return_attention=True`` also weights ``(B, H, L)``: the attention
    rollout of the encoder (Abnar & Zuidema, 2020), read by the decoder's
    cross-attention (``"decoder"``) or averaged over all tokens
    (``"flatten"``, whose rows are then equal), averaged over heads; each
    patch's weight is spread evenly over its time steps. Rows sum to 1.
    """

    def __init__(self, n_features, n_targets, horizon, *, lookback, d_model=16, n_heads=4,
                 n_layers=3, d_ff=128, dropout=0.0, patch_len=16, patch_stride=8,
                 head="flatten"):
        super().__init__()
        self.patch_len, self.patch_stride, self.head = patch_len, patch_stride, head
        n_patches = max(0, -(-(lookback - patch_len) // patch_stride)) + 1
        padded = (n_patches - 1) * patch_stride + patch_len
        self.pad = padded - lookback
        spread = torch.zeros(n_patches, padded)  # patch -> its time steps, rows sum to 1
        for p in range(n_patches):
            spread[p, p * patch_stride:p * patch_stride + patch_len] = 1.0 / patch_len
        self.register_buffer("spread", spread, persistent=False)
        self.embed = nn.Linear(n_features * patch_len, d_model)
        self.position = PositionalEncoding(d_model, dropout)
        self.encoder = TransformerStack(n_layers, d_model, n_heads, d_ff, dropout)
        n_cov = n_features - n_targets
        if head == "flatten":
            self.dropout = nn.Dropout(dropout)
            self.readout = DirectHead(n_patches * d_model, horizon, n_targets, n_cov)
        else:
            self.queries = nn.Parameter(torch.randn(horizon, d_model) * 0.02)
            self.cov_embed = nn.Linear(n_cov, d_model) if n_cov else None
            # One block: H query tokens cost far more than the ~L/stride history tokens.
            self.decoder = TransformerStack(1, d_model, n_heads, d_ff, dropout,
                                            cross_attention=True)
            self.readout = nn.Linear(d_model, n_targets)

    def forward(self, past, future, return_attention=False):
        # B batch, L lookback, H horizon, F features, C covariates, T targets,
        # N patches, P patch length, D d_model
        B = past.shape[0]
        if self.pad:  # repeat the first row so that the patches tile the history
            past = torch.cat([past[:, :1].expand(-1, self.pad, -1), past], dim=1)
        patches = past.unfold(1, self.patch_len, self.patch_stride)  # -> (B, N, F, P)
        tokens = self.position(self.embed(patches.flatten(2)))  # -> (B, N, D)
        memory, self_ws, _ = self.encoder(tokens, need_weights=return_attention)
        if self.head == "flatten":
            out = self.readout(self.dropout(memory.flatten(1)), future)  # -> (B, H, T)
            cross_ws = None
        else:
            queries = self.queries.expand(B, -1, -1)  # -> (B, H, D)
            if self.cov_embed is not None:
                queries = queries + self.cov_embed(future)
            decoded, _, cross_ws = self.decoder(queries, memory, causal=True,
                                                need_weights=return_attention)
            out = self.readout(decoded)  # -> (B, H, T)
        if not return_attention:
            return out
        rollout = attention_rollout(self_ws)  # -> (B, N, N)
        if cross_ws is None:
            reads = rollout.mean(dim=1, keepdim=True).expand(-1, out.shape[1], -1)
        else:
            reads = cross_ws[-1] @ rollout  # -> (B, H, N)
        weights = reads @ self.spread  # -> (B, H, pad + L)
        if self.pad:  # the padding rows are copies of the first history row
            first = weights[..., : self.pad + 1].sum(dim=-1, keepdim=True)
            weights = torch.cat([first, weights[..., self.pad + 1:]], dim=-1)
        return out, weights


def transformer_search_space(trial):
    """Default Optuna search space of :class:`TransformerForecaster`."""
    patch_len = trial.suggest_categorical("patch_len", [8, 16, 24])
    return {
        "d_model": trial.suggest_categorical("d_model", [16, 32, 64]),
        "n_layers": trial.suggest_int("n_layers", 1, 3),
        "patch_len": patch_len,
        "patch_stride": patch_len // 2,
        "dropout": trial.suggest_float("dropout", 0.0, 0.4),
        "learning_rate": trial.suggest_float("learning_rate", 1e-4, 3e-3, log=True),
    }


class TransformerForecaster(BaseForecaster):
    """Patch Transformer forecaster (PatchTST-style encoder, optional attention decoder).

    The history window is cut into overlapping patches, each embedded as one
    token with a sinusoidal position code, and mixed by a stack of pre-LayerNorm
    Transformer encoder blocks. A linear "flatten" head maps all tokens to the
    forecast (PatchTST), or a decoder of per-step query tokens cross-attends to
    them. Patching shortens the sequence attention runs over by ``patch_stride``
    and gives each token local context, which is what makes Transformers both
    accurate and cheap on long lookbacks. By default each target column is
    forecast by the same univariate model (``channel_independent=True``), with
    reversible instance normalisation (``scaling="revin"``), as in PatchTST.
    ``predict_attention`` returns which history steps the forecast attended to.

    Parameters
    ----------
    d_model : int, default=16
        Width of the tokens. Must be divisible by ``n_heads``.
    n_heads : int, default=4
        Attention heads per layer.
    n_layers : int, default=3
        Encoder blocks (the decoder of ``head="decoder"`` has one block).
    d_ff : int, default=128
        Hidden width of each block's feed-forward layer.
    patch_len : int, default=16
        Time steps per patch (token). 1 makes every time step a token. A
        ``lookback`` shorter than ``patch_len`` gives one front-padded patch.
    patch_stride : int, default=8
        Steps between the starts of consecutive patches; at most ``patch_len``
        so that every history step lies in a patch. The encoder reads about
        ``lookback / patch_stride`` tokens.
    head : {"flatten", "decoder"}, default="flatten"
        ``"flatten"``: one linear layer over all tokens (PatchTST), the more
        accurate choice; its attention map is the same for every forecast step.
        ``"decoder"``: one query token per forecast step, through one block
        of causal self-attention and cross-attention to the history tokens;
        its attention map differs per forecast step. Slower for long horizons.

    Other Parameters
    ----------------
    dropout : float, default=0.2
        Dropout on the position-coded tokens, inside each block and before the head.

    See Also
    --------
    LSTMForecaster : recurrent forecaster, cheaper on short lookbacks.
    tsforecast.plotting.plot_attention : heatmap of ``predict_attention``.

    Notes
    -----
    ``predict_attention`` returns, per forecast step, the encoder's attention
    rollout (Abnar & Zuidema, 2020) averaged over heads, read through the
    decoder's cross-attention (``head="decoder"``) or averaged over the
    tokens (``head="flatten"``), with each patch's weight spread evenly over
    its ``patch_len`` steps. Rows sum to 1.

    References
    ----------
    Vaswani, A. et al. (2017). Attention is all you need. *NeurIPS*.
    Xiong, R. et al. (2020). On layer normalization in the Transformer architecture. *ICML*.
    Nie, Y., Nguyen, N. H., Sinthong, P. & Kalagnanam, J. (2023). A time series is worth 64
    words: long-term forecasting with Transformers. *ICLR*.
    Abnar, S. & Zuidema, W. (2020). Quantifying attention flow in Transformers. *ACL*.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast import TransformerForecaster
    >>> y = np.sin(np.arange(200) * 2 * np.pi / 24)
    >>> est = TransformerForecaster(lookback=24, horizon=6, max_epochs=1, random_state=0).fit(y)
    >>> est.predict().shape
    (6,)
    >>> est.predict_attention().shape
    (6, 24)
    """

    supports_attention = True
    default_search_space = staticmethod(transformer_search_space)

    def __init__(self, lookback=48, *, horizon=12, d_model=16, n_heads=4, n_layers=3, d_ff=128,
                 patch_len=16, patch_stride=8, head="flatten", strategy="direct",
                 scaling="revin", channel_independent=True, dropout=0.2, learning_rate=1e-3,
                 lr_decay=None, loss="mse", quantiles=None, batch_size=32, max_epochs=50,
                 patience=5, validation_size=0.2, random_state=None, verbose=None,
                 trainer_kwargs=None):
        super().__init__(**shared_params(locals()))
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.d_ff = d_ff
        self.patch_len = patch_len
        self.patch_stride = patch_stride
        self.head = head

    def _check_model_params(self):
        name = type(self).__name__
        for param in ("d_model", "n_heads", "n_layers", "d_ff", "patch_len", "patch_stride"):
            check_int(self, param, getattr(self, param))
        check_options(self, "head", self.head, HEADS)
        if self.d_model % self.n_heads:
            raise ValueError(
                f"The 'd_model' parameter of {name} must be divisible by 'n_heads' (each head "
                f"reads d_model / n_heads dimensions). Got d_model={self.d_model} and "
                f"n_heads={self.n_heads}; choose d_model as a multiple of n_heads."
            )
        if self.patch_stride > self.patch_len:
            raise ValueError(
                f"The 'patch_stride' parameter of {name} must be at most 'patch_len', or the "
                f"history steps between patches are never read. Got patch_stride="
                f"{self.patch_stride} and patch_len={self.patch_len}; set patch_stride <= "
                f"{self.patch_len}."
            )

    def _build_network(self, n_features, n_targets, horizon):
        return TransformerNet(n_features, n_targets, horizon, lookback=self.lookback,
                              d_model=self.d_model, n_heads=self.n_heads,
                              n_layers=self.n_layers, d_ff=self.d_ff, dropout=self.dropout,
                              patch_len=self.patch_len, patch_stride=self.patch_stride,
                              head=self.head)
