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
import contextvars
import copy
import importlib.util
import logging
import math
import os
import sys
import warnings

import pytorch_lightning as pl
import torch
from torch import nn

from . import _distributed
from .exceptions import TrainingError

__all__ = ["TRAIN_LOSS", "VAL_LOSS", "DIVERGENCE_FACTOR", "DivergenceGuard", "PinballLoss",
           "TrainingModule", "fit_label", "train_network"]

TRAIN_LOSS = "train_loss"
VAL_LOSS = "val_loss"

_LOSSES = {"mse": nn.MSELoss, "mae": nn.L1Loss, "huber": nn.HuberLoss}

#: Training stops when a loss exceeds this many times its reference (see DivergenceGuard):
#: 100 for a squared loss (MSE), 10 for losses linear in the error (MAE, Huber's tails,
#: cross-entropy, CTC, word2vec's). Both mean outputs about ten times further off than at
#: the start.
DIVERGENCE_FACTOR = {"squared": 100.0, "linear": 10.0}
#: The smallest reference: on scaled data a target has unit variance, so a loss of 1 is what
#: a model that forecasts the mean scores; a tiny first loss does not make noise look divergent.
DIVERGENCE_FLOOR = 1.0


class DivergenceGuard:
    """Decide when a training loss is diverging; one guard per fit.

    The rule, checked on every training batch and at the end of every epoch,
    with ``factor`` 100 for a squared loss and 10 for a loss linear in the
    error (``DIVERGENCE_FACTOR``):

    - a loss that is NaN or infinite;
    - a batch loss above ``factor * max(first, 1)``, where ``first`` is the
      loss of the first training batch: a model that starts from random
      weights rarely does better than forecasting the mean (or guessing
      uniformly), so its first loss is near the top of a healthy run; on
      scaled data (variance 1) the bound is an MSE of 100 or an MAE of 10,
      forecasts ten standard deviations off;
    - an epoch's mean loss above ``factor * max(best, 1)``, where ``best`` is
      the lowest mean loss of an earlier epoch: a run that went well and then
      blew up (epoch means are smooth, so single noisy batches cannot trip it).

    The floor of 1 keeps a tiny first loss (an easy first batch) from turning
    ordinary noise into an alarm. Each check returns None, or what went wrong
    for the error message.

    Parameters
    ----------
    factor : float, default=10.0
    """

    def __init__(self, factor=DIVERGENCE_FACTOR["linear"]):
        self.factor = factor
        self.first = None
        self.best_epoch = math.inf

    def check_step(self, loss):
        if not math.isfinite(loss):
            return "is not finite"
        if self.first is None:
            self.first = loss
            return None
        reference = max(self.first, DIVERGENCE_FLOOR)
        if loss > self.factor * reference:
            return (f"is {loss / reference:.0f} times its first value {self.first:.3g} "
                    f"(the limit is {self.factor:g} times max(first, 1))")
        return None

    def check_epoch(self, mean_loss):
        reference = max(self.best_epoch, DIVERGENCE_FLOOR)
        if math.isfinite(self.best_epoch) and mean_loss > self.factor * reference:
            return (f"(the epoch's mean) is {mean_loss / reference:.0f} times the mean of the "
                    f"best epoch so far, {self.best_epoch:.3g} (the limit is "
                    f"{self.factor:g} times max(best, 1))")
        self.best_epoch = min(self.best_epoch, mean_loss)
        return None


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


