"""Quantile heads (loss="quantile"): shapes, monotone levels, pinball loss, errors, CQR, learning.

The per-estimator checks run every deep estimator in ``ESTIMATORS`` in quantile
mode, reusing the contract checks of ``test_common`` where they apply.
"""

import warnings

import numpy as np
import pytest
import torch
from scipy.stats import norm
from sklearn.base import clone

import tsforecast
from tsforecast import GRUForecaster, LSTMForecaster
from tsforecast._quantile_head import cqr_correction
from tsforecast._training import PinballLoss
from tsforecast.data.splits import chronological_spans
from tsforecast.models import ESTIMATORS
from tsforecast._network import ForecastNet, median_index

from . import test_common
from .conftest import FAST, seasonal

LEVELS = (0.1, 0.5, 0.9)
QFAST = dict(FAST, loss="quantile", quantiles=LEVELS)


def _quantiles(est, horizon=None, X=None, y=None):
    """The head's levels for predict's inputs: (S, horizon, T, Q)."""
    return est._head_quantiles(est._prepare_predict(horizon, X, y))


def _ar1(n, phi=0.8, seed=0):
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(n)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = phi * y[t - 1] + noise[t]
    return y


# ----------------------------------------------------------------- the layer and the loss
class _LastValuePlusColumn(torch.nn.Module):
    """A fake core: output column j is input column j's last value plus 0.01 * j."""

    def __init__(self, n_targets, horizon):
        super().__init__()
        self.n_targets, self.horizon = n_targets, horizon

    def forward(self, past, future):
        last = past[:, -1:, :self.n_targets].expand(-1, self.horizon, -1)
        return last + 0.01 * torch.arange(self.n_targets, dtype=past.dtype)


@pytest.mark.parametrize("independent", [False, True])
def test_forecast_net_maps_core_columns_to_targets_and_levels(independent):
    B, L, H, T, Q = 2, 5, 3, 2, 3
    past = torch.randn(B, L, T)
    core_targets = (1 if independent else T) * Q
    net = ForecastNet(_LastValuePlusColumn(core_targets, H), T, revin=False,
                      channel_independent=independent, quantiles=LEVELS)
    out = net(past, past.new_zeros(B, H, 0))
    assert out.shape == (B, H, T, Q)
    # column t*Q + q of the core is level q of target t (the core reads target t there)
    offsets = torch.arange(Q) if independent else torch.arange(T * Q).view(T, Q)
    expected = past[:, -1, :, None].unsqueeze(1) + 0.01 * offsets
    torch.testing.assert_close(out, expected.expand(B, H, T, Q))


def test_forecast_net_sorts_levels_and_undoes_revin_per_level():
    class Crossing(torch.nn.Module):  # emits levels in decreasing order, in RevIN units
        def forward(self, past, future):
            return torch.tensor([1.0, 0.0, -1.0]).expand(past.shape[0], 2, 3)

    past = torch.tensor([[[1.0], [3.0]]])  # window mean 2, std 1
    net = ForecastNet(Crossing(), 1, revin=True, channel_independent=False, quantiles=LEVELS)
    out = net(past, past.new_zeros(1, 2, 0))
    torch.testing.assert_close(out[0, 0, 0], torch.tensor([1.0, 2.0, 3.0]), atol=1e-4, rtol=0)


def test_pinball_loss_matches_hand_computation():
    out = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    target = torch.tensor([2.5, -1.0])
    # errors 1.5, 0.5, -0.5 -> 0.15, 0.25, 0.05; errors -1, -1, -1 -> 0.9, 0.5, 0.1
    expected = (0.15 + 0.25 + 0.05 + 0.9 + 0.5 + 0.1) / 6
    loss = PinballLoss(LEVELS)(out, target)
    assert loss.item() == pytest.approx(expected)
    # at level 0.5 the pinball loss is half the absolute error
    median = PinballLoss([0.5])(out[:, :1], target)
    assert median.item() == pytest.approx(0.5 * (1.5 + 1.0) / 2)


