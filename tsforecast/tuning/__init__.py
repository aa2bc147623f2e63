"""Hyperparameter tuning with Optuna: :func:`tune` and the pruning callback.

Each trial clones the estimator, sets the parameters its search space
suggests, fits it on a chronological split and scores its forecasts on the
original scale, as :func:`tsforecast.model_selection.backtest` makes them.
The library's own Lightning callback, handed to each trial through its
``trainer_kwargs``, reports the validation loss to the trial every epoch and
stops pruned trials. Studies can live in a database, so that a killed run
resumes where it stopped and several processes (or machines) work on one
study at once (``tuning/_storage.py``).
"""

from ._tune import PruningCallback, TuneResult, tune

__all__ = ["tune", "TuneResult", "PruningCallback"]
