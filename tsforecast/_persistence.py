"""Save and load fitted forecasters as a zip of JSON metadata and torch weights.

Loading never unpickles code: the JSON says which registered class to build
and with which parameters; the weights are read with
``torch.load(weights_only=True)``. Every damaged file is refused with a
:class:`~tsforecast.exceptions.ModelFileError` that names the file, what is
wrong and what to do: the JSON is validated against a schema
(``jsonschema``) and the weights' names and shapes are checked against the
network before they are loaded.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import warnings
import zipfile

import jsonschema
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
_AGAIN = "Save the model again with est.save(path)"

# JSON schemas of model.json: the envelope, and the fitted state of each kind of model.
STRINGS = {"type": "array", "items": {"type": "string"}}
NUMBERS = {"type": "array", "items": {"type": "number"}}
HISTORY = {"type": "array", "items": {"type": "object"}}
EPOCH = {"type": ["integer", "null"]}
_ENVELOPE = {
    "type": "object",
    "required": ["format", "schema_version", "tsforecast_version", "class", "params", "fitted"],
    "properties": {"format": {"type": "string"}, "schema_version": {"type": "integer"},
                   "tsforecast_version": {"type": "string"}, "class": {"type": "string"},
                   "params": {"type": "object"}, "fitted": {"type": "object"}},
}
_END = {"oneOf": [
    {"type": "object", "required": ["type", "last", "freq", "tz"],
     "properties": {"type": {"const": "datetime"}, "last": {"type": "string"},
                    "freq": {"type": "string"}, "tz": {"type": ["string", "null"]}}},
    {"type": "object", "required": ["type", "last", "step"],
     "properties": {"type": {"const": "int"}, "last": {"type": "integer"},
                    "step": {"type": "integer"}}},
]}


def fitted_schema(**fields):
    """The JSON schema of a ``fitted`` section: every field required, each with its schema."""
    return {"type": "object", "required": list(fields), "properties": fields}


FORECASTER_FITTED = fitted_schema(
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
    # per-series statistics (series x columns); files of older versions hold one row
    scaler={"oneOf": [{"type": "null"}, fitted_schema(
        mean={"oneOf": [NUMBERS, {"type": "array", "items": NUMBERS}]},
        scale={"oneOf": [NUMBERS, {"type": "array", "items": NUMBERS}]})]},
    last_window={"type": "array", "minItems": 1,
                 "items": {"type": "array", "items": NUMBERS}},
    history=HISTORY, best_epoch=EPOCH,
)
FORECASTER_FITTED["required"].remove("ids")  # files written before series ids existed


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


def read_archive(path, *, format=FORMAT, schema_version=SCHEMA_VERSION, fitted=None,
                 cls=None):
    """Read a file written by :func:`write_archive`; returns ``(meta, state_dict)``.

    Checks the ``format`` marker and ``schema_version`` in ``meta``, the
    envelope against its JSON schema and ``meta["fitted"]`` against the
    schema ``fitted`` (when given) and that the file holds the class ``cls``
    (when given), and raises
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
    if cls is not None and meta.get("class") != cls.__name__:
        raise ModelFileError(f"{path} holds a {meta.get('class')!r}, not a "
                             f"{cls.__name__}. Load it with the class that saved it.")
    _validate(path, meta, _ENVELOPE, "")
    if fitted is not None:
        _validate(path, meta["fitted"], fitted, "fitted")
    return meta, _read_weights(path, weights)


def _validate(path, instance, schema, where):
    """Check ``instance`` (part of model.json at ``where``) against a JSON schema."""
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(instance))
    if error is not None:
        at = "/".join([where, *map(str, error.absolute_path)]).strip("/") or "the top level"
        message = error.message if len(error.message) < 200 else error.message[:200] + "..."
        raise ModelFileError(
            f"{path}: {_META} is invalid at '{at}': {message}. The file is damaged, was edited "
            f"by hand or was written by another tsforecast. {_AGAIN} (or load it with the "
            f"version that wrote it)."
        )


