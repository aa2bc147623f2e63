"""TransformerNet and its blocks: masks hide what they must, patches cover the history,
attention maps are distributions over the history steps and can be plotted."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import optuna  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from tsforecast import TransformerForecaster  # noqa: E402
from tsforecast.models.transformer import (  # noqa: E402
    PositionalEncoding,
    TransformerBlock,
    TransformerNet,
    TransformerStack,
)
from tsforecast.plotting import plot_attention  # noqa: E402

from ..conftest import FAST, seasonal  # noqa: E402


def _input_grad(fn, x, index):
    """Gradient of a random projection of ``fn(x)[:, index]`` with respect to ``x``.

    A plain sum would do for forecasts but not for LayerNorm outputs, whose
    sum over features is constant.
    """
    x = x.clone().requires_grad_(True)
    out = fn(x)[:, index]
    weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(0))
    (out * weights).sum().backward()
    return x.grad


# ----------------------------------------------------------------- blocks
@pytest.mark.parametrize("causal", [True, False])
def test_causal_mask_hides_later_positions(causal):
    """With the causal mask, output t has zero gradient w.r.t. inputs after t; without, not."""
    torch.manual_seed(0)
    stack = TransformerStack(2, 8, 2, 16).eval()
    x = torch.randn(3, 7, 8)
    for t in range(7):
        grad = _input_grad(lambda z: stack(z, causal=causal)[0], x, t).abs().sum(dim=(0, 2))
        assert (grad[: t + 1] > 0).all()
        if t < 6:
            if causal:
                assert (grad[t + 1:] == 0).all(), (t, grad)
            else:
                assert (grad[t + 1:] > 0).all(), (t, grad)


def test_key_padding_mask_ignores_padded_tokens():
    torch.manual_seed(0)
    block = TransformerBlock(8, 2, 16).eval()
    x = torch.randn(2, 5, 8)
    pad = torch.tensor([[False, False, False, True, True], [False] * 5])
    out, weights, cross = block(x, key_padding_mask=pad, need_weights=True)
    assert cross is None and weights.shape == (2, 5, 5)
    assert (weights[0, :, 3:] == 0).all() and (weights[1] > 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 5))
    changed = x.clone()
    changed[0, 3:] = 100.0  # the padded tokens' values must not reach the others
    torch.testing.assert_close(block(changed, key_padding_mask=pad)[0][0, :3], out[0, :3])


def test_cross_attention_block_reads_memory_and_returns_its_weights():
    torch.manual_seed(0)
    block = TransformerBlock(8, 4, 16, cross_attention=True).eval()
    x, memory = torch.randn(2, 3, 8), torch.randn(2, 6, 8)
    out, self_w, cross_w = block(x, memory, causal=True, need_weights=True)
    assert out.shape == (2, 3, 8) and self_w.shape == (2, 3, 3) and cross_w.shape == (2, 3, 6)
    assert torch.triu(self_w, 1).abs().max() == 0  # causal: nothing above the diagonal
    torch.testing.assert_close(cross_w.sum(-1), torch.ones(2, 3))
    assert not torch.allclose(block(x, memory + 1.0)[0], out)
    assert block(x, memory)[1] is None  # weights only on request
    with pytest.raises(ValueError, match="pass memory="):
        block(x)


def test_positional_encoding_is_the_sinusoid_of_vaswani():
    pe = PositionalEncoding(6)(torch.zeros(1, 50, 6))[0]
    p, i = 7, 1  # dimensions 2i and 2i + 1 at position p
    angle = p / 10000 ** (2 * i / 6)
    torch.testing.assert_close(pe[p, 2 * i], torch.tensor(np.sin(angle), dtype=torch.float32))
    torch.testing.assert_close(pe[p, 2 * i + 1], torch.tensor(np.cos(angle), dtype=torch.float32))
    assert len({tuple(row.round(decimals=4).tolist()) for row in pe}) == 50  # all distinct
    torch.testing.assert_close(PositionalEncoding(6)(torch.zeros(1, 5, 6), offset=7)[0, 0], pe[7])


# ----------------------------------------------------------------- network
@pytest.mark.parametrize("lookback, patch_len, patch_stride, n_patches",
                         [(96, 16, 8, 11), (50, 16, 8, 6), (12, 16, 8, 1), (10, 1, 1, 10)])
def test_patches_cover_every_history_step(lookback, patch_len, patch_stride, n_patches):
    torch.manual_seed(0)
    net = TransformerNet(2, 1, 4, lookback=lookback, patch_len=patch_len,
                         patch_stride=patch_stride).eval()
    assert net.spread.shape[0] == n_patches
    past = torch.randn(2, lookback, 2)
    grad = _input_grad(lambda z: net(z, torch.zeros(2, 4, 1)), past, slice(None))
    assert (grad.abs().sum(dim=(0, 2)) > 0).all()  # no history step is skipped


def test_decoder_forecast_step_ignores_later_covariates():
    """The decoder's causal self-attention: step h uses the covariates of steps <= h only."""
    torch.manual_seed(0)
    net = TransformerNet(3, 1, 6, lookback=24, head="decoder", n_layers=2).eval()
    past, future = torch.randn(4, 24, 3), torch.randn(4, 6, 2)
    for h in range(6):
        grad = _input_grad(lambda z: net(past, z), future, h).abs().sum(dim=(0, 2))
        assert (grad[: h + 1] > 0).all()
        assert (grad[h + 1:] == 0).all(), (h, grad)


