"""The data layer: windows are views, splits are chronological, scaling sees training only."""

import os

import numpy as np
import pandas as pd
import pytest
import torch

from tsforecast import LSTMForecaster
from tsforecast.data import (
    StandardScaler,
    WindowDataset,
    chronological_spans,
    sliding_windows,
    window_starts,
)
from tsforecast.data.inputs import as_series_set
from tsforecast.data.splits import n_rows
import tsforecast.datasets as datasets
from tsforecast.datasets import (
    M4_DIR_ENV,
    load_airpassengers,
    load_etth1,
    load_m4,
    load_sp500,
)
from tsforecast.metrics import mase, naive2_forecast, smape

from .conftest import FAST, seasonal


def test_windows_are_views_of_the_series():
    series = torch.arange(40, dtype=torch.float32).reshape(20, 2)
    windows = sliding_windows(series, 5)
    assert windows.shape == (16, 5, 2)
    assert windows.untyped_storage().data_ptr() == series.untyped_storage().data_ptr()
    torch.testing.assert_close(windows[3], series[3:8])
    assert sliding_windows(series, 5, stride=3).shape == (6, 5, 2)


def test_window_dataset_gathers_whole_batches():
    series = torch.arange(60, dtype=torch.float32).reshape(20, 3)  # 2 targets, 1 covariate
    ds = WindowDataset(series, np.array([0, 4, 10]), lookback=4, horizon=2, n_targets=2)
    (past, cov), target = ds.__getitems__([1, 2])
    assert past.shape == (2, 4, 3) and cov.shape == (2, 2, 1) and target.shape == (2, 2, 2)
    torch.testing.assert_close(past[0], series[4:8])
    torch.testing.assert_close(target[1], series[14:16, :2])
    torch.testing.assert_close(cov[1], series[14:16, 2:])


def test_window_starts_never_cross_series_boundaries():
    starts = window_starts([10, 8], window=5)
    assert starts.tolist() == [0, 1, 2, 3, 4, 5, 10, 11, 12, 13]
    # validation targets in rows [7, 10) of the first series; inputs reach lookback=3 back
    val = window_starts([10, 8], window=5, first_target=[7, 6], last_target=[10, 8],
                        lookback=3)
    assert val.tolist() == [4, 5, 13]


def test_validation_targets_never_reach_the_test_span():
    spans = chronological_spans(1000, lookback=96, horizon=24, validation_size=0.2,
                                test_size=0.2, gap=5)
    assert spans.train == (0, 590) and spans.validation == (595, 795)
    assert spans.test == (800, 1000)
    assert spans.validation_input_start == 595 - 96 and spans.test_input_start == 800 - 96
    val = window_starts([1000], window=120, first_target=[spans.validation[0]],
                        last_target=[spans.validation[1]], lookback=96)
    last_target_row = val.max() + 120 - 1
    assert last_target_row < spans.test[0]
    train = window_starts([1000], window=120, last_target=[spans.train[1]])
    assert train.max() + 120 <= spans.validation[0]


def test_spans_report_what_does_not_fit():
    with pytest.raises(ValueError, match="fewer than horizon=24"):
        chronological_spans(1000, lookback=96, horizon=24, test_size=10)
    with pytest.raises(ValueError, match="fewer than lookback \\+ horizon = 120"):
        chronological_spans(200, lookback=96, horizon=24, validation_size=0.5)


def test_one_rule_turns_an_int_or_a_fraction_into_rows():
    sizes = (3, 0.27, 0.21, 0.25, 0.35, None, 0, 0.0, np.int64(4), np.float32(0.5))
    assert [n_rows(s, 10, "size", "f") for s in sizes] == [3, 3, 2, 2, 4, 0, 0, 0, 4, 5]
    for bad in (True, -1, 1.0, 1.5, "10%"):
        with pytest.raises(ValueError, match=rf"The 'size' argument of f\(\) must be an int "
                                             rf"number of rows >= 0 or a float fraction in "
                                             rf"\[0, 1\) of the series' 10 rows. Got "):
            n_rows(bad, 10, "size", "f()", noun="argument")
    with pytest.raises(ValueError, match=">= 1, a float .* or None. Got 0"):
        n_rows(0, 10, "size", "f()", minimum=1, also="None")


