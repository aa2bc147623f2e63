"""Greedy and beam-search decoding of any autoregressive model, batched over sources.

Both searches drive a *step function* ``step(state, tokens) -> (log_probs,
new_state)``: ``tokens`` ``(N,)`` are the last tokens of N partial sequences,
``log_probs`` ``(N, V)`` the log-probabilities of the next token, and
``state`` anything the model carries from step to step (a tensor, or a
tuple, list or dict of them, nested freely) whose every tensor has the
sequences along its first dimension. Beam search copies and reorders rows of
the state when hypotheses are kept or dropped, so a model with batch-second
tensors (``nn.LSTM``'s ``(n_layers, B, D)`` states) transposes them in its
step function.

A sequence ends when it emits ``end_token`` or after ``max_length`` tokens.
Its score is the sum of the log-probabilities of its tokens, the end token
included: the log-probability of the whole sequence under the model, not
normalised by length, so that scores of different searches compare exactly.
"""

from __future__ import annotations

import torch

__all__ = ["greedy_search", "beam_search"]


def _map_state(state, fn):
    """Apply ``fn`` to every tensor of a nested tuple/list/dict state."""
    if isinstance(state, torch.Tensor):
        return fn(state)
    if isinstance(state, dict):
        return {k: _map_state(v, fn) for k, v in state.items()}
    if isinstance(state, (tuple, list)):
        return type(state)(_map_state(v, fn) for v in state)
    return state


def _check(start_tokens, max_length, beam_width=1):
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
        raise ValueError(f"max_length must be a positive int; got {max_length!r}.")
    if not isinstance(beam_width, int) or isinstance(beam_width, bool) or beam_width < 1:
        raise ValueError(f"beam_width must be a positive int; got {beam_width!r}.")
    if start_tokens.dim() != 1:
        raise ValueError(f"start_tokens must be a 1-D tensor of token ids (one per source); "
                         f"got shape {tuple(start_tokens.shape)}.")


def _trim(tokens, end_token):
    """Token rows -> lists cut before the first end token."""
    out = []
    for row in tokens.tolist():
        out.append(row[:row.index(end_token)] if end_token in row else row)
    return out


@torch.no_grad()
def greedy_search(step, state, start_tokens, end_token, max_length):
    """Decode by taking the most probable token at every step.

    Parameters
    ----------
    step : callable
        ``step(state, tokens) -> (log_probs, new_state)``, see the module docstring.
    state : tensor or nested tuple/list/dict of tensors
        The initial state, sources along the first dimension of every tensor.
    start_tokens : LongTensor of shape (B,)
        The first input token of each source (e.g. ``<s>``).
    end_token : int
        The token that ends a sequence.
    max_length : int
        Most tokens generated per sequence, the end token included.

    Returns
    -------
    sequences : list of list of int
        B token lists, without the start and end tokens.
    log_probs : Tensor of shape (B,)
        Log-probability of each sequence (the end token's included when emitted).

    Examples
    --------
    A step function of a model that ignores its state: token 1 is likeliest,
    then token 2 (the end token) once a 1 was read.

    >>> import torch
    >>> def step(state, tokens):
    ...     p = torch.where((tokens == 1)[:, None], torch.tensor([0.1, 0.2, 0.7]),
    ...                     torch.tensor([0.1, 0.6, 0.3]))
    ...     return p.log(), state
    >>> seqs, logp = greedy_search(step, torch.zeros(2, 1), torch.tensor([0, 0]), 2, 5)
    >>> seqs, [round(v, 3) for v in logp.exp().tolist()]
    ([[1], [1]], [0.42, 0.42])
    """
    _check(start_tokens, max_length)
    tokens, total = start_tokens, None
    done = torch.zeros_like(start_tokens, dtype=torch.bool)
    out = []
    for _ in range(max_length):
        log_probs, state = step(state, tokens)
        best, tokens = log_probs.max(dim=-1)
        best = torch.where(done, 0.0, best)  # a finished sequence adds nothing
        tokens = torch.where(done, end_token, tokens)
        total = best if total is None else total + best
        out.append(tokens)
        done = done | (tokens == end_token)
        if bool(done.all()):
            break
    return _trim(torch.stack(out, dim=1), end_token), total


