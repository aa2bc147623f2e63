"""Many series in the shapes users hold them: lists, dicts, long frames; ids kept; per-series scaling."""

import pickle

import numpy as np
import pandas as pd
import pytest

from tsforecast import GRUForecaster, LSTMForecaster, load
from tsforecast.baselines import NaiveForecaster, SeasonalNaiveForecaster
from tsforecast.data import from_long, to_long
from tsforecast.model_selection import backtest
from tsforecast.tuning import tune

from .conftest import FAST, seasonal

H = FAST["horizon"]


def _dict(n=3, **kw):
    """Series of different lengths, start dates, names and levels (1e-2 .. 1e4)."""
    out = {}
    for i in range(n):
        s = seasonal(n=200 + 20 * i, seed=i, **kw) * 10.0 ** (2 * i - 2) + 10.0 ** (2 * i)
        s.index = s.index + pd.Timedelta(hours=7 * i)
        out[f"store_{i}"] = s.rename(f"sales_{i}")
    return out


def _long(series):
    """The unique_id/ds/y layout of a dict of Series."""
    return pd.concat([pd.DataFrame({"unique_id": k, "ds": s.index, "y": s.to_numpy()})
                      for k, s in series.items()], ignore_index=True)


def test_dict_in_dict_out_keys_names_and_index():
    y = _dict()
    before = {k: v.copy() for k, v in y.items()}
    est = GRUForecaster(**FAST).fit(y)
    out = est.predict()
    assert list(out) == list(y)
    for k, s in y.items():
        assert out[k].name == s.name  # each forecast keeps its series' name
        assert out[k].index[0] == s.index[-1] + pd.Timedelta(hours=1)
        assert len(out[k]) == H and np.isfinite(out[k]).all()
        pd.testing.assert_series_equal(y[k], before[k])  # the caller's data is untouched
    assert est.ids_ == list(y)


def test_list_of_series_with_different_names_keeps_them():
    y = list(_dict().values())
    out = GRUForecaster(**FAST).fit(y).predict()
    assert isinstance(out, list) and [f.name for f in out] == [s.name for s in y]


def test_long_columns_layout_round_trip():
    frame = _long(_dict())
    frame = frame[["ds", "y", "unique_id"]]  # column order is the caller's
    before = frame.copy()
    out = GRUForecaster(**FAST).fit(frame).predict()
    assert list(out.columns) == ["ds", "y", "unique_id"]
    assert list(pd.unique(out["unique_id"])) == list(pd.unique(frame["unique_id"]))
    assert len(out) == 3 * H
    last = frame.groupby("unique_id")["ds"].max()
    first = out.groupby("unique_id")["ds"].min()
    assert ((first - last) == pd.Timedelta(hours=1)).all()
    pd.testing.assert_frame_equal(frame, before)


def test_multiindex_layout_round_trip_with_int_ids():
    series = _dict()
    frame = pd.concat({10 + i: s.rename("y").to_frame() for i, s in enumerate(series.values())},
                      names=["store", "hour"])
    out = GRUForecaster(**FAST).fit(frame).predict()
    assert out.index.names == ["store", "hour"] and list(out.columns) == ["y"]
    assert out.index.get_level_values(0).dtype == np.int64
    assert list(out.index.get_level_values(0).unique()) == [10, 11, 12]
    # A long Series (one value column) comes back as a long Series.
    out_series = GRUForecaster(**FAST).fit(frame["y"]).predict()
    assert isinstance(out_series, pd.Series) and out_series.index.names == ["store", "hour"]


def test_long_frame_need_not_be_sorted():
    frame = _long(_dict())
    # Rows out of time order within each id (ids keep their order of first appearance).
    shuffled = pd.concat([g.sample(frac=1.0, random_state=0)
                          for _, g in frame.groupby("unique_id", sort=False)])
    a = GRUForecaster(**FAST).fit(frame).predict()
    b = GRUForecaster(**FAST).fit(shuffled).predict()
    b = b.set_index(["unique_id", "ds"]).loc[a.set_index(["unique_id", "ds"]).index]
    np.testing.assert_allclose(a["y"].to_numpy(), b["y"].to_numpy(), rtol=1e-5)


def test_per_series_scaling_standardises_each_series_own_training_span():
    y = _dict(n=4)
    est = GRUForecaster(**{**FAST, "scaling": "standard"}).fit(y)
    for i, s in enumerate(y.values()):
        train = s.to_numpy()[: int(round(len(s) * 0.8))]
        z = est.scaler_.transform(train[:, None], series=i)
        assert abs(z.mean()) < 1e-4 and abs(z.std() - 1) < 1e-3


