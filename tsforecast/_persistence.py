"""Save and load fitted forecasters as a zip of JSON metadata and torch weights.

Loading never unpickles code: the JSON says which registered class to build
and with which parameters; the weights are read with
``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile

import numpy as np
import pandas as pd
import torch

from ._conformal import Calibration
from .data.scaling import StandardScaler
from .exceptions import ModelFileError

FORMAT = "tsforecast-model"
SCHEMA_VERSION = 1
NLP_FORMAT = "tsforecast-nlp-model"  # the tsforecast.nlp estimators
_META, _WEIGHTS = "model.json", "weights.pt"


def _encode_end(last, step):
    if isinstance(last, pd.Timestamp):
        return {"type": "datetime", "last": last.isoformat(), "freq": step.freqstr,
                "tz": str(last.tz) if last.tz is not None else None}
    return {"type": "int", "last": int(last), "step": int(step)}


def _decode_end(d):
    if d["type"] == "datetime":
        return pd.Timestamp(d["last"]), pd.tseries.frequencies.to_offset(d["freq"])
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
                    f"float, str or pandas.Timestamp.", UserWarning, stacklevel=4)
            out.append(["str", str(k)])
    return out


def _decode_ids(encoded):
    if encoded is None:
        return None
    kinds = {"bool": bool, "int": int, "float": float, "str": str, "timestamp": pd.Timestamp}
    return [kinds[kind](value) for kind, value in encoded]


def _json_params(est):
    params = est.get_params(deep=False)
    try:
        json.dumps(params["trainer_kwargs"])
    except (TypeError, ValueError):
        warnings.warn(
            f"trainer_kwargs of {type(est).__name__} holds objects that JSON cannot store "
            f"(e.g. callbacks); they are not saved. Pass them again with set_params after load.",
            UserWarning, stacklevel=3)
        params["trainer_kwargs"] = None
    return params


def save(est, path):
    from . import __version__

    meta = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "tsforecast_version": __version__,
        "class": type(est).__name__,
        "params": _json_params(est),
        # JSON has no tuples; these parameters are tuples again after load (e.g. quantiles)
        "tuple_params": sorted(k for k, v in est.get_params(deep=False).items()
                               if isinstance(v, tuple)),
        "fitted": {
            "n_features_in": est.n_features_in_,
            "n_targets": est.n_targets_,
            "target_names": est.target_names_,
            "covariate_names": est.covariate_names_,
            "input_kind": {**est.input_kind_,
                           "name": None if est.input_kind_["name"] is None
                           else str(est.input_kind_["name"]),
                           "names": None if not est.input_kind_.get("names")
                           else [None if n is None else str(n)
                                 for n in est.input_kind_["names"]]},
            "ids": _encode_ids(getattr(est, "ids_", None)),
            "index_end": [_encode_end(last, step) for last, step in est.index_end_],
            "scaler": est.scaler_.state_dict() if est.scaler_ is not None else None,
            "last_window": [w.tolist() for w in est.last_window_],
            "history": est.history_,
            "best_epoch": est.best_epoch_,
            "calibration": (est.calibration_.state_dict()
                            if est.calibration_ is not None else None),
        },
    }
    write_archive(path, meta, est.network_.state_dict())


def write_archive(path, meta, state_dict):
    """Write ``meta`` (JSON-serialisable dict) and a torch ``state_dict`` to a zip at ``path``.

    The shared file format of every fitted tsforecast model (forecasters and
    ``tsforecast.nlp`` estimators): ``model.json`` plus ``weights.pt``.
    """
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in state_dict.items()}, buffer)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_META, json.dumps(meta, indent=1))
        zf.writestr(_WEIGHTS, buffer.getvalue())


def read_archive(path, *, format=FORMAT, schema_version=SCHEMA_VERSION):
    """Read a file written by :func:`write_archive`; returns ``(meta, state_dict)``.

    Checks the ``format`` marker and ``schema_version`` in ``meta`` and raises
    :class:`~tsforecast.exceptions.ModelFileError` naming the file otherwise. The
    weights are read with ``torch.load(weights_only=True)``: nothing is unpickled.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read(_META))
            weights = zf.read(_WEIGHTS)
    except (OSError, zipfile.BadZipFile, KeyError, json.JSONDecodeError,
            UnicodeDecodeError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise ModelFileError(
            f"{path} is not a tsforecast model file ({err}). Expected a file written by "
            f"est.save(path)."
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != format:
        raise ModelFileError(
            f"{path} is not a {format} file (format "
            f"{meta.get('format') if isinstance(meta, dict) else None!r}, expected {format!r}). "
            f"Expected a file written by est.save(path)."
        )
    if meta.get("schema_version") != schema_version:
        raise ModelFileError(
            f"{path} has schema version {meta.get('schema_version')!r}, but this tsforecast "
            f"reads version {schema_version} (file written by tsforecast "
            f"{meta.get('tsforecast_version')}). Load it with that version of tsforecast."
        )
    state = torch.load(io.BytesIO(weights), weights_only=True)
    return meta, state


def _registry():
    from .models import ESTIMATORS

    return {cls.__name__: cls for cls in ESTIMATORS}


def load(path, expected=None):
    """Load a forecaster saved with ``save``; ``expected`` is the class ``load`` was called on."""
    meta, state = read_archive(path)
    registry = _registry()
    cls = registry.get(meta["class"])
    if cls is None:
        raise ModelFileError(
            f"{path} holds a {meta['class']!r}, which this tsforecast does not know. Known: "
            f"{sorted(registry)}."
        )
    if expected is not None and expected is not cls and not issubclass(cls, expected):
        raise ModelFileError(
            f"{path} holds a {cls.__name__}, not a {expected.__name__}. Load it with "
            f"{cls.__name__}.load(path) or tsforecast.load(path)."
        )
    params = meta["params"]
    for key in meta.get("tuple_params", ()):
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])
    est = cls(**params)
    fitted = meta["fitted"]
    est.n_features_in_ = fitted["n_features_in"]
    est.n_targets_ = fitted["n_targets"]
    est.target_names_ = fitted["target_names"]
    est.covariate_names_ = fitted["covariate_names"]
    est.input_kind_ = fitted["input_kind"]
    est.ids_ = _decode_ids(fitted.get("ids"))
    est.index_end_ = [_decode_end(d) for d in fitted["index_end"]]
    est.scaler_ = (StandardScaler.from_state_dict(fitted["scaler"])
                   if fitted["scaler"] is not None else None)
    est.last_window_ = [np.asarray(w, dtype=np.float64) for w in fitted["last_window"]]
    est.history_ = fitted["history"]
    est.best_epoch_ = fitted["best_epoch"]
    calibration = fitted.get("calibration")  # absent in files written before intervals
    est.calibration_ = (Calibration.from_state_dict(calibration)
                        if calibration is not None else None)
    network = est._make_network(est.n_targets_, len(est.covariate_names_))
    network.load_state_dict(state)
    est.network_ = network.eval()
    return est


