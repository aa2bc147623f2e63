"""Metrics against values computed by hand, and their errors."""

import numpy as np
import pandas as pd
import pytest

from tsforecast.metrics import (
    m4_scores,
    mae,
    mape,
    mase,
    mse,
    naive2_forecast,
    owa,
    rmse,
    seasonality_test,
    smape,
)

Y = np.array([1.0, 2.0, 3.0, 4.0])
F = np.array([2.0, 2.0, 1.0, 4.0])  # errors -1, 0, 2, 0


def test_scale_dependent_metrics_by_hand():
    assert mse(Y, F) == pytest.approx((1 + 0 + 4 + 0) / 4)
    assert mae(Y, F) == pytest.approx((1 + 0 + 2 + 0) / 4)
    assert rmse(Y, F) == pytest.approx(np.sqrt(5 / 4))


def test_percentage_metrics_by_hand():
    y, f = np.array([100.0, 200.0, 400.0]), np.array([110.0, 190.0, 400.0])
    assert mape(y, f) == pytest.approx((10 + 5 + 0) / 3)
    # M4 sMAPE: 200 |y - f| / (|y| + |f|), averaged over points
    assert smape([100.0, 50.0], [50.0, 50.0]) == pytest.approx((200 * 50 / 150 + 0) / 2)
    assert smape([-2.0], [2.0]) == pytest.approx(200.0)  # opposite signs: the maximum


def test_mase_by_hand():
    train = np.array([1.0, 3.0, 2.0, 4.0, 3.0, 5.0])
    # m=1: |3-1|, |2-3|, |4-2|, |3-4|, |5-3| -> mean 1.6; m=2: 1, 1, 1, 1 -> mean 1
    y, f = np.array([6.0, 7.0]), np.array([5.0, 9.0])  # MAE (1 + 2) / 2 = 1.5
    assert mase(y, f, y_train=train) == pytest.approx(1.5 / 1.6)
    assert mase(y, f, y_train=train, m=2) == pytest.approx(1.5 / 1.0)


def test_multivariate_average_and_raw_values():
    y = pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, 0.0]})
    f = pd.DataFrame({"a": [1.0, 4.0], "b": [3.0, 1.0]})
    per_column = mse(y, f, multioutput="raw_values")
    assert isinstance(per_column, pd.Series) and list(per_column.index) == ["a", "b"]
    np.testing.assert_allclose(per_column.to_numpy(), [4 / 2, (9 + 1) / 2])
    assert mse(y, f) == pytest.approx((2 + 5) / 2)
    # RMSE averages per-column roots, it is not the root of the pooled MSE
    assert rmse(y, f) == pytest.approx((np.sqrt(2) + np.sqrt(5)) / 2)
    raw = mae(y.to_numpy(), f.to_numpy(), multioutput="raw_values")
    assert isinstance(raw, np.ndarray)
    np.testing.assert_allclose(raw, [1.0, 2.0])


def test_pandas_and_numpy_agree_and_inputs_are_untouched():
    idx = pd.date_range("2024-01-01", periods=4, freq="h")
    y, f = pd.Series(Y, index=idx), pd.Series(F, index=idx)
    before = y.copy()
    assert mae(y, f) == mae(Y, F) == mae(Y.reshape(-1, 1), F)
    pd.testing.assert_series_equal(y, before)


def test_naive2_non_seasonal_is_the_last_value():
    y = np.array([5.0, 3.0, 4.0, 6.0])
    np.testing.assert_allclose(naive2_forecast(y, 3), [6.0, 6.0, 6.0])
    np.testing.assert_allclose(naive2_forecast(y, 2, m=2), [6.0, 6.0])  # too short to test
    frame = pd.DataFrame({"a": y, "b": y + 1})
    np.testing.assert_allclose(naive2_forecast(frame, 2), [[6.0, 7.0], [6.0, 7.0]])


def test_naive2_seasonal_reseasonalises_the_adjusted_last_value():
    # level 10 times seasonal indices (mean 1): the 2x4 moving average is exactly 10,
    # the ratios are the indices, the adjusted last value is 10.
    indices = np.array([0.8, 1.2, 0.9, 1.1])
    y = 10 * np.tile(indices, 10)
    assert seasonality_test(y, 4)
    assert not seasonality_test(y[:16], 4)  # 4 periods are too few for the 90 % test
    np.testing.assert_allclose(naive2_forecast(y, 6, m=4), 10 * indices[[0, 1, 2, 3, 0, 1]])
    # the phase follows the length of the training series
    np.testing.assert_allclose(naive2_forecast(y[:39], 2, m=4), 10 * indices[[3, 0]])


