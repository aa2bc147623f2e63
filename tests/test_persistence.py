"""Model files: one contract for every estimator, the registry lookup, and old files.

The common checks (tests/test_common.py, tests/nlp/test_common.py,
tests/test_baselines.py) save and load every estimator; damaged files are in
tests/test_reliability.py. Here: files written by tsforecast 0.1.0
(tests/data, see make_0_1_0_files.py) still load and forecast the same, and
the one fitted-state/restore pair every estimator base provides.
"""

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tsforecast
from tsforecast import GRUForecaster, LSTMForecaster, NaiveForecaster
from tsforecast.base import BaseForecaster
from tsforecast.baselines import BASELINES
from tsforecast.exceptions import ModelFileError
from tsforecast.models import ESTIMATORS

from .conftest import FAST

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "expected-0.1.0.json").read_text())


def _rewrite(src, dst, change):
    """A copy of the model file ``src`` whose model.json went through ``change``."""
    with zipfile.ZipFile(src) as zf:
        meta, weights = json.loads(zf.read("model.json")), zf.read("weights.pt")
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr("model.json", json.dumps(change(meta)))
        zf.writestr("weights.pt", weights)
    return dst


@pytest.mark.parametrize("load", [tsforecast.load, LSTMForecaster.load, BaseForecaster.load],
                         ids=["tsforecast.load", "LSTMForecaster.load", "BaseForecaster.load"])
def test_a_forecaster_file_of_version_0_1_0_still_loads(load):
    est = load(DATA / "lstm-0.1.0.tsf")
    assert type(est) is LSTMForecaster and est.quantiles == (0.1, 0.5, 0.9)
    forecast = est.predict()
    np.testing.assert_allclose(forecast.to_numpy(), EXPECTED["lstm_predict"], rtol=1e-6)
    assert [str(s) for s in forecast.index] == EXPECTED["lstm_index"]
    np.testing.assert_allclose(est.predict_interval(coverage=0.8).to_numpy(),
                               EXPECTED["lstm_interval"], rtol=1e-6)


def test_a_text_model_file_of_version_0_1_0_still_loads():
    from tsforecast.nlp import RNNLM

    for load in (tsforecast.load, RNNLM.load):
        lm = load(DATA / "rnnlm-0.1.0.zip")
        assert type(lm) is RNNLM
        assert lm.perplexity(["the cat sat on the mat"]) == pytest.approx(
            EXPECTED["rnnlm_perplexity"], rel=1e-6)


def test_files_written_before_ids_calibration_and_tuple_params_load(sine_series, tmp_path):
    est = LSTMForecaster(**FAST).fit(sine_series)
    est.save(tmp_path / "m.tsf")

    def older(meta):
        for key in ("ids", "calibration"):
            del meta["fitted"][key]
        del meta["tuple_params"]
        scaler = meta["fitted"]["scaler"]  # one row of statistics, without n_targets
        meta["fitted"]["scaler"] = {"mean": scaler["mean"][0], "scale": scaler["scale"][0]}
        return meta

    loaded = tsforecast.load(_rewrite(tmp_path / "m.tsf", tmp_path / "old.tsf", older))
    assert loaded.ids_ is None and loaded.calibration_ is None
    pd.testing.assert_series_equal(loaded.predict(), est.predict())


def test_the_file_names_the_version_that_wrote_it(sine_series, tmp_path):
    LSTMForecaster(**FAST).fit(sine_series).save(tmp_path / "m.tsf")
    with zipfile.ZipFile(tmp_path / "m.tsf") as zf:
        meta = json.loads(zf.read("model.json"))
    assert meta["tsforecast_version"] == tsforecast.__version__
    assert meta["format"] == "tsforecast-model" and meta["class"] == "LSTMForecaster"


def test_load_through_a_class_refuses_another_class(sine_series, tmp_path):
    GRUForecaster(**FAST).fit(sine_series).save(tmp_path / "gru.tsf")
    with pytest.raises(ModelFileError, match=r"gru\.tsf holds a 'GRUForecaster', not a "
                                             r"LSTMForecaster\. Load it with the class"):
        LSTMForecaster.load(tmp_path / "gru.tsf")
    assert type(BaseForecaster.load(tmp_path / "gru.tsf")) is GRUForecaster


def test_tsforecast_load_names_the_classes_it_knows(sine_series, tmp_path):
    LSTMForecaster(**FAST).fit(sine_series).save(tmp_path / "m.tsf")
    path = _rewrite(tmp_path / "m.tsf", tmp_path / "x.tsf",
                    lambda m: {**m, "class": "FluxForecaster"})
    with pytest.raises(ModelFileError, match=r"holds a 'FluxForecaster', which this tsforecast "
                                             r"does not know\. Known: \['ARIMAForecaster', "):
        tsforecast.load(path)


