"""Forecasting networks and estimators; ``ESTIMATORS`` is the registry the common tests use."""

from .recurrent import GRUForecaster, LSTMForecaster, RecurrentNet, RNNForecaster
from .seq2seq import Seq2SeqAttentionForecaster, Seq2SeqAttentionNet
from .transformer import TransformerForecaster, TransformerNet
from .wavenet import WaveNet, WaveNetForecaster

ESTIMATORS = (RNNForecaster, LSTMForecaster, GRUForecaster, WaveNetForecaster,
              Seq2SeqAttentionForecaster, TransformerForecaster)

__all__ = ["ESTIMATORS", "RecurrentNet", "RNNForecaster", "LSTMForecaster", "GRUForecaster",
           "WaveNet", "WaveNetForecaster", "Seq2SeqAttentionNet",
           "Seq2SeqAttentionForecaster", "TransformerNet", "TransformerForecaster"]