@pytest.mark.parametrize("strategy, head", [("recursive", "flatten"), ("recursive", "decoder"),
                                            ("direct", "decoder")])
def test_forecast_up_to_t_does_not_depend_on_covariates_after_t(strategy, head, calendar):
    y = seasonal()
    est = TransformerForecaster(**FAST, strategy=strategy, head=head).fit(
        y, X=calendar.iloc[: len(y)])
    future = calendar.iloc[len(y):len(y) + 6]
    changed = future.copy()
    changed.iloc[3:] += 5.0
    a, b = est.predict(X=future), est.predict(X=changed)
    np.testing.assert_allclose(a.iloc[:3], b.iloc[:3], rtol=1e-6)
    assert not np.allclose(a.iloc[3:], b.iloc[3:])


def test_flatten_head_reads_all_future_covariates(calendar):
    """The PatchTST head maps every step's covariates to every step (no causal decoder)."""
    y = seasonal()
    est = TransformerForecaster(**FAST).fit(y, X=calendar.iloc[: len(y)])
    future = calendar.iloc[len(y):len(y) + 6]
    changed = future.copy()
    changed.iloc[3:] += 5.0
    assert not np.allclose(est.predict(X=future).iloc[:3], est.predict(X=changed).iloc[:3])


# ----------------------------------------------------------------- attention maps
@pytest.mark.parametrize("head", ["flatten", "decoder"])
def test_predict_attention_rows_are_distributions_and_plot(head, sine_frame):
    est = TransformerForecaster(**FAST, head=head).fit(sine_frame)
    weights = est.predict_attention()
    assert weights.shape == (6, 24)
    assert list(weights.columns) == list(range(-24, 0))
    pd.testing.assert_index_equal(weights.index, est.predict().index)
    values = weights.to_numpy()
    assert (values >= 0).all()
    np.testing.assert_allclose(values.sum(axis=1), 1.0, rtol=1e-5)
    rows_equal = np.allclose(values, values[:1])
    assert rows_equal == (head == "flatten")  # the flatten head reads all tokens alike
    long = est.predict_attention(horizon=13)  # rolls forward in blocks, like predict
    assert long.shape == (13, 24)
    np.testing.assert_allclose(long.to_numpy()[:6], values, rtol=1e-5)
    ax = plot_attention(weights, title=head)
    np.testing.assert_allclose(ax.get_images()[0].get_array(), values)


def test_attention_of_a_short_lookback_folds_the_padding_onto_the_first_step():
    est = TransformerForecaster(**{**FAST, "lookback": 12}, strategy="recursive",
                                head="decoder").fit(seasonal())
    weights = est.predict_attention(horizon=3).to_numpy()
    assert weights.shape == (3, 12)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
    # one padded patch of 16 steps: the 4 padding copies of the first step count for it
    np.testing.assert_allclose(weights[:, 0], 5 / 16, rtol=1e-5)
    np.testing.assert_allclose(weights[:, 1:], 1 / 16, rtol=1e-5)


# ----------------------------------------------------------------- estimator
def test_decoder_head_learns_a_seasonal_series():
    y = seasonal(n=600, noise=0.1)
    est = TransformerForecaster(lookback=48, horizon=12, head="decoder", max_epochs=8,
                                random_state=0, trainer_kwargs={"accelerator": "cpu"}).fit(y)
    assert est.history_[-1]["val_loss"] < 0.5 * est.history_[0]["val_loss"]
    assert est.history_[-1]["val_loss"] < 0.1


@pytest.mark.parametrize("params, message", [
    (dict(d_model=10, n_heads=4), r"'d_model' parameter of TransformerForecaster must be "
                                  r"divisible by 'n_heads'.*d_model=10 and n_heads=4"),
    (dict(patch_len=4, patch_stride=8), r"'patch_stride' parameter .* at most 'patch_len'"),
    (dict(head="mlp"), r"'head' parameter of TransformerForecaster must be one of 'flatten', "
                       r"'decoder'. Got 'mlp'"),
    (dict(n_layers=0), r"'n_layers' parameter of TransformerForecaster must be a positive int"),
    (dict(patch_len=0), r"'patch_len' parameter .* must be a positive int"),
])
def test_bad_model_params(params, message):
    with pytest.raises(ValueError, match=message):
        TransformerForecaster(**FAST, **params).fit(seasonal())


def test_default_search_space_gives_valid_params():
    trial = optuna.trial.FixedTrial({"patch_len": 24, "d_model": 32, "n_layers": 1,
                                     "dropout": 0.1, "learning_rate": 1e-3})
    params = TransformerForecaster.default_search_space(trial)
    assert params["patch_stride"] == 12
    est = TransformerForecaster(**FAST).set_params(**params)
    est._check_params()
    assert len(est.fit(seasonal()).predict()) == 6
