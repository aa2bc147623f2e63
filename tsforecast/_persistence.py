"""The model file format: a zip of JSON metadata (``model.json``) and tensors (``weights.pt``).

Only the format lives here: the envelope every file shares (format marker,
schema version, tsforecast version, class name, parameters), the JSON
schemas, and reading and writing the archive. What goes into the ``fitted``
section is each estimator's own business: every estimator base provides its
fitted state as JSON values and restores it (``_fitted_state()`` and
``_restore(state)``, checked against the class's ``_fitted_schema``), and
``tsforecast.load`` finds the class a file names. This module imports no
estimator.

Loading never unpickles code: the weights are read with
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
import torch

from ._version import __version__
from .exceptions import ModelFileError

__all__ = ["FORMAT", "NLP_FORMAT", "SCHEMA_VERSION", "fitted_schema", "json_params",
           "save_model", "load_model", "restore_state", "restore_network", "read_header",
           "write_archive"]

FORMAT = "tsforecast-model"  # forecasters and baselines
NLP_FORMAT = "tsforecast-nlp-model"  # the tsforecast.nlp estimators
SCHEMA_VERSION = 1
_META, _WEIGHTS = "model.json", "weights.pt"
_AGAIN = "Save the model again with est.save(path)"

# JSON schemas of model.json: the envelope, and parts the fitted sections share.
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


def fitted_schema(**fields):
    """The JSON schema of a ``fitted`` section: every field required, each with its schema."""
    return {"type": "object", "required": list(fields), "properties": fields}


def json_params(est):
    """``est``'s constructor parameters, without ``trainer_kwargs`` JSON cannot store (warned)."""
    params = est.get_params(deep=False)
    try:
        json.dumps(params.get("trainer_kwargs"))
    except (TypeError, ValueError):
        warnings.warn(
            f"trainer_kwargs of {type(est).__name__} holds objects that JSON cannot store "
            f"(e.g. callbacks); they are not saved. Pass them again with set_params after load.",
            UserWarning, stacklevel=3)
        params["trainer_kwargs"] = None
    return params


def save_model(est, path, fitted, tensors, *, format=FORMAT, params=None):
    """Write ``est`` to ``path``: its class, ``params``, the ``fitted`` section and ``tensors``.

    ``fitted`` holds JSON values (the estimator's ``_fitted_state()``),
    ``tensors`` a state dict (the network's weights; empty for models without
    one). ``params`` defaults to :func:`json_params`; parameters that are
    tuples are listed so that :func:`load_model` makes them tuples again.
    """
    params = json_params(est) if params is None else params
    meta = {"format": format, "schema_version": SCHEMA_VERSION,
            "tsforecast_version": __version__, "class": type(est).__name__,
            "params": params,
            # JSON has no tuples; these parameters are tuples again after load (e.g. quantiles)
            "tuple_params": sorted(k for k, v in est.get_params(deep=False).items()
                                   if isinstance(v, tuple) and k in params),
            "fitted": fitted}
    write_archive(os.fspath(path), meta, tensors)


def load_model(cls, path, *, format=FORMAT):
    """Read a file of :func:`save_model` for ``cls``; returns ``(est, fitted, tensors)``.

    The file must hold ``cls`` or one of its subclasses; ``est`` is that class
    built with the saved parameters, ``fitted`` the ``fitted`` section,
    already checked against the class's ``_fitted_schema``. The caller
    restores it (``est._restore(fitted)``) and the network's weights
    (:func:`restore_network`). Raises
    :class:`~tsforecast.exceptions.ModelFileError` when the file holds
    another class or is damaged.
    """
    path = os.fspath(path)
    meta = read_header(path, formats=(format,))
    found = _subclass_named(cls, meta["class"])
    if found is None:
        raise ModelFileError(
            f"{path} holds a {meta['class']!r}, not a {cls.__name__}. Load it with the class "
            f"that saved it, or with tsforecast.load(path).")
    _validate(path, meta, _ENVELOPE, "")
    _validate(path, meta["fitted"], found._fitted_schema, "fitted")
    params = meta["params"]
    for key in meta.get("tuple_params", ()):
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])
    est = build(found, params, path)
    with zipfile.ZipFile(path) as zf:
        tensors = _read_weights(path, zf.read(_WEIGHTS))
    return est, meta["fitted"], tensors


def restore_state(est, fitted, path):
    """``est._restore(fitted)``, reporting a value it cannot restore as a damaged file."""
    try:
        est._restore(fitted)
    except ValueError as err:
        raise ModelFileError(
            f"{path}: {_META} holds a fitted state that {type(est).__name__} cannot restore "
            f"({err}). {_AGAIN}.") from None
    return est


def _subclass_named(cls, name):
    """``cls`` or the subclass of it called ``name`` (searched depth first), or None."""
    if cls.__name__ == name:
        return cls
    for sub in cls.__subclasses__():
        found = _subclass_named(sub, name)
        if found is not None:
            return found
    return None


def read_header(path, *, formats=(FORMAT, NLP_FORMAT), schema_version=SCHEMA_VERSION):
    """``model.json`` of a model file, after checking its format marker and schema version.

    Raises :class:`~tsforecast.exceptions.ModelFileError` naming the file
    when it is not a zip holding ``model.json`` (and ``weights.pt``), when
    its format is not one of ``formats`` or when another schema version
    wrote it.
    """
    path = os.fspath(path)
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read(_META))
            zf.getinfo(_WEIGHTS)
    except (OSError, zipfile.BadZipFile, KeyError, json.JSONDecodeError,
            UnicodeDecodeError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise ModelFileError(
            f"{path} is not a tsforecast model file ({err}). Expected a file written by "
            f"est.save(path)."
        ) from None
    found = meta.get("format") if isinstance(meta, dict) else None
    if found not in formats:
        expected = " or ".join(map(repr, formats))
        raise ModelFileError(
            f"{path} is not a {' or '.join(formats)} file (format {found!r}, expected "
            f"{expected}). Expected a file written by est.save(path)."
        )
    if meta.get("schema_version") != schema_version:
        raise ModelFileError(
            f"{path} has schema version {meta.get('schema_version')!r}, but this tsforecast "
            f"reads version {schema_version} (file written by tsforecast "
            f"{meta.get('tsforecast_version')}). Load it with that version of tsforecast."
        )
    return meta


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
