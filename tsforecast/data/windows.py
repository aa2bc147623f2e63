"""Sliding windows over a series, built as views so memory stays O(T).

A window of a series holds ``lookback`` input steps followed by ``horizon``
target steps. ``sliding_windows`` returns a strided *view* of the series; the
batches a model trains on are gathered from that view one batch at a time, so
the full ``(n_windows, lookback + horizon, F)`` array is never materialised.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["sliding_windows", "window_starts", "WindowDataset"]


def sliding_windows(series: torch.Tensor, window: int, stride: int = 1) -> torch.Tensor:
    """Return all windows of a ``(T, F)`` tensor as a view of shape ``(N, window, F)``.

    Parameters
    ----------
    series : torch.Tensor of shape (T, F)
        The series; it is not copied.
    window : int
        Length of each window (``lookback + horizon``).
    stride : int, default=1
        Steps between the starts of consecutive windows.

    Returns
    -------
    torch.Tensor of shape (N, window, F)
        ``N = (T - window) // stride + 1``; shares memory with ``series``.
    """
    if series.ndim != 2:
        raise ValueError(f"series must be 2-D (T, F); got shape {tuple(series.shape)}.")
    if window > series.shape[0]:
        raise ValueError(
            f"A window of {window} steps does not fit in a series of {series.shape[0]} steps."
        )
    # unfold gives (N, F, window); transposing the last two axes keeps it a view.
    return series.unfold(0, window, stride).transpose(1, 2)


def window_starts(lengths, window: int, *, first_target=None, last_target=None,
                  lookback: int = 0, stride: int = 1) -> np.ndarray:
    """Start rows, in a concatenation of series, of the windows that fit inside each series.

    Parameters
    ----------
    lengths : sequence of int
        Length of each series, in the order they are concatenated.
    window : int
        ``lookback + horizon``.
    first_target, last_target : sequence of int, optional
        Per series, the first and one-past-last row (relative to that series)
        that a window's *target* rows may occupy. This is how training and
        validation windows are kept apart: a validation window's targets lie in
        the validation span while its inputs may reach ``lookback`` rows back.
    lookback : int, default=0
        Rows before the first target row of a window.
    stride : int, default=1
        Steps between consecutive window starts.

    Returns
    -------
    numpy.ndarray of int64
        Start rows in the concatenated series.
    """
    starts, offset = [], 0
    for i, n in enumerate(lengths):
        lo = 0 if first_target is None else max(0, first_target[i] - lookback)
        hi_target = n if last_target is None else min(n, last_target[i])
        hi = hi_target - window  # last admissible start
        if hi >= lo:
            starts.append(offset + np.arange(lo, hi + 1, stride, dtype=np.int64))
        offset += n
    if not starts:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(starts)


class WindowDataset(torch.utils.data.Dataset):
    """Training windows gathered a batch at a time from one concatenated series.

    Each item is ``((past, future_covariates), target)`` with shapes
    ``(lookback, F)``, ``(horizon, C)`` and ``(horizon, T)``, where the first
    ``T`` columns of the series are targets and the remaining ``C`` are
    covariates known in advance (``F = T + C``).

    ``__getitems__`` lets a ``DataLoader`` fetch a whole batch with one gather
    from the strided view, instead of one Python call per window.
    """

    def __init__(self, series: torch.Tensor, starts: np.ndarray, lookback: int, horizon: int,
                 n_targets: int):
        self.series = series
        self.windows = sliding_windows(series, lookback + horizon)
        self.starts = torch.as_tensor(starts, dtype=torch.long)
        self.lookback = lookback
        self.horizon = horizon
        self.n_targets = n_targets

    def __len__(self) -> int:
        return len(self.starts)

    def _batch(self, idx):
        w = self.windows[self.starts[idx]]  # -> (B, L + H, F), a copy of this batch only
        past = w[:, : self.lookback]
        future = w[:, self.lookback:]
        return (past, future[:, :, self.n_targets:]), future[:, :, : self.n_targets]

    def __getitem__(self, i):
        (past, cov), target = self._batch(torch.as_tensor([i]))
        return (past[0], cov[0]), target[0]

    def __getitems__(self, indices):
        return self._batch(torch.as_tensor(indices, dtype=torch.long))


def collate_batch(batch):
    """Identity collate for batches that ``WindowDataset.__getitems__`` already built."""
    return batch