def test_a_state_that_cannot_be_restored_is_a_damaged_file(sine_series, tmp_path):
    LSTMForecaster(**FAST).fit(sine_series).save(tmp_path / "m.tsf")

    def bad_frequency(meta):
        meta["fitted"]["index_end"][0]["freq"] = "fortnightly"
        return meta

    path = _rewrite(tmp_path / "m.tsf", tmp_path / "freq.tsf", bad_frequency)
    with pytest.raises(ModelFileError, match=r"freq\.tsf: model\.json holds a fitted state that "
                                             r"LSTMForecaster cannot restore .*fortnightly.*"
                                             r"Save the model again"):
        tsforecast.load(path)


def _bases():
    from tsforecast.nlp import NLP_ESTIMATORS

    return [*ESTIMATORS, *BASELINES, *NLP_ESTIMATORS]


@pytest.mark.parametrize("Estimator", _bases(), ids=lambda c: c.__name__)
def test_every_estimator_has_the_one_persistence_contract(Estimator):
    """One fitted-state/restore pair and one schema, whatever the estimator base."""
    for name in ("_fitted_state", "_restore", "save", "load"):
        assert callable(getattr(Estimator, name)), name
    assert Estimator._fitted_schema["type"] == "object"


# ----------------------------------------------------------------- baselines
def _baseline(Estimator):
    from .test_baselines import FAST as BASELINE_FAST

    return Estimator(**BASELINE_FAST[Estimator][0])


@pytest.mark.parametrize("Estimator", BASELINES, ids=lambda c: c.__name__)
def test_baselines_save_and_load_without_pickle(Estimator, tmp_path):
    from .conftest import seasonal

    frame = pd.DataFrame({"a": seasonal(seed=1) + 5, "b": seasonal(seed=2, phase=1.0) + 5})
    est = _baseline(Estimator).fit([frame, frame.iloc[:200] * 2])
    est.save(tmp_path / "m.tsf")
    for loaded in (Estimator.load(tmp_path / "m.tsf"), tsforecast.load(tmp_path / "m.tsf")):
        assert type(loaded) is Estimator and loaded.get_params() == est.get_params()
        for a, b in zip(loaded.predict(), est.predict()):
            pd.testing.assert_frame_equal(a, b)
        history = [frame.iloc[:150], frame.iloc[:180]]
        for a, b in zip(loaded.predict(y=history, horizon=3), est.predict(y=history, horizon=3)):
            pd.testing.assert_frame_equal(a, b)
        methods = ["conformal"] + (["native"] if Estimator._interval_one is not
                                   NaiveForecaster._interval_one else [])
        for method in methods:
            for a, b in zip(loaded.predict_interval(coverage=0.8, method=method),
                            est.predict_interval(coverage=0.8, method=method)):
                pd.testing.assert_frame_equal(a, b)


def test_arima_with_covariates_saves_and_loads(sine_series, calendar, tmp_path):
    from tsforecast import ARIMAForecaster

    X = calendar
    est = ARIMAForecaster(order=(1, 0, 0), horizon=6).fit(sine_series, X=X.iloc[:240])
    est.save(tmp_path / "arima.tsf")
    loaded = tsforecast.load(tmp_path / "arima.tsf")
    assert loaded.covariate_names_ == ["hour_sin", "hour_cos"]
    pd.testing.assert_series_equal(loaded.predict(X=X.iloc[240:]), est.predict(X=X.iloc[240:]))


def test_damaged_baseline_files_are_refused(sine_series, tmp_path):
    from tsforecast import ETSForecaster

    _baseline(ETSForecaster).fit(sine_series).save(tmp_path / "ets.tsf")
    no_models = _rewrite(tmp_path / "ets.tsf", tmp_path / "nomodels.tsf",
                         lambda m: {**m, "fitted": {k: v for k, v in m["fitted"].items()
                                                    if k != "models"}})
    with pytest.raises(ModelFileError, match=r"nomodels\.tsf: model\.json is invalid at "
                                             r"'fitted': 'models' is a required property"):
        ETSForecaster.load(no_models)
    with pytest.raises(ModelFileError, match=r"holds a 'ETSForecaster', not a "
                                             r"NaiveForecaster"):
        NaiveForecaster.load(tmp_path / "ets.tsf")
    with pytest.raises(ModelFileError, match=r"holds a 'ETSForecaster', not a LSTMForecaster"):
        LSTMForecaster.load(tmp_path / "ets.tsf")


def test_baselines_keep_series_ids_and_numpy_input_across_save_and_load(tmp_path):
    from tsforecast import SeasonalNaiveForecaster

    from .conftest import seasonal

    by_id = {7: seasonal(seed=1), "shop": seasonal(seed=2)}
    est = SeasonalNaiveForecaster(season_length=24, horizon=6).fit(by_id)
    est.save(tmp_path / "ids.tsf")
    loaded = tsforecast.load(tmp_path / "ids.tsf")
    assert loaded.ids_ == [7, "shop"] and loaded.season_length_ == 24
    for key, forecast in est.predict().items():
        pd.testing.assert_series_equal(loaded.predict()[key], forecast)
    array = seasonal().to_numpy()
    est = SeasonalNaiveForecaster(season_length=24, horizon=6).fit(array)
    est.save(tmp_path / "array.tsf")
    np.testing.assert_array_equal(tsforecast.load(tmp_path / "array.tsf").predict(),
                                  est.predict())
