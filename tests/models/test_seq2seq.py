"""Seq2SeqAttentionNet and its parts: attention scores, teacher forcing, options, weights."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import optuna  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from tsforecast import Seq2SeqAttentionForecaster  # noqa: E402
from tsforecast._training import TrainingModule  # noqa: E402
from tsforecast._network import ForecastNet  # noqa: E402
from tsforecast.models.seq2seq import (  # noqa: E402
    Attention,
    AttentionDecoderCell,
    RecurrentEncoder,
    Seq2SeqAttentionNet,
)
from tsforecast.plotting import plot_attention  # noqa: E402

from ..conftest import FAST, seasonal  # noqa: E402


# ----------------------------------------------------------------- Attention module
@pytest.mark.parametrize("kind", ["additive", "dot", "general"])
def test_attention_weights_are_a_distribution_and_context_their_average(kind):
    torch.manual_seed(0)
    att = Attention(kind, query_size=8, key_size=8)
    query, keys = torch.randn(3, 8), torch.randn(3, 5, 8)
    context, weights = att(query, keys)
    assert context.shape == (3, 8) and weights.shape == (3, 5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3))
    torch.testing.assert_close(context, torch.einsum("bs,bsk->bk", weights, keys))
    # several queries at once give what each query gives alone
    queries = torch.randn(3, 4, 8)
    many_context, many_weights = att(queries, keys)
    for i in range(4):
        c, w = att(queries[:, i], keys)
        torch.testing.assert_close(many_context[:, i], c)
        torch.testing.assert_close(many_weights[:, i], w)


def test_attention_mask_ignores_padded_keys():
    torch.manual_seed(0)
    att = Attention("additive", query_size=4, key_size=6)
    query, keys = torch.randn(2, 4), torch.randn(2, 5, 6)
    mask = torch.tensor([[False, False, False, True, True], [False] * 5])
    context, weights = att(query, keys, key_padding_mask=mask)
    assert (weights[0, 3:] == 0).all() and (weights[1] > 0).all()
    # the padded keys' values do not matter at all
    changed = keys.clone()
    changed[0, 3:] = 100.0
    torch.testing.assert_close(att(query, changed, key_padding_mask=mask)[0][0], context[0])
    # what project_keys precomputes gives the same result as computing it inside
    torch.testing.assert_close(
        att(query, keys, mask, projected_keys=att.project_keys(keys))[0], context)


def test_dot_attention_picks_the_matching_key_and_needs_equal_sizes():
    keys = torch.nn.functional.normalize(torch.randn(4, 10, 16), dim=-1)
    target = torch.tensor([0, 3, 7, 9])
    query = 20 * keys[torch.arange(4), target]  # a sharp query aimed at one key each
    _, weights = Attention("dot", 16, 16)(query, keys)
    assert (weights.argmax(-1) == target).all() and (weights.max(-1).values > 0.9).all()
    with pytest.raises(ValueError, match="Dot attention needs query_size == key_size"):
        Attention("dot", 8, 16)
    with pytest.raises(ValueError, match="must be one of"):
        Attention("cosine", 8, 8)


@pytest.mark.parametrize("kind", ["additive", "general"])
def test_learnt_attention_finds_the_key_the_query_describes(kind):
    """Query and keys live in different spaces; a few hundred steps teach the score to match."""
    torch.manual_seed(0)
    mix = torch.randn(12, 12)  # the query is a fixed linear transform of the wanted key

    def sample(n):
        keys = torch.nn.functional.normalize(torch.randn(n, 8, 12), dim=-1)
        target = torch.randint(0, 8, (n,))
        return keys[torch.arange(n), target] @ mix.T, keys, target

    att = Attention(kind, query_size=12, key_size=12)
    opt = torch.optim.Adam(att.parameters(), lr=0.03)
    for _ in range(300):
        query, keys, target = sample(64)
        _, weights = att(query, keys)
        loss = -torch.log(weights[torch.arange(64), target] + 1e-9).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    query, keys, target = sample(512)
    _, weights = att(query, keys)
    assert (weights.argmax(-1) == target).float().mean() > 0.9
    assert weights.max(-1).values.mean() > 0.5  # confident, not just barely right


# ----------------------------------------------------------------- encoder and decoder
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_bidirectional_encoder_hands_decoder_sized_states(cell):
    enc = RecurrentEncoder(cell, 3, 8, n_layers=2, bidirectional=True)
    keys, state = enc(torch.randn(4, 11, 3))
    assert keys.shape == (4, 11, 16)
    parts = state if cell == "lstm" else (state,)
    assert len(parts) == (2 if cell == "lstm" else 1)
    assert all(p.shape == (2, 4, 8) for p in parts)
    dec = AttentionDecoderCell(cell, 5, 8, enc.key_size, "general", n_layers=2)
    features, new_state, weights = dec(torch.randn(4, 5), state, keys)
    assert features.shape == (4, 8 + 16) and weights.shape == (4, 11)
    assert type(new_state) is type(state)


def test_decoder_cell_without_attention_is_a_plain_recurrent_step():
    torch.manual_seed(0)
    dec = AttentionDecoderCell("lstm", 5, 8, 16, None)
    state = (torch.randn(1, 4, 8), torch.randn(1, 4, 8))
    x = torch.randn(4, 5)
    features, (h, c), weights = dec(x, state, torch.randn(4, 11, 16))
    assert weights is None and dec.attention is None and features.shape == (4, 8)
    h_ref, c_ref = dec.cells[0](x, (state[0][0], state[1][0]))  # the keys play no part
    torch.testing.assert_close(features, h_ref)
    torch.testing.assert_close(c[0], c_ref)


# ----------------------------------------------------------------- the network
def _net(**options):
    torch.manual_seed(0)
    return Seq2SeqAttentionNet(3, 2, 5, 12, hidden_size=8, **options)


def test_teacher_forcing_feeds_the_previous_true_value_in_training_only():
    net = _net(teacher_forcing=1.0, linear_skip=False).train()
    assert net.accepts_target
    past, future = torch.randn(4, 12, 3), torch.randn(4, 5, 1)
    target = torch.randn(4, 5, 2)
    changed = target.clone()
    changed[:, 2] += 1.0  # the true value of step 2 is the decoder's input at step 3
    a, b = net(past, future, target=target), net(past, future, target=changed)
    torch.testing.assert_close(a[:, :3], b[:, :3])
    assert not torch.allclose(a[:, 3:], b[:, 3:])
    net.eval()  # prediction feeds the forecasts back and never reads a target
    torch.testing.assert_close(net(past, future, target=target), net(past, future))
    assert not _net(teacher_forcing=0.0).accepts_target


@pytest.mark.parametrize("revin, independent", [(True, False), (True, True), (False, True)])
def test_forecast_net_scales_and_folds_the_target_like_the_inputs(revin, independent):
    core = Seq2SeqAttentionNet(2 if independent else 3, 1 if independent else 2, 5, 12,
                               hidden_size=8, teacher_forcing=1.0, linear_skip=False).train()
    net = ForecastNet(core, 2, revin=revin, channel_independent=independent)
    assert net.accepts_target
    past, future = 3 + 2 * torch.randn(4, 12, 3), torch.randn(4, 5, 1)
    target = 3 + 2 * torch.randn(4, 5, 2)
    y, cov = past[..., :2], past[..., 2:]
    mean, std = torch.zeros(4, 1, 2), torch.ones(4, 1, 2)
    if revin:
        mean = y.mean(1, keepdim=True)
        std = (y.var(1, keepdim=True, unbiased=False) + 1e-5).sqrt()
    y, t = (y - mean) / std, (target - mean) / std
    if independent:  # channel c of window b is row 2b + c
        out = core(torch.cat([y.transpose(1, 2).reshape(8, 12, 1),
                              cov.repeat_interleave(2, 0)], -1),
                   future.repeat_interleave(2, 0), target=t.transpose(1, 2).reshape(8, 5, 1))
        expected = out.view(4, 2, 5).transpose(1, 2)
    else:
        expected = core(torch.cat([y, cov], -1), future, target=t)
    torch.testing.assert_close(net(past, future, target=target), expected * std + mean)


def test_training_step_passes_the_target_and_validation_does_not():
    core = Seq2SeqAttentionNet(1, 1, 4, 12, hidden_size=8, teacher_forcing=1.0,
                               linear_skip=False)
    module = TrainingModule(ForecastNet(core, 1, revin=True, channel_independent=False))
    module.train()
    past, future = torch.randn(6, 12, 1), torch.zeros(6, 4, 0)
    target = torch.randn(6, 4, 1)
    teacher = module._loss(((past, future), target), training=True)[0]
    expected = torch.nn.functional.mse_loss(module.network(past, future, target=target), target)
    torch.testing.assert_close(teacher, expected)
    free = torch.nn.functional.mse_loss(module.network(past, future), target)
    torch.testing.assert_close(module._loss(((past, future), target))[0], free)
    assert not torch.isclose(teacher, free)


def test_reverse_input_keeps_the_weights_in_time_order():
    """The encoder reads the window backwards, but weights[..., j] still refers to step j."""
    plain, reverse = _net(linear_skip=False), _net(linear_skip=False, reverse_input=True)
    reverse.load_state_dict(plain.state_dict())
    past, future = torch.randn(4, 12, 3), torch.randn(4, 5, 1)
    keys_rev, _ = reverse.encoder(past.flip(1))
    _, weights = reverse(past, future, return_attention=True)
    # recompute step 0's weights by hand from the time-ordered encoder states
    _, state = reverse.encoder(past.flip(1))
    _, expected = reverse.decoder.attention(state[0][-1], keys_rev.flip(1))
    torch.testing.assert_close(weights[:, 0], expected)
    assert not torch.allclose(plain(past, future), reverse(past, future))


def test_peeky_and_covariates_reach_every_decoder_step():
    net = _net(peeky=True, linear_skip=False).eval()
    past, future = torch.randn(4, 12, 3), torch.randn(4, 5, 1)
    changed = future.clone()
    changed[:, 3] += 1.0  # covariates of step 3 move step 3 onwards, not before
    a, b = net(past, future), net(past, changed)
    torch.testing.assert_close(a[:, :3], b[:, :3])
    assert not torch.allclose(a[:, 3], b[:, 3])
    assert net.out.in_features == 8 + 8 + 8  # decoder state, context, encoder summary


def test_linear_skip_starts_as_the_linear_model():
    net = _net(linear_skip=True)
    past, future = torch.randn(4, 12, 3), torch.randn(4, 5, 1)
    expected = net.skip(past[..., :2].transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(net(past, future), expected)


# ----------------------------------------------------------------- segments
def _segment_net(**options):
    torch.manual_seed(0)
    return Seq2SeqAttentionNet(3, 2, 10, 10, hidden_size=8, segment_len=4, linear_skip=False,
                               **options)


def test_segment_decoder_emits_one_segment_per_step_in_order():
    """Covariates of forecast step 5 (segment 1: steps 4..7) move segments 1 and 2 only."""
    net = _segment_net(peeky=True).eval()
    past, future = torch.randn(4, 10, 3), torch.randn(4, 10, 1)
    changed = future.clone()
    changed[:, 5] += 1.0
    a, b = net(past, future), net(past, changed)
    assert a.shape == (4, 10, 2)
    torch.testing.assert_close(a[:, :4], b[:, :4])
    assert not torch.allclose(a[:, 4:8], b[:, 4:8])
    assert not torch.allclose(a[:, 8:], b[:, 8:])


def test_segment_teacher_forcing_feeds_the_true_previous_segment():
    net = _segment_net(teacher_forcing=1.0).train()
    past, future = torch.randn(4, 10, 3), torch.randn(4, 10, 1)
    target = torch.randn(4, 10, 2)
    changed = target.clone()
    changed[:, 5] += 1.0  # in segment 1, the input of decoder step 2 (steps 8..9)
    a, b = net(past, future, target=target), net(past, future, target=changed)
    torch.testing.assert_close(a[:, :8], b[:, :8])
    assert not torch.allclose(a[:, 8:], b[:, 8:])
    net.eval()
    torch.testing.assert_close(net(past, future, target=target), net(past, future))


def test_segment_attention_is_spread_evenly_over_each_segment():
    """L = 10 with w = 4: history segments are steps 0..1 (after 2 padded rows), 2..5, 6..9."""
    net = _segment_net().eval()
    _, weights = net(torch.randn(4, 10, 3), torch.randn(4, 10, 1), return_attention=True)
    assert weights.shape == (4, 10, 10)
    torch.testing.assert_close(weights.sum(-1), torch.ones(4, 10))
    for lo, hi in ((0, 2), (2, 6), (6, 10)):  # one value per history segment
        torch.testing.assert_close(weights[..., lo:hi],
                                   weights[..., lo:lo + 1].expand(-1, -1, hi - lo))
    for lo, hi in ((0, 4), (4, 8), (8, 10)):  # one map per forecast segment
        torch.testing.assert_close(weights[:, lo:hi],
                                   weights[:, lo:lo + 1].expand(-1, hi - lo, -1))


def test_segments_make_the_encoder_shorter():
    net = _segment_net()
    seen = []
    net.encoder.rnn.register_forward_hook(lambda m, inputs, out: seen.append(inputs[0].shape))
    net(torch.randn(4, 10, 3), torch.randn(4, 10, 1))
    assert seen == [(4, 3, 8)]  # ceil(10 / 4) embedded segments


# ----------------------------------------------------------------- the estimator
def test_predict_attention_rows_sum_to_one_and_plot_draws_them():
    y = seasonal()
    est = Seq2SeqAttentionForecaster(**FAST).fit(y)
    weights = est.predict_attention()
    assert weights.shape == (est.horizon, est.lookback)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
    assert (weights.to_numpy() >= 0).all()
    assert list(weights.columns) == list(range(-24, 0))
    pd.testing.assert_index_equal(weights.index, est.predict().index)
    ax = plot_attention(weights, title="attention")
    np.testing.assert_allclose(ax.get_images()[0].get_array(), weights.to_numpy())
    assert ax.get_xlabel().startswith("input (history)")
    assert ax.get_ylabel().startswith("output (forecast)")
    # beyond the trained horizon the direct model rolls on; each step still has one map
    longer = est.predict_attention(horizon=2 * est.horizon + 1, y=[y, y.iloc[:200]])
    assert [w.shape for w in longer] == [(13, 24), (13, 24)]
    np.testing.assert_allclose(longer[1].sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("options", [
    dict(cell="gru", bidirectional=True, attention="general", n_layers=2, dropout=0.1,
         segment_len=5),
    dict(attention="dot", reverse_input=True, peeky=True, teacher_forcing=0.5,
         segment_len=None),
    dict(linear_skip=True, strategy="recursive", teacher_forcing=1.0, segment_len=4),
    dict(channel_independent=False, peeky=True, teacher_forcing=0.5, segment_len=None),
    dict(attention="additive", segment_len=7, teacher_forcing=0.5),
])
def test_options_fit_and_give_attention_maps(options):
    frame = pd.DataFrame({"a": seasonal(seed=1), "b": seasonal(seed=2, phase=1.0)})
    est = Seq2SeqAttentionForecaster(**FAST, **options).fit(frame)
    assert np.isfinite(est.predict().to_numpy()).all()
    weights = est.predict_attention()
    assert weights.shape == (6, 24)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)


def test_bad_model_params_name_the_fix():
    y = seasonal()
    with pytest.raises(ValueError, match="cannot be 'dot' with bidirectional=True.*"
                                         "Use attention='general'"):
        Seq2SeqAttentionForecaster(**FAST, attention="dot", bidirectional=True).fit(y)
    cases = [
        (dict(cell="rnn"), ValueError, "'cell' parameter of Seq2SeqAttentionForecaster must be "
                                       "one of 'lstm', 'gru'"),
        (dict(attention="luong"), ValueError, "'attention' parameter .* one of 'additive'"),
        (dict(teacher_forcing=1.5), ValueError, r"'teacher_forcing' .* \[0.0, 1.0\]. Got 1.5"),
        (dict(peeky=1), TypeError, "'peeky' parameter .* must be a bool"),
        (dict(hidden_size=0), ValueError, "'hidden_size' .* positive int"),
        (dict(segment_len=2.5), ValueError, "'segment_len' .* positive int or None. Got 2.5"),
    ]
    for params, error, message in cases:
        with pytest.raises(error, match=message):
            Seq2SeqAttentionForecaster(**FAST, **params).fit(y)


def test_default_search_space_suggests_valid_parameters():
    est = Seq2SeqAttentionForecaster(**FAST)
    trial = optuna.trial.FixedTrial({"hidden_size": 64, "attention": "dot",
                                     "teacher_forcing": 0.25, "learning_rate": 1e-3})
    params = Seq2SeqAttentionForecaster.default_search_space(trial)
    assert set(params) <= set(est.get_params())
    est.set_params(**params)._check_params()
    assert est.attention == "dot" and est.teacher_forcing == 0.25
