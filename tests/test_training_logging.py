"""The training loss is summed per epoch and logged once (not with ``self.log`` every step)."""

import numpy as np
import pytorch_lightning as pl
import torch

from tsforecast import LSTMForecaster
from tsforecast.data.windows import sliding_windows

from .conftest import seasonal


def test_train_loss_is_the_epoch_mean_over_all_windows():
    y = seasonal(n=120)
    # A vanishing learning rate keeps the weights as initialised, so the epoch's
    # mean batch loss (weighted by batch size) is the loss over every window.
    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=8, batch_size=8, max_epochs=1,
                         learning_rate=1e-12, loss="mse", dropout=0.0, validation_size=0.0,
                         random_state=0,
                         trainer_kwargs={"accelerator": "cpu"}).fit(y)
    series = torch.from_numpy(est.scaler_.transform(y.to_numpy().reshape(-1, 1)))
    windows = sliding_windows(series, 30)
    with torch.no_grad():
        pred = est.network_(windows[:, :24], windows[:, 24:, 1:])
    expected = float(torch.mean((pred - windows[:, 24:, :1]) ** 2))
    assert len(windows) % 8 != 0  # a smaller last batch must weigh less
    np.testing.assert_allclose(est.history_[0]["train_loss"], expected, rtol=1e-5)


def test_monitoring_callbacks_see_the_train_loss():
    # EarlyStopping on train_loss raises when the metric is missing (strict=True).
    stop = pl.callbacks.EarlyStopping(monitor="train_loss", patience=0, mode="max",
                                      strict=True)
    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=8, max_epochs=5, dropout=0.0,
                         loss="mse", validation_size=0.0, random_state=0,
                         trainer_kwargs={"accelerator": "cpu", "callbacks": [stop]})
    est.fit(seasonal(n=120))
    # the loss falls, so "mode=max" with patience 0 stops after the second epoch
    assert len(est.history_) == 2
    assert est.history_[1]["train_loss"] < est.history_[0]["train_loss"]


# ------------------------------------------------------------------ progress and noise
NOISE = ("GPU available", "TPU available", "Tip:", "litlogger", "litmodels", "Trainable params",
         "LeafSpec", "Trainer.fit", "deprecated")


def _bars(err):
    """The final state of each progress bar written to stderr."""
    return [chunk.split("\r")[-1] for chunk in err.split("\n") if chunk.strip("\r ")]


def test_verbose_fit_shows_one_bar_on_stderr_and_no_lightning_noise(capsys):
    from tsforecast._training import fit_label

    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=8, max_epochs=3, patience=None,
                         random_state=0, verbose=True, trainer_kwargs={"accelerator": "cpu"})
    with fit_label("final fit"):
        est.fit(seasonal(n=200))
    out, err = capsys.readouterr()
    assert out == ""  # results printed by the user's script stay clean
    bars = _bars(err)
    assert len(bars) == 1, err  # one bar for the whole fit, not one per epoch or validation
    last = est.history_[-1]
    assert bars[0].startswith("final fit: 100%|")
    assert (f"epoch 3/3, train_loss={last['train_loss']:.4g}, "
            f"val_loss={last['val_loss']:.4g}]") in bars[0]
    assert "<00:00" in bars[0]  # elapsed < remaining (the ETA)
    for noise in NOISE:
        assert noise not in err


def test_quiet_fit_prints_nothing(capsys):
    LSTMForecaster(lookback=24, horizon=6, hidden_size=8, max_epochs=1, verbose=False,
                   trainer_kwargs={"accelerator": "cpu"}).fit(seasonal(n=120))
    assert capsys.readouterr() == ("", "")


def test_early_stopping_finishes_the_bar(capsys):
    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=8, max_epochs=50, patience=1,
                         learning_rate=1e-9, random_state=0, verbose=True,
                         trainer_kwargs={"accelerator": "cpu"})
    est.fit(seasonal(n=200))
    (bar,) = _bars(capsys.readouterr().err)
    assert len(est.history_) < 50
    assert bar.startswith("training: 100%|") and bar.endswith(", stopped early]")
    assert f"epoch {len(est.history_)}/50" in bar


def test_lightning_logging_and_warning_filters_are_restored():
    import logging
    import warnings

    lightning = logging.getLogger("pytorch_lightning")
    fabric = logging.getLogger("lightning_fabric")
    before = (lightning.level, fabric.level, list(lightning.handlers))
    lightning.setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", UserWarning)
            filters = list(warnings.filters)
            LSTMForecaster(lookback=24, horizon=6, hidden_size=8, max_epochs=1, verbose=True,
                           trainer_kwargs={"accelerator": "cpu"}).fit(seasonal(n=120))
            assert warnings.filters == filters
        assert lightning.level == logging.DEBUG and fabric.level == before[1]
        assert lightning.handlers == before[2]
        # and Lightning's info messages reach the user's handlers again outside our fits
        assert logging.getLogger("pytorch_lightning.utilities.rank_zero").isEnabledFor(
            logging.INFO)
    finally:
        lightning.setLevel(before[0])


def test_verbose_none_follows_the_session(monkeypatch):
    import sys
    import types

    from tsforecast._training import resolve_verbose

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert resolve_verbose(None) is True  # a terminal
    monkeypatch.setenv("CI", "true")
    assert resolve_verbose(None) is False  # CI, even in a terminal
    assert resolve_verbose(True) is True
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert resolve_verbose(None) is False  # a pipe or a log file
    kernel = types.SimpleNamespace(kernel=object())
    fake_ipython = types.SimpleNamespace(get_ipython=lambda: kernel)
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)
    assert resolve_verbose(None) is True  # a Jupyter notebook
    assert resolve_verbose(False) is False


def test_tune_and_nlp_estimators_share_the_bar(capsys):
    from tsforecast.nlp import RNNLM
    from tsforecast.tuning import tune

    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=8, max_epochs=1, random_state=0,
                         verbose=True, trainer_kwargs={"accelerator": "cpu"})
    tune(est, seasonal(n=160),
         search_space=lambda trial: {"hidden_size": trial.suggest_int("h", 4, 8)},
         n_trials=2, random_state=0, verbose=False)
    out, err = capsys.readouterr()
    (bar,) = _bars(err)  # trials are silent; the refit has its bar
    assert out == "" and bar.startswith("refit with the best parameters: 100%|")
    for noise in NOISE:
        assert noise not in err
    RNNLM(embedding_size=8, hidden_size=8, n_layers=1, bptt=4, batch_size=2, max_epochs=2,
          random_state=0, verbose=True, trainer_kwargs={"accelerator": "cpu"}).fit(
        ["a b c d e f"] * 10)
    out, err = capsys.readouterr()
    (bar,) = _bars(err)
    assert out == "" and bar.startswith("training: 100%|") and "epoch 2/2" in bar
    for noise in NOISE:
        assert noise not in err
