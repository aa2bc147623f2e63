"""Forecasting networks and estimators.

The registry: ``__all__`` names every forecaster, and ``ESTIMATORS`` holds
them in that order. The package root exports them, the API reference page
documents them (``docs/scripts/api_reference.py``), the common tests run over
them and ``tsforecast.load`` finds saved ones among them. A new forecaster is
its own module here plus its import and its name below.
"""

from .recurrent import GRUForecaster, LSTMForecaster, RecurrentNet, RNNForecaster
from .seq2seq import Seq2SeqAttentionForecaster, Seq2SeqAttentionNet
from .transformer import TransformerForecaster, TransformerNet
from .wavenet import WaveNet, WaveNetForecaster

# A literal list, so that static tools (IDEs, type checkers, the docs) read it too.
__all__ = ["RNNForecaster", "LSTMForecaster", "GRUForecaster", "WaveNetForecaster",
           "Seq2SeqAttentionForecaster", "TransformerForecaster"]
ESTIMATORS = tuple(globals()[name] for name in __all__)