def test_validation_loss_is_the_pinball_loss_of_the_validation_windows():
    y = seasonal(n=240)
    est = LSTMForecaster(**dict(QFAST, scaling="standard", patience=None)).fit(y)
    H = est.horizon
    spans = chronological_spans(len(y), lookback=est.lookback, horizon=H, validation_size=0.2)
    origins = np.arange(spans.validation[0], spans.validation[1] - H + 1)
    q = est.forecast_origins(y.to_numpy()[:, None], origins, H, quantiles=True)
    truth = np.stack([y.to_numpy()[o:o + H] for o in origins])[..., None, None]
    levels = np.asarray(LEVELS)
    error = truth - q
    pinball = np.maximum(levels * error, (levels - 1) * error).mean()
    # the loss is computed on standardised values: divide by the scaler's scale
    assert est.history_[0]["val_loss"] == pytest.approx(pinball / est.scaler_.scale_[0],
                                                         rel=1e-4)


def test_median_index():
    assert median_index((0.1, 0.5, 0.9)) == 1
    assert median_index((0.05, 0.4, 0.7)) == 1
    assert median_index((0.1, 0.9)) == 0  # equally near: the lower level
    assert median_index((0.8, 0.9)) == 0


# ----------------------------------------------------------------- errors and warnings
@pytest.mark.parametrize("params, error, message", [
    (dict(loss="quantile"), ValueError,
     r"LSTMForecaster was given loss='quantile' but no levels: 'quantiles' is None\. Pass the "
     r"levels to train, e\.g\. quantiles=\(0\.1, 0\.5, 0\.9\)"),
    (dict(loss="mse", quantiles=(0.1, 0.9)), ValueError,
     r"The 'quantiles' parameter of LSTMForecaster is only used with loss='quantile', but "
     r"loss='mse'\. Set loss='quantile'"),
    (dict(loss="quantile", quantiles=(0.1, 1.5)), ValueError,
     r"must be a sorted tuple of distinct floats in \(0, 1\).*Got \(0\.1, 1\.5\), with \[1\.5\] "
     r"outside \(0, 1\)"),
    (dict(loss="quantile", quantiles=[10, 50, 90]), ValueError, r"not 90\)"),
    (dict(loss="quantile", quantiles=(0.0, 0.5)), ValueError, r"with \[0\.0\] outside"),
    (dict(loss="quantile", quantiles=(0.1, float("nan"))), ValueError, r"with \[nan\] outside"),
    (dict(loss="quantile", quantiles=(0.9, 0.1)), ValueError,
     r"Got \(0\.9, 0\.1\), which is not sorted; pass \(0\.1, 0\.9\)"),
    (dict(loss="quantile", quantiles=(0.1, 0.5, 0.5)), ValueError,
     r"with \[0\.5\] more than once; pass each level once"),
    (dict(loss="quantile", quantiles=()), ValueError, r"Got an empty tuple"),
    (dict(loss="quantile", quantiles=0.5), TypeError,
     r"The 'quantiles' parameter of LSTMForecaster must be a sorted tuple.*Got 0\.5 \(float\)"),
    (dict(loss="quantile", quantiles="0.1,0.9"), TypeError, r"Got '0\.1,0\.9' \(str\)"),
    (dict(loss="quantile", quantiles={0.1, 0.9}), TypeError, r"\(set\)"),
    (dict(loss="quantile", quantiles=(True, 0.5)), TypeError, r"\(tuple\)"),
    (dict(loss="quantile", quantiles=np.array([0.1, 0.9])), TypeError, r"\(ndarray\)"),
])
def test_bad_quantile_params(params, error, message, sine_series):
    est = LSTMForecaster(**dict(FAST, **params))
    with pytest.raises(error, match=message):
        est.fit(sine_series)


