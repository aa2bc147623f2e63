"""``tsforecast.load``: the class a model file names, looked up in the registries, loads it."""

from __future__ import annotations

import os

from ._persistence import NLP_FORMAT, read_header
from .baselines import BASELINES
from .exceptions import ModelFileError
from .models import ESTIMATORS

__all__ = ["load"]


def load(path):
    """Load any model saved with ``est.save(path)``: a forecaster, a baseline or a text model.

    The file names its class; the class is looked up among the registered
    estimators (``tsforecast.models.ESTIMATORS``,
    ``tsforecast.baselines.BASELINES`` and, for files of the text models,
    ``tsforecast.nlp.NLP_ESTIMATORS``) and reads the file with its own
    ``load``. No code is unpickled.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    object
        The fitted estimator, of the class that was saved.

    Raises
    ------
    tsforecast.exceptions.ModelFileError
        If ``path`` is not a tsforecast model file, is damaged, or names a
        class this tsforecast does not know.
    """
    path = os.fspath(path)
    meta = read_header(path)
    if meta["format"] == NLP_FORMAT:
        from .nlp import NLP_ESTIMATORS  # the core never imports nlp/ unless asked to

        registry = NLP_ESTIMATORS
    else:
        registry = ESTIMATORS + BASELINES
    classes = {cls.__name__: cls for cls in registry}
    cls = classes.get(meta.get("class"))
    if cls is None:
        raise ModelFileError(
            f"{path} holds a {meta.get('class')!r}, which this tsforecast does not know. "
            f"Known: {sorted(classes)}."
        )
    return cls.load(path)