@pytest.mark.parametrize("scaling", ["revin", "standard"])
def test_global_model_learns_series_whose_scales_differ_by_orders_of_magnitude(scaling):
    # Sine waves of amplitude 1e-3 .. 1e5 on levels of the same order: with pooled
    # statistics the small ones are flat to the network and forecast as noise.
    y = {f"s{i}": seasonal(n=480, noise=0.05, seed=i, phase=i) * 10.0 ** (2 * i - 3)
         + 3 * 10.0 ** (2 * i - 3) for i in range(5)}
    train = {k: v.iloc[:-H] for k, v in y.items()}
    est = GRUForecaster(lookback=48, horizon=H, max_epochs=8, random_state=0, scaling=scaling,
                        trainer_kwargs=FAST["trainer_kwargs"]).fit(train)
    out = est.predict()
    for k, s in y.items():
        truth = s.to_numpy()[-H:]
        mae = np.abs(out[k].to_numpy() - truth).mean()
        naive = np.abs(s.to_numpy()[-H - 1] - truth).mean()
        assert mae < 0.6 * naive, (k, mae, naive)


def test_predict_on_new_histories_by_id_and_for_unseen_ids():
    y = _dict()
    est = GRUForecaster(**{**FAST, "scaling": "standard"}).fit(y)
    same = est.predict(y=y)
    default = est.predict()
    for k in y:
        np.testing.assert_allclose(same[k].to_numpy(), default[k].to_numpy(), rtol=1e-5)
    # An unseen id is scaled by its own history: a copy of store_2 under a new id
    # forecasts close to store_2 itself, not at the level of another series.
    new = est.predict(y={"new": y["store_2"], "store_0": y["store_0"]})
    assert list(new) == ["new", "store_0"]
    np.testing.assert_allclose(new["new"].to_numpy(), default["store_2"].to_numpy(), rtol=0.05)


def test_covariates_long_frame_aligned_by_id_with_future_rows():
    series = _dict()
    frames, ys = [], []
    for k, s in series.items():
        idx = s.index.append(pd.date_range(s.index[-1] + pd.Timedelta(hours=1), periods=H,
                                           freq="h"))
        frames.append(pd.DataFrame({"unique_id": k, "ds": idx,
                                    "hour": np.sin(2 * np.pi * idx.hour / 24)}))
    X = pd.concat(frames[::-1], ignore_index=True)  # ids in another order than y
    y = _long(series)
    est = GRUForecaster(**FAST).fit(y, X)  # X's future rows are ignored in fit
    out = est.predict(X=X)  # ... and used here: the rows after each series' end
    assert len(out) == 3 * H and np.isfinite(out["y"]).all()
    with pytest.raises(ValueError, match=r"ids missing from X \['store_0'\]"):
        est.predict(X=X[X["unique_id"] != "store_0"])
    with pytest.raises(ValueError, match=r"ids missing from X \['store_1'\]"):
        GRUForecaster(**FAST).fit(y, X[X["unique_id"] != "store_1"])


def test_backtest_many_series_has_ids_and_metrics_per_series():
    y = _dict()
    result = backtest(GRUForecaster(**FAST), y, start=150, step=12)
    f = result.forecasts
    assert list(f.columns[:2]) == ["id", "origin"]
    assert list(pd.unique(f["id"])) == list(y)
    assert list(result.metrics_by_series.index) == list(y)
    assert set(result.metrics_by_series.columns) == {"mae", "rmse"}
    for k, s in y.items():  # origins follow each series' own rows
        rows = f[f["id"] == k]
        assert rows["origin"].min() == s.index[149]
        truth = s.reindex(rows["time"]).to_numpy()
        np.testing.assert_allclose(rows["y_true"].to_numpy(), truth)
    assert isinstance(result.fit_cutoffs[0], dict)


def test_backtest_long_frame_never_reads_the_future_and_refits():
    y = _long(_dict())
    perturbed = y.copy()
    after = perturbed.groupby("unique_id").cumcount() >= 180
    perturbed.loc[after, "y"] += 1e3
    kw = dict(start=150, step=30, refit=2, horizon=H)
    a = backtest(GRUForecaster(**FAST), y, **kw).forecasts
    b = backtest(GRUForecaster(**FAST), perturbed, **kw).forecasts
    early = a["origin"] < a["unique_id"].map(
        y.groupby("unique_id")["ds"].apply(lambda d: d.iloc[179 - H]))
    assert early.any()
    np.testing.assert_allclose(a.loc[early, "y_pred"], b.loc[early, "y_pred"], rtol=1e-5)
    assert list(a.columns[:1]) == ["unique_id"]