def test_levels_without_median_warn_and_predict_the_nearest_level(sine_series):
    est = LSTMForecaster(**dict(FAST, loss="quantile", quantiles=[0.2, 0.6, 0.9]))
    with pytest.warns(UserWarning, match=r"do not include 0\.5 \(got \(0\.2, 0\.6, 0\.9\)\): "
                                         r"predict will return level 0\.6"):
        est.fit(sine_series)
    q = _quantiles(est)
    np.testing.assert_allclose(est.predict().to_numpy(), q[0, :, 0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LSTMForecaster(**QFAST).fit(sine_series)  # 0.5 included: no warning


def test_head_quantiles_needs_a_quantile_head(sine_series):
    est = LSTMForecaster(**FAST).fit(sine_series)
    with pytest.raises(TypeError, match=r"LSTMForecaster was fitted with loss='mae', which has "
                                        r"no quantile head\. Fit it with loss='quantile'"):
        _quantiles(est)


# ----------------------------------------------------------------- every estimator
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_quantile_head_shapes_monotone_median(Estimator, sine_frame):
    est = Estimator(**dict(QFAST, channel_independent=False)).fit(sine_frame)
    q = _quantiles(est)
    assert q.shape == (1, est.horizon, 2, 3) and np.isfinite(q).all()
    assert (np.diff(q, axis=-1) >= 0).all()
    assert (q[..., -1] - q[..., 0]).mean() > 0  # distinct levels, not one value three times
    pred = est.predict()
    assert list(pred.columns) == ["a", "b"]
    np.testing.assert_allclose(pred.to_numpy(), q[0, ..., 1])
    # the quantiles of many origins (backtests, calibration) agree with predict's
    values = sine_frame.to_numpy()
    origins = np.array([100, 150, len(values)])
    many = est.forecast_origins(values, origins, est.horizon, quantiles=True)
    np.testing.assert_allclose(many[-1], q[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(est.forecast_origins(values, origins, est.horizon),
                               many[..., 1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_quantile_head_channel_independent_and_recursive(Estimator, sine_frame):
    est = Estimator(**dict(QFAST, channel_independent=True, strategy="recursive"))
    est.fit(sine_frame)
    horizon = 2 * est.horizon + 1
    q = _quantiles(est, horizon=horizon)
    assert q.shape == (1, horizon, 2, 3) and (np.diff(q, axis=-1) >= 0).all()
    # the median rolls forward: predict and the median level agree at every step
    np.testing.assert_allclose(est.predict(horizon=horizon).to_numpy(), q[0, ..., 1],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_quantile_head_save_load_identical(Estimator, sine_series, tmp_path):
    est = Estimator(**QFAST).fit(sine_series)
    est.save(tmp_path / "q.tsf")
    loaded = tsforecast.load(tmp_path / "q.tsf")
    assert loaded.get_params() == est.get_params() and loaded.quantiles == LEVELS
    np.testing.assert_array_equal(_quantiles(loaded), _quantiles(est))
    recent = sine_series.iloc[:150]
    np.testing.assert_array_equal(_quantiles(loaded, y=recent), _quantiles(est, y=recent))


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_quantile_head_deterministic(Estimator, sine_series):
    a = clone(Estimator(**QFAST)).fit(sine_series)
    b = clone(Estimator(**QFAST)).fit(sine_series)
    np.testing.assert_array_equal(_quantiles(a), _quantiles(b))


def test_quantile_head_many_series_each_on_its_own_scale():
    ys = {"low": seasonal(seed=1), "high": 100 + 10 * seasonal(seed=2)}
    est = LSTMForecaster(**QFAST).fit(ys)
    q = _quantiles(est)  # one row per series, in the order of the dict
    pred = est.predict()
    assert q.shape == (2, est.horizon, 1, 3) and (np.diff(q, axis=-1) >= 0).all()
    for i, key in enumerate(ys):
        np.testing.assert_allclose(pred[key].to_numpy(), q[i, :, 0, 1])
    assert q[1].min() > 50 > q[0].max()
    # the spread follows each series' scale (per-series statistics undo per level)
    assert (q[1, ..., 2] - q[1, ..., 0]).mean() > 3 * (q[0, ..., 2] - q[0, ..., 0]).mean()


def test_backtest_of_a_quantile_model_scores_the_median(sine_series):
    from tsforecast.model_selection import backtest

    est = LSTMForecaster(**QFAST).fit(sine_series.iloc[:200])
    result = backtest(est, sine_series, start=200, step=6, horizon=6)
    origins = np.arange(200, 240 - 6 + 1, 6)
    q = est.forecast_origins(sine_series.to_numpy()[:, None], origins, 6, quantiles=True)
    np.testing.assert_allclose(result.forecasts["y_pred"].to_numpy(), q[..., 0, 1].ravel(),
                               rtol=1e-5)


# the estimator contract, in quantile mode (predict returns the median)
QUANTILE_MODE_CHECKS = [
    test_common.check_fit_leaves_params_unchanged, test_common.check_predict_numpy,
    test_common.check_many_series, test_common.check_direct_rolls_in_blocks,
    test_common.check_new_history, test_common.check_covariates,
    test_common.check_save_load, test_common.check_save_load_covariates,
    test_common.check_pickle,
]


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("check", QUANTILE_MODE_CHECKS, ids=lambda f: f.__name__)
def test_common_in_quantile_mode(Estimator, check, sine_series, tmp_path):
    test_common.run_check(check, Estimator(**QFAST), sine_series, tmp_path)


# ----------------------------------------------------------------- conformalised QR (CQR)
def test_cqr_correction_matches_hand_computation():
    truth = np.arange(10.0).reshape(10, 1, 1)
    lower = np.full((10, 1, 1), 2.0)
    upper = np.full((10, 1, 1), 6.0)
    # scores max(2 - y, y - 6): 2, 1, 0, -1, -2, -1, 0, 1, 2, 3 -> sorted
    # -2, -1, -1, 0, 0, 1, 1, 2, 2, 3; coverage 0.8, n = 10: k = ceil(11 * 0.8) = 9 -> 2
    assert cqr_correction(truth, lower, upper, 0.8)[0, 0] == 2.0
    # k = ceil(11 * 0.5) = 6 -> 1; a too-wide band gives a negative margin
    assert cqr_correction(truth, lower, upper, 0.5)[0, 0] == 1.0
    assert cqr_correction(truth, lower - 10, upper + 10, 0.5)[0, 0] == -9.0
    # NaN truth (steps not observed) is left out: n = 9, k = ceil(10 * 0.8) = 8 -> 2
    gappy = truth.copy()
    gappy[-1] = np.nan
    assert cqr_correction(gappy, lower, upper, 0.8)[0, 0] == 2.0


def test_cqr_correction_per_step_and_target():
    rng = np.random.default_rng(0)
    truth = rng.standard_normal((50, 3, 2)) * np.array([1.0, 10.0])
    zeros = np.zeros_like(truth)
    margin = cqr_correction(truth, zeros, zeros, 0.9)
    assert margin.shape == (3, 2)
    assert (margin[:, 1] > 5 * margin[:, 0]).all()  # the noisier target gets a wider margin


def test_cqr_correction_has_finite_sample_coverage():
    # exchangeable calibration and test points: coverage >= nominal, and below
    # nominal + 1 / (n + 1) (Romano et al., 2019, Theorem 1 and 2)
    rng = np.random.default_rng(1)
    n, trials, coverage = 19, 4000, 0.8
    truth = rng.standard_normal((trials, n + 1))
    lower, upper = np.full(n, -0.5), np.full(n, 0.5)  # a band far too narrow
    hits = []
    for row in truth:
        margin = cqr_correction(row[:n, None, None], lower[:, None, None],
                                upper[:, None, None], coverage)[0, 0]
        hits.append(-0.5 - margin <= row[n] <= 0.5 + margin)
    assert coverage - 0.015 <= np.mean(hits) <= coverage + 1 / (n + 1) + 0.015


def test_cqr_correction_errors():
    ones = np.ones((5, 2, 1))
    with pytest.raises(ValueError, match=r"coverage=0\.9 needs at least 9 calibration origins "
                                         r"per horizon step, but a step has 5\. Use a larger "
                                         r"validation_size"):
        cqr_correction(ones, ones, ones, 0.9)
    with pytest.raises(ValueError, match=r"one shape \(N, H, T\)\. Got \(5, 2, 1\), \(5, 2\)"):
        cqr_correction(ones, ones[..., 0], ones, 0.5)
    with pytest.raises(ValueError, match=r"coverage in \(0, 1\)\. Got 90"):
        cqr_correction(ones, ones, ones, 90)


# ----------------------------------------------------------------- learning
def _coverage_run(scaling):
    """AR(1) with unit Gaussian noise: fit on 2000 steps, calibrate on 500, test on 500.

    Returns the test coverage of the head's 0.1 - 0.9 band, its mean width over
    the true band's, and the coverage after the CQR margin of the calibration part.
    """
    phi, H = 0.8, 4
    y = _ar1(3000, phi)
    est = GRUForecaster(lookback=24, horizon=H, hidden_size=16, segment_len=None, head="linear",
                        dropout=0.0, learning_rate=1e-2, lr_decay=None, batch_size=64,
                        max_epochs=5, scaling=scaling, loss="quantile", quantiles=LEVELS,
                        random_state=0, trainer_kwargs={"accelerator": "cpu"}).fit(y[:2000])
    values = y[:, None]

    def band(origins):
        q = est.forecast_origins(values, origins, H, quantiles=True)  # -> (S, H, 1, Q)
        truth = np.stack([values[o:o + H] for o in origins])  # -> (S, H, 1)
        return truth, q[..., 0], q[..., 2]

    margin = cqr_correction(*band(np.arange(2000, 2500 - H + 1)), 0.8)  # -> (H, 1)
    truth, lower, upper = band(np.arange(2500, 3000 - H + 1))
    coverage = ((truth >= lower) & (truth <= upper)).mean()
    calibrated = ((truth >= lower - margin) & (truth <= upper + margin)).mean()
    # the true 10 % - 90 % band of an AR(1) h steps ahead: 2 z_0.9 sqrt(sum phi^2k)
    true_width = 2 * norm.ppf(0.9) * np.sqrt(np.cumsum(phi ** (2 * np.arange(H))))
    width_ratio = ((upper - lower)[..., 0].mean(axis=0) / true_width).mean()
    return coverage, width_ratio, calibrated


def test_quantile_head_learns_the_noise_quantiles():
    """The 0.1 / 0.9 heads cover about 80 % of held-out AR(1) points, at the true width.

    Over four data and weight seeds the coverage ranged 0.77-0.84 and the width
    ratio 0.98-1.02; the test allows 6 points and 15 %.
    """
    coverage, width_ratio, _ = _coverage_run("standard")
    assert 0.74 <= coverage <= 0.86, coverage
    assert 0.85 <= width_ratio <= 1.15, width_ratio


def test_cqr_restores_coverage_of_a_revin_head():
    """Under RevIN the band scales with each window's own spread, which on a
    homoscedastic series is noise: the raw head covered 0.75-0.77 over four
    seeds; the CQR margin from the calibration part brought it to 0.78-0.81.
    """
    raw, _, calibrated = _coverage_run("revin")
    assert 0.76 <= calibrated <= 0.85, calibrated
    assert abs(calibrated - 0.8) < abs(raw - 0.8), (raw, calibrated)


def test_quantile_head_with_teacher_forcing(sine_frame):
    """A decoder trained on the truth feeds it back once per level (the target is widened too)."""
    est = tsforecast.Seq2SeqAttentionForecaster(**dict(QFAST, teacher_forcing=1.0,
                                                       segment_len=3, channel_independent=False))
    q = _quantiles(est.fit(sine_frame))
    assert q.shape == (1, est.horizon, 2, 3) and np.isfinite(q).all()
    assert est.predict_attention().shape == (est.horizon, est.lookback)


# ---------------------------------------------------------------- the public API: method="quantile-head"
def test_predict_quantiles_and_intervals_read_the_trained_head(sine_series):
    est = GRUForecaster(**{**FAST, "loss": "quantile",
                           "quantiles": (0.05, 0.1, 0.5, 0.9, 0.95)}).fit(sine_series)
    head = est._head_quantiles(est._prepare_predict(None, None, None))[:, :, 0]  # (1, H, Q)
    q = est.predict_quantiles(quantiles=(0.1, 0.5, 0.9), method="quantile-head")
    np.testing.assert_allclose(q.to_numpy(), head[0][:, [1, 2, 3]], rtol=1e-6)
    np.testing.assert_allclose(q[0.5].to_numpy(), est.predict().to_numpy(), rtol=1e-6)
    band = est.predict_interval(coverage=0.9, method="quantile-head")
    np.testing.assert_allclose(band["lower"].to_numpy(), head[0][:, 0], rtol=1e-6)
    np.testing.assert_allclose(band["upper"].to_numpy(), head[0][:, 4], rtol=1e-6)
    # the conformal method still works on a quantile model (around its median)
    conformal = est.predict_interval(coverage=0.8)
    assert (conformal["lower"] <= q[0.5]).all() and (q[0.5] <= conformal["upper"]).all()


def test_quantile_head_method_errors_by_message(sine_series):
    plain = GRUForecaster(**FAST).fit(sine_series)
    with pytest.raises(ValueError, match="GRUForecaster has no quantile head: method='quantile-"
                                         "head' reads the levels"):
        plain.predict_interval(method="quantile-head")
    est = GRUForecaster(**{**FAST, "loss": "quantile", "quantiles": (0.1, 0.5, 0.9)}
                        ).fit(sine_series)
    with pytest.raises(ValueError, match=r"trained on the levels \[0.1, 0.5, 0.9\], not on "
                                         r"\[0.025, 0.975\]"):
        est.predict_interval(coverage=0.95, method="quantile-head")
    from tsforecast.baselines import NaiveForecaster
    with pytest.raises(ValueError, match="NaiveForecaster has no quantile head"):
        NaiveForecaster(horizon=3).fit(sine_series).predict_interval(method="quantile-head")
