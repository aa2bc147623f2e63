"""RecurrentNet: the custom cells match PyTorch's, and the layer-norm / peephole options work.

RNN/LSTM/GRUForecaster are fixed to their cell; files and pickles of versions where ``cell``
was a parameter load as the forecaster of their cell."""

import numpy as np
import pytest
import torch
from torch import nn

from tsforecast import GRUForecaster, LSTMForecaster, RNNForecaster
from tsforecast.models.recurrent import RecurrentNet, _CustomRecurrentLayer, _CustomRecurrentStack

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
    torch.testing.assert_close(ours(x)[0], ref(x)[0], rtol=1e-5, atol=1e-5)


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
    assert net.rnn.layers[0].w_c.grad.abs().sum() > 0


@pytest.mark.parametrize("Estimator", [RNNForecaster, LSTMForecaster, GRUForecaster])
def test_each_estimator_is_fixed_to_its_cell(Estimator):
    est = Estimator(**FAST).fit(seasonal())
    fused = est.network_.core.rnn
    assert type(fused).__name__ == {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[Estimator.cell]
    assert "cell" not in est.get_params()
    with pytest.raises(TypeError, match="unexpected keyword argument 'cell'"):
        Estimator(cell="gru")
    with pytest.raises(ValueError, match=f"{Estimator.__name__} has no 'cell' parameter: each "
                                         f"recurrent forecaster is fixed to its cell "
                                         f"\\('{Estimator.cell}'\\). Got cell='gru'; use "
                                         f"RNNForecaster, LSTMForecaster or GRUForecaster"):
        Estimator().set_params(cell="gru")


@pytest.mark.parametrize("options", [dict(layer_norm=True), dict(peephole=True),
                                     dict(layer_norm=True, peephole=True, n_layers=2)])
def test_custom_lstm_cells_learn(options):
    y = seasonal(n=600, noise=0.1)
    # constant learning rate and squared error: the test is about the cells, not the defaults
    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=16, max_epochs=15, learning_rate=3e-3,
                         lr_decay=None, loss="mse", dropout=0.0, segment_len=None, head="linear",
                         random_state=0, trainer_kwargs={"accelerator": "cpu"}, **options)
    est.fit(y)
    assert isinstance(est.network_.core.rnn, _CustomRecurrentStack)  # the custom path
    assert est.history_[-1]["val_loss"] < 0.5 * est.history_[0]["val_loss"]


def test_peephole_needs_lstm():
    with pytest.raises(ValueError, match="'peephole' parameter of GRUForecaster needs an LSTM "
                                         "cell .* but its cell is 'gru'. Set peephole=False or "
                                         "use LSTMForecaster"):
        GRUForecaster(**FAST, peephole=True).fit(seasonal())


def _with_cell(est, cell):
    """``est`` as pickled by a tsforecast whose recurrent forecasters took ``cell``."""
    state = est.__getstate__()
    state["cell"] = cell
    return state


@pytest.mark.parametrize("cell, Expected", [("lstm", LSTMForecaster), ("gru", GRUForecaster)])
def test_pickles_with_a_cell_parameter_load_as_the_forecaster_of_their_cell(cell, Expected):
    y = seasonal()
    fitted = Expected(**FAST).fit(y)
    old = LSTMForecaster.__new__(LSTMForecaster)  # what unpickling an old LSTMForecaster does
    if Expected is LSTMForecaster:
        old.__setstate__(_with_cell(fitted, cell))
    else:
        with pytest.warns(UserWarning, match="This LSTMForecaster was saved with cell='gru', "
                                             "so its network is a GRUForecaster's: it is "
                                             "loaded as a GRUForecaster"):
            old.__setstate__(_with_cell(fitted, cell))
    assert type(old) is Expected and "cell" not in vars(old)
    np.testing.assert_array_equal(old.predict(), fitted.predict())


def test_model_files_with_a_cell_parameter_load(tmp_path):
    import json
    import zipfile

    import tsforecast
    from tsforecast.exceptions import ModelFileError

    y = seasonal()
    gru = GRUForecaster(**FAST).fit(y)
    gru.save(tmp_path / "new.zip")

    def old_file(name, cls_name, cell):  # model.json as an older tsforecast wrote it
        with zipfile.ZipFile(tmp_path / "new.zip") as zf:
            meta, weights = json.loads(zf.read("model.json")), zf.read("weights.pt")
        meta["class"], meta["params"]["cell"] = cls_name, cell
        with zipfile.ZipFile(tmp_path / name, "w") as zf:
            zf.writestr("model.json", json.dumps(meta))
            zf.writestr("weights.pt", weights)
        return tmp_path / name

    same = tsforecast.load(old_file("gru.zip", "GRUForecaster", "gru"))
    assert type(same) is GRUForecaster
    np.testing.assert_array_equal(same.predict(), gru.predict())
    with pytest.warns(UserWarning, match="saved with cell='gru'.* loaded as a GRUForecaster"):
        other = tsforecast.load(old_file("lstm.zip", "LSTMForecaster", "gru"))
    assert type(other) is GRUForecaster
    np.testing.assert_array_equal(other.predict(), gru.predict())
    with pytest.raises(ModelFileError, match="saved with cell='tcn', which is not a recurrent "
                                             "cell. Expected one of"):
        tsforecast.load(old_file("bad.zip", "RNNForecaster", "tcn"))


