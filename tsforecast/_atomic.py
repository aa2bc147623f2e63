"""Atomic ``fit``: an estimator changes only when its fit succeeded.

:func:`atomic_fit` wraps the ``fit`` method of every tsforecast estimator
(forecasters, baselines, the :mod:`tsforecast.nlp` estimators). The wrapped
body runs on a shallow working copy of the estimator, stripped of its fitted
attributes, so everything it assigns lands on the copy. Only when the body
returns is the copy's state moved onto the estimator in one step. When the
body raises (a diverging loss, bad data, Ctrl+C), the estimator is exactly as
it was: a fresh one stays unfitted (``predict`` raises ``NotFittedError``), a
fitted one keeps its network, scaler and forecasts.
"""

from __future__ import annotations

import functools

__all__ = ["atomic_fit", "fitted_attributes"]


def fitted_attributes(est) -> list:
    """Names of the fitted attributes of ``est``: public names ending in ``_``."""
    return [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]


def atomic_fit(fit):
    """Decorate a ``fit`` method so that a failure leaves the estimator untouched.

    The working copy shares the parameters (and private attributes such as
    the callbacks ``tune`` hands to a fit) with the estimator, so user objects
    passed as parameters (e.g. Lightning callbacks) are the ones that run.
    """

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        work = object.__new__(type(self))
        work.__dict__.update(vars(self))
        for name in fitted_attributes(work):
            delattr(work, name)  # every fit starts from scratch, and never edits old state
        result = fit(work, *args, **kwargs)
        vars(self).clear()
        vars(self).update(vars(work))
        return self if result is work else result

    return wrapper
