"""Shared parameter checks, so that every error message reads alike.

Each message names the estimator, what was received, what was expected and how
to fix it.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable


def _owner(obj) -> str:
    return obj if isinstance(obj, str) else type(obj).__name__


def check_int(obj, name, value, *, minimum=1, allow_none=False):
    """Check that parameter ``name`` of ``obj`` is an int >= ``minimum``."""
    if value is None and allow_none:
        return
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < minimum:
        kind = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        if allow_none:
            kind += " or None"
        raise ValueError(
            f"The '{name}' parameter of {_owner(obj)} must be {kind}. Got {value!r} instead."
        )


def check_float(obj, name, value, *, low, high, low_open=False, high_open=False,
                allow_none=False):
    """Check that parameter ``name`` is a real number inside an interval."""
    if value is None and allow_none:
        return
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        ok = above and below
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(
            f"The '{name}' parameter of {_owner(obj)} must be a float in "
            f"{left}{low}, {high}{right}. Got {value!r} instead."
        )


def check_options(obj, name, value, options: Iterable):
    """Check that parameter ``name`` is one of ``options``."""
    options = list(options)
    if value not in options:
        shown = ", ".join(repr(o) for o in options)
        raise ValueError(
            f"The '{name}' parameter of {_owner(obj)} must be one of {shown}. "
            f"Got {value!r} instead."
        )


def check_bool(obj, name, value, *, allow_none=False):
    """Check that parameter ``name`` is a bool."""
    if value is None and allow_none:
        return
    if not isinstance(value, bool):
        extra = " or None" if allow_none else ""
        raise TypeError(
            f"The '{name}' parameter of {_owner(obj)} must be a bool{extra}. "
            f"Got {value!r} ({type(value).__name__}) instead."
        )


def check_dict(obj, name, value):
    """Check that parameter ``name`` is a dict or None."""
    if value is not None and not isinstance(value, dict):
        raise TypeError(
            f"The '{name}' parameter of {_owner(obj)} must be a dict or None. "
            f"Got {type(value).__name__} instead."
        )


def check_random_state(obj, value):
    """Check ``random_state``: None or a non-negative int below 2**32."""
    if value is None:
        return
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or not 0 <= value < 2**32:
        raise ValueError(
            f"The 'random_state' parameter of {_owner(obj)} must be None or an int in "
            f"[0, 2**32). Got {value!r} instead."
        )


def check_int_tuple(obj, name, value, *, fields):
    """Check that parameter ``name`` is a tuple of non-negative ints named ``fields``.

    ``fields`` names the entries for the message, e.g. ``("p", "d", "q")``.
    """
    ok = (isinstance(value, (tuple, list)) and len(value) == len(fields)
          and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0
                  for v in value))
    if not ok:
        raise ValueError(
            f"The '{name}' parameter of {_owner(obj)} must be a tuple ({', '.join(fields)}) of "
            f"{len(fields)} non-negative ints. Got {value!r} instead."
        )


#: ``predict`` refuses horizons above this many times the fitted ``horizon`` ...
HORIZON_FACTOR = 1000
#: ... but always allows this many steps (a year of hourly data, with room).
HORIZON_FLOOR = 10_000


def check_horizon(obj, horizon, fitted_horizon):
    """Check a ``horizon`` given to ``predict``: a positive int, and not absurdly long.

    A horizon beyond ``max(HORIZON_FACTOR * fitted_horizon, HORIZON_FLOOR)``
    steps is refused up front: every step past the fitted horizon feeds on the
    model's own forecasts, and a horizon such as 10**9 would run for hours and
    fill the memory before failing.
    """
    check_int(obj, "horizon", horizon)
    limit = max(HORIZON_FACTOR * fitted_horizon, HORIZON_FLOOR)
    if horizon > limit:
        raise ValueError(
            f"predict of {_owner(obj)} got horizon={horizon}, but allows at most {limit} steps "
            f"({HORIZON_FACTOR} times the fitted horizon={fitted_horizon}, and at least "
            f"{HORIZON_FLOOR}). Forecast fewer steps, or refit with a longer 'horizon'."
        )


def check_quantile_levels(obj, name, value, *, allow_none=False):
    """Check that ``name`` is a non-empty sorted tuple or list of distinct floats in (0, 1).

    Raises TypeError for anything but a tuple or list of real numbers (an
    array too: estimator parameters must survive JSON in ``save``), and
    ValueError for levels outside (0, 1), unsorted or duplicated ones.
    Returns the levels as a tuple of floats (None if allowed and given).
    """
    if value is None and allow_none:
        return None
    expected = ("a sorted tuple of distinct floats in (0, 1), e.g. (0.1, 0.5, 0.9)"
                + (", or None" if allow_none else ""))
    ok = isinstance(value, (tuple, list)) and all(
        isinstance(q, numbers.Real) and not isinstance(q, bool) for q in value)
    if not ok:
        raise TypeError(
            f"The '{name}' parameter of {_owner(obj)} must be {expected}. "
            f"Got {value!r} ({type(value).__name__}) instead."
        )
    levels = tuple(float(q) for q in value)
    if not levels:
        raise ValueError(
            f"The '{name}' parameter of {_owner(obj)} must be {expected}. Got an empty "
            f"{type(value).__name__} instead; pass at least one level."
        )
    outside = [q for q in levels if not 0.0 < q < 1.0]  # also catches NaN
    if outside:
        raise ValueError(
            f"The '{name}' parameter of {_owner(obj)} must be {expected}. Got {value!r}, "
            f"with {outside} outside (0, 1); pass levels strictly between 0 and 1 "
            f"(0.9 for the 90th percentile, not 90)."
        )
    duplicated = sorted({q for q in levels if levels.count(q) > 1})
    if duplicated:
        raise ValueError(
            f"The '{name}' parameter of {_owner(obj)} must be {expected}. Got {value!r}, "
            f"with {duplicated} more than once; pass each level once."
        )
    if list(levels) != sorted(levels):
        raise ValueError(
            f"The '{name}' parameter of {_owner(obj)} must be {expected}. Got {value!r}, "
            f"which is not sorted; pass {tuple(sorted(levels))!r}."
        )
    return levels