def save_estimator(est, path, fitted, state_dict, *, format=NLP_FORMAT, params=None):
    """Write ``est`` (class, ``params``, ``fitted`` attributes as JSON) and its weights.

    The envelope shared by the :mod:`tsforecast.nlp` estimators; ``params``
    defaults to the JSON-storable constructor parameters.
    """
    from . import __version__

    meta = {"format": format, "schema_version": SCHEMA_VERSION,
            "tsforecast_version": __version__, "class": type(est).__name__,
            "params": _json_params(est) if params is None else params, "fitted": fitted}
    write_archive(os.fspath(path), meta, state_dict)


def load_estimator(cls, path, *, format=NLP_FORMAT):
    """Read a file of :func:`save_estimator`; returns ``(est, fitted, state_dict)``.

    ``est`` is ``cls`` built with the saved parameters; the caller restores
    the fitted attributes from ``fitted`` and the network from ``state_dict``.
    Raises :class:`~tsforecast.exceptions.ModelFileError` when the file holds
    another class.
    """
    meta, state = read_archive(os.fspath(path), format=format)
    if meta.get("class") != cls.__name__:
        raise ModelFileError(f"{os.fspath(path)} holds a {meta.get('class')!r}, not a "
                             f"{cls.__name__}. Load it with the class that saved it.")
    return cls(**meta["params"]), meta["fitted"], state
