"""Conformalised quantile regression (CQR) for the quantile heads of the deep forecasters.

A quantile head (``loss="quantile"``) learns the levels directly, but nothing
guarantees that its ``[q_lo, q_hi]`` band covers ``q_hi - q_lo`` of new data:
the pinball loss is fitted on the training windows, where the network has seen
the noise. CQR (Romano, Patterson & Candes, 2019) widens or narrows the band by
one margin learnt on held-out data, here the validation tail that training
only watched for early stopping.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["cqr_correction"]


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
        ``est._forecast_origins(values, origins, H, quantiles=True)``, whose
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
