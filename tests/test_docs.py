"""Docstrings document exactly the parameters each public signature has."""

import inspect
import re

import pytest

from tsforecast.models import ESTIMATORS

_SECTIONS = ("Parameters", "Other Parameters")


def documented_params(cls):
    doc = inspect.getdoc(cls) or ""
    names, section = [], None
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip()):
            section = line.strip()
            continue
        if section in _SECTIONS:
            match = re.match(r"^(\w+(?:, \w+)*) :", line)
            if match:
                names.extend(n.strip() for n in match.group(1).split(","))
    return names


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_documented_parameters_match_signature(Estimator):
    signature = [p for p in inspect.signature(Estimator.__init__).parameters if p != "self"]
    documented = documented_params(Estimator)
    assert sorted(documented) == sorted(signature)
    assert len(documented) == len(set(documented)), "a parameter is documented twice"


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_estimators_have_references_and_examples(Estimator):
    doc = inspect.getdoc(Estimator)
    for section in ("References", "Examples", "Attributes"):
        assert f"\n{section}\n" in doc