# Lightning's informational chatter (device summary, "Tip: try litlogger" adverts,
# "`Trainer.fit` stopped") and the warnings it raises for small in-memory datasets
# are noise for an estimator's user, verbose or not: only the progress bar is shown.
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

    Notes
    -----
    A diverging loss stops training with a ``TrainingError`` naming the loss,
    the epoch, the learning rate and what to try; :class:`DivergenceGuard`
    states the rule.
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
        self._guard = DivergenceGuard(DIVERGENCE_FACTOR["squared" if loss == "mse"
                                                        else "linear"])

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
        value = loss.item()
        self._diverged(value, self._guard.check_step(value), f"batch {batch_idx}")
        self._loss_sum = self._loss_sum + loss.detach() * n
        self._loss_count += n
        return loss

    def _diverged(self, value, problem, where):
        if problem is not None:
            raise TrainingError(
                f"The training loss became {value:.4g} at epoch {self.current_epoch}, {where}: "
                f"it {problem}, so training diverged and was stopped. The likely causes are a "
                f"learning rate that is too high (got learning_rate={self.learning_rate}; try "
                f"10x smaller) or unscaled inputs with huge values (keep scaling='standard' or "
                f"'revin')."
            )

    def epoch_train_loss(self):
        """Mean training loss of the current epoch so far, weighted by batch size.

        With several processes it is the mean over all of them (a collective
        call: every rank calls it at the same point).
        """
        total = torch.tensor([float(self._loss_sum), float(self._loss_count)],
                             dtype=torch.float64)
        if self._trainer is not None and self.trainer.world_size > 1:
            total = self.trainer.strategy.reduce(total.to(self.device), reduce_op="sum").cpu()
        return float(total[0] / total[1]) if total[1] else None

    def on_train_epoch_end(self):
        loss = self.epoch_train_loss()  # over every rank, so all ranks judge alike
        if loss is not None:
            self._diverged(loss, self._guard.check_epoch(loss), "over the whole epoch")
            # equal on every rank: sync_dist only silences Lightning's hint
            self.log(TRAIN_LOSS, loss, sync_dist=True)

    def validation_step(self, batch, batch_idx):
        loss, n = self._loss(batch)
        # sync_dist: with several processes the epoch's value is the mean over every
        # rank's windows (sums and counts are reduced), so early stopping and the best
        # epoch agree across ranks. A no-op in one process.
        self.log(VAL_LOSS, loss, on_step=False, on_epoch=True, batch_size=n, sync_dist=True)

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
def quiet_lightning():
    """Silence Lightning's info logs, adverts and small-data warnings during a fit.

    Verbose or not: progress is shown by ``_ProgressBar``, never by Lightning's banners.
    The levels of Lightning's loggers and the warnings filters are restored on
    exit, so the user's own logging configuration is left as it was.
    """
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


def _in_notebook() -> bool:
    """True inside a Jupyter kernel, where stderr is not a terminal but a bar still shows."""
    shell = sys.modules.get("IPython")
    ip = shell.get_ipython() if shell is not None and hasattr(shell, "get_ipython") else None
    return ip is not None and hasattr(ip, "kernel")


def resolve_verbose(verbose) -> bool:
    """``None`` means: show progress in a terminal or a notebook, never under CI."""
    if verbose is None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            return False
        return _in_notebook() or bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(verbose)


_FIT_LABEL = contextvars.ContextVar("tsforecast_fit_label", default=None)


@contextlib.contextmanager
def fit_label(label: str):
    """Name the progress bars of the fits run inside this block (e.g. "final fit")."""
    token = _FIT_LABEL.set(label)
    try:
        yield
    finally:
        _FIT_LABEL.reset(token)


