"""Forecasting networks and estimators; ``ESTIMATORS`` is the registry the common tests use."""

from .recurrent import GRUForecaster, LSTMForecaster, RecurrentNet, RNNForecaster
from .wavenet import WaveNet, WaveNetForecaster

ESTIMATORS = (RNNForecaster, LSTMForecaster, GRUForecaster, WaveNetForecaster)

__all__ = ["ESTIMATORS", "RecurrentNet", "RNNForecaster", "LSTMForecaster", "GRUForecaster",
           "WaveNet", "WaveNetForecaster"]
