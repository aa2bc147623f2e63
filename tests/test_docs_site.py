"""The built docs site works without internet: no external script or style, math rendered by a
bundled MathJax, and a search index (also inlined for file:// viewing)."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MATH = re.compile(r"^\$\$|\\\(|(?<![\\$])\$[^$\s][^$\n]*\$")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return out


class _Assets(HTMLParser):
    """The scripts and stylesheets a page loads, and whether it holds math for MathJax."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.math = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "") and attrs.get("href"):
            self.styles.append(attrs["href"])
        if "arithmatex" in (attrs.get("class") or "").split():
            self.math += 1


def _pages(site):
    for path in sorted(site.rglob("*.html")):
        if path.name != "404.html":  # absolute links by design: served from the site root
            parser = _Assets()
            parser.feed(path.read_text(encoding="utf-8"))
            yield path, parser


def _external(url):
    return bool(re.match(r"^(https?:)?//", url))


def test_no_page_needs_the_internet(site):
    pages = list(_pages(site))
    assert len(pages) > 20
    for path, page in pages:
        external = [u for u in page.scripts + page.styles if _external(u)]
        assert not external, f"{path.relative_to(site)} loads {external}"
        for url in page.scripts + page.styles:  # every local asset is in the site
            target = (path.parent / url.split("?")[0]).resolve()
            assert target.is_file(), f"{path.relative_to(site)} loads missing {url}"


def test_every_page_with_math_has_the_mathjax_hook_and_bundle(site):
    with_math = [md for md in DOCS.rglob("*.md")
                 if MATH.search(md.read_text(encoding="utf-8"))]
    assert len(with_math) >= 8  # model pages, guides, backtesting, baselines, nlp
    for md in with_math:
        html = site / md.relative_to(DOCS).with_suffix(".html")
        page = _Assets()
        page.feed(html.read_text(encoding="utf-8"))
        assert page.math, f"{html.relative_to(site)}: formulas not marked for MathJax"
        bundle = [s for s in page.scripts if s.endswith("javascripts/mathjax/tex-svg.js")]
        assert bundle, f"{html.relative_to(site)} does not load the bundled MathJax"
    renderer = (site / "javascripts" / "mathjax" / "tex-svg.js").read_text(encoding="utf-8")
    assert len(renderer) > 1_000_000 and "MathJax" in renderer  # the real bundle, glyphs inside
    assert (site / "javascripts" / "mathjax" / "LICENSE").is_file()


def test_search_index_exists_for_server_and_file_viewing(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = {doc["title"] for doc in index["docs"]}
    assert {"Command line", "Plotting"} <= titles
    inlined = (site / "search" / "search_index.js").read_text(encoding="utf-8")
    assert inlined.startswith("var __index = {")  # read by the offline plugin from file://


def test_api_page_renders_every_forecaster_with_the_generated_sections(site):
    # mkdocstrings reads docstrings statically; docs/scripts/api_reference.py makes it render the
    # forecasters' runtime docstrings, whose Other Parameters and Attributes are generated.
    from tsforecast._shared import SHARED_PARAMETERS
    from tsforecast.models import ESTIMATORS

    html = (site / "api.html").read_text(encoding="utf-8")
    starts = {cls: html.index(f'id="tsforecast.{cls.__name__}"') for cls in ESTIMATORS}
    ends = sorted(starts.values())[1:] + [html.index('id="tsforecast.NaiveForecaster"')]
    for cls, start in starts.items():
        entry = re.sub(r"<[^>]+>", " ", html[start:min(e for e in ends if e > start)])
        other = entry.split("Other Parameters", 1)[1].split("Attributes", 1)
        assert len(other) == 2 and "best_epoch_" in other[1], cls.__name__
        for name in SHARED_PARAMETERS:
            assert f" {name} " in other[0], (cls.__name__, name)