def test_every_place_that_takes_a_size_rounds_the_same_way():
    from tsforecast.baselines import SeasonalNaiveForecaster as SeasonalNaive
    from tsforecast.model_selection import backtest, temporal_train_test_split
    from tsforecast.tuning._tune import _make_folds

    n = 301  # 0.2 * 301 = 60.2 rows: rounding up would take 61
    y = seasonal(n=n)
    assert n_rows(0.2, n, "size", "f") == 60
    spans = chronological_spans(n, lookback=24, horizon=6, validation_size=0.2, test_size=0.2)
    assert spans.test == (241, 301) and spans.validation == (181, 241)
    assert len(temporal_train_test_split(y, test_size=0.2)[1]) == 60
    assert _make_folds(y, None, 0.2, None, "f")[0].spans == [(241, 301)]
    result = backtest(SeasonalNaive(horizon=6, season_length=24), y, start=0.8)
    assert result.fit_cutoffs == [y.index[240]]  # the first origin: 241 rows before it
    est = SeasonalNaive(horizon=6, season_length=24, calibration_size=0.2).fit(y)
    assert est.calibration_.rows == 60


def test_scaler_is_fitted_on_the_training_span_only():
    y = pd.Series(np.r_[np.zeros(80), np.full(20, 100.0)]
                  + np.random.default_rng(0).normal(size=100),
                  index=pd.date_range("2024", periods=100, freq="D"))
    est = LSTMForecaster(**{**FAST, "lookback": 10, "horizon": 2}).fit(y)
    # validation is the last 20 rows: the jump to 100 must not leak into the scaler
    assert abs(est.scaler_.mean_[0] - y.iloc[:80].mean()) < 1e-9
    assert abs(est.scaler_.scale_[0] - y.iloc[:80].std(ddof=0)) < 1e-9


def test_scaler_round_trip_and_constant_columns():
    a = np.c_[np.arange(10.0), np.full(10, 3.0)]
    scaler = StandardScaler().fit(a)
    z = scaler.transform(a)
    assert np.allclose(z[:, 1], 0) and np.allclose(scaler.inverse_transform(z), a, atol=1e-5)
    again = StandardScaler.from_state_dict(scaler.state_dict())
    assert np.allclose(again.transform(a), z)


def test_input_conversion_never_writes_the_callers_data_and_keeps_index():
    y = seasonal(n=50)
    ss = as_series_set(y, "Test")
    # float64 input is viewed, not copied (memory O(rows) for many series), and read-only
    assert np.shares_memory(ss.values[0], y.to_numpy())
    with pytest.raises(ValueError, match="read-only"):
        ss.values[0][:] = 0
    assert y.abs().sum() > 0  # the caller's data untouched
    ints = np.arange(10)
    converted = as_series_set(ints, "Test").values[0]
    assert converted.dtype == np.float64 and not np.shares_memory(converted, ints)
    assert ss.steps[0] == pd.tseries.frequencies.to_offset("h") and ss.columns == ["load"]
    no_freq = pd.Series(y.to_numpy(), index=pd.DatetimeIndex(list(y.index)))
    assert no_freq.index.freq is None
    assert as_series_set(no_freq, "Test").steps[0] == pd.tseries.frequencies.to_offset("h")


def test_mixed_and_mismatched_lists_are_rejected():
    with pytest.raises(TypeError, match="mix kinds"):
        as_series_set([seasonal(), seasonal().to_numpy()], "Test")
    frames = [pd.DataFrame({"a": seasonal()}), pd.DataFrame({"b": seasonal()})]
    with pytest.raises(ValueError, match=r"y\[1\] passed to Test has columns \['b'\]"):
        as_series_set(frames, "Test")


def test_bundled_datasets_load_offline():
    etth1 = load_etth1()
    assert etth1.shape == (17420, 7) and etth1.index.freqstr == "h"
    assert not etth1.isna().any().any() and list(etth1.columns)[-1] == "OT"
    air = load_airpassengers()
    assert len(air) == 144 and int(air.sum()) == 40363 and air.index.freqstr == "MS"
    sp = load_sp500()
    assert sp["date"].is_monotonic_increasing and len(sp) == 5105


