"""BaseForecaster: parameters, fit/predict, input checks, scaling, windows and training.

Every forecaster subclasses :class:`BaseForecaster` and adds only its network
(``_build_network``) and its own parameters. Concerns with their own modules:
predict's scaled batches and roll-forward (``_prediction.py``), the quantile
dispatch of the uncertainty methods (``_uncertainty.py``), the network wrapper
(``_network.py``), the fitted state as JSON (``_fitted_state.py``), the model
file format (``_persistence.py``); windows, spans and scaling in ``data/``.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import _conformal, _fitted_state, _persistence, _prediction, _uncertainty
from ._atomic import atomic_fit
from ._network import ForecastNet
from ._quantile_head import check_quantile_params
from ._shared import document_shared
from ._training import TrainingModule, resolve_verbose, train_network
from .data.inputs import as_series_set, check_covariates, future_index, to_output
from .data.scaling import StandardScaler, concatenate_scaled
from .data.splits import series_spans
from .data.windows import (
    ShuffledWindows,
    WindowDataset,
    check_window_fits,
    collate_batch,
    sliding_windows,
    window_starts,
)
from .utils.validation import (
    check_bool,
    check_dict,
    check_float,
    check_int,
    check_options,
    check_random_state,
)

__all__ = ["BaseForecaster"]

STRATEGIES = ("direct", "recursive")
SCALINGS = ("revin", "standard", None)
LOSSES = ("mse", "mae", "huber", "quantile")


class BaseForecaster(BaseEstimator):
    """Base class of all tsforecast forecasters.

    Subclasses store their own parameters in ``__init__`` and implement
    ``_build_network(n_features, n_targets, horizon)``, returning a
    ``torch.nn.Module`` that maps ``past`` ``(B, lookback, n_features)`` and
    ``future`` covariates ``(B, horizon, n_features - n_targets)`` to
    ``(B, horizon, n_targets)``.

    Parameters
    ----------
    lookback : int, default=48
        Number of past time steps the network reads to make a forecast.
    horizon : int, default=12
        Number of steps forecast by default, and trained on with
        ``strategy="direct"``.
    strategy : {"direct", "recursive"}, default="direct"
        ``"direct"``: the network emits all ``horizon`` steps in one forward
        pass and is trained on the whole horizon. ``"recursive"``: the network
        is trained one step ahead and fed its own forecasts, so ``predict``
        accepts any horizon. A direct model asked for more than ``horizon``
        steps rolls forward in blocks of ``horizon`` on its own forecasts.
    scaling : {"revin", "standard"} or None, default="revin"
        ``"standard"``: each column is standardised with the mean and standard
        deviation of the training span (the validation tail excluded); with
        many series, each target of each series by its own statistics
        (covariates by statistics pooled over the series), so that series whose
        levels differ by orders of magnitude all reach the network on one scale.
        ``"revin"``: the same, plus reversible instance normalisation: each
        input window's targets are normalised by their own mean and standard
        deviation, and the forecast is shifted back (Kim et al., 2022); this
        copes with series whose level drifts. None: raw values.
    channel_independent : bool, default=False
        For several target columns, forecast each with one shared univariate
        model (channel independence, Nie et al., 2023) instead of jointly.
    dropout : float, default=0.0
        Dropout rate in [0, 1) inside the network.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    lr_decay : float or None, default=None
        Multiply the learning rate by this factor in (0, 1] after every epoch
        (exponential decay, a common schedule for long-horizon forecasters);
        None keeps it constant.
    loss : {"mse", "mae", "huber", "quantile"}, default="mse"
        Training loss, also the validation loss that early stopping watches:
        mean squared error, mean absolute error (robust to outliers, and the
        loss SegRNN trains with, Lin et al., 2023), Huber (squared below 1,
        absolute above, on the scaled values) or ``"quantile"``: the pinball
        loss averaged over the levels in ``quantiles`` (a quantile head, see
        ``quantiles``). Tuning compares trials by this validation loss, so
        keep it fixed across a study.
    quantiles : tuple of float or None, default=None
        Levels of the quantile head, sorted and distinct in (0, 1), e.g.
        ``(0.1, 0.5, 0.9)``; required with ``loss="quantile"`` and an error
        with any other loss. The network then emits one forecast per level
        and target, all trained at once; levels never cross (the outputs are
        sorted). ``predict`` returns the median level: 0.5 if trained, else
        the level nearest 0.5 (the lower of two equally near), which is also
        the value fed back as input by the recursive strategy and by a direct
        model rolling past its horizon. Include 0.5 for a sound point forecast.
    batch_size : int, default=32
        Training windows per gradient step.
    max_epochs : int, default=50
        Upper bound on passes over the training windows.
    patience : int or None, default=5
        Early stopping: epochs without improvement of the validation loss
        before training stops. None trains for ``max_epochs``. The weights of
        the best validation epoch are restored either way (in memory).
    validation_size : float, default=0.2
        Fraction of each series, taken from its end, whose windows form the
        validation set. The scaler is fitted on the rows before it. 0 disables
        validation, early stopping and best-weight restoring. With many series,
        a series too short to hold a validation window as well as a training
        window trains on all its rows.
    random_state : int or None, default=None
        Seed for weight initialisation, shuffling and dropout. The same seed
        gives the same forecasts on CPU. The global torch RNG is left as it was.
    verbose : bool or None, default=None
        Show a progress bar. None: only when standard error is a terminal.
    trainer_kwargs : dict or None, default=None
        Extra arguments for ``pytorch_lightning.Trainer``, overriding the
        defaults ``accelerator="auto"``, ``devices=1``,
        ``gradient_clip_val=1.0`` (e.g. ``{"precision": "bf16-mixed"}``,
        ``{"accelerator": "cpu"}``, ``{"devices": 4, "strategy": "ddp"}``,
        ``{"callbacks": [...]}``). Nothing is written to disk by default.

    Attributes
    ----------
    network_ : torch.nn.Module
        The trained network, wrapped with normalisation and channel handling.
    scaler_ : StandardScaler or None
        Fitted per-column scaler (targets then covariates), one row of
        statistics per series.
    ids_ : list or None
        The series ids of a dict or long-frame ``y`` (None otherwise); forecasts
        come back under the same ids.
    n_features_in_ : int
        Columns the network reads: targets plus covariates.
    target_names_ : list of str
    covariate_names_ : list of str
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss`` and ``val_loss``.
    best_epoch_ : int or None
        Epoch whose weights were kept.
    calibration_ : object or None
        Conformal calibration of the intervals: normalised absolute errors of
        forecasts from the origins of the validation tail (None with
        ``validation_size=0``). See :meth:`predict_interval`.
    """

    supports_exogenous = True
    supports_multivariate = True
    supports_multiple_series = True
    #: Networks of estimators with True accept ``return_attention=True`` and then
    #: return ``(forecast, weights)`` with weights of shape (B, H, L).
    supports_attention = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        document_shared(cls, BaseForecaster)  # Other Parameters and common Attributes

    def __init__(self, lookback=48, *, horizon=12, strategy="direct", scaling="revin",
                 channel_independent=False, dropout=0.0, learning_rate=1e-3, lr_decay=None,
                 loss="mse", quantiles=None, batch_size=32, max_epochs=50, patience=5,
                 validation_size=0.2, random_state=None, verbose=None, trainer_kwargs=None):
        self.lookback = lookback
        self.horizon = horizon
        self.strategy = strategy
        self.scaling = scaling
        self.channel_independent = channel_independent
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.lr_decay = lr_decay
        self.loss = loss
        self.quantiles = quantiles
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_size = validation_size
        self.random_state = random_state
        self.verbose = verbose
        self.trainer_kwargs = trainer_kwargs

    # ------------------------------------------------------------------ parameters
    def _check_params(self):
        check_int(self, "lookback", self.lookback)
        check_int(self, "horizon", self.horizon)
        check_options(self, "strategy", self.strategy, STRATEGIES)
        check_options(self, "scaling", self.scaling, SCALINGS)
        check_bool(self, "channel_independent", self.channel_independent)
        check_float(self, "dropout", self.dropout, low=0.0, high=1.0, high_open=True)
        check_float(self, "learning_rate", self.learning_rate, low=0.0, high=float("inf"),
                    low_open=True, high_open=True)
        check_float(self, "lr_decay", self.lr_decay, low=0.0, high=1.0, low_open=True,
                    allow_none=True)
        check_options(self, "loss", self.loss, LOSSES)
        check_quantile_params(self)
        check_int(self, "batch_size", self.batch_size)
        check_int(self, "max_epochs", self.max_epochs)
        check_int(self, "patience", self.patience, allow_none=True)
        check_float(self, "validation_size", self.validation_size, low=0.0, high=1.0,
                    high_open=True)
        check_random_state(self, self.random_state)
        check_bool(self, "verbose", self.verbose, allow_none=True)
        check_dict(self, "trainer_kwargs", self.trainer_kwargs)
        self._check_model_params()

    def _check_model_params(self):
        """Check the subclass's own parameters; raise ValueError/TypeError."""

    def _build_network(self, n_features, n_targets, horizon):
        raise NotImplementedError

    @property
    def _n_out(self) -> int:
        """Steps the network emits per forward pass."""
        return self.horizon if self.strategy == "direct" else 1

    def _make_network(self, n_targets, n_covariates):
        """The core network wrapped with RevIN, channel independence and the quantile head."""
        independent = self.channel_independent and n_targets > 1
        core_targets = 1 if independent else n_targets
        n_levels = 1 if self.loss != "quantile" else len(self.quantiles)
        # A quantile head's core forecasts each target once per level (see ForecastNet).
        core = self._build_network(core_targets * n_levels + n_covariates,
                                   core_targets * n_levels, self._n_out)
        return ForecastNet(core, n_targets, revin=self.scaling == "revin",
                           channel_independent=independent,
                           quantiles=self.quantiles if self.loss == "quantile" else None)

    # ------------------------------------------------------------------ fit
    @atomic_fit
    def fit(self, y, X=None):
        """Fit the forecaster to one or many series, from scratch.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, ndarray of shape (T,) or (T, k), or many of those
            Target series. Every column of a DataFrame is a target, forecast
            jointly (or per channel with ``channel_independent=True``). Many
            series -- a list, a dict ``{id: series}``, or a long DataFrame with
            an ``(id, time)`` MultiIndex or ``unique_id``/``ds`` columns --
            fit one global model over all of them (same columns, same
            frequency; lengths and start dates may differ).
        X : same kinds as ``y``, optional
            Covariates known in advance (calendar, prices, promotions),
            aligned row for row with ``y`` (by id for a dict or long frame; a
            pandas ``X`` may run past the end of ``y``, those rows are for
            ``predict``). ``predict`` then needs their values over the
            forecast span.

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        name = type(self).__name__
        self._check_params()
        ys = as_series_set(y, name, "y")
        xs = None
        if X is not None:
            xs = check_covariates(as_series_set(X, name, "X"), ys, name)
        n_out = self._n_out
        need = self.lookback + n_out
        check_window_fits(ys, need, name, "horizon" if self.strategy == "direct"
                          else "1 (recursive strategy)")
        values = ys.values if xs is None else [np.hstack(p) for p in zip(ys.values, xs.values)]
        spans = series_spans(ys, name, lookback=self.lookback, horizon=n_out,
                             validation_size=self.validation_size)

        n_targets = ys.n_columns
        self.scaler_ = None
        if self.scaling is not None:
            self.scaler_ = StandardScaler().fit([v[: s.train[1]] for v, s in zip(values, spans)],
                                                n_targets=n_targets)
        series = torch.from_numpy(concatenate_scaled(values, self.scaler_))

        train_starts = window_starts(ys.lengths, need, last_target=[s.train[1] for s in spans])
        val_starts = window_starts(ys.lengths, need, first_target=[s.validation[0] for s in spans],
                                   last_target=[s.validation[1] for s in spans],
                                   lookback=self.lookback)
        seed = (self.random_state if self.random_state is not None
                else int(np.random.SeedSequence().generate_state(1)[0]))
        verbose = resolve_verbose(self.verbose)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            network = self._make_network(n_targets, len(values[0][0]) - n_targets)
            generator = torch.Generator().manual_seed(seed)
            train_windows = WindowDataset(series, train_starts, self.lookback, n_out, n_targets)
            train_loader = torch.utils.data.DataLoader(
                train_windows, batch_size=self.batch_size,
                sampler=ShuffledWindows(train_windows, generator=generator),
                generator=generator, collate_fn=collate_batch)
            val_loader = None
            if len(val_starts):
                val_loader = torch.utils.data.DataLoader(
                    WindowDataset(series, val_starts, self.lookback, n_out, n_targets),
                    batch_size=max(self.batch_size, 256), shuffle=False,
                    collate_fn=collate_batch)
            module = TrainingModule(network, loss=self.loss, learning_rate=self.learning_rate,
                                    lr_decay=self.lr_decay, quantiles=self.quantiles)
            self.history_, self.best_epoch_ = train_network(
                module, train_loader, val_loader, max_epochs=self.max_epochs,
                patience=self.patience, verbose=verbose, trainer_kwargs=self.trainer_kwargs)
        self.network_ = network.eval()
        self.n_features_in_ = values[0].shape[1]
        self.n_targets_ = n_targets
        self.target_names_ = list(ys.columns)
        self.covariate_names_ = list(xs.columns) if xs is not None else []
        self.input_kind_ = {**ys.template, "x_kind": xs.kind if xs is not None else None}
        self.ids_ = ys.ids
        self.last_window_ = [v[-self.lookback:].copy() for v in values]
        self.index_end_ = ys.ends
        self.calibration_ = _conformal.calibrate_forecaster(
            self, values, [s.validation for s in spans])
        return self

    # ------------------------------------------------------------------ predict
    def predict(self, horizon=None, X=None, y=None):
        """Forecast the steps after the end of the series.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; defaults to the ``horizon`` parameter. A direct
            model asked for more steps than it was trained on rolls forward in
            blocks of ``horizon``, feeding its own forecasts back as inputs; a
            recursive model rolls forward one step at a time. At most
            ``max(1000 * horizon, 10000)`` steps.
        X : same kinds as in ``fit``, optional
            Required when the model was fitted with covariates. Without ``y``:
            covariates for the forecast span (at least ``horizon`` rows, the
            first ``horizon`` are used; a pandas index must start at the first
            forecast time stamp). With ``y``: covariates aligned with ``y``
            and extending ``horizon`` rows past its end.
        y : same kinds as in ``fit``, optional
            A new history to forecast from, without refitting (e.g. the latest
            data). It needs the same columns as in ``fit`` and at least
            ``lookback`` rows. Without it, forecasts follow the series seen in
            ``fit``. With many series, a history whose id was seen in ``fit``
            is scaled with that series' statistics, any other with its own.

        Returns
        -------
        forecast : same kind as ``y`` (or as the ``y`` of ``fit``)
            ``horizon`` rows, indexed by the future time stamps (integer steps
            for numpy input). Many series come back in their container: a
            list, a dict with the same keys, or a long frame with the same
            index names or id/time columns (``horizon`` rows per id).
        """
        batch = self._prepare_predict(horizon, X, y)
        out = self._forecast(batch.past, batch.future, batch.horizon).numpy().astype(np.float64)
        out = batch.unscale(out, self.n_targets_)
        indexes = [future_index(last, step, batch.horizon) for last, step in batch.ends]
        return to_output(list(out), indexes, batch.template, columns=self.target_names_,
                         ids=batch.ids)

    def predict_attention(self, horizon=None, X=None, y=None):
        """Attention weights of the forecast over the history, one row per forecast step.

        Takes the same arguments as :meth:`predict`. Only for estimators with
        ``supports_attention = True``.

        Returns
        -------
        weights : pandas.DataFrame, or a list or dict of them for many series
            Shape ``(horizon, lookback)`` per series: row ``h`` holds how much
            forecast step ``h`` attended to each history step (rows sum to 1
            for a single attention map). Indexed by the forecast time stamps;
            columns are history step offsets ``-lookback .. -1`` (-1 is the
            last observed step).
            For steps beyond the first block of a direct model (or beyond the
            first step of a recursive one) the history axis is the window
            rolled forward on the model's own forecasts. With
            ``channel_independent=True`` the weights are averaged over channels.
        """
        return _prediction.attention_frames(self, horizon, X, y)

    def _prepare_predict(self, horizon, X, y):
        """Check predict's inputs; a batch of scaled windows (see ``_prediction.py``)."""
        return _prediction.prepare_predict(self, horizon, X, y)

    def _series_rows(self, ys):
        """The row of fitted statistics of each series of a new history ``ys``, or None.

        A model fitted on one series (or without per-series statistics) applies
        row 0 to every history. With per-series statistics, a history whose id
        was seen in ``fit`` gets that series' row; a new id, or a series of a
        list (whose position carries no identity), gets None: statistics of the
        history passed.
        """
        if self.scaler_ is None or not self.scaler_.per_series:
            return [0] * len(ys.values)
        known = {k: i for i, k in enumerate(self.ids_ or [])}
        return [known.get(k) for k in ys.ids] if ys.ids is not None else [None] * len(ys.values)

    def _forecast(self, past, future, horizon, return_attention=False, return_quantiles=False):
        """The network rolled forward over ``horizon`` (see ``_prediction.py``)."""
        return _prediction.roll_forward(self, past, future, horizon, return_attention,
                                        return_quantiles)

    def _head_quantiles(self, batch):
        """All levels of a quantile head, (S, horizon, T, Q) (see ``_uncertainty.py``)."""
        return _uncertainty.head_quantiles(self, batch)

    def _check_quantile_head(self):
        """A TypeError unless the fitted network has a quantile head."""
        if self.network_.quantiles is None:
            raise TypeError(
                f"{type(self).__name__} was fitted with loss={self.loss!r}, which has no "
                f"quantile head. Fit it with loss='quantile' and quantiles=(...)."
            )

    def forecast_origins(self, values, origins, horizon, series=None, quantiles=False):
        """Forecast ``horizon`` steps from many origins of one series in one call.

        An origin is the row of a forecast's first step: the forecast from
        origin ``o`` reads only the ``lookback`` rows before it (``[o -
        lookback, o)``) and, with covariates, their values over the forecast
        span ``[o, o + horizon)`` (known in advance); never a target at or
        after ``o``. :func:`tsforecast.model_selection.backtest` and
        :func:`tsforecast.tuning.tune` call this method, when an estimator
        has it, instead of one ``predict`` per origin; any estimator (not
        only a subclass of this one) may implement it with this signature.
        Here every window comes from one gather on a strided view of the
        scaled series and runs through the network in batches.

        Parameters
        ----------
        values : ndarray of shape (n, n_targets + n_covariates)
            The whole series, unscaled, as ``fit`` converts it: the target
            columns, then the covariate columns.
        origins : array-like of int, shape (S,)
            Rows of the first forecast step, each ``>= lookback`` and, with
            covariates, ``<= n - horizon``.
        horizon : int
            Steps forecast from each origin.
        series : int, optional
            Which fitted series' scaling statistics to use: its position in
            the ``y`` passed to ``fit``. None for a model fitted on one
            series, or (per-series scaling) statistics of the rows before
            the first origin, for a series the model did not see.
        quantiles : bool, default=False
            Return all levels of the quantile head (``loss="quantile"``),
            as the network predicts them, without conformal calibration.

        Returns
        -------
        ndarray of shape (S, horizon, n_targets), or (S, horizon, n_targets, Q)
            Forecasts on the original scale; with ``quantiles=True`` the
            last axis holds the levels ``self.quantiles``, in order.

        Raises
        ------
        TypeError
            With ``quantiles=True`` for a model without a quantile head.

        Examples
        --------
        >>> import numpy as np
        >>> from tsforecast import LSTMForecaster
        >>> y = np.sin(np.arange(200) * 2 * np.pi / 24)
        >>> est = LSTMForecaster(lookback=24, horizon=6, max_epochs=1).fit(y[:150])
        >>> est.forecast_origins(y[:, None], np.arange(150, 195), 6).shape  # 45 origins
        (45, 6, 1)
        """
        scaler = self._origin_scaler(values, origins, series)
        scaled = scaler.transform(values) if scaler is not None else values.astype(np.float32)
        scaled = np.ascontiguousarray(scaled)  # row-major, so gathered windows are contiguous
        n_cov = len(self.covariate_names_)
        # Without covariates the future rows are not read, so origins may reach the end.
        span = self.lookback + (horizon if n_cov else 0)
        windows = sliding_windows(torch.from_numpy(scaled), span)
        gathered = windows[torch.as_tensor(np.asarray(origins) - self.lookback)]
        past = gathered[:, :self.lookback]  # -> (S, L, F)
        future = gathered[:, self.lookback:, self.n_targets_:]  # -> (S, horizon, C)
        if not n_cov:
            future = past.new_zeros(len(past), horizon, 0)
        if quantiles:
            self._check_quantile_head()
        out = self._forecast(past, future, horizon, return_quantiles=quantiles)
        out = out.numpy().astype(np.float64)
        if scaler is not None:
            if quantiles:  # every level on the targets' scale: (S, horizon, Q, T) and back
                out = scaler.inverse_transform(out.swapaxes(-1, -2),
                                               slice(0, self.n_targets_)).swapaxes(-1, -2)
            else:
                out = scaler.inverse_transform(out, slice(0, self.n_targets_))
        return out

    # ------------------------------------------------------------------ uncertainty
    def predict_quantiles(self, horizon=None, X=None, y=None, quantiles=(0.1, 0.5, 0.9),
                          method="conformal"):
        """Forecast quantiles of the steps after the end of the series.

        Takes the same ``horizon``, ``X`` and ``y`` as :meth:`predict` and
        forecasts the same series in the same batches.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; at most the ``horizon`` the model was fitted
            (and calibrated) with.
        X : same kinds as in ``fit``, optional
            As in :meth:`predict`.
        y : same kinds as in ``fit``, optional
            As in :meth:`predict`: a new history to forecast from.
        quantiles : float or sequence of float, default=(0.1, 0.5, 0.9)
            Levels in (0, 1), strictly increasing.
        method : {"conformal", "adaptive", "quantile-head"}, default="conformal"
            ``"conformal"``: split conformal intervals calibrated on the
            validation tail at the end of ``fit`` (needs ``validation_size >
            0``). ``"adaptive"``: recalibrated on the most recent origins of
            the history passed as ``y`` (as many rows as the validation tail
            of ``fit``), for series whose error level drifts; the fitted model
            is not changed. ``"quantile-head"``: the levels a model fitted with
            ``loss="quantile"`` learnt directly (only those levels; no
            calibration guarantee). See the Notes.

        Returns
        -------
        quantiles : pandas.DataFrame, ndarray, or a list of those
            For a Series: a DataFrame indexed by the future time stamps with
            one column per level (the floats). For a DataFrame: columns
            ``(target, level)``. For numpy input: an array of shape
            ``(horizon, Q)`` (1-d input) or ``(horizon, k, Q)``. A list for a
            list of series. Level 0.5 is the point forecast of :meth:`predict`.

        Notes
        -----
        Let ``s`` be a scale of the input window (:meth:`_window_scale`: the
        window's own standard deviation with ``scaling="revin"``, floored at a
        tenth of the series' scale; the training scale with ``"standard"``;
        1 without scaling). At the end of ``fit`` the model forecasts from
        every origin of the validation tail (about 1,000 at most, an equal
        share per series, pooled) and keeps ``|y - y_hat| / s`` per forecast step
        and target. The interval of coverage ``c`` is ``y_hat +- s * q``, with
        ``q`` the ``ceil((n + 1) c)``-th smallest of the ``n`` scores of that
        step (split conformal prediction; Vovk et al., 2005). Its coverage
        holds when future errors behave like the validation errors
        (exchangeability); it fails when the series changes regime after the
        validation tail, which ``method="adaptive"`` mitigates.
        """
        return _conformal.predict_quantiles(self, horizon, X, y, quantiles, method)

    def predict_interval(self, horizon=None, X=None, y=None, coverage=0.9, method="conformal"):
        """Forecast prediction intervals of the steps after the end of the series.

        Takes the same ``horizon``, ``X`` and ``y`` as :meth:`predict`. The
        intervals are centred on the point forecast, which lies inside each.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; at most the ``horizon`` the model was fitted with.
        X : same kinds as in ``fit``, optional
            As in :meth:`predict`.
        y : same kinds as in ``fit``, optional
            As in :meth:`predict`.
        coverage : float or list of float, default=0.9
            Probability that each interval holds the actual value, in (0, 1).
        method : {"conformal", "adaptive", "quantile-head"}, default="conformal"
            As in :meth:`predict_quantiles`.

        Returns
        -------
        intervals : pandas.DataFrame, ndarray, or a list of those
            For a Series: a DataFrame indexed by the future time stamps with
            columns ``"lower"`` and ``"upper"``; for a list of coverages the
            columns are ``(coverage, "lower"|"upper")``. For a DataFrame:
            columns ``(target, "lower"|"upper")`` or ``(target, coverage,
            "lower"|"upper")``. For numpy input: arrays whose trailing axes are
            ``(2,)`` (lower, upper) or ``(n_coverages, 2)``, after
            ``(horizon,)`` for 1-d input or ``(horizon, k)``. A list for a
            list of series.
        """
        return _conformal.predict_interval(self, horizon, X, y, coverage, method)

    def _window_scale(self, past_targets, scaler):
        """The scale (S, T) calibration errors are divided by (see ``_uncertainty.py``)."""
        return _uncertainty.window_scale(self, past_targets, scaler)

    def _quantile_forecast(self, horizon, X, y, levels, method):
        """The one dispatch of the uncertainty methods (see ``_uncertainty.py``)."""
        return _uncertainty.quantile_forecast(self, horizon, X, y, levels, method)

    def _origin_scaler(self, values, origins, series):
        """The statistics ``forecast_origins`` scales one series' windows with (one row)."""
        scaler = self.scaler_
        if scaler is not None and scaler.per_series:
            scaler = (scaler.select([series]) if series is not None
                      else scaler.for_histories([values[:origins[0], :self.n_targets_]]))
        return scaler

    # ------------------------------------------------------------------ persistence
    _fitted_schema = _fitted_state.FORECASTER_FITTED  # what load checks the state against

    def _fitted_state(self):
        """The fitted attributes besides the network's weights, as JSON values (for ``save``)."""
        return _fitted_state.forecaster_state(self)

    def _restore(self, state):
        """Set the fitted attributes from a :meth:`_fitted_state` (for ``load``)."""
        _fitted_state.restore_forecaster(self, state)

    def save(self, path):
        """Save the fitted forecaster to ``path`` (a zip of JSON metadata and weights).

        The file holds the parameters, the library and schema versions, the
        column names, the frequency, the scaler state, the last window and the
        network weights. :func:`tsforecast.load` reads it back without
        unpickling any code.

        Parameters
        ----------
        path : str or path-like
        """
        check_is_fitted(self)
        _persistence.save_model(self, path, self._fitted_state(), self.network_.state_dict())

    @classmethod
    def load(cls, path):
        """Load a forecaster written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        BaseForecaster
            A fitted forecaster of the class that was saved; loading through a
            class that is neither it nor one of its bases raises
            ``ModelFileError``.
        """
        est, state, weights = _persistence.load_model(cls, path)
        _persistence.restore_state(est, state, path)
        network = est._make_network(est.n_targets_, len(est.covariate_names_))
        est.network_ = _persistence.restore_network(network, weights, path)
        return est
