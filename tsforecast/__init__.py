"""tsforecast: time-series forecasting with deep sequence models behind a scikit-learn API."""

__version__ = "0.1.0"

from ._persistence import load as _load  # noqa: E402
from .models import GRUForecaster, LSTMForecaster, RNNForecaster, WaveNetForecaster  # noqa: E402


def load(path):
    """Load any forecaster saved with ``est.save(path)``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    BaseForecaster
        The fitted forecaster, of the class that was saved.
    """
    return _load(path)


__all__ = ["RNNForecaster", "LSTMForecaster", "GRUForecaster", "WaveNetForecaster", "load",
           "__version__"]
