"""The one LightningModule that trains every tsforecast network, and the Trainer around it.

Networks never import Lightning: :class:`TrainingModule` wraps any
``nn.Module`` whose batches are ``(inputs, target)`` with ``inputs`` a tuple of
tensors passed to ``network(*inputs)``. A network whose ``accepts_target`` is
true (e.g. a decoder trained with teacher forcing) also receives
``target=target`` in training steps only. Early stopping, the best-weights
callback and Optuna pruning all monitor the metric names defined here.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import sys
import warnings

import pytorch_lightning as pl
import torch
from torch import nn

from .exceptions import TrainingError

__all__ = ["TRAIN_LOSS", "VAL_LOSS", "PinballLoss", "TrainingModule", "train_network"]

TRAIN_LOSS = "train_loss"
VAL_LOSS = "val_loss"

_LOSSES = {"mse": nn.MSELoss, "mae": nn.L1Loss, "huber": nn.HuberLoss}


class PinballLoss(nn.Module):
    """Pinball (quantile) loss over all levels at once, averaged over every element.

    For level ``q`` and error ``e = y - y_hat_q`` the loss is ``max(q e, (q - 1) e)``
    (Koenker & Bassett, 1978): its minimiser is the ``q``-quantile, and at
    ``q = 0.5`` it is half the absolute error.

    Inputs: ``out`` ``(..., Q)``, one forecast per level; ``target`` ``(...)``.
    Output: a scalar, the mean over all elements and levels.

    Parameters
    ----------
    quantiles : sequence of float
        The ``Q`` levels, in the order of ``out``'s last axis.
    """

    def __init__(self, quantiles):
        super().__init__()
        self.register_buffer("levels", torch.tensor([float(q) for q in quantiles]),
                             persistent=False)

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        error = target.unsqueeze(-1) - out  # -> (..., Q)
        return torch.maximum(self.levels * error, (self.levels - 1) * error).mean()


# Lightning's informational chatter (device summary, seeding) and the warnings it
# raises for small in-memory datasets are noise for an estimator's user.
_QUIET_LOGGERS = ("pytorch_lightning", "lightning_fabric", "lightning.pytorch", "lightning.fabric")
_QUIET_WARNINGS = (
    r".*does not have many workers.*",
    r".*number of training batches.*smaller than the logging interval.*",
    r".*`isinstance\(treespec, LeafSpec\)` is deprecated.*",
    r".*GPU available but not used.*",
    r".*defined a `validation_step` but have no `val_dataloader`.*",
)


class TrainingModule(pl.LightningModule):
    """Train any network on ``(inputs, target)`` batches with one loss.

    Parameters
    ----------
    network : torch.nn.Module
        Called as ``network(*inputs)``; in training steps as
        ``network(*inputs, target=target)`` when ``network.accepts_target`` is
        true. Validation never passes the target.
    loss : {"mse", "mae", "huber", "quantile"} or torch.nn.Module, default="mse"
        ``"quantile"``: :class:`PinballLoss` over ``quantiles``, for a network
        whose output has a trailing level axis.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    lr_decay : float or None, default=None
        Multiply the learning rate by this factor after every epoch
        (exponential decay); None keeps it constant.
    quantiles : sequence of float or None, default=None
        The levels of ``loss="quantile"``.
    """

    def __init__(self, network: nn.Module, *, loss="mse", learning_rate: float = 1e-3,
                 lr_decay: float | None = None, quantiles=None):
        super().__init__()
        self.network = network
        if loss == "quantile":
            self.loss_fn = PinballLoss(quantiles)
        else:
            self.loss_fn = _LOSSES[loss]() if isinstance(loss, str) else loss
        self.learning_rate = learning_rate
        self.lr_decay = lr_decay

    def forward(self, *inputs):
        return self.network(*inputs)

    def _loss(self, batch, training=False):
        inputs, target = batch
        teach = training and getattr(self.network, "accepts_target", False)
        out = self.network(*inputs, target=target) if teach else self.network(*inputs)
        return self.loss_fn(out, target), len(target)

    def on_train_epoch_start(self):
        # The epoch's training loss is summed here and logged once per epoch:
        # ``self.log`` on every step costs Lightning ~3 ms (it moves a metric
        # object between devices), a large share of a small network's step.
        self._loss_sum, self._loss_count = 0.0, 0

    def training_step(self, batch, batch_idx):
        loss, n = self._loss(batch, training=True)
        if not torch.isfinite(loss):
            raise TrainingError(
                f"The training loss became {loss.item()} at epoch {self.current_epoch}, batch "
                f"{batch_idx}. The likely causes are a learning rate that is too high (got "
                f"learning_rate={self.learning_rate}; try 10x smaller) or unscaled inputs with "
                f"huge values (keep scaling='standard' or 'revin')."
            )
        self._loss_sum = self._loss_sum + loss.detach() * n
        self._loss_count += n
        return loss

    def epoch_train_loss(self):
        """Mean training loss of the current epoch so far, weighted by batch size."""
        return float(self._loss_sum / self._loss_count) if self._loss_count else None

    def on_train_epoch_end(self):
        if self._loss_count:
            self.log(TRAIN_LOSS, self._loss_sum / self._loss_count)

    def validation_step(self, batch, batch_idx):
        loss, n = self._loss(batch)
        self.log(VAL_LOSS, loss, on_step=False, on_epoch=True, batch_size=n)

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.network.parameters(), lr=self.learning_rate)
        if self.lr_decay is None:
            return optimizer
        schedule = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=self.lr_decay)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule,
                                                         "interval": "epoch"}}


class _BestWeights(pl.Callback):
    """Keep a copy of the weights of the best validation epoch in memory and restore them.

    This replaces ``ModelCheckpoint``, which writes to disk.
    """

    def __init__(self, monitor: str = VAL_LOSS):
        self.monitor = monitor
        self.best = math.inf
        self.best_epoch = None
        self.state = None

    def on_validation_epoch_end(self, trainer, pl_module):
        if trainer.sanity_checking:
            return
        value = trainer.callback_metrics.get(self.monitor)
        if value is not None and float(value) < self.best:
            self.best = float(value)
            self.best_epoch = trainer.current_epoch
            self.state = copy.deepcopy(pl_module.network.state_dict())

    def on_fit_end(self, trainer, pl_module):
        if self.state is not None:
            pl_module.network.load_state_dict(self.state)


class _History(pl.Callback):
    """Record the epoch-level metrics, one dict per epoch."""

    def __init__(self):
        self.epochs = []

    def on_train_epoch_end(self, trainer, pl_module):
        # Callbacks run before the module's on_train_epoch_end, where the train
        # loss is logged, so it is read from the module.
        row = {"epoch": trainer.current_epoch}
        train_loss = pl_module.epoch_train_loss()
        if train_loss is not None:
            row[TRAIN_LOSS] = train_loss
        if VAL_LOSS in trainer.callback_metrics:
            row[VAL_LOSS] = float(trainer.callback_metrics[VAL_LOSS])
        self.epochs.append(row)


@contextlib.contextmanager
def quiet_lightning(verbose: bool):
    """Silence Lightning's info logs and small-data warnings unless ``verbose``."""
    if verbose:
        yield
        return
    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    with warnings.catch_warnings():
        for pattern in _QUIET_WARNINGS:
            warnings.filterwarnings("ignore", message=pattern)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels):
                lg.setLevel(level)


