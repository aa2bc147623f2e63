"""Sliding windows over a series, built as views so memory stays O(T).

A window of a series holds ``lookback`` input steps followed by ``horizon``
target steps. ``sliding_windows`` returns a strided *view* of the series; the
batches a model trains on are gathered from that view one batch at a time, so
the full ``(n_windows, lookback + horizon, F)`` array is never materialised.
"""

from __future__ import annotations

import numpy as np
import torch

from .inputs import as_series_set
from .splits import n_rows

__all__ = ["sliding_windows", "window_starts", "WindowDataset", "ShuffledWindows",
           "suggest_lookback", "check_window_fits"]


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
    numpy.ndarray of int32 or int64
        Start rows in the concatenated series: int32 when the concatenation
        has fewer than 2**31 rows (half the memory for many series), else
        int64.
    """
    dtype = np.int32 if sum(lengths) < 2**31 else np.int64
    starts, offset = [], 0
    for i, n in enumerate(lengths):
        lo = 0 if first_target is None else max(0, first_target[i] - lookback)
        hi_target = n if last_target is None else min(n, last_target[i])
        hi = hi_target - window  # last admissible start
        if hi >= lo:
            starts.append(np.arange(offset + lo, offset + hi + 1, stride, dtype=dtype))
        offset += n
    if not starts:
        return np.zeros(0, dtype=dtype)
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
        self.starts = torch.as_tensor(starts)  # int32 or int64, as window_starts made them
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


class ShuffledWindows(torch.utils.data.RandomSampler):
    """Every training window once per epoch, in a random order, without a Python list.

    The same order as ``RandomSampler(dataset, generator=generator)`` (one
    ``torch.randperm`` from the same generator), read lazily from the
    permutation tensor: ``RandomSampler`` turns it into a list of Python ints,
    about 36 bytes per window (1.2 GB for 3.4e7 windows of 1e5 series),
    where the tensor takes 4. Uniform over windows, so a series weighs in
    proportion to its number of windows (its length). A subclass of
    ``RandomSampler``, so that Lightning still knows the data is shuffled (and
    shards it the same way across processes).
    """

    def __iter__(self):
        if self.replacement or self._num_samples is not None or self.generator is None:
            yield from super().__iter__()
            return
        n = len(self.data_source)
        # int32 gives the same permutation as int64 (same draws), in half the memory.
        dtype = torch.int32 if n < 2**31 else torch.int64
        yield from torch.randperm(n, generator=self.generator, dtype=dtype).numpy()
        # RandomSampler draws a second, empty-sliced permutation once the first is used
        # up; drawing it too keeps the generator, so every later epoch's order, the same.
        torch.randperm(n, generator=self.generator, dtype=dtype)


def collate_batch(batch):
    """Identity collate for batches that ``WindowDataset.__getitems__`` already built."""
    return batch


def suggest_lookback(y, horizon, *, season_length=None, validation_size=0.2):
    """A lookback for one global model over ``y``: two horizons or a season, as data allow.

    The rule, fixed in advance and never fitted to a test set:

    1. read ``max(2 * horizon, season_length)`` steps: two horizons is the
       shortest input of the lookback ensembles of N-BEATS (2 to 7 horizons,
       Oreshkin et al., 2020), and a whole season lets the network see the
       seasonal pattern it must continue;
    2. but no more than the shortest series allows: after its validation tail
       (``validation_size``, as ``fit`` splits it) it must still hold one
       training window of ``lookback + horizon`` steps, so that every series
       trains and validates.

    For M4 Weekly (shortest series 80 weeks, ``horizon=13``,
    ``season_length=52``): ``min(52, 80 - 16 - 13) = 51``. For hourly series of
    700 steps with ``horizon=48`` and ``season_length=24``: 96.

    Parameters
    ----------
    y : object
        The series, in any shape ``fit`` accepts (one series, a list, a dict or
        a long frame); only their lengths are used.
    horizon : int
        Steps to forecast.
    season_length : int, optional
        Steps per season (52 for weekly data with a yearly cycle, 24 for hourly
        data with a daily one); None when unknown or absent.
    validation_size : int or float, default=0.2
        The estimator's ``validation_size``.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If the shortest series cannot hold its validation tail and one window.

    References
    ----------
    Oreshkin, B. N., Carpov, D., Chapados, N. & Bengio, Y. (2020). N-BEATS:
    Neural basis expansion analysis for interpretable time series forecasting.
    *ICLR*.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast.data import suggest_lookback
    >>> series = {"a": np.ones(80), "b": np.ones(500)}
    >>> suggest_lookback(series, 13, season_length=52)
    51
    >>> suggest_lookback(series, 13)
    26
    """
    owner = "suggest_lookback"
    for name, value in (("horizon", horizon), ("season_length", season_length)):
        if value is not None and (not isinstance(value, (int, np.integer)) or isinstance(
                value, bool) or value < 1):
            raise ValueError(f"The '{name}' argument of {owner} must be a positive int"
                             f"{' or None' if name == 'season_length' else ''}. Got {value!r} "
                             f"instead.")
    ys = as_series_set(y, owner, "y")
    shortest = int(np.argmin(ys.lengths))
    n = ys.lengths[shortest]
    n_val = n_rows(validation_size, n, "validation_size", owner, noun="argument")
    cap = n - n_val - horizon
    if cap < 1:
        raise ValueError(
            f"The shortest series, {ys.label(shortest)}, has {n} steps: after {n_val} "
            f"validation steps (validation_size={validation_size!r}) and horizon={horizon} "
            f"no lookback is left for a training window. Leave the shortest series out, "
            f"or reduce 'horizon' or 'validation_size'."
        )
    return int(min(max(2 * horizon, season_length or 0), cap))


def check_window_fits(ys, need, owner, what="horizon"):
    """A ValueError naming the series of ``ys`` too short for one window of ``need`` steps.

    ``need`` is ``lookback + what`` (``what`` says what the second term is, for
    the message); ``owner`` is the estimator that needs the windows.
    """
    short, shown = ys.shorter_than(need, "{label} has {length}")
    if short:
        raise ValueError(
            f"{owner} needs at least lookback + {what} = {need} time steps to build one "
            f"training window, but {shown}"
            + (f" ({len(short)} of {len(ys.lengths)} series)" if ys.is_list else "")
            + ". Reduce 'lookback' or 'horizon', or pass longer series"
            + (" (or leave the short ones out)." if ys.is_list else ".")
        )
