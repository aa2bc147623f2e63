"""The fitted state of the forecasters as JSON values, and back: what their model files hold.

``BaseForecaster._fitted_state``/``_restore`` (and the baselines' pair) call
these functions; :mod:`tsforecast._persistence` writes and reads the result
as the ``fitted`` section of ``model.json``. The series part (column names,
input kind, series ids, where each series ends) is shared by the deep
forecasters and the baselines; the rest is the deep forecasters' own.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._conformal import Calibration
from ._persistence import EPOCH, HISTORY, NUMBERS, STRINGS, fitted_schema
from .data.scaling import StandardScaler

__all__ = ["SERIES_FIELDS", "FORECASTER_FITTED", "BASELINE_FITTED", "series_state",
           "restore_series", "forecaster_state", "restore_forecaster", "baseline_state",
           "restore_baseline"]

_END = {"oneOf": [
    {"type": "object", "required": ["type", "last", "freq", "tz"],
     "properties": {"type": {"const": "datetime"}, "last": {"type": "string"},
                    "freq": {"type": "string"}, "tz": {"type": ["string", "null"]}}},
    {"type": "object", "required": ["type", "last", "step"],
     "properties": {"type": {"const": "int"}, "last": {"type": "integer"},
                    "step": {"type": "integer"}}},
]}
#: JSON schemas of the series part of a fitted section, by field.
SERIES_FIELDS = dict(
    n_features_in={"type": "integer", "minimum": 1},
    n_targets={"type": "integer", "minimum": 1},
    target_names=STRINGS, covariate_names=STRINGS,
    input_kind={"type": "object", "required": ["kind", "is_list", "name"],
                "properties": {"kind": {"enum": ["series", "frame", "array1d", "array2d"]},
                               "is_list": {"type": "boolean"}}},
    index_end={"type": "array", "items": _END, "minItems": 1},
    ids={"oneOf": [{"type": "null"}, {"type": "array", "items": {
        "type": "array", "minItems": 2, "maxItems": 2,
        "prefixItems": [{"enum": ["bool", "int", "float", "str", "timestamp"]}]}}]},
)
FORECASTER_FITTED = fitted_schema(
    **SERIES_FIELDS,
    # per-series statistics (series x columns); files of older versions hold one row
    scaler={"oneOf": [{"type": "null"}, fitted_schema(
        mean={"oneOf": [NUMBERS, {"type": "array", "items": NUMBERS}]},
        scale={"oneOf": [NUMBERS, {"type": "array", "items": NUMBERS}]})]},
    last_window={"type": "array", "minItems": 1,
                 "items": {"type": "array", "items": NUMBERS}},
    history=HISTORY, best_epoch=EPOCH,
)
FORECASTER_FITTED["required"].remove("ids")  # files written before series ids existed
_CALIBRATION = {"oneOf": [{"type": "null"}, {"type": "object"}]}
BASELINE_FITTED = fitted_schema(
    **SERIES_FIELDS,
    error_scale={"type": "array", "minItems": 1, "items": NUMBERS},
    calibration=_CALIBRATION,
    # per series, per column: the model's own state (see the baselines' _model_state)
    models={"type": "array", "minItems": 1,
            "items": {"type": "array", "minItems": 1, "items": {"type": "object"}}},
)


def series_state(est):
    """What a fitted forecaster knows of the series it was fitted on, as JSON values."""
    kind = est.input_kind_
    return {
        "n_features_in": est.n_features_in_,
        "n_targets": est.n_targets_,
        "target_names": est.target_names_,
        "covariate_names": est.covariate_names_,
        "input_kind": {**kind, "name": None if kind["name"] is None else str(kind["name"]),
                       "names": None if not kind.get("names")
                       else [None if n is None else str(n) for n in kind["names"]]},
        "ids": _encode_ids(getattr(est, "ids_", None)),
        "index_end": [_encode_end(last, step) for last, step in est.index_end_],
    }


def restore_series(est, state):
    """Set the attributes of :func:`series_state` from ``state``; ValueError if one is invalid."""
    est.n_features_in_ = state["n_features_in"]
    est.n_targets_ = state["n_targets"]
    est.target_names_ = state["target_names"]
    est.covariate_names_ = state["covariate_names"]
    est.input_kind_ = state["input_kind"]
    est.ids_ = _decode_ids(state.get("ids"))
    est.index_end_ = [_decode_end(d) for d in state["index_end"]]


def forecaster_state(est):
    """The fitted state of a deep forecaster besides its weights, as JSON values."""
    return {
        **series_state(est),
        "scaler": est.scaler_.state_dict() if est.scaler_ is not None else None,
        "last_window": [w.tolist() for w in est.last_window_],
        "history": est.history_,
        "best_epoch": est.best_epoch_,
        "calibration": (est.calibration_.state_dict()
                        if est.calibration_ is not None else None),
    }


def restore_forecaster(est, state):
    """Set the fitted attributes of :func:`forecaster_state` (not the network) from ``state``."""
    restore_series(est, state)
    est.scaler_ = (StandardScaler.from_state_dict(state["scaler"])
                   if state["scaler"] is not None else None)
    est.last_window_ = [np.asarray(w, dtype=np.float64) for w in state["last_window"]]
    est.history_ = state["history"]
    est.best_epoch_ = state["best_epoch"]
    calibration = state.get("calibration")  # absent in files written before intervals
    est.calibration_ = (Calibration.from_state_dict(calibration)
                        if calibration is not None else None)


def baseline_state(est):
    """The fitted state of a baseline as JSON values: its models, calibration and settings."""
    state = {
        **series_state(est),
        "error_scale": np.asarray(est.error_scale_).tolist(),
        "calibration": (est.calibration_.state_dict()
                        if est.calibration_ is not None else None),
        "models": [[est._model_state(model) for model in row] for row in est.models_],
    }
    if hasattr(est, "season_length_"):  # the season length fit inferred, where there is one
        state["season_length"] = est.season_length_
    return state


def restore_baseline(est, state):
    """Set the fitted attributes of :func:`baseline_state` from ``state``, models rebuilt."""
    restore_series(est, state)
    if "season_length" in state:
        est.season_length_ = state["season_length"]
    est.error_scale_ = np.asarray(state["error_scale"], dtype=np.float64)
    calibration = state["calibration"]
    est.calibration_ = (Calibration.from_state_dict(calibration)
                        if calibration is not None else None)
    est.models_ = [[est._model_from_state(model) for model in row] for row in state["models"]]


def _zone_name(tz):
    """The IANA name of a time zone (``"Europe/Paris"``), or None for a fixed offset.

    A named zone must be kept by name: its offset changes with daylight saving
    time, so a fixed offset would put forecasts after a change at wrong stamps.
    """
    if tz is None:
        return None
    name = getattr(tz, "key", None) or getattr(tz, "zone", None)  # zoneinfo, pytz
    if name is None and str(tz) == "UTC":
        name = "UTC"
    return name


def _encode_end(last, step):
    if isinstance(last, pd.Timestamp):
        # "last" keeps the exact instant and offset; "tz" the zone's name, if it has one
        return {"type": "datetime", "last": last.isoformat(), "freq": step.freqstr,
                "tz": _zone_name(last.tz)}
    return {"type": "int", "last": int(last), "step": int(step)}


def _decode_end(d):
    if d["type"] == "datetime":
        last = pd.Timestamp(d["last"])
        if d["tz"] is not None:
            try:
                last = last.tz_convert(d["tz"])
            except (KeyError, ValueError):  # not a zone name (older files): keep the offset
                pass
        return last, pd.tseries.frequencies.to_offset(d["freq"])
    return int(d["last"]), int(d["step"])


def _encode_ids(ids):
    """Series ids as JSON, keeping ints as ints and strings as strings."""
    if ids is None:
        return None
    out = []
    for k in ids:
        if isinstance(k, (bool, np.bool_)):
            out.append(["bool", bool(k)])
        elif isinstance(k, (int, np.integer)):
            out.append(["int", int(k)])
        elif isinstance(k, (float, np.floating)):
            out.append(["float", float(k)])
        elif isinstance(k, pd.Timestamp):
            out.append(["timestamp", k.isoformat()])
        else:
            if not isinstance(k, str):
                warnings.warn(
                    f"Series id {k!r} of type {type(k).__name__} is saved as the string "
                    f"{str(k)!r}; ids come back from load as strings unless they are int, "
                    f"float, str or pandas.Timestamp.", UserWarning, stacklevel=6)
            out.append(["str", str(k)])
    return out


def _decode_ids(encoded):
    if encoded is None:
        return None
    kinds = {"bool": bool, "int": int, "float": float, "str": str, "timestamp": pd.Timestamp}
    return [kinds[kind](value) for kind, value in encoded]
