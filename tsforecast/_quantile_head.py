"""Quantile heads of the deep forecasters: the parameter check and conformalised regression.

The head itself (one output per level, sorted) is built in
:class:`tsforecast._network.ForecastNet`, its loss is
:class:`tsforecast._training.PinballLoss`.

A quantile head (``loss="quantile"``) learns the levels directly, but nothing
guarantees that its ``[q_lo, q_hi]`` band covers ``q_hi - q_lo`` of new data:
the pinball loss is fitted on the training windows, where the network has seen
the noise. CQR (Romano, Patterson & Candes, 2019) widens or narrows the band by
one margin learnt on held-out data, here the validation tail that training
only watched for early stopping.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ._network import median_index
from .utils.validation import check_quantile_levels

__all__ = ["check_quantile_params", "cqr_correction"]


def check_quantile_params(est):
    """Check ``est.quantiles`` against ``est.loss``: it goes with ``loss="quantile"`` only.

    Raises ValueError or TypeError naming the estimator; warns when the
    levels lack 0.5 (``predict`` then returns the level nearest the median).
    """
    name = type(est).__name__
    if est.loss == "quantile" and est.quantiles is None:
        raise ValueError(
            f"{name} was given loss='quantile' but no levels: 'quantiles' is None. Pass "
            f"the levels to train, e.g. quantiles=(0.1, 0.5, 0.9), or another loss."
        )
    if est.loss != "quantile" and est.quantiles is not None:
        raise ValueError(
            f"The 'quantiles' parameter of {name} is only used with loss='quantile', but "
            f"loss={est.loss!r}. Set loss='quantile' to train a quantile head, or "
            f"quantiles=None."
        )
    levels = check_quantile_levels(est, "quantiles", est.quantiles, allow_none=True)
    if levels is not None and 0.5 not in levels:
        point = levels[median_index(levels)]
        warnings.warn(
            f"The 'quantiles' of {name} do not include 0.5 (got {levels}): predict will "
            f"return level {point:g}, the one nearest the median, and the recursive "
            f"strategy feeds it back. Add 0.5 to the levels for a median forecast.",
            UserWarning, stacklevel=4)


def cqr_correction(truth, lower, upper, coverage):
    """The CQR margin ``E`` per step and target such that ``[lower - E, upper + E]`` covers.

    For each calibration origin ``i`` the conformity score is
    ``s_i = max(lower_i - y_i, y_i - upper_i)``: how far the truth lies outside
    the head's band (negative inside). ``E`` is the ``k``-th smallest of the
    ``n`` scores with ``k = ceil((n + 1) * coverage)``, computed separately for
    each horizon step and target, so that for a new origin exchangeable with
    the calibration ones ``P(lower - E <= y <= upper + E) >= coverage``
    (Romano et al., 2019, Theorem 1). ``E`` is negative when the head's band
    is too wide. Origins of one series that overlap in time are not exactly
    exchangeable; the guarantee is then approximate.

    Parameters
    ----------
    truth : array-like of shape (N, H, T)
        Observed values at the ``N`` calibration origins (e.g. the validation
        tail), ``H`` steps ahead, ``T`` targets. NaN marks a value that is not
        observed (e.g. steps past the end of the series); it is left out of
        that step's scores.
    lower, upper : array-like of shape (N, H, T)
        The head's lower and upper levels at the same origins, on the same
        scale as ``truth``: e.g. ``q[..., 0]`` and ``q[..., -1]`` of
        ``est.forecast_origins(values, origins, H, quantiles=True)``, whose
        levels would be ``(1 - coverage) / 2`` and ``(1 + coverage) / 2``.
    coverage : float
        Target coverage in (0, 1).

    Returns
    -------
    correction : ndarray of shape (H, T)
        ``E``; the calibrated interval is ``[lower - E, upper + E]``.

    Raises
    ------
    ValueError
        When the shapes differ, ``coverage`` is outside (0, 1), or a step has
        too few observed origins for ``coverage``: ``k <= n`` needs
        ``n >= coverage / (1 - coverage)`` (9 for 0.9, 19 for 0.95).

    References
    ----------
    Romano, Y., Patterson, E. & Candes, E. (2019). Conformalized quantile regression.
    *NeurIPS*.
    """
    truth, lower, upper = (np.asarray(a, dtype=np.float64) for a in (truth, lower, upper))
    if not truth.ndim == 3 or truth.shape != lower.shape or truth.shape != upper.shape:
        raise ValueError(
            f"cqr_correction needs truth, lower and upper of one shape (N, H, T). Got "
            f"{truth.shape}, {lower.shape} and {upper.shape}."
        )
    if not 0.0 < coverage < 1.0:
        raise ValueError(f"cqr_correction needs a coverage in (0, 1). Got {coverage!r}.")
    scores = np.maximum(lower - truth, truth - upper)  # NaN where truth is NaN
    n = np.isfinite(scores).sum(axis=0)  # -> (H, T)
    # k-th smallest with k = ceil((n + 1) * coverage); the tolerance keeps e.g.
    # (9 + 1) * 0.9 = 9.000000000000002 at 9.
    k = np.ceil((n + 1) * coverage - 1e-9).astype(int)
    if (k > n).any():
        need = math.ceil(coverage / (1.0 - coverage) - 1e-9)
        raise ValueError(
            f"Conformalised quantile regression at coverage={coverage:g} needs at least "
            f"{need} calibration origins per horizon step, but a step has {int(n.min())}. "
            f"Use a larger validation_size (more origins in the validation tail) or a lower "
            f"coverage."
        )
    ordered = np.sort(scores, axis=0)  # NaN sorts last
    return np.take_along_axis(ordered, (k - 1)[None], axis=0)[0]
