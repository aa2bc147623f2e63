"""Standardisation fitted on the training span only: per series for targets, pooled for covariates.

Reversible instance normalisation (RevIN), the per-window alternative, acts
inside the network because it depends on each input window; see
:class:`tsforecast._network.ForecastNet`.

Why per series: one global model over many series sees series whose levels
differ by orders of magnitude (14 to 5e5 in hourly demand data). Pooled
statistics would shrink the small series to nearly constant inputs (their
spread a thousandth of the pooled one), below what the network or RevIN's
``eps`` can resolve. Each target of each series is therefore standardised by
its own training mean and standard deviation, as NeuralForecast and Darts do;
covariates known in advance (calendar, prices) share pooled statistics, which
also serve series the model never saw.
"""

from __future__ import annotations

import numpy as np

__all__ = ["StandardScaler", "concatenate_scaled"]

_TINY = 1e-12


def _moments(arrays):
    """Mean and standard deviation of the rows of several ``(T_i, F)`` arrays, pooled."""
    count = sum(len(a) for a in arrays)
    mean = sum(a.sum(axis=0) for a in arrays) / count
    var = sum(((a - mean) ** 2).sum(axis=0) for a in arrays) / count
    return mean, np.sqrt(var)


class StandardScaler:
    """Standardise each channel with the mean and standard deviation of the training rows.

    ``mean_`` and ``scale_`` have shape ``(S, F)``: one row per series fitted
    (``S = 1`` when fitted on one series, or with ``n_targets=None``). The
    first ``n_targets`` channels get each series' own statistics; the others
    (covariates) the statistics pooled over all series. Constant channels get a
    scale of 1 so that they pass through unchanged instead of dividing by zero.
    """

    def fit(self, arrays, n_targets=None):
        """Fit on one ``(T, F)`` array or a list of them (one per series).

        Parameters
        ----------
        arrays : ndarray of shape (T, F) or list of those
        n_targets : int, optional
            Leading channels standardised per series; None pools every channel.
        """
        arrays = list(arrays) if isinstance(arrays, list) else [arrays]
        mean, std = _moments(arrays)
        self.mean_, self.scale_ = mean[None, :], np.where(std > _TINY, std, 1.0)[None, :]
        if n_targets and len(arrays) > 1:
            self.mean_, self.scale_ = self._rows(arrays, n_targets)
        self.n_targets_ = n_targets
        return self

    def _rows(self, arrays, n_targets):
        """Per-series statistics: own targets, pooled covariates; shape (len(arrays), F)."""
        means = np.repeat(self.mean_[:1], len(arrays), axis=0)
        scales = np.repeat(self.scale_[:1], len(arrays), axis=0)
        for i, a in enumerate(arrays):
            target = a[:, :n_targets]
            std = target.std(axis=0)
            means[i, :n_targets] = target.mean(axis=0)
            scales[i, :n_targets] = np.where(std > _TINY * np.maximum(1.0, np.abs(means[i, :n_targets])),
                                             std, 1.0)
        return means, scales

    @property
    def per_series(self) -> bool:
        """Whether the targets carry statistics per series."""
        return self.mean_.shape[0] > 1

    def for_histories(self, arrays) -> "StandardScaler":
        """A scaler for new series (one row each): targets from each history, covariates pooled.

        Used at predict time for series the model did not see in ``fit`` (a
        new id, or a list whose positions carry no identity).
        """
        out = StandardScaler()
        out.mean_, out.scale_, out.n_targets_ = self.mean_[:1], self.scale_[:1], self.n_targets_
        out.mean_, out.scale_ = out._rows(list(arrays), self.n_targets_)
        return out

    def select(self, rows) -> "StandardScaler":
        """A scaler holding the statistics of the given series rows, in that order."""
        out = StandardScaler()
        out.mean_, out.scale_ = self.mean_[rows], self.scale_[rows]
        out.n_targets_ = self.n_targets_
        return out

    def for_rows(self, rows, histories) -> "StandardScaler":
        """One row of statistics per history: the fitted row ``rows[i]``, or where that is
        None the statistics of ``histories[i]`` itself (as :meth:`for_histories`)."""
        out = self.select(np.array([r or 0 for r in rows], dtype=np.int64))
        new = [i for i, r in enumerate(rows) if r is None]
        if new:
            local = self.for_histories([histories[i] for i in new])
            out.mean_[new], out.scale_[new] = local.mean_, local.scale_
        return out

    def _stats(self, series, columns, ndim):
        mean, scale = self.mean_[series][..., columns], self.scale_[series][..., columns]
        if np.ndim(series) == 1 and ndim == 3:  # one row of statistics per window
            mean, scale = mean[:, None, :], scale[:, None, :]
        return mean, scale

    def transform(self, a, columns=slice(None), series=0):
        """Standardise ``a``.

        Parameters
        ----------
        a : ndarray of shape (T, F') or (S, T, F')
        columns : slice
            Which fitted channels ``a`` holds.
        series : int or ndarray of int
            The series row(s) of statistics: an int for a 2-d ``a``, one per
            window for a 3-d ``a``.
        """
        mean, scale = self._stats(series, columns, np.ndim(a))
        return ((a - mean) / scale).astype(np.float32)

    def inverse_transform(self, a, columns=slice(None), series=0):
        """Undo :meth:`transform` (same arguments)."""
        mean, scale = self._stats(series, columns, np.ndim(a))
        return a * scale + mean

    def state_dict(self):
        return {"mean": self.mean_.tolist(), "scale": self.scale_.tolist(),
                "n_targets": self.n_targets_}

    @classmethod
    def from_state_dict(cls, state):
        scaler = cls()
        scaler.mean_ = np.atleast_2d(np.asarray(state["mean"], dtype=np.float64))
        scaler.scale_ = np.atleast_2d(np.asarray(state["scale"], dtype=np.float64))
        scaler.n_targets_ = state.get("n_targets")
        return scaler


def concatenate_scaled(values, scaler=None):
    """All series scaled into one float32 ``(sum T_i, F)`` buffer, written series by series.

    ``scaler`` holds one row of statistics per series (None: values as they
    are). The windows of every series are views over this one buffer, so
    memory stays O(total rows); no per-series scaled copies are kept on the way.
    """
    buffer = np.empty((sum(len(v) for v in values), values[0].shape[1]), dtype=np.float32)
    row = 0
    for i, v in enumerate(values):
        buffer[row:row + len(v)] = scaler.transform(v, series=i) if scaler is not None else v
        row += len(v)
    return buffer
