"""Forecasting networks and estimators; ``ESTIMATORS`` is the registry the common tests use."""

from .recurrent import GRUForecaster, LSTMForecaster, RecurrentNet, RNNForecaster
from .transformer import TransformerForecaster, TransformerNet

ESTIMATORS = (RNNForecaster, LSTMForecaster, GRUForecaster, TransformerForecaster)

__all__ = ["ESTIMATORS", "RecurrentNet", "RNNForecaster", "LSTMForecaster", "GRUForecaster",
           "TransformerNet", "TransformerForecaster"]
