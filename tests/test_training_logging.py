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
