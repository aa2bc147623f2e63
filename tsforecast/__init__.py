"""tsforecast: time-series forecasting with deep sequence models behind a scikit-learn API."""

from ._load import load
from ._version import __version__
from .baselines import (
    ARIMAForecaster,
    ETSForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from .models import (
    GRUForecaster,
    LSTMForecaster,
    RNNForecaster,
    Seq2SeqAttentionForecaster,
    TransformerForecaster,
    WaveNetForecaster,
)


__all__ = [
    "RNNForecaster", "LSTMForecaster", "GRUForecaster", "WaveNetForecaster",
    "Seq2SeqAttentionForecaster", "TransformerForecaster",
    "NaiveForecaster", "SeasonalNaiveForecaster", "ETSForecaster", "ThetaForecaster",
    "ARIMAForecaster", "load", "__version__",
]