def test_seasonality_test_matches_its_definition():
    from statsmodels.tsa.stattools import acf

    rng = np.random.default_rng(0)
    noise = rng.standard_normal(200)
    assert not seasonality_test(noise, 12)
    seasonal = np.sin(np.arange(200) * 2 * np.pi / 12) + 0.5 * noise
    assert seasonality_test(seasonal, 12)
    r = acf(seasonal, nlags=12)[1:]
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[:11] ** 2)) / 200)
    assert abs(r[11]) > limit
    assert not seasonality_test(seasonal[:30], 12)  # shorter than 3 * m
    assert not seasonality_test(seasonal, 1)


def test_owa_by_hand():
    train, y, f = [1.0, 2.0, 3.0, 4.0], [5.0, 6.0], [5.0, 7.0]
    # Naive2 (non-seasonal) forecasts 4, 4. sMAPE: f -> (0 + 200/13) / 2,
    # naive2 -> (200/9 + 400/10) / 2. MASE (scale 1): f -> 0.5, naive2 -> 1.5.
    expected = 0.5 * ((200 / 13 / 2) / ((200 / 9 + 40) / 2) + 0.5 / 1.5)
    assert owa(y, f, y_train=train) == pytest.approx(expected)
    assert owa(y, f, y_train=train, y_naive2=[4.0, 4.0]) == pytest.approx(expected)
    assert owa(y, [4.0, 4.0], y_train=train) == pytest.approx(1.0)


def test_owa_of_several_columns_is_a_ratio_of_averages():
    train = np.column_stack([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]])
    y = np.array([[5.0, 10.0], [6.0, 12.0]])
    f = np.array([[5.0, 11.0], [7.0, 12.0]])
    naive = np.array([[4.0, 8.0], [4.0, 8.0]])
    s = smape(y, f, multioutput="raw_values")
    s2 = smape(y, naive, multioutput="raw_values")
    q = mase(y, f, y_train=train, multioutput="raw_values")
    q2 = mase(y, naive, y_train=train, multioutput="raw_values")
    assert owa(y, f, y_train=train) == pytest.approx(
        0.5 * (s.mean() / s2.mean() + q.mean() / q2.mean()))
    np.testing.assert_allclose(owa(y, f, y_train=train, multioutput="raw_values"),
                               0.5 * (s / s2 + q / q2))


def test_m4_scores_of_series_of_different_lengths_average_per_series_then_take_ratios():
    train = {"a": [1.0, 2.0, 3.0, 4.0], "b": [9.0, 7.0, 8.0, 6.0, 7.0, 9.0]}
    true = {"a": [5.0, 6.0], "b": [10.0, 8.0]}
    pred = {"b": pd.Series([9.0, 9.0]), "a": np.array([5.0, 7.0])}  # any order, any kind
    scores = m4_scores(true, pred, y_train=train)
    s = [smape(true[k], pred[k]) for k in true]
    q = [mase(true[k], pred[k], y_train=train[k]) for k in true]
    n2 = {k: naive2_forecast(np.array(v), 2) for k, v in train.items()}
    s2 = [smape(true[k], n2[k]) for k in true]
    q2 = [mase(true[k], n2[k], y_train=train[k]) for k in true]
    assert scores["smape"] == pytest.approx(np.mean(s)) and scores["mase"] == pytest.approx(np.mean(q))
    assert scores["smape_naive2"] == pytest.approx(np.mean(s2)) and scores["n_series"] == 2
    assert scores["owa"] == pytest.approx(0.5 * (np.mean(s) / np.mean(s2) + np.mean(q) / np.mean(q2)))
    # series of equal lengths as the columns of one array: the same as owa()
    cols = np.column_stack([train["a"], train["b"][:4]])
    y, f = np.column_stack([true["a"], true["b"]]), np.column_stack([pred["a"], [9.0, 9.0]])
    lists = m4_scores(list(y.T), list(f.T), y_train=list(cols.T))
    assert lists["owa"] == pytest.approx(owa(y, f, y_train=cols))
    assert m4_scores(true, n2, y_train=train, y_naive2=n2)["owa"] == pytest.approx(1.0)