class _ProgressBar(pl.callbacks.ProgressBar):
    """One bar per fit on stderr: epoch, training and validation loss, elapsed time and ETA.

    Lightning's own bars print to stdout (mixing with the user's results), start
    a new bar every epoch and add one for every validation run. This one counts
    training batches over all epochs, so its ETA covers the whole fit, and it
    uses ``tqdm.auto`` (a widget in notebooks) when ipywidgets is installed.
    """

    def __init__(self, label: str):
        super().__init__()
        self.label = label
        self.bar = None
        self._enabled = True

    def disable(self):
        self._enabled = False

    def enable(self):
        self._enabled = True

    def on_train_start(self, trainer, pl_module):
        if not self._enabled:
            return
        if importlib.util.find_spec("ipywidgets") is not None:
            from tqdm.auto import tqdm
        else:  # tqdm.auto would warn "IProgress not found" in a notebook
            from tqdm import tqdm
        per_epoch = trainer.num_training_batches
        total = trainer.max_epochs * per_epoch if math.isfinite(per_epoch) else None
        self.bar = tqdm(total=total, desc=self.label, file=sys.stderr, dynamic_ncols=True,
                        leave=True, bar_format="{desc}: {percentage:3.0f}%|{bar}| "
                        "[{elapsed}<{remaining}{postfix}]")
        self._losses = ""

    def _show(self, trainer):
        self.bar.set_postfix_str(f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs}"
                                 f"{self._losses}")

    def on_train_epoch_start(self, trainer, pl_module):
        if self.bar is not None:
            self._show(trainer)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if self.bar is not None:
            self.bar.update(1)

    def on_train_epoch_end(self, trainer, pl_module):
        if self.bar is None:
            return
        # Callbacks run before the module logs the epoch's train loss: read it there.
        losses = ""
        train_loss = pl_module.epoch_train_loss()
        if train_loss is not None:
            losses += f", train_loss={train_loss:.4g}"
        if VAL_LOSS in trainer.callback_metrics:
            losses += f", val_loss={float(trainer.callback_metrics[VAL_LOSS]):.4g}"
        self._losses = losses
        self._show(trainer)

    def on_train_end(self, trainer, pl_module):
        if self.bar is not None:
            if self.bar.total is not None and self.bar.n < self.bar.total:
                self.bar.total = self.bar.n  # early stopping: the fit is done, show 100 %
                self.bar.set_postfix_str(self.bar.postfix + ", stopped early")
            self.bar.close()
            self.bar = None

    def on_exception(self, trainer, pl_module, exception):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def train_network(module: TrainingModule, train_loader, val_loader=None, *, max_epochs: int,
                  patience=None, verbose=False, trainer_kwargs=None):
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
        Show one progress bar on stderr, named by the enclosing :func:`fit_label`.
    trainer_kwargs : dict or None
        Passed to ``pytorch_lightning.Trainer`` and override the defaults
        (``accelerator="auto"``, ``devices=1``, ``gradient_clip_val=1.0``, no
        logger, no checkpoint files). ``callbacks`` given here (the user's, and
        the Optuna pruning callback that :func:`tsforecast.tuning.tune` appends
        to them) are added to ours.
        With several devices (e.g. ``{"devices": 2, "strategy": "ddp"}``) the
        processes are started here and the trained weights loaded back into
        ``module``; under a cluster launcher (torchrun, srun) this process is
        one rank. Either way each rank trains on its own shard of the
        windows: see ``_distributed.py``.

    Returns
    -------
    history : list of dict
        Per epoch: ``epoch``, ``train_loss`` and, with validation, ``val_loss``.
    best_epoch : int or None
        Epoch whose weights were restored (None without validation).
    """
    kwargs = dict(trainer_kwargs or {})
    history, best = _History(), _BestWeights()
    own = [history]
    if val_loader is not None:
        own.append(best)
        if patience is not None:
            own.append(pl.callbacks.EarlyStopping(monitor=VAL_LOSS, patience=patience,
                                                  mode="min"))
    user_callbacks = kwargs.pop("callbacks", None) or []
    if not isinstance(user_callbacks, (list, tuple)):
        user_callbacks = [user_callbacks]
    if verbose and kwargs.get("enable_progress_bar", True) and not any(
            isinstance(c, pl.callbacks.ProgressBar) for c in user_callbacks):
        own.append(_ProgressBar(_FIT_LABEL.get() or "training"))
    settings = dict(
        max_epochs=max_epochs, accelerator="auto", devices=1, gradient_clip_val=1.0,
        logger=False, enable_checkpointing=False, enable_progress_bar=verbose,
        enable_model_summary=False, num_sanity_val_steps=0, log_every_n_steps=1,
    )
    settings.update(kwargs)
    n_processes = _distributed.processes_to_launch(settings)
    if n_processes:  # one process per device, started here; see _distributed.py
        worker_kwargs = {**kwargs, "callbacks": list(user_callbacks),
                         "strategy": _distributed.worker_strategy(settings.get("strategy",
                                                                               "auto"))}
        return _distributed.launch(
            train_network, module, train_loader, val_loader, n_processes=n_processes,
            verbose=verbose, max_epochs=max_epochs, patience=patience,
            trainer_kwargs=worker_kwargs)
    settings["strategy"] = _distributed.in_process_strategy(settings)
    settings["callbacks"] = own + list(user_callbacks)
    settings["use_distributed_sampler"] = False  # sharded by _distributed.sharded_data
    with quiet_lightning():
        trainer = pl.Trainer(**settings)
        if trainer.world_size > 1:
            trainer.fit(module, datamodule=_distributed.sharded_data(train_loader, val_loader))
        else:
            trainer.fit(module, train_dataloaders=train_loader, val_dataloaders=val_loader)
    return history.epochs, best.best_epoch