def resolve_verbose(verbose) -> bool:
    """``None`` means: show progress when stderr is an interactive terminal."""
    if verbose is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(verbose)


def train_network(module: TrainingModule, train_loader, val_loader=None, *, max_epochs: int,
                  patience=None, verbose=False, trainer_kwargs=None, callbacks=()):
    """Fit ``module`` with a Lightning Trainer built from the estimator's settings.

    Parameters
    ----------
    module : TrainingModule
    train_loader, val_loader : DataLoader
        ``val_loader=None`` trains for ``max_epochs`` without early stopping.
    max_epochs : int
    patience : int or None
        Epochs without validation improvement before stopping; None disables.
    verbose : bool
        Progress bar and Lightning's model summary.
    trainer_kwargs : dict or None
        Passed to ``pytorch_lightning.Trainer`` and override the defaults
        (``accelerator="auto"``, ``devices=1``, ``gradient_clip_val=1.0``, no
        logger, no checkpoint files). ``callbacks`` given here are added to ours.
    callbacks : sequence of Callback
        Extra callbacks from the library (e.g. the Optuna pruning callback).

    Returns
    -------
    history : list of dict
        Per epoch: ``epoch``, ``train_loss`` and, with validation, ``val_loss``.
    best_epoch : int or None
        Epoch whose weights were restored (None without validation).
    """
    kwargs = dict(trainer_kwargs or {})
    history, best = _History(), _BestWeights()
    own = [history, *callbacks]
    if val_loader is not None:
        own.append(best)
        if patience is not None:
            own.append(pl.callbacks.EarlyStopping(monitor=VAL_LOSS, patience=patience,
                                                  mode="min"))
    settings = dict(
        max_epochs=max_epochs, accelerator="auto", devices=1, gradient_clip_val=1.0,
        logger=False, enable_checkpointing=False, enable_progress_bar=verbose,
        enable_model_summary=verbose, num_sanity_val_steps=0, log_every_n_steps=1,
    )
    user_callbacks = kwargs.pop("callbacks", None) or []
    if not isinstance(user_callbacks, (list, tuple)):
        user_callbacks = [user_callbacks]
    settings.update(kwargs)
    settings["callbacks"] = own + list(user_callbacks)
    with quiet_lightning(verbose):
        trainer = pl.Trainer(**settings)
        trainer.fit(module, train_dataloaders=train_loader, val_dataloaders=val_loader)
    return history.epochs, best.best_epoch
