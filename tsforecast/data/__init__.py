"""Data layer: input conversion, sliding windows, chronological splits and scaling."""

from .scaling import StandardScaler
from .splits import Spans, chronological_spans
from .windows import WindowDataset, sliding_windows, window_starts

__all__ = ["StandardScaler", "Spans", "chronological_spans", "WindowDataset",
           "sliding_windows", "window_starts"]
