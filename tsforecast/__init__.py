"""tsforecast: time-series forecasting with deep sequence models behind a scikit-learn API."""

__version__ = "0.1.0"

from ._persistence import load as _load  # noqa: E402
from .baselines import (  # noqa: E402
    ARIMAForecaster,
    ETSForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
# Every forecaster of the registry (tsforecast.models): a new one needs no line here.
from . import models  # noqa: E402
from .models import *  # noqa: E402, F403


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


__all__ = [
    "NaiveForecaster", "SeasonalNaiveForecaster", "ETSForecaster", "ThetaForecaster",
    "ARIMAForecaster", "load", "__version__",
]
__all__ += models.__all__  # a form static tools (type checkers, IDEs, the docs) understand
