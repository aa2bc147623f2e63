"""The base of every trainable text model: parameters, seeding, training, save and load.

A text model subclasses :class:`TextEstimator` and writes what is its own: an
``__init__`` that stores its parameters, ``_check_own_params``, a ``fit`` that
prepares the data and calls :meth:`TextEstimator._train`, ``_make_network``
(built from the fitted attributes, so ``load`` can rebuild it) and the
``_fitted_state``/``_restore`` pair that ``save``/``load`` store as JSON: the
same pair as the forecasters' and the baselines', written to the same file
format (``tsforecast._persistence``).
"""

from __future__ import annotations

import json
import math
import os
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._persistence import (
    NLP_FORMAT,
    json_params,
    load_model,
    restore_network,
    restore_state,
    save_model,
)
from .._training import TrainingModule, resolve_verbose, train_network
from ..utils.validation import (
    check_bool,
    check_dict,
    check_float,
    check_int,
    check_random_state,
)

__all__ = ["TextEstimator", "SHARED_PARAMETERS"]

#: Parameters every text model has; ``patience`` and ``validation_size`` where it validates.
SHARED_PARAMETERS = ("learning_rate", "batch_size", "max_epochs", "random_state", "verbose",
                     "trainer_kwargs")


class TextEstimator(BaseEstimator):
    """Shared parameter checks, seeded training and save/load of the :mod:`tsforecast.nlp` models.

    Not used directly. A subclass repeats the shared parameters in its
    signature (``get_params`` reads it), forwards ``learning_rate``,
    ``batch_size``, ``max_epochs``, ``random_state``, ``verbose`` and
    ``trainer_kwargs`` in one ``super().__init__`` call, stores its own
    (``patience`` and ``validation_size`` too, for models that validate) and
    implements:

    - ``_check_own_params()``: checks of its own parameters (called by
      :meth:`_check_params` before the shared ones);
    - ``fit``: validate, prepare data loaders, call :meth:`_train`, return ``self``;
    - ``_make_network()``: the untrained network, from the fitted attributes;
    - ``_fitted_state()`` and ``_restore(state)``: the fitted attributes
      besides the network, as JSON values, and back; ``_fitted_schema``, the
      JSON schema ``load`` checks them against (with ``history`` and
      ``best_epoch``; see :func:`tsforecast._persistence.fitted_schema`);
    - optionally ``_initialise_network(network)`` (starting weights for
      ``fit``), ``_set_network(network)`` (attributes derived from the
      trained network) and ``_params_to_save()``.

    ``save`` writes the parameters, ``history_``, ``best_epoch_``, the fitted
    state and the weights to one zip (no pickles); ``load`` rebuilds the model.
    ``trainer_kwargs`` that JSON cannot store (e.g. callbacks) are left out
    with a warning, as for the forecasters.
    """

    def __init__(self, *, learning_rate, batch_size, max_epochs, random_state=None,
                 verbose=None, trainer_kwargs=None):
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.random_state = random_state
        self.verbose = verbose
        self.trainer_kwargs = trainer_kwargs

    def _check_own_params(self):
        """Check the subclass's own parameters (none here)."""

    def _check_params(self):
        self._check_own_params()
        params = self.get_params(deep=False)
        check_float(self, "learning_rate", self.learning_rate, low=0.0, high=math.inf,
                    low_open=True, high_open=True)
        check_int(self, "batch_size", self.batch_size)
        check_int(self, "max_epochs", self.max_epochs)
        if "patience" in params:
            check_int(self, "patience", self.patience, allow_none=True)
        if "validation_size" in params:
            check_float(self, "validation_size", self.validation_size, low=0.0, high=1.0,
                        high_open=True, allow_none=True)
        check_random_state(self, self.random_state)
        check_bool(self, "verbose", self.verbose, allow_none=True)
        check_dict(self, "trainer_kwargs", self.trainer_kwargs)

    def _seed(self):
        """``random_state``, or a fresh seed drawn from the OS when it is None."""
        if self.random_state is not None:
            return self.random_state
        return int(np.random.SeedSequence().generate_state(1)[0])

    def _train(self, seed, train_loader, val_loader=None, *, loss=None, module=None,
               patience=None, trainer_kwargs=None):
        """Seeded build and training; sets ``network_``, ``history_``, ``best_epoch_``.

        The global torch random state is forked, so fitting never changes the
        caller's random numbers. ``module(network)`` makes the Lightning module
        (default: :class:`~tsforecast._training.TrainingModule` with ``loss``
        and ``learning_rate``). ``trainer_kwargs`` default to the parameter's.
        """
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            network = self._make_network()
            self._initialise_network(network)
            if module is None:
                lightning = TrainingModule(network, loss=loss, learning_rate=self.learning_rate)
            else:
                lightning = module(network)
            self.history_, self.best_epoch_ = train_network(
                lightning, train_loader, val_loader, max_epochs=self.max_epochs,
                patience=patience if val_loader is not None else None,
                verbose=resolve_verbose(self.verbose),
                trainer_kwargs=self.trainer_kwargs if trainer_kwargs is None else trainer_kwargs)
        self._set_network(network)
        return self

    def _initialise_network(self, network):
        """Set starting weights that ``fit`` (not ``load``) needs, e.g. pre-trained vectors."""

    def _set_network(self, network):
        """Keep the trained (or loaded) network; subclasses may derive attributes from it."""
        self.network_ = network.cpu().eval()

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Save the fitted model to ``path`` (a zip of JSON metadata and weights; no pickle).

        ``trainer_kwargs`` that JSON cannot store (callbacks, loggers) are
        left out with a warning; pass them again with ``set_params`` after
        :meth:`load`.

        Parameters
        ----------
        path : str or path-like
        """
        check_is_fitted(self)
        fitted = {"history": self.history_, "best_epoch": self.best_epoch_,
                  **self._fitted_state()}
        save_model(self, path, fitted, self.network_.state_dict(), format=NLP_FORMAT,
                   params=self._params_to_save())

    def _params_to_save(self):
        """The constructor parameters as JSON values; what JSON cannot hold becomes None."""
        params = json_params(self)  # trainer_kwargs, as for the forecasters
        for name, value in params.items():
            if isinstance(value, os.PathLike):
                params[name] = value = os.fspath(value)
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                warnings.warn(
                    f"{type(self).__name__}.save does not store the '{name}' parameter (a "
                    f"{type(value).__name__} JSON cannot hold); it comes back as None from load "
                    f"(the trained weights keep what it gave). Pass it again with set_params "
                    f"before refitting.", UserWarning, stacklevel=3)
                params[name] = None
        return params

    @classmethod
    def load(cls, path):
        """Load a model written by ``save``.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        object
            The fitted model, with the saved parameters.

        Raises
        ------
        tsforecast.exceptions.ModelFileError
            If ``path`` is not a file written by ``save`` of this class.
        """
        est, fitted, weights = load_model(cls, path, format=NLP_FORMAT)
        est.history_ = fitted.pop("history")
        est.best_epoch_ = fitted.pop("best_epoch", None)  # CTC files of earlier versions lack it
        restore_state(est, fitted, path)
        est._set_network(restore_network(est._make_network(), weights, path))
        return est
