"""Exceptions raised by tsforecast.

``NotFittedError`` is scikit-learn's, so code that already catches it for
scikit-learn estimators also catches it for ours.
"""

from sklearn.exceptions import NotFittedError

__all__ = ["NotFittedError", "TrainingError", "ModelFileError"]


class TrainingError(RuntimeError):
    """Training could not continue, for example because the loss became NaN."""


class ModelFileError(ValueError):
    """A file given to ``load`` is not a tsforecast model this version can read."""
