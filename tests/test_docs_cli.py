"""docs/cli.md shows what its commands really print (python docs/scripts/cli_page.py)."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _page_script():
    spec = importlib.util.spec_from_file_location("cli_page", ROOT / "docs" / "scripts" /
                                                  "cli_page.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mask(block: str) -> str:
    """Hide what depends on training and timing: the model's scores, the bars' losses/times."""
    lines = []
    for line in block.splitlines():
        if line.startswith(("LSTMForecaster ", "holdout fit ", "final fit ")):
            line = re.sub(r"\d+(\.\d+)?", "#", line)
            line = re.sub(r"\|[^|]*\|", "|bar|", line)
        lines.append(line)
    return "\n".join(lines)


def test_cli_page_shows_the_real_output(tmp_path):
    script = _page_script()
    fresh = script.outputs(tmp_path)
    page = script.shown(script.PAGE.read_text())
    assert set(page) == set(fresh)
    for name in fresh:
        assert _mask(page[name]) == _mask(fresh[name]), (
            f"docs/cli.md block {name!r} is stale: run python docs/scripts/cli_page.py")
    # the walk-through reaches a forecast, and the verbose run shows a labelled bar
    assert "Forecast of 5 steps written to forecast.csv" in fresh["fill"]
    assert "holdout fit (LSTMForecaster): 100%|" in fresh["verbose"]
    assert (tmp_path / "sp500.png").stat().st_size > 10_000
