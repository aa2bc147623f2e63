"""Adding a forecaster is its module in models/ plus its import and name in the registry.

The proof: a copy of the package gets a tiny new forecaster that way, and then
the package root exports it, the API page lists it, its docstring documents
every parameter with its own defaults (also as the docs site reads it), the
common machinery fits, predicts, saves and loads it. Nothing else is edited.
"""

import inspect
import json
import shutil
import subprocess
import sys
from pathlib import Path

import tsforecast
from tsforecast._shared import SHARED_PARAMETERS
from tsforecast.base import BaseForecaster
from tsforecast.models import ESTIMATORS

ROOT = Path(__file__).resolve().parents[1]

TINY = '''"""A linear map from the window to the forecast: the test's new model."""

from torch import nn

from .._shared import shared_params
from ..base import BaseForecaster


class TinyNet(nn.Module):
    def __init__(self, n_features, n_targets, horizon, lookback):
        super().__init__()
        self.shape = (horizon, n_targets)
        self.linear = nn.Linear(lookback * n_features, horizon * n_targets)

    def forward(self, past, future):
        return self.linear(past.flatten(1)).view(-1, *self.shape)


class TinyForecaster(BaseForecaster):
    """Tiny linear forecaster.

    Parameters
    ----------
    width : int, default=3
        Unused; a parameter of its own.

    References
    ----------
    None.

    Examples
    --------
    >>> TinyForecaster().width
    3
    """

    def __init__(self, lookback=12, *, horizon=3, width=3, strategy="direct", scaling="revin",
                 channel_independent=False, dropout=0.0, learning_rate=1e-2, lr_decay=None,
                 loss="mse", quantiles=None, batch_size=16, max_epochs=2, patience=2,
                 validation_size=0.2, random_state=None, verbose=None, trainer_kwargs=None):
        super().__init__(**shared_params(locals()))
        self.width = width

    def _build_network(self, n_features, n_targets, horizon):
        return TinyNet(n_features, n_targets, horizon, self.lookback)
'''

CHECK = '''
import importlib.util, inspect, json, sys
import griffe
import numpy as np
import tsforecast
from tsforecast.models import ESTIMATORS
from tsforecast.models.tiny import TinyForecaster

spec = importlib.util.spec_from_file_location("api_reference", sys.argv[1])
api = importlib.util.module_from_spec(spec)
spec.loader.exec_module(api)
page = api.on_page_markdown(open(sys.argv[2]).read(), page=None)
est = TinyForecaster(random_state=0, trainer_kwargs={"accelerator": "cpu"}, verbose=False)
y = np.sin(np.arange(120) * 2 * np.pi / 12)
pred = est.fit(y).predict()
est.save("tiny.zip")
loaded = tsforecast.load("tiny.zip")
pkg = griffe.load("tsforecast", search_paths=["."], resolve_aliases=True,
                  extensions=griffe.load_extensions(sys.argv[1] + ":RuntimeDocstrings"))
print(json.dumps({
    "exported": tsforecast.TinyForecaster is TinyForecaster,
    "in_all": "TinyForecaster" in tsforecast.__all__,
    "registered": TinyForecaster in ESTIMATORS,
    "on_page": "::: tsforecast.TinyForecaster" in page,
    "doc": inspect.getdoc(TinyForecaster),
    "signature": [p for p in inspect.signature(TinyForecaster).parameters],
    "site_doc": pkg["TinyForecaster"].docstring.value,
    "loaded": type(loaded).__name__,
    "same_forecast": bool(np.array_equal(loaded.predict(), pred)),
}))
'''


def test_a_new_forecaster_needs_its_module_and_a_registry_entry_only(tmp_path):
    from .test_docs import documented_params

    shutil.copytree(ROOT / "tsforecast", tmp_path / "tsforecast",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "tsforecast" / "models" / "tiny.py").write_text(TINY)
    registry = tmp_path / "tsforecast" / "models" / "__init__.py"
    text = registry.read_text()
    edited = text.replace("from .wavenet import",
                          "from .tiny import TinyForecaster\nfrom .wavenet import", 1)
    edited = edited.replace('"TransformerForecaster"]',
                            '"TransformerForecaster",\n           "TinyForecaster"]', 1)
    assert edited.count("TinyForecaster") == 2  # the import and the name: nothing else
    registry.write_text(edited)
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(ROOT / "docs" / "scripts" / "api_reference.py"),
         str(ROOT / "docs" / "api.md")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(tmp_path), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["exported"] and got["in_all"] and got["registered"] and got["on_page"]
    assert got["loaded"] == "TinyForecaster" and got["same_forecast"]

    class Doc:  # documented_params reads __doc__ through inspect.getdoc
        __doc__ = got["doc"]

    assert sorted(documented_params(Doc)) == sorted(got["signature"])
    for line in ("width : int, default=3", "lookback : int, default=12",
                 "learning_rate : float, default=0.01", "patience : int or None, default=2",
                 "Other Parameters", "network_ : torch.nn.Module"):
        assert line in got["doc"] and line in got["site_doc"]


def test_every_registry_entry_is_exported_and_on_the_api_page():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "api_reference", ROOT / "docs" / "scripts" / "api_reference.py")
    api = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(api)
    page = api.on_page_markdown((ROOT / "docs" / "api.md").read_text(), page=None)
    for cls in ESTIMATORS:
        assert getattr(tsforecast, cls.__name__) is cls and cls.__name__ in tsforecast.__all__
        assert page.count(f"::: tsforecast.{cls.__name__}\n") == 1
    assert api.MARKER not in page


def test_the_shared_parameters_are_those_of_base_forecaster_in_order():
    signature = [p for p in inspect.signature(BaseForecaster.__init__).parameters if p != "self"]
    assert list(SHARED_PARAMETERS) == signature


def test_static_analysis_sees_the_same_exports_as_python():
    # IDEs, type checkers and mkdocstrings read the package without running it: the registry's
    # literal __all__ and `__all__ += models.__all__` keep what they see equal to the runtime.
    import griffe

    pkg = griffe.load("tsforecast", search_paths=[str(ROOT)], resolve_aliases=True)
    assert list(pkg.exports) == tsforecast.__all__
    for cls in ESTIMATORS:
        assert pkg[cls.__name__].final_target.path == f"{cls.__module__}.{cls.__name__}"
