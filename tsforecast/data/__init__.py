"""Data layer: input conversion, sliding windows, chronological splits and scaling."""

from .inputs import from_long, to_long
from .scaling import StandardScaler
from .splits import Spans, chronological_spans
from .windows import WindowDataset, sliding_windows, suggest_lookback, window_starts

__all__ = ["from_long", "to_long", "StandardScaler", "Spans", "chronological_spans", "WindowDataset",
           "sliding_windows", "suggest_lookback", "window_starts"]
