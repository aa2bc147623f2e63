"""Forecasting networks and estimators; ``ESTIMATORS`` is the registry the common tests use."""

from .recurrent import GRUForecaster, LSTMForecaster, RecurrentNet, RNNForecaster

ESTIMATORS = (RNNForecaster, LSTMForecaster, GRUForecaster)

__all__ = ["ESTIMATORS", "RecurrentNet", "RNNForecaster", "LSTMForecaster", "GRUForecaster"]
