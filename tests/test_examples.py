"""The examples and the command line run end to end (their quick modes) and say something true."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforecast.cli import calendar_features

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(list(args))


def test_quickstart_prints_the_table_and_writes_the_plot(tmp_path, capsys):
    run_example("quickstart", "--quick", "--out", str(tmp_path / "q.png"))
    out = capsys.readouterr().out
    for row in ("LSTMForecaster", "seasonal naive (24h)", "naive (last value)",
                "coverage_0.9", "with a 90 % interval"):
        assert row in out
    assert (tmp_path / "q.png").stat().st_size > 10_000


def test_stock_example_rebuilds_prices_from_returns(tmp_path, capsys):
    table = run_example("stock_forecasting", "--quick", "--out", str(tmp_path / "s.png"))
    assert list(table.index) == ["GRUForecaster on log returns", "naive (random walk)",
                                 "historical drift"]
    # price errors of a week-ahead index forecast are a few percent, not more
    assert (table["MAPE %"] < 10).all() and (table["MAPE %"] > 0).all()
    assert (tmp_path / "s.png").exists()


def test_demand_example_compares_with_and_without_calendar(tmp_path, capsys):
    table = run_example("demand_forecasting", "--quick", "--out", str(tmp_path / "d.png"))
    assert set(table.index) == {"GRU + calendar covariates", "GRU, no covariates",
                                "seasonal naive (24 h)"}
    assert np.isfinite(table.to_numpy()).all()
    explained = (EXAMPLES / "demand_forecasting.py").read_text()
    assert "Why the calendar used to make the GRU worse" in explained
    assert (tmp_path / "d.png").stat().st_size > 10_000


def test_baselines_example_quick(capsys):
    table = run_example("baselines_airpassengers", "--quick")
    assert list(table.index) == ["NaiveForecaster", "SeasonalNaiveForecaster",
                                 "ETSForecaster A,A,M",
                                 "ARIMAForecaster (0,1,1)(0,1,1)12 on log(y)"]
    # the seasonal models beat the naive forecast on a strongly seasonal series
    assert table.loc["ETSForecaster A,A,M", "MAE"] < table.loc["NaiveForecaster", "MAE"]


def test_tuning_example_quick(tmp_path, capsys):
    run_example("tuning_etth1", "--quick", "--storage", f"sqlite:///{tmp_path / 'etth1.db'}")
    out = capsys.readouterr().out
    assert "trials: 3" in out and "best holdout MSE" in out and "seasonal naive" in out


def test_every_example_has_a_quick_mode_run_here():
    """The README promises --quick on every example; this file runs each one that way."""
    source = Path(__file__).read_text()
    for script in sorted(EXAMPLES.glob("*.py")):
        assert f'run_example("{script.stem}", "--quick"' in source, (
            f"examples/{script.name} is not run with --quick by tests/test_examples.py")
        assert '"--quick"' in script.read_text(), f"examples/{script.name} has no --quick"


def test_m4_weekly_example_quick_scores_a_global_model_against_naive2(tmp_path, capsys):
    import os

    from tsforecast.datasets import load_m4

    try:
        load_m4("Weekly")
    except FileNotFoundError as err:
        if os.environ.get("CI") == "true":
            raise  # CI has a copy of shared/ beside the clone: never skip there
        pytest.skip(f"The M4 Weekly files are not available: {err}")
    table = run_example("m4_weekly", "--quick", "--out", str(tmp_path / "m4.png"))
    assert list(table.index) == ["GRUForecaster (global)", "Naive2", "seasonal naive (52)"]
    assert table.loc["Naive2", "OWA"] == pytest.approx(1.0)
    assert np.isfinite(table.to_numpy()).all() and (table["sMAPE"] > 0).all()
    # a lookback the shortest series (80 weeks) allows: two horizons or a year, capped
    assert "M4 Weekly, 8 series, horizon 13, lookback 51" in capsys.readouterr().out
    assert (tmp_path / "m4.png").stat().st_size > 10_000


def test_calendar_features_follow_the_step():
    hourly = calendar_features(pd.date_range("2024-01-01", periods=48, freq="h"))
    assert list(hourly.columns) == ["hour_sin", "hour_cos", "dayofweek_sin", "dayofweek_cos",
                                    "month_sin", "month_cos"]
    np.testing.assert_allclose(hourly["hour_sin"].iloc[6], 1.0)
    daily = calendar_features(pd.date_range("2024-01-01", periods=30, freq="D"))
    assert "hour_sin" not in daily.columns and "dayofweek_sin" in daily.columns


def test_word_meaning_example_quick(capsys):
    run_example("word_meaning", "--quick")
    out = capsys.readouterr().out
    assert "['car', 'auto', 'automobile', 'machine', 'motorcar']" in out
    assert "word2vec: SkipGram on Penn Treebank" in out


def test_benchmark_docs_show_the_committed_results():
    """docs/benchmarks.md holds the generated reports unchanged (python benchmarks/update_docs.py)."""
    import re

    root = Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "benchmarks.md").read_text()
    for name in ("ett.md", "speed.md"):
        body = (root / "benchmarks" / "results" / name).read_text().rstrip("\n")
        body = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", body, flags=re.M)
        begin, end = f"<!-- BEGIN benchmarks/results/{name} -->", f"<!-- END benchmarks/results/{name} -->"
        shown = doc[doc.index(begin) + len(begin):doc.index(end)].strip("\n")
        assert shown == body, f"docs/benchmarks.md is stale for {name}: run benchmarks/update_docs.py"
