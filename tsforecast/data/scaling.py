"""Per-channel standardisation fitted on the training span only.

Reversible instance normalisation (RevIN), the per-window alternative, acts
inside the network because it depends on each input window; see
:class:`tsforecast.models._layers.RevIN`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["StandardScaler"]


class StandardScaler:
    """Standardise each channel with the mean and standard deviation of the training rows.

    Constant channels get a scale of 1 so that they pass through unchanged
    instead of dividing by zero.
    """

    def fit(self, arrays):
        """Fit on one ``(T, F)`` array or a list of them (pooled over series)."""
        stacked = np.concatenate(list(arrays), axis=0) if isinstance(arrays, list) else arrays
        self.mean_ = stacked.mean(axis=0)
        std = stacked.std(axis=0)
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        return self

    def transform(self, a, columns=slice(None)):
        """Standardise ``a``; ``columns`` picks which fitted channels ``a`` holds."""
        return ((a - self.mean_[columns]) / self.scale_[columns]).astype(np.float32)

    def inverse_transform(self, a, columns=slice(None)):
        """Undo :meth:`transform`."""
        return a * self.scale_[columns] + self.mean_[columns]

    def state_dict(self):
        return {"mean": self.mean_.tolist(), "scale": self.scale_.tolist()}

    @classmethod
    def from_state_dict(cls, state):
        scaler = cls()
        scaler.mean_ = np.asarray(state["mean"], dtype=np.float64)
        scaler.scale_ = np.asarray(state["scale"], dtype=np.float64)
        return scaler