def test_m4_scores_errors_name_the_mismatch():
    true, train = {"a": [5.0, 6.0], "b": [1.0, 2.0]}, {"a": [1.0, 2.0, 3.0], "b": [1.0, 3.0]}
    with pytest.raises(ValueError, match=r"y_pred passed to m4_scores does not hold the series "
                                         r"of y_true \(missing \['b'\], unexpected \['c'\]"):
        m4_scores(true, {"a": [5.0, 6.0], "c": [1.0, 2.0]}, y_train=train)
    with pytest.raises(TypeError, match=r"y_true passed to m4_scores is a DataFrame\. Expected "
                                        r"many series: a dict"):
        m4_scores(pd.DataFrame({"a": [1.0]}), {}, y_train={})


@pytest.mark.parametrize("metric", [mse, mae, rmse, mape, smape])
def test_input_errors(metric):
    name = metric.__name__
    with pytest.raises(ValueError, match=rf"passed to {name} have different shapes: \(3, 1\) "
                                         r"and \(2, 1\)"):
        metric([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"y_pred passed to .* contains 1 NaN .*first at row 1"):
        metric([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match="contains 0 NaN and 1 infinite"):
        metric([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(ValueError, match="is empty"):
        metric([], [])
    with pytest.raises(TypeError, match="Expected numeric values"):
        metric(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match="'multioutput' argument .* Got 'mean'"):
        metric([1.0], [1.0], multioutput="mean")
    a = pd.Series([1.0, 2.0], index=[0, 1])
    with pytest.raises(ValueError, match="indexes of y_true and y_pred .* differ"):
        metric(a, a.set_axis([1, 2]))
    with pytest.raises(ValueError, match="different columns"):
        metric(pd.DataFrame({"a": [1.0]}), pd.DataFrame({"b": [1.0]}))


def test_zero_denominators_raise():
    with pytest.raises(ValueError, match=r"contains 1 zeros \(first at row 1.*Use smape or mase"):
        mape([1.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"both 0 at 1 points \(first at row 0"):
        smape([0.0, 1.0], [0.0, 2.0])
    with pytest.raises(ValueError, match="zero scale in column 0.*constant"):
        mase([1.0], [2.0], y_train=[3.0, 3.0, 3.0])
    with pytest.raises(ValueError, match=r"has 2 time steps, .* m \+ 1 = 3"):
        mase([1.0], [2.0], y_train=[1.0, 2.0], m=2)
    with pytest.raises(ValueError, match="'m' passed to mase must be a positive int"):
        mase([1.0], [2.0], y_train=[1.0, 2.0], m=0)
    with pytest.raises(ValueError, match="y_train passed to mase has 2 columns"):
        mase([1.0], [2.0], y_train=np.ones((4, 2)) * [[1.0], [2.0], [3.0], [4.0]])
    with pytest.raises(ValueError, match="Naive2 forecasts y_true .* perfectly"):
        owa([4.0, 4.0], [4.0, 5.0], y_train=[1.0, 2.0, 4.0])
    y = -10 * np.tile([0.8, 1.2, 0.9, 1.1], 10)
    with pytest.raises(ValueError, match="values <= 0.*pass it to owa as y_naive2"):
        naive2_forecast(y, 2, m=4)


# ----------------------------------------------------------------- quantiles and intervals
def test_pinball_wql_crps_by_hand():
    from tsforecast.metrics import crps, pinball_loss, wql

    y = np.array([10.0, 20.0])
    q = np.array([[8.0, 10.0, 13.0], [21.0, 22.0, 25.0]])  # levels 0.1, 0.5, 0.9
    levels = [0.1, 0.5, 0.9]
    # row 0: u = 2, 0, -3 -> 0.2, 0, 0.3; row 1: u = -1, -2, -5 -> 0.9, 1.0, 0.5
    losses = np.array([[0.2, 0.0, 0.3], [0.9, 1.0, 0.5]])
    assert pinball_loss(y, q, quantiles=levels) == pytest.approx(losses.mean())
    assert crps(y, q, quantiles=levels) == pytest.approx(2 * losses.mean())
    # per level: 2 * sum over time / sum |y| = 2 * (1.1, 1.0, 0.8) / 30, then averaged
    assert wql(y, q, quantiles=levels) == pytest.approx(np.mean(2 * np.array([1.1, 1.0, 0.8]) / 30))
    # the median alone: pinball is half the MAE, CRPS the MAE
    assert crps(y, q[:, [1]], quantiles=[0.5]) == pytest.approx(mae(y, q[:, 1]))


def test_quantile_metrics_read_predict_quantiles_frames():
    from tsforecast.metrics import pinball_loss

    idx = pd.date_range("2024-01-01", periods=2, freq="D")
    y = pd.Series([10.0, 20.0], index=idx)
    frame = pd.DataFrame([[8.0, 13.0], [21.0, 25.0]], index=idx, columns=[0.1, 0.9])
    assert pinball_loss(y, frame) == pytest.approx(np.mean([0.2, 0.3, 0.9, 0.5]))
    two = pd.DataFrame({"a": y, "b": 2 * y})
    cols = pd.MultiIndex.from_tuples([("a", 0.1), ("a", 0.9), ("b", 0.1), ("b", 0.9)])
    wide = pd.DataFrame([[8.0, 13.0, 20.0, 20.0], [21.0, 25.0, 40.0, 40.0]], index=idx,
                        columns=cols)
    raw = pinball_loss(two, wide, multioutput="raw_values")
    assert list(raw.index) == ["a", "b"]
    assert raw["a"] == pytest.approx(np.mean([0.2, 0.3, 0.9, 0.5])) and raw["b"] == 0.0


def test_interval_metrics_by_hand():
    from tsforecast.metrics import coverage, interval_score, interval_width, msis

    y = np.array([5.0, 12.0, 3.0, 0.0])
    lo = np.array([4.0, 4.0, 3.0, 1.0])
    hi = np.array([6.0, 6.0, 5.0, 2.0])
    assert coverage(y, lo, hi) == pytest.approx(2 / 4)  # 5 in, 12 above, 3 on the edge, 0 below
    assert interval_width(lo, hi) == pytest.approx((2 + 2 + 2 + 1) / 4)
    # alpha = 0.2: penalties 2 / 0.2 * (12 - 6) = 60 and 10 * (1 - 0) = 10
    assert interval_score(y, lo, hi, coverage=0.8) == pytest.approx((2 + 62 + 2 + 11) / 4)
    # MSIS: the same divided by the in-sample naive MAE of (1, 3, 5, 4): (2 + 2 + 1) / 3
    train = np.array([1.0, 3.0, 5.0, 4.0])
    assert msis(y, lo, hi, y_train=train, coverage=0.8) == pytest.approx(
        (2 + 62 + 2 + 11) / 4 / (5 / 3))
    # the M4 default alpha = 0.05 and a seasonal scale m = 2: |5-1|, |4-3| -> 2.5
    assert msis(y, lo, hi, y_train=train, m=2) == pytest.approx(
        (2 + (2 + 40 * 6) + 2 + (1 + 40)) / 4 / 2.5)


def test_interval_and_quantile_metric_errors():
    from tsforecast.metrics import coverage, interval_score, msis, pinball_loss, wql

    with pytest.raises(ValueError, match=r"lower > upper in 1 places .*first at row 1"):
        coverage([1.0, 2.0], [0.0, 3.0], [2.0, 2.5])
    with pytest.raises(ValueError, match=r"'coverage' argument of interval_score must be a "
                                         r"float in \(0, 1\).*Got 95"):
        interval_score([1.0], [0.0], [2.0], coverage=95)
    with pytest.raises(ValueError, match="needs 'quantiles'"):
        pinball_loss([1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"has shape \(1, 1, 2\) .* 3 levels"):
        pinball_loss([1.0], [[1.0, 2.0]], quantiles=[0.1, 0.5, 0.9])
    with pytest.raises(ValueError, match=r"strictly between 0 and 1. Got \[0.0, 0.5\]"):
        pinball_loss([1.0], [[1.0, 2.0]], quantiles=[0.0, 0.5])
    with pytest.raises(ValueError, match="zero throughout a column"):
        wql([0.0, 0.0], [[1.0], [1.0]], quantiles=[0.5])
    with pytest.raises(ValueError, match="zero scale"):
        msis([1.0], [0.0], [2.0], y_train=[3.0, 3.0, 3.0])
