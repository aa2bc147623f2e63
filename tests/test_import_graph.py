"""The package's import graph: no cycles, and the file format knows no estimator.

The graph is read from the source with :mod:`ast`, so nothing is imported.
Only imports that run when a module is imported count (module level, also
inside ``try``/``if``, but not under ``if TYPE_CHECKING:``); an import inside a
function runs later, when the function is called, and cannot close a cycle
at import time. Importing ``a.b.c`` also runs the ``__init__`` of the package
``a.b`` unless the importer lives inside it; the package root's ``__init__``
(which re-exports everything) counts only where a module imports it by
name, as ``from . import __version__`` would.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "tsforecast"
PACKAGE = "tsforecast"


def _module_names(root=ROOT):
    """``{dotted name: path}`` of every module of the package (a package by its __init__)."""
    names = {}
    for path in root.rglob("*.py"):
        parts = (PACKAGE, *path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _module_level(body):
    """The import statements of ``body`` that run at import time (not in functions)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if test not in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for part in (node.body, node.orelse, node.finalbody,
                         *(h.body for h in node.handlers)):
                yield from _module_level(part)
        elif isinstance(node, (ast.With, ast.For, ast.While)):
            yield from _module_level(node.body)


def _imports(name, path, modules, *, everywhere=False):
    """The modules of the package that importing ``name`` (the file ``path``) runs."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    nodes = ([n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
             if everywhere else _module_level(tree.body))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            # ``from pkg import x`` runs pkg.x when x is a module, else only pkg
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source
                       for a in node.names]
        for target in targets:
            if target not in modules:
                continue
            found.add(target)
            parts = target.split(".")
            for k in range(2, len(parts)):  # parent packages below the root
                parent = ".".join(parts[:k])
                if not (name == parent or name.startswith(parent + ".")):
                    found.add(parent)
    found.discard(name)
    return found


def import_graph(root=ROOT, *, everywhere=False):
    """``{module: modules it imports at import time}`` over the whole package."""
    modules = _module_names(root)
    return {name: _imports(name, path, modules, everywhere=everywhere)
            for name, path in modules.items()}


def find_cycle(graph):
    """One import cycle as a list ``[a, b, ..., a]``, or None (depth-first search)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_file_format_imports_no_estimator_nor_the_package_root():
    """``_persistence`` is only the file format: not even a lazy import of estimators."""
    graph = import_graph(everywhere=True)
    banned = {PACKAGE, f"{PACKAGE}.base", f"{PACKAGE}.baselines"}
    for module in ("tsforecast._persistence", "tsforecast._version", "tsforecast._network"):
        reached = graph[module]
        assert not {m for m in reached if m in banned or m.startswith(f"{PACKAGE}.models")
                    or m.startswith(f"{PACKAGE}.nlp")}, (module, sorted(reached))


def test_the_base_does_not_import_from_models():
    assert not {m for m in import_graph()[f"{PACKAGE}.base"] if m.startswith(f"{PACKAGE}.models")}


@pytest.mark.parametrize("files, cycle", [
    # base -> _persistence -> models (package) -> models.lstm -> base
    ({"base.py": "from . import _persistence\n",
      "_persistence.py": "from .models import ESTIMATORS\n",
      "models/__init__.py": "from .lstm import LSTM\nESTIMATORS = (LSTM,)\n",
      "models/lstm.py": "from ..base import Base\n"},
     ["tsforecast.base", "tsforecast._persistence", "tsforecast.models",
      "tsforecast.models.lstm", "tsforecast.base"]),
    # importing a submodule runs its package's __init__ first
    ({"base.py": "from .models._layers import Net\n",
      "models/__init__.py": "from .lstm import LSTM\n",
      "models/_layers.py": "", "models/lstm.py": "from ..base import Base\n"},
     ["tsforecast.base", "tsforecast.models", "tsforecast.models.lstm", "tsforecast.base"]),
    # ``from . import __version__`` runs the package root
    ({"__init__.py": "from .base import Base\n", "base.py": "from . import _persistence\n",
      "_persistence.py": "from . import __version__\n"},
     ["tsforecast", "tsforecast.base", "tsforecast._persistence", "tsforecast"]),
])
def test_the_cycle_finder_finds_cycles(tmp_path, files, cycle):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "__init__.py").touch()
    found = find_cycle(import_graph(tmp_path))
    start = found.index(cycle[0])  # the same cycle, read from the same module
    assert found[start:-1] + found[:start] + [cycle[0]] == cycle


def test_the_cycle_finder_ignores_imports_in_functions_and_type_checking(tmp_path):
    (tmp_path / "__init__.py").write_text("from .base import Base\n")
    (tmp_path / "base.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import models\n"
        "def load():\n    from . import models\n")
    (tmp_path / "models.py").write_text("from .base import Base\n")
    assert find_cycle(import_graph(tmp_path)) is None
    assert "tsforecast.models" in import_graph(tmp_path, everywhere=True)["tsforecast.base"]