# ------------------------------------------------------------------------------ M4 from a local path
def _write_m4(folder, frequency="Weekly"):
    """A tiny M4-format pair: ids in V1, left-aligned values, blank cells after each series."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{frequency}-train.csv").write_text(
        '"V1","V2","V3","V4","V5"\n"W1","1.5","2","3","4"\n"W2","10","20",,\n')
    (folder / f"{frequency}-test.csv").write_text('"V1","V2","V3"\n"W1","5","6"\n"W2","30","40"\n')
    return folder


def test_load_m4_reads_left_aligned_rows_and_drops_the_blanks(tmp_path, monkeypatch):
    monkeypatch.delenv(M4_DIR_ENV, raising=False)
    train, test = load_m4("Weekly", path=_write_m4(tmp_path / "m4"))
    assert list(train) == ["W1", "W2"] and list(test) == ["W1", "W2"]
    assert train["W1"].tolist() == [1.5, 2.0, 3.0, 4.0] and train["W2"].tolist() == [10.0, 20.0]
    assert train["W2"].dtype == np.float64 and train["W2"].name == "W2"
    # test steps continue the training index: where predict of a model fitted on train starts
    assert list(test["W1"].index) == [4, 5] and list(test["W2"].index) == [2, 3]
    assert list(train["W1"].index) == [0, 1, 2, 3]


def test_load_m4_finds_the_folder_through_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(M4_DIR_ENV, str(_write_m4(tmp_path / "m4")))
    train, _ = load_m4()
    assert len(train) == 2
    monkeypatch.setenv(M4_DIR_ENV, str(tmp_path / "elsewhere"))
    with pytest.raises(FileNotFoundError, match=r"given by TSFORECAST_M4_DIR .*elsewhere.* lacks "
                                                 r"\['Weekly-train.csv', 'Weekly-test.csv'\]"):
        load_m4()


def test_load_m4_says_where_it_looked_and_how_to_pass_the_path(tmp_path, monkeypatch):
    monkeypatch.delenv(M4_DIR_ENV, raising=False)
    nowhere = tmp_path / "shared" / "data" / "m4"
    monkeypatch.setattr(datasets, "_m4_candidates", lambda: [nowhere])
    with pytest.raises(FileNotFoundError, match=r"were not found: no path was passed, "
                                                 r"TSFORECAST_M4_DIR is not set, and none of "
                                                 r".*shared/data/m4.* holds them\. Pass path="):
        load_m4("Weekly")
    with pytest.raises(ValueError, match=r"'frequency' parameter of load_m4 must be one of "
                                         r"'Yearly'.*Got 'weekly'"):
        load_m4("weekly", path=tmp_path)
    _write_m4(tmp_path / "gappy")
    (tmp_path / "gappy" / "Weekly-train.csv").write_text('"V1","V2","V3","V4"\n"W1","1",,"3"\n')
    with pytest.raises(ValueError, match=r"Row 'W1' of .* has gaps inside the series"):
        load_m4(path=tmp_path / "gappy")


@pytest.fixture(scope="module")
def m4_weekly():
    try:
        return load_m4("Weekly")
    except FileNotFoundError as err:
        if os.environ.get("CI") == "true":
            raise  # CI has a copy of shared/ beside the clone: never skip there
        pytest.skip(f"The M4 Weekly files are not available: {err}")


def test_load_m4_weekly_real_files_reproduce_the_published_naive2(m4_weekly):
    train, test = m4_weekly
    lengths = [len(v) for v in train.values()]
    assert len(train) == 359 and (min(lengths), max(lengths)) == (80, 2597)
    assert {len(v) for v in test.values()} == {13}
    assert test["W1"].iloc[0] == 35397.16 and test["W1"].index[0] == len(train["W1"])
    # M4 scores weekly series with m = 1, where Naive2 is the last value repeated:
    # the official results give Naive2 sMAPE 9.161 and MASE 2.777 on these files.
    s = np.mean([smape(test[k], naive2_forecast(train[k].to_numpy(), 13)) for k in train])
    q = np.mean([mase(test[k].to_numpy(), naive2_forecast(train[k].to_numpy(), 13),
                      y_train=train[k].to_numpy()) for k in train])
    assert round(s, 3) == 9.161 and round(q, 3) == 2.777


# ------------------------------------------------------------------------------ long frames at scale
def _long_and_dict(freq, lengths, seed=0):
    rng = np.random.default_rng(seed)
    series = {}
    for k, n in enumerate(lengths):
        index = (pd.date_range("2021-01-03", periods=n, freq=freq) if freq else
                 pd.RangeIndex(5 * k, 5 * k + 3 * n, 3))
        series[f"id{k}"] = pd.Series(rng.standard_normal(n), index=index, name="y")
    frame = pd.concat(series, names=["unique_id", "ds"]).rename("y").reset_index()
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True), series


@pytest.mark.parametrize("freq", ["h", "W-SUN", "W-WED", "MS", "B", None])
def test_long_frames_convert_like_the_same_series_one_by_one(freq):
    """The one-pass conversion of a long frame (rows shuffled) equals converting each id."""
    frame, series = _long_and_dict(freq, [30, 7, 12])
    if freq == "W-WED":
        frame["ds"] = frame["ds"] + pd.Timedelta(days=3)  # Sunday stamps moved to Wednesday
        series = {k: s.set_axis(s.index + pd.Timedelta(days=3)) for k, s in series.items()}
    long, one_by_one = as_series_set(frame, "Test"), as_series_set(series, "Test")
    assert long.ids == list(frame["unique_id"].unique())
    assert [long.steps[long.ids.index(k)] for k in series] == one_by_one.steps
    for k, i in zip(series, range(3)):
        j = long.ids.index(k)
        np.testing.assert_array_equal(long.values[j], one_by_one.values[i])
        assert long.indexes[j].equals(one_by_one.indexes[i])
    assert not long.values[0].flags.writeable


def test_long_frame_errors_name_the_series_as_one_by_one():
    frame, _ = _long_and_dict("h", [10, 10, 10])
    bad = frame.copy()
    bad.loc[(bad["unique_id"] == "id1").to_numpy().nonzero()[0][2], "y"] = np.nan
    with pytest.raises(ValueError, match=r"y\['id1'\] passed to Test contains 1 NaN and 0 "
                                         r"infinite values"):
        as_series_set(bad, "Test")
    dup = pd.concat([frame, frame[frame["unique_id"] == "id2"].head(1)], ignore_index=True)
    with pytest.raises(ValueError, match=r"index of y\['id2'\] passed to Test has duplicated "
                                         r"time stamps"):
        as_series_set(dup, "Test")
    gap = frame.drop(index=frame.index[(frame["unique_id"] == "id0").to_numpy()][4])
    with pytest.raises(ValueError, match=r"index of y\['id0'\] passed to Test has irregular"):
        as_series_set(gap, "Test")
    daily = frame.assign(ds=frame["ds"].where(frame["unique_id"] != "id2",
                                              frame["ds"].dt.normalize()
                                              + pd.to_timedelta(frame["ds"].dt.hour, "D")))
    with pytest.raises(ValueError, match=r"different frequencies \(h \(e\.g\. y\['id0'\]\), "
                                         r"D \(e\.g\. y\['id2'\]\)\)"):
        as_series_set(daily, "Test")


def test_shuffled_windows_keep_random_samplers_order_without_a_python_list():
    from tsforecast.data import windows

    data = list(range(1000))
    ours = windows.ShuffledWindows(data, generator=torch.Generator().manual_seed(7))
    theirs = torch.utils.data.RandomSampler(data, generator=torch.Generator().manual_seed(7))
    for _ in range(2):  # the second epoch too: the generator advances alike
        assert [int(i) for i in ours] == list(theirs)
    starts = window_starts([10, 8], window=5)
    assert starts.dtype == np.int32  # half the memory of int64 while rows fit
