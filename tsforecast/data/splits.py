"""Chronological splits: validation is the tail of training, test the tail of all.

Nothing is shuffled across time. Validation and test windows may read
``lookback`` rows before their span as inputs (that is how forecasts are made
in practice), but their *targets* never leave their span, so a validation
window never sees a test target.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

__all__ = ["Spans", "chronological_spans", "n_rows", "take_rows", "series_spans"]


@dataclass(frozen=True)
class Spans:
    """Row ranges ``[start, stop)`` of one series split in time.

    ``*_input_start`` is where the first window of a span begins reading inputs:
    ``lookback`` rows before its first target row (never before 0).
    """

    train: tuple
    validation: tuple
    test: tuple
    lookback: int

    @property
    def validation_input_start(self) -> int:
        return max(0, self.validation[0] - self.lookback)

    @property
    def test_input_start(self) -> int:
        return max(0, self.test[0] - self.lookback)


def n_rows(size, n, name, owner, *, minimum=0, noun="parameter", also=""):
    """The number of rows that ``size`` stands for in a series of ``n`` rows.

    The library's one rule for every "int rows or float fraction" argument
    (``validation_size``, ``test_size``, tuning's ``validation``, a fractional
    ``start`` of a backtest, a baseline's ``calibration_size``): an int is a
    number of rows, a float in [0, 1) the fraction ``size * n`` rounded to the
    nearest row (Python's ``round``: a tie goes to the even count). None
    counts as 0 rows.

    Parameters
    ----------
    size : int, float or None
    n : int
        Rows of the series the fraction refers to.
    name, owner : str
        The argument and who received it, for the error message.
    minimum : int, default=0
        The smallest int number of rows accepted.
    noun : str, default="parameter"
        ``"parameter"`` (an estimator's) or ``"argument"`` (a function's).
    also : str, optional
        Other accepted values, for the error message (e.g. ``"'val_loss'"``).

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For a bool, a negative int (or below ``minimum``), a float outside
        [0, 1) or anything else.

    Examples
    --------
    >>> n_rows(0.2, 303, "validation_size", "LSTMForecaster")
    61
    >>> n_rows(48, 303, "validation_size", "LSTMForecaster")
    48
    """
    if size is None and minimum == 0:
        return 0
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        if size >= minimum:
            return int(size)
    elif isinstance(size, numbers.Real) and not isinstance(size, bool) and 0 <= size < 1:
        return int(round(size * n))
    kinds = [f"an int number of rows >= {minimum}",
             f"a float fraction in [0, 1) of the series' {n} rows", *([also] if also else [])]
    raise ValueError(
        f"The '{name}' {noun} of {owner} must be {', '.join(kinds[:-1])} or {kinds[-1]}. Got "
        f"{size!r} instead."
    )


def take_rows(obj, start, stop=None):
    """Rows ``[start, stop)`` of a pandas object (by position), an array or a list."""
    if hasattr(obj, "iloc"):
        return obj.iloc[start:stop]
    return obj[start:stop]


def chronological_spans(n: int, *, lookback: int, horizon: int, validation_size=0,
                        test_size=0, gap: int = 0) -> Spans:
    """Split ``n`` time steps into train / validation / test spans, in that order.

    Parameters
    ----------
    n : int
        Number of time steps.
    lookback, horizon : int
        Window geometry; every non-empty span must hold at least ``horizon``
        target rows, and training at least one full window.
    validation_size, test_size : int or float, default=0
        Rows (int) or fraction of ``n`` (float in [0, 1), see :func:`n_rows`)
        for each span.
    gap : int, default=0
        Rows dropped between consecutive spans (e.g. to stop leakage through
        slowly-reported data). Dropped rows are still readable as inputs.

    Returns
    -------
    Spans
    """
    n_test = n_rows(test_size, n, "test_size", "chronological_spans", noun="argument")
    n_val = n_rows(validation_size, n, "validation_size", "chronological_spans", noun="argument")
    for name, rows in (("test", n_test), ("validation", n_val)):
        if 0 < rows < horizon:
            raise ValueError(
                f"The {name} span has {rows} rows, fewer than horizon={horizon}; no {name} "
                f"window fits. Increase {name}_size or reduce 'horizon'."
            )
    test_start = n - n_test
    val_stop = test_start - (gap if n_test else 0)
    val_start = val_stop - n_val
    train_stop = val_start - (gap if n_val else 0)
    if train_stop < lookback + horizon:
        raise ValueError(
            f"After reserving {n_val} validation and {n_test} test rows (gap {gap}), "
            f"{max(train_stop, 0)} training rows are left, fewer than lookback + horizon = "
            f"{lookback + horizon} needed for one training window. Pass a longer series or "
            f"reduce the spans, 'lookback' or 'horizon'."
        )
    return Spans(train=(0, train_stop), validation=(val_start, val_stop),
                 test=(test_start, n), lookback=lookback)


def series_spans(ys, owner, *, lookback, horizon, validation_size):
    """Chronological train/validation spans of each series of a set (``ys``, see ``data.inputs``).

    With many series, one too short to hold both a training window and a
    validation window gives all its rows to training (its last windows then
    never validate); one series alone, or all of them too short, is an error
    naming ``owner`` (the estimator).
    """
    spans, errors = [], []
    for i, n in enumerate(ys.lengths):
        try:
            spans.append(chronological_spans(n, lookback=lookback, horizon=horizon,
                                             validation_size=validation_size))
        except ValueError as err:
            errors.append((i, err))
            spans.append(Spans(train=(0, n), validation=(n, n), test=(n, n), lookback=lookback))
    if errors and (not ys.is_list or len(errors) == len(spans)):
        i, err = errors[0]
        raise ValueError(
            f"{owner} cannot split {ys.label(i)} ({ys.lengths[i]} steps) into training and "
            f"validation windows: {err} Or set validation_size=0 to train without validation."
        )
    return spans
