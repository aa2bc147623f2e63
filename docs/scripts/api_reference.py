"""The forecasters on the API reference page come from the registry, with their runtime docstrings.

Loaded twice by ``mkdocs.yml``, nothing to run by hand:

- as an MkDocs hook: :func:`on_page_markdown` replaces the line ``MARKER`` on
  ``docs/api.md`` with one ``::: tsforecast.<Name>`` entry per forecaster of
  ``tsforecast.models.ESTIMATORS``, so a new forecaster is documented without
  editing the page;
- as a Griffe extension (``RuntimeDocstrings``, in the mkdocstrings options):
  mkdocstrings reads docstrings from the source, but a forecaster's
  ``Other Parameters`` and common ``Attributes`` sections are added when its
  class is created (``tsforecast._shared.document_shared``), and the recurrent
  forecasters' docstrings are built from one template. The extension gives
  every forecaster class the docstring Python has at runtime; everything else
  keeps the static analysis.
"""

from __future__ import annotations

import inspect

import griffe

MARKER = "<!-- forecasters: generated from tsforecast.models.ESTIMATORS -->"


def forecaster_entries(estimators):
    """The mkdocstrings entries of ``estimators``, in registry order."""
    return "\n\n".join(f"::: tsforecast.{cls.__name__}" for cls in estimators)


def on_page_markdown(markdown, page, **kwargs):
    if MARKER not in markdown:
        return markdown
    from tsforecast.models import ESTIMATORS

    return markdown.replace(MARKER, forecaster_entries(ESTIMATORS))


class RuntimeDocstrings(griffe.Extension):
    """Use the runtime docstring of each ``BaseForecaster`` subclass of tsforecast."""

    def on_class_instance(self, *, cls, agent, **kwargs):
        if not cls.path.startswith("tsforecast."):
            return
        from tsforecast.base import BaseForecaster

        try:
            obj = griffe.dynamic_import(cls.path)
        except ImportError:  # e.g. an optional dependency of tsforecast.nlp: keep the static one
            return
        if not (isinstance(obj, type) and issubclass(obj, BaseForecaster)):
            return
        doc = inspect.cleandoc(vars(obj).get("__doc__") or "")
        if doc and (cls.docstring is None or cls.docstring.value != doc):
            lineno = cls.docstring.lineno if cls.docstring else cls.lineno
            cls.docstring = griffe.Docstring(doc, lineno=lineno, parent=cls,
                                             parser=agent.docstring_parser,
                                             parser_options=agent.docstring_options)