def _read_weights(path, data):
    """The state dict in ``weights.pt``; nothing but tensors is ever unpickled."""
    try:
        with warnings.catch_warnings():  # torch's notes on pickle protocols: noise here
            warnings.simplefilter("ignore")
            state = torch.load(io.BytesIO(data), weights_only=True)
    except pickle.UnpicklingError:
        problem = "holds pickled objects other than tensors, which tsforecast never loads"
    except Exception:  # noqa: BLE001 - torch raises RuntimeError, EOFError, ValueError, ...
        problem = "is truncated or damaged: torch cannot read it"
    else:
        if isinstance(state, dict) and all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                           for k, v in state.items()):
            return state
        problem = f"is not a state dict of named tensors (it holds a {type(state).__name__})"
    raise ModelFileError(
        f"{path}: {_WEIGHTS} {problem}. The file is damaged or was not written by tsforecast. "
        f"{_AGAIN}."
    )


def restore_network(network, state, path):
    """Load ``state`` into ``network`` after checking the names and shapes of every weight."""
    expected = network.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [f"{k} has shape {tuple(state[k].shape)}, expected {tuple(v.shape)}"
             for k, v in expected.items() if k in state and state[k].shape != v.shape]
    if missing or unexpected or wrong:
        problems = ([f"missing {missing[:5]}"] if missing else []) + (
            [f"unexpected {unexpected[:5]}"] if unexpected else []) + wrong[:3]
        raise ModelFileError(
            f"{path}: the weights do not match the network that {_META} describes "
            f"({type(network).__name__}): {'; '.join(problems)}. The weights come from another "
            f"model or the file is damaged. {_AGAIN}."
        )
    network.load_state_dict(state)
    return network.eval()


def build(cls, params, path):
    """``cls(**params)``, refusing parameters the class does not have."""
    if hasattr(cls, "_legacy_params"):  # parameters of older versions (e.g. 'cell')
        cls, params = cls._legacy_params(params)
    unknown = sorted(set(params) - set(cls().get_params(deep=False)))
    if unknown:
        raise ModelFileError(
            f"{path}: {_META} is invalid at 'params': unknown parameters {unknown} for "
            f"{cls.__name__}. The file was edited or written by another tsforecast. {_AGAIN} "
            f"(or load it with the version that wrote it)."
        )
    return cls(**params)


def _registry():
    from .models import ESTIMATORS

    return {cls.__name__: cls for cls in ESTIMATORS}


def load(path, expected=None):
    """Load a forecaster saved with ``save``; ``expected`` is the class ``load`` was called on."""
    meta, state = read_archive(path, fitted=FORECASTER_FITTED)
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
    est = build(cls, params, path)
    fitted = meta["fitted"]
    est.n_features_in_ = fitted["n_features_in"]
    est.n_targets_ = fitted["n_targets"]
    est.target_names_ = fitted["target_names"]
    est.covariate_names_ = fitted["covariate_names"]
    est.input_kind_ = fitted["input_kind"]
    est.ids_ = _decode_ids(fitted.get("ids"))
    try:
        est.index_end_ = [_decode_end(d) for d in fitted["index_end"]]
    except ValueError as err:
        raise ModelFileError(
            f"{path}: {_META} is invalid at 'fitted/index_end': {err}. {_AGAIN}.") from None
    est.scaler_ = (StandardScaler.from_state_dict(fitted["scaler"])
                   if fitted["scaler"] is not None else None)
    est.last_window_ = [np.asarray(w, dtype=np.float64) for w in fitted["last_window"]]
    est.history_ = fitted["history"]
    est.best_epoch_ = fitted["best_epoch"]
    calibration = fitted.get("calibration")  # absent in files written before intervals
    est.calibration_ = (Calibration.from_state_dict(calibration)
                        if calibration is not None else None)
    network = est._make_network(est.n_targets_, len(est.covariate_names_))
    est.network_ = restore_network(network, state, path)
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


def load_estimator(cls, path, fitted, *, format=NLP_FORMAT):
    """Read a file of :func:`save_estimator`; returns ``(est, fitted, state_dict)``.

    ``fitted`` is the JSON schema of the fitted section (see
    :func:`fitted_schema`). ``est`` is ``cls`` built with the saved parameters;
    the caller restores the fitted attributes from ``fitted`` and the network
    with :func:`restore_network`. Raises
    :class:`~tsforecast.exceptions.ModelFileError` when the file holds another
    class or is damaged.
    """
    meta, state = read_archive(os.fspath(path), format=format, fitted=fitted, cls=cls)
    return build(cls, meta["params"], os.fspath(path)), meta["fitted"], state
