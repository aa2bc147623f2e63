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
# Every forecaster of the registry (tsforecast.models): a new one needs no line here.
from . import models
from .models import *  # noqa: F403


__all__ = [
    "NaiveForecaster", "SeasonalNaiveForecaster", "ETSForecaster", "ThetaForecaster",
    "ARIMAForecaster", "load", "__version__",
]
__all__ += models.__all__  # a form static tools (type checkers, IDEs, the docs) understand
