"""WaveNet: the causal stack never looks ahead, its receptive field is what it reports."""

import warnings

import numpy as np
import optuna
import pytest
import torch

import tsforecast
from tsforecast import WaveNetForecaster
from tsforecast.models.wavenet import WaveNet, receptive_field

from ..conftest import FAST, seasonal


def _input_gradients(net, past, t):
    """Gradient of the features at step ``t`` w.r.t. every input step -> (L,)."""
    past = past.clone().requires_grad_(True)
    net.features(past)[:, t].pow(2).sum().backward()
    return past.grad.abs().sum(dim=(0, 2))


@pytest.mark.parametrize("kernel_size, n_layers, n_blocks", [
    (2, 1, 1), (2, 2, 1), (2, 3, 1), (2, 4, 1), (2, 5, 1), (2, 3, 2), (3, 3, 1), (3, 2, 2),
])
def test_causal_stack_sees_exactly_its_receptive_field(kernel_size, n_layers, n_blocks):
    """Features at step t depend on inputs t - R + 1 .. t and on nothing after t.

    Growing ``n_layers`` one at a time makes each dilation 1, 2, ..., 16 the widest
    in turn, so a leak in any dilated layer would show up as a gradient from the future.
    """
    torch.manual_seed(0)
    L = 48
    net = WaveNet(3, 1, 4, L, channels=8, kernel_size=kernel_size, n_layers=n_layers,
                  n_blocks=n_blocks)
    R = net.receptive_field
    assert R == receptive_field(kernel_size, n_layers, n_blocks) < L
    past = torch.randn(4, L, 3)
    for t in range(L):
        grad = _input_gradients(net, past, t)
        assert torch.all(grad[t + 1:] == 0), f"step {t} reads the future"
        assert torch.all(grad[max(0, t - R + 1): t + 1] > 0), f"step {t} misses inputs"
        assert torch.all(grad[: max(0, t - R + 1)] == 0), f"step {t} sees beyond {R} steps"


def test_untrained_forecast_is_the_linear_skip_then_covariates_count():
    torch.manual_seed(0)
    net = WaveNet(3, 1, 4, 16, channels=8, n_layers=4)
    past, future = torch.randn(2, 16, 3), torch.randn(2, 4, 2)
    # The head starts at zero, so training starts from the linear forecast.
    expected = net.linear(past[..., :1].transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(net(past, future), expected)
    torch.nn.init.normal_(net.head.linear.weight)  # as after some training
    out = net(past, future)
    assert out.shape == (2, 4, 1)
    assert not torch.allclose(out, expected)
    assert not torch.allclose(out, net(past, future + 1.0))


def test_default_layers_cover_the_lookback():
    est = WaveNetForecaster(**{**FAST, "lookback": 100}, n_blocks=1, validation_size=0.3)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*receptive field.*")
        est.fit(seasonal())
    assert est.receptive_field_ == 128  # 7 layers: dilations 1..64
    assert len(est.network_.core.layers) == 7
    assert est.n_layers is None  # the parameter is left as given


def test_short_receptive_field_warns():
    est = WaveNetForecaster(**FAST, n_layers=3, n_blocks=1)
    with pytest.warns(UserWarning, match=r"receptive field of WaveNetForecaster is 8 steps .*"
                                         r"shorter than lookback=24.*ignore the oldest 16 steps"
                                         r".*Set n_layers=5 \(or None\)"):
        est.fit(seasonal())
    assert est.receptive_field_ == 8


def test_save_load_keeps_the_architecture(tmp_path):
    est = WaveNetForecaster(**FAST, kernel_size=3, n_blocks=1, linear_skip=False).fit(seasonal())
    est.save(tmp_path / "wavenet.tsf")
    loaded = tsforecast.load(tmp_path / "wavenet.tsf")
    assert loaded.receptive_field_ == est.receptive_field_ == 31
    assert loaded.network_.core.linear is None
    np.testing.assert_array_equal(loaded.predict().to_numpy(), est.predict().to_numpy())


@pytest.mark.parametrize("params, error, message", [
    (dict(kernel_size=1), ValueError, r"'kernel_size' parameter of WaveNetForecaster must be "
                                      r"an int >= 2. Got 1"),
    (dict(n_layers=0), ValueError, r"'n_layers' parameter .* positive int or None. Got 0"),
    (dict(n_blocks=2.0), ValueError, r"'n_blocks' parameter .* positive int. Got 2.0"),
    (dict(channels=0), ValueError, r"'channels' parameter .* positive int. Got 0"),
    (dict(linear_skip="yes"), TypeError, r"'linear_skip' parameter .* must be a bool"),
])
def test_bad_model_params(params, error, message):
    with pytest.raises(error, match=message):
        WaveNetForecaster(**FAST, **params).fit(seasonal())


def test_convolutions_alone_learn_a_noisy_seasonal_series():
    """Without the linear skip the convolution stack itself must do the forecasting."""
    y = seasonal(n=1000, noise=0.2, seed=4)
    train, test = y.iloc[:880], y.iloc[880:]
    est = WaveNetForecaster(lookback=48, horizon=12, linear_skip=False, max_epochs=15,
                            random_state=0, trainer_kwargs={"accelerator": "cpu"}).fit(train)
    origins = range(0, len(test) - 12, 12)
    histories = [y.iloc[: 880 + o] for o in origins]
    forecasts = np.stack([f.to_numpy() for f in est.predict(y=histories)])
    actual = np.stack([test.iloc[o:o + 12].to_numpy() for o in origins])
    naive = np.stack([np.repeat(h.iloc[-1], 12) for h in histories])
    assert ((forecasts - actual) ** 2).mean() < 0.3 * ((naive - actual) ** 2).mean()


def test_default_search_space_gives_settable_params():
    trial = optuna.trial.FixedTrial({"channels": 16, "n_blocks": 3, "dropout": 0.1,
                                     "learning_rate": 3e-3})
    params = WaveNetForecaster.default_search_space(trial)
    est = WaveNetForecaster(**FAST).set_params(**params)
    assert est.get_params()["n_blocks"] == 3 and est.get_params()["channels"] == 16