def test_nan_loss_stops_with_a_clear_error():
    from tsforecast.exceptions import TrainingError

    y = seasonal() * 1e30
    est = LSTMForecaster(**{**FAST, "max_epochs": 3}, scaling=None, learning_rate=1e10,
                         loss="mse")
    with pytest.raises(TrainingError, match="loss became .* learning rate that is too high"):
        est.fit(y)
    assert np.isfinite(y).all()


# ----------------------------------------------------------------- segments and heads
@pytest.mark.parametrize("cell, fused", [("rnn", nn.RNN), ("lstm", nn.LSTM), ("gru", nn.GRU)])
def test_custom_stack_continues_from_a_given_state_like_pytorch(cell, fused):
    """The parallel head starts the recurrence from the encoder's state, on both paths."""
    torch.manual_seed(0)
    ref = fused(3, 8, num_layers=2, batch_first=True)
    ours = _CustomRecurrentStack(3, 8, 2, cell, layer_norm=False, peephole=False, dropout=0.0)
    with torch.no_grad():
        for k, layer in enumerate(ours.layers):
            layer.w_x.weight.copy_(getattr(ref, f"weight_ih_l{k}"))
            layer.w_h.weight.copy_(getattr(ref, f"weight_hh_l{k}"))
            if cell == "gru":
                getattr(ref, f"bias_hh_l{k}").zero_()
            layer.w_x.bias.copy_(getattr(ref, f"bias_ih_l{k}") + getattr(ref, f"bias_hh_l{k}"))
    x = torch.randn(4, 5, 3)
    h = torch.randn(2, 4, 8)
    state = (h, torch.randn(2, 4, 8)) if cell == "lstm" else h
    out, final = ours(x, state)
    ref_out, ref_final = ref(x, state)
    torch.testing.assert_close(out, ref_out, rtol=1e-5, atol=1e-5)
    for a, b in zip(final if cell == "lstm" else (final,),
                    ref_final if cell == "lstm" else (ref_final,)):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_segments_shorten_the_recurrence_and_pad_at_the_front():
    net = RecurrentNet(2, 1, 6, cell="gru", hidden_size=8, segment_len=4).eval()
    seen = []
    net.rnn.register_forward_hook(lambda m, inputs, out: seen.append(inputs[0].shape))
    past, future = torch.randn(3, 10, 2), torch.randn(3, 6, 1)
    out = net(past, future)
    assert out.shape == (3, 6, 1)
    assert seen[0] == (3, 3, 8)  # ceil(10 / 4) segments, each embedded to hidden_size
    # the two missing steps are the first row repeated: same forecast as padding by hand
    padded = torch.cat([past[:, :1], past[:, :1], past], dim=1)
    torch.testing.assert_close(net(padded, future), out)


def test_parallel_head_segments_see_only_their_own_covariates():
    """Output segment m reads the covariates of its own w steps, and no other segment does."""
    torch.manual_seed(0)
    net = RecurrentNet(3, 2, 10, cell="lstm", hidden_size=8, segment_len=4,
                       head="parallel").eval()
    past, future = torch.randn(3, 12, 3), torch.randn(3, 10, 1)
    changed = future.clone()
    changed[:, 5] += 1.0  # step 5 lies in output segment 1 (steps 4..7)
    a, b = net(past, future), net(past, changed)
    assert a.shape == (3, 10, 2)
    torch.testing.assert_close(a[:, :4], b[:, :4])
    torch.testing.assert_close(a[:, 8:], b[:, 8:])
    assert not torch.allclose(a[:, 4:8], b[:, 4:8])
    # every segment starts from the same encoder state: the history moves them all
    other = net(torch.randn(3, 12, 3), future)
    assert all(not torch.allclose(a[:, s:s + 4], other[:, s:s + 4]) for s in (0, 4, 8))


@pytest.mark.parametrize("Estimator, options", [
    (LSTMForecaster, dict(segment_len=12, head="parallel")),
    (LSTMForecaster, dict(segment_len=12, head="linear")),
    (LSTMForecaster, dict(segment_len=12, head="parallel", layer_norm=True)),
    (GRUForecaster, dict(head="parallel"))])
def test_segment_options_learn_a_seasonal_series(Estimator, options):
    y = seasonal(n=600, noise=0.1)
    est = Estimator(lookback=24, horizon=6, hidden_size=16, max_epochs=15,
                         learning_rate=3e-3, lr_decay=None, loss="mse", dropout=0.0,
                    random_state=0, trainer_kwargs={"accelerator": "cpu"}, **options).fit(y)
    assert est.history_[-1]["val_loss"] < 0.5 * est.history_[0]["val_loss"]
    assert est.predict().shape == (6,)


def test_bad_segment_options_name_the_parameter():
    with pytest.raises(ValueError, match="'segment_len' parameter of GRUForecaster must be a "
                                         "positive int or None. Got 0"):
        GRUForecaster(**FAST, segment_len=0).fit(seasonal())
    with pytest.raises(ValueError, match="'head' parameter of RNNForecaster must be one of "
                                         "'parallel', 'linear'"):
        RNNForecaster(**FAST, head="flatten").fit(seasonal())