def test_backtest_many_series_with_local_baselines():
    y = _dict()
    result = backtest(SeasonalNaiveForecaster(horizon=H, season_length=24), y, start=150,
                      step=12, metrics=("mae", "mase"), seasonal_period=24)
    assert list(result.metrics_by_series.index) == list(y)
    # The seasonal naive forecast of a 24-periodic sine: its own error is the noise.
    assert (result.metrics_by_series["mase"] < 2).all()


def test_tune_on_a_dict_of_series():
    y = _dict()
    result = tune(GRUForecaster(**FAST), y, n_trials=1,
                  search_space=lambda trial: {"hidden_size": trial.suggest_categorical("h", [8])}, random_state=0)
    out = result.best_estimator.predict()
    assert list(out) == list(y)


def test_save_load_and_pickle_keep_ids_and_per_series_state(tmp_path):
    frame = pd.concat({10 + i: s.rename("y").to_frame() for i, s in enumerate(_dict().values())},
                      names=["store", "hour"])
    est = LSTMForecaster(**FAST).fit(frame)
    path = tmp_path / "m.zip"
    est.save(path)
    loaded = load(path)
    assert loaded.ids_ == [10, 11, 12] and all(type(k) is int for k in loaded.ids_)
    pd.testing.assert_frame_equal(loaded.predict(), est.predict())
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(est)).predict(), est.predict())
    np.testing.assert_array_equal(loaded.scaler_.mean_, est.scaler_.mean_)


def test_baselines_take_every_shape_and_match_by_id():
    y = _dict()
    est = NaiveForecaster(horizon=3).fit(y)
    out = est.predict()
    assert list(out) == list(y)
    assert out["store_1"].iloc[0] == y["store_1"].iloc[-1]
    sub = est.predict(y={"store_2": y["store_2"]})
    assert list(sub) == ["store_2"]
    frame_out = NaiveForecaster(horizon=3).fit(_long(y)).predict()
    assert list(frame_out.columns) == ["unique_id", "ds", "y"] and len(frame_out) == 9


def test_from_long_and_to_long_for_other_column_names():
    frame = _long(_dict()).rename(columns={"unique_id": "store", "ds": "date", "y": "sales"})
    series = from_long(frame, id_col="store", time_col="date")
    out = GRUForecaster(**FAST).fit(series).predict()
    back = to_long(out, id_col="store", time_col="date")
    assert list(back.columns) == ["store", "date", "sales"] and len(back) == 3 * H
    with pytest.raises(ValueError, match=r"The id_col 'shop' passed to from_long is not a column"):
        from_long(frame, id_col="shop", time_col="date")


def test_bad_many_series_inputs_get_clear_errors():
    y = _dict()
    est = GRUForecaster(**FAST)
    daily = y["store_1"].resample("D").mean()
    with pytest.raises(ValueError, match=r"different frequencies \(h \(e.g. y\['store_0'\]\), "
                                         r"D \(e.g. y\['store_1'\]\)\)"):
        est.fit({"store_0": y["store_0"], "store_1": daily})
    dup = pd.concat([_long(y), _long(y).iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match=r"y\['store_0'\] passed to GRUForecaster has duplicated "
                                         r"time stamps"):
        est.fit(dup)
    short = {**y, "new_product": y["store_0"].iloc[:20]}
    with pytest.raises(ValueError, match=r"y\['new_product'\] has 20 \(1 of 4 series\)\. Reduce "
                                         r"'lookback' or 'horizon', or pass longer series \(or "
                                         r"leave the short ones out\)"):
        est.fit(short)
    three = pd.concat({"a": _long(y).set_index(["unique_id", "ds"])}, names=["region"])
    with pytest.raises(ValueError, match="MultiIndex with 3 levels"):
        est.fit(three)
    missing = _long(y)
    missing.loc[3, "unique_id"] = None
    with pytest.raises(ValueError, match=r"missing ids in column 'unique_id' \(rows \[3\]\)"):
        est.fit(missing)
    with pytest.raises(TypeError, match=r"y\['a'\] passed to GRUForecaster is a list"):
        est.fit({"a": [y["store_0"]]})
    with pytest.raises(ValueError, match="is an empty dict"):
        est.fit({})


def test_backtest_negative_start_scores_the_last_rows_of_every_series():
    y = _dict()
    result = backtest(NaiveForecaster(horizon=H), y, start=-24, step=H)
    for k, s in y.items():
        rows = result.forecasts[result.forecasts["id"] == k]
        assert rows["origin"].min() == s.index[len(s) - 24 - 1]
        assert rows["time"].max() == s.index[-1]