@torch.no_grad()
def beam_search(step, state, start_tokens, end_token, max_length, beam_width=5):
    """Decode by keeping the ``beam_width`` most probable partial sequences of each source.

    At every step each kept hypothesis is extended by every token, and the
    ``beam_width`` extensions with the highest total log-probability survive;
    finished hypotheses stay in the beam with their score. The best finished
    or length-capped hypothesis is returned. Plain beam search can drop the
    greedy sequence's prefix when ``beam_width`` other prefixes outscore it
    midway, and then return a worse sequence than greedy decoding; the greedy
    sequence is therefore decoded too and kept where it scores higher, so
    the result is never less probable than :func:`greedy_search`'s.
    ``beam_width=1`` is greedy decoding.

    Parameters
    ----------
    step, state, start_tokens, end_token, max_length
        As in :func:`greedy_search`.
    beam_width : int, default=5
        Hypotheses kept per source.

    Returns
    -------
    sequences : list of list of int
        The best sequence of each source, without the start and end tokens.
    log_probs : Tensor of shape (B,)
        Their log-probabilities.

    Examples
    --------
    Token 1 is likelier than ending (token 2) at every step, so greedy
    decoding never ends and its sequence is capped at ``max_length``; ending
    at once (0.4) is more probable than any sequence that starts with 1.

    >>> import torch
    >>> def step(state, tokens):
    ...     p = torch.where((tokens == 1)[:, None], torch.tensor([0.2, 0.42, 0.38]),
    ...                     torch.tensor([0.05, 0.55, 0.4]))
    ...     return p.log(), state
    >>> greedy_search(step, torch.zeros(1, 1), torch.tensor([0]), 2, 4)[0]
    [[1, 1, 1, 1]]
    >>> seqs, logp = beam_search(step, torch.zeros(1, 1), torch.tensor([0]), 2, 4,
    ...                          beam_width=2)
    >>> seqs, round(logp.exp().item(), 3)
    ([[]], 0.4)
    """
    _check(start_tokens, max_length, beam_width)
    # with one hypothesis the search below is greedy decoding itself
    greedy = (greedy_search(step, state, start_tokens, end_token, max_length)
              if beam_width > 1 else None)
    B, k, device = len(start_tokens), beam_width, start_tokens.device
    # k copies of every source; only the first copy is live at the start, so
    # that the first step does not fill the beam with k identical hypotheses.
    state = _map_state(state, lambda t: t.repeat_interleave(k, dim=0))
    scores = torch.full((B, k), float("-inf"), device=device)
    scores[:, 0] = 0.0
    tokens = start_tokens.repeat_interleave(k)  # -> (B*k,)
    history = torch.empty(B * k, 0, dtype=torch.long, device=device)
    done = torch.zeros(B * k, dtype=torch.bool, device=device)
    for _ in range(max_length):
        log_probs, state = step(state, tokens)  # -> (B*k, V)
        V = log_probs.shape[-1]
        # a finished hypothesis has one continuation, the end token, at no cost
        finished = torch.full_like(log_probs, float("-inf"))
        finished[:, end_token] = 0.0
        log_probs = torch.where(done[:, None], finished, log_probs)
        candidates = (scores.view(-1, 1) + log_probs).view(B, k * V)
        scores, index = candidates.topk(k, dim=1)  # -> (B, k), best first
        parent = (index // V + torch.arange(B, device=device)[:, None] * k).view(-1)
        tokens = (index % V).view(-1)
        state = _map_state(state, lambda t: t.index_select(0, parent))
        history = torch.cat([history.index_select(0, parent), tokens[:, None]], dim=1)
        done = done.index_select(0, parent) | (tokens == end_token)
        if bool(done.all()):
            break
    best = history.view(B, k, -1)[:, 0]
    sequences, log_probs = _trim(best, end_token), scores[:, 0].clone()
    for b in range(B if greedy is not None else 0):  # keep greedy's where the beam lost it
        if greedy[1][b] > log_probs[b]:
            sequences[b], log_probs[b] = greedy[0][b], greedy[1][b]
    return sequences, log_probs
