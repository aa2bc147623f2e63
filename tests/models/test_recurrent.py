"""RecurrentNet: the custom cells match PyTorch's, and the layer-norm / peephole options work."""

import numpy as np
import pytest
import torch
from torch import nn

from tsforecast import GRUForecaster, LSTMForecaster, RNNForecaster
from tsforecast.models.recurrent import RecurrentNet, _CustomRecurrentLayer

from ..conftest import FAST, seasonal


@pytest.mark.parametrize("cell, fused", [("rnn", nn.RNN), ("lstm", nn.LSTM), ("gru", nn.GRU)])
def test_custom_cell_matches_pytorch(cell, fused):
    """Without its options, the custom layer computes exactly what nn.RNN/LSTM/GRU compute."""
    torch.manual_seed(0)
    ref = fused(3, 8, batch_first=True)
    ours = _CustomRecurrentLayer(3, 8, cell, layer_norm=False, peephole=False)
    with torch.no_grad():
        ours.w_x.weight.copy_(ref.weight_ih_l0)
        ours.w_h.weight.copy_(ref.weight_hh_l0)
        if cell == "gru":  # PyTorch's GRU keeps b_hn inside r * (...); ours has no h-bias
            ref.bias_hh_l0.zero_()
        ours.w_x.bias.copy_(ref.bias_ih_l0 + ref.bias_hh_l0)
    x = torch.randn(4, 7, 3)
    torch.testing.assert_close(ours(x), ref(x)[0], rtol=1e-5, atol=1e-5)


def test_layer_norm_normalises_gate_preactivations():
    layer = _CustomRecurrentLayer(3, 16, "lstm", layer_norm=True, peephole=False)
    x = 100 * torch.randn(2, 5, 3)  # large inputs: layer norm keeps the gates unsaturated
    pre = layer.ln_x(layer.w_x(x)).view(2, 5, 4, 16)
    torch.testing.assert_close(pre.mean(-1), torch.zeros(2, 5, 4), atol=1e-4, rtol=0)
    torch.testing.assert_close(pre.std(-1, unbiased=False), torch.ones(2, 5, 4), atol=1e-3,
                               rtol=0)


def test_peephole_weights_receive_gradients():
    net = RecurrentNet(2, 1, 4, cell="lstm", hidden_size=8, peephole=True, layer_norm=True)
    out = net(torch.randn(3, 10, 2), torch.zeros(3, 4, 1))
    assert out.shape == (3, 4, 1)
    out.sum().backward()
    assert net.layers[0].w_c.grad.abs().sum() > 0


@pytest.mark.parametrize("Estimator", [RNNForecaster, LSTMForecaster, GRUForecaster])
def test_estimators_differ_only_in_the_cell_default(Estimator):
    est = Estimator(**FAST).fit(seasonal())
    fused = est.network_.core.rnn
    assert type(fused).__name__ == {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[est.cell]


@pytest.mark.parametrize("options", [dict(layer_norm=True), dict(peephole=True),
                                     dict(layer_norm=True, peephole=True, n_layers=2)])
def test_custom_lstm_cells_learn(options):
    y = seasonal(n=600, noise=0.1)
    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=16, max_epochs=15, learning_rate=3e-3,
                         random_state=0, trainer_kwargs={"accelerator": "cpu"}, **options)
    est.fit(y)
    assert est.network_.core.rnn is None  # the custom path was used
    assert est.history_[-1]["val_loss"] < 0.5 * est.history_[0]["val_loss"]


def test_peephole_needs_lstm():
    with pytest.raises(ValueError, match="'peephole' parameter of GRUForecaster needs "
                                         "cell='lstm'"):
        GRUForecaster(**FAST, peephole=True).fit(seasonal())
    with pytest.raises(ValueError, match="'cell' parameter of LSTMForecaster must be one of"):
        LSTMForecaster(**FAST, cell="transformer").fit(seasonal())


def test_nan_loss_stops_with_a_clear_error():
    from tsforecast.exceptions import TrainingError

    y = seasonal() * 1e30
    est = LSTMForecaster(**{**FAST, "max_epochs": 3}, scaling=None, learning_rate=1e10)
    with pytest.raises(TrainingError, match="loss became .* learning rate that is too high"):
        est.fit(y)
    assert np.isfinite(y).all()
