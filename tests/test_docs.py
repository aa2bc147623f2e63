"""Docstrings document exactly the parameters each public signature has."""

import ast
import inspect
import pydoc
import re

import pytest

from tsforecast._shared import SHARED_ATTRIBUTES, SHARED_PARAMETERS
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


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_documented_defaults_are_the_signature_defaults(Estimator):
    # Other Parameters is generated from the signature; the class's own Parameters are written
    # by hand: both must state the defaults the signature really has.
    signature = inspect.signature(Estimator.__init__).parameters
    doc = inspect.getdoc(Estimator)
    found = re.findall(r"^(\w+) : .*, default=(.+)$", doc, flags=re.M)
    assert {name for name, _ in found} == set(signature) - {"self"}
    for name, default in found:
        assert ast.literal_eval(default) == signature[name].default, name


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_help_shows_the_generated_sections(Estimator):
    text = pydoc.render_doc(Estimator, renderer=pydoc.plaintext)
    assert "Other Parameters" in text
    for name in SHARED_PARAMETERS:
        assert re.search(rf"\b{name} : .+, default=", text), name
    for line in SHARED_ATTRIBUTES.splitlines():
        assert line.strip() in text


def test_shared_sections_follow_the_class_signature_and_its_own_words():
    from tsforecast._shared import shared_params
    from tsforecast.base import BaseForecaster

    class Custom(BaseForecaster):
        """Custom forecaster.

        Parameters
        ----------
        horizon : int, default=5
            Own words for a shared parameter.

        Other Parameters
        ----------------
        dropout : float, default=0.9
            Own words for dropout.

        Attributes
        ----------
        extra_ : int
            Its own attribute.
        """

        def __init__(self, lookback=10, *, horizon=5, dropout=0.3):
            super().__init__(**shared_params(locals()))

    doc = inspect.getdoc(Custom)
    assert documented_params(Custom) == ["horizon", "lookback", "dropout"]
    other = doc.split("Other Parameters\n----------------\n")[1].split("\n\n")[0]
    assert other == ("lookback : int, default=10\n    Past steps read per forecast.\n"
                     "dropout : float, default=0.3\n    Own words for dropout.")
    attributes = doc.split("Attributes\n----------\n")[1]
    assert attributes.startswith("extra_ : int\n    Its own attribute.\nnetwork_ :")
    assert Custom(dropout=0.1).get_params() == {"lookback": 10, "horizon": 5, "dropout": 0.1}
    assert Custom().dropout == 0.3 and Custom().max_epochs == 50  # the base's default


def test_other_parameters_only_reword_shared_parameters():
    from tsforecast._shared import shared_params
    from tsforecast.base import BaseForecaster

    with pytest.raises(TypeError, match=r"'Other Parameters' section of Typo's docstring "
                                        r"describes \['dropuot'\], which are not shared"):
        class Typo(BaseForecaster):
            """Typo.

            Parameters
            ----------
            lookback : int, default=10
                Own words.

            Other Parameters
            ----------------
            dropuot : float, default=0.3
                A typo.
            """

            def __init__(self, lookback=10, *, dropout=0.3):
                super().__init__(**shared_params(locals()))
