"""The parameters and fitted attributes every forecaster shares with BaseForecaster, written once.

:class:`~tsforecast.base.BaseForecaster` describes each shared parameter in
full. A forecaster repeats the shared parameters in its signature (scikit-learn's
``get_params`` reads it) and forwards them with
``super().__init__(**shared_params(locals()))``; its docstring holds only what
is its own. When the class is created, ``BaseForecaster.__init_subclass__``
calls :func:`document_shared`, which adds the ``Other Parameters`` section (one
line per shared parameter, with the type documented on BaseForecaster and the
default of the class's own signature, so documented defaults cannot drift) and
the fitted attributes every forecaster has. ``help()``, ``__doc__`` and the API
page (through the Griffe extension in ``docs/scripts/api_reference.py``) show
the result.

A forecaster may describe a shared parameter in its own words: an entry for it
in the class's own ``Other Parameters`` section replaces the shared line (its
type and default are still taken from BaseForecaster and the signature).
"""

from __future__ import annotations

import inspect
import re

__all__ = ["SHARED_PARAMETERS", "SHARED_ATTRIBUTES", "shared_params", "document_shared"]

#: One line per parameter of ``BaseForecaster.__init__``, in signature order.
SHARED_PARAMETERS = {
    "lookback": "Past steps read per forecast.",
    "horizon": 'Steps forecast (and trained on, with ``strategy="direct"``).',
    "strategy": "One vector of all horizon steps, or one step fed back recursively.",
    "scaling": 'Per-column standardisation, plus per-window instance normalisation for "revin".',
    "channel_independent": "Forecast each target column with one shared univariate model.",
    "dropout": "Dropout rate inside the network.",
    "learning_rate": "Adam's learning rate.",
    "lr_decay": "Per-epoch learning-rate factor; None keeps it constant.",
    "loss": 'Training and validation loss; "quantile" trains a quantile head.',
    "quantiles": ('Levels of the quantile head (with ``loss="quantile"``); predict returns '
                  "the median."),
    "batch_size": "Training windows per step.",
    "max_epochs": "Upper bound on training epochs.",
    "patience": "Early-stopping patience on the validation loss.",
    "validation_size": "Tail fraction of each series used for validation.",
    "random_state": "Seed; the same seed gives the same forecasts on CPU.",
    "verbose": "Progress bar; None shows it only in an interactive terminal.",
    "trainer_kwargs": "Extra ``pytorch_lightning.Trainer`` arguments.",
}

#: The fitted attributes of every forecaster, appended to its ``Attributes`` section.
SHARED_ATTRIBUTES = """\
network_ : torch.nn.Module
    The trained network.
scaler_ : StandardScaler or None
    Per-column scaler fitted on the training span.
n_features_in_ : int
    Target plus covariate columns.
target_names_ : list of str
    Target column names.
covariate_names_ : list of str
    Covariate column names.
history_ : list of dict
    Training and validation loss per epoch.
best_epoch_ : int or None
    Epoch whose weights were kept."""

_HEADER = re.compile(r"^(\w+) :")


def shared_params(arguments):
    """The shared parameters among ``arguments`` (``locals()`` at the top of an ``__init__``)."""
    return {name: arguments[name] for name in SHARED_PARAMETERS if name in arguments}


def _sections(doc):
    """Split a cleaned numpydoc docstring into its preamble and ``{title: body}``, in order."""
    lines = doc.splitlines()
    preamble, sections, title = [], {}, None
    i = 0
    while i < len(lines):
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if lines[i].strip() and re.fullmatch(r"-{3,}", underline):
            title = lines[i].strip()
            sections[title] = []
            i += 2
            continue
        (sections[title] if title else preamble).append(lines[i])
        i += 1
    return "\n".join(preamble).strip(), {t: "\n".join(b).strip() for t, b in sections.items()}


def _entries(body):
    """``{name: (type, description lines)}`` of a parameter section's body."""
    entries, name = {}, None
    for line in body.splitlines():
        match = _HEADER.match(line)
        if match:
            name = match.group(1)
            entries[name] = (line.split(":", 1)[1].split(", default=")[0].strip(), [])
        elif name is not None:
            entries[name][1].append(line)
    return entries


def _default(value):
    return f'"{value}"' if isinstance(value, str) else repr(value)


def document_shared(cls, base):
    """Give ``cls`` (a subclass of ``base``) the shared sections of its docstring.

    Adds ``Other Parameters``: the shared parameters of ``cls``'s signature that
    its ``Parameters`` section does not describe, typed as on ``base`` and with
    ``cls``'s defaults; and appends :data:`SHARED_ATTRIBUTES` to ``Attributes``.
    Classes without a docstring of their own (private helpers, quick subclasses)
    are left alone.
    """
    doc = cls.__dict__.get("__doc__")
    if not doc:
        return
    preamble, sections = _sections(inspect.cleandoc(doc))
    if "Parameters" not in sections:
        return
    types = _entries(_sections(inspect.cleandoc(base.__doc__))[1]["Parameters"])
    signature = inspect.signature(cls.__init__).parameters
    own = _entries(sections["Parameters"])
    overrides = _entries(sections.get("Other Parameters", ""))
    stray = sorted(set(overrides) - (set(SHARED_PARAMETERS) & set(signature)))
    if stray:
        raise TypeError(
            f"The 'Other Parameters' section of {cls.__name__}'s docstring describes {stray}, "
            f"which are not shared parameters of its signature. Describe its own parameters "
            f"under 'Parameters'; 'Other Parameters' only rewords shared ones."
        )
    other = []
    for name, line in SHARED_PARAMETERS.items():
        if name in signature and name not in own:
            default = _default(signature[name].default)
            other.append(f"{name} : {types[name][0]}, default={default}")
            other.extend(overrides[name][1] if name in overrides else [f"    {line}"])
    out = {}
    for title, body in sections.items():
        if title == "Other Parameters":
            continue
        if title == "Attributes" and SHARED_ATTRIBUTES not in body:
            body = f"{body}\n{SHARED_ATTRIBUTES}"
        out[title] = body
        if title == "Parameters":
            if other:
                out["Other Parameters"] = "\n".join(other)
            if "Attributes" not in sections:
                out["Attributes"] = SHARED_ATTRIBUTES
    cls.__doc__ = "\n\n".join(
        [preamble, *(f"{title}\n{'-' * len(title)}\n{body}" for title, body in out.items())])
