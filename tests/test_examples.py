"""The examples and the command line run end to end (their quick modes) and say something true."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforecast.cli import calendar_features, main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(list(args))


def test_quickstart_prints_the_table_and_writes_the_plot(tmp_path, capsys):
    run_example("quickstart", "--quick", "--out", str(tmp_path / "q.png"))
    out = capsys.readouterr().out
    for row in ("LSTMForecaster", "seasonal naive (24h)", "naive (last value)"):
        assert row in out
    assert (tmp_path / "q.png").stat().st_size > 10_000


def test_stock_example_rebuilds_prices_from_returns(tmp_path, capsys):
    table = run_example("stock_forecasting", "--quick", "--out", str(tmp_path / "s.png"))
    assert list(table.index) == ["GRUForecaster on log returns", "naive (random walk)",
                                 "historical drift"]
    # price errors of a week-ahead index forecast are a few percent, not more
    assert (table["MAPE %"] < 10).all() and (table["MAPE %"] > 0).all()
    assert (tmp_path / "s.png").exists()


def test_demand_example_compares_with_and_without_calendar(capsys):
    table = run_example("demand_forecasting", "--quick")
    assert set(table.index) == {"GRU + calendar covariates", "GRU, no covariates",
                                "seasonal naive (24 h)"}
    assert np.isfinite(table.to_numpy()).all()


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


@pytest.fixture
def csv_file(tmp_path):
    idx = pd.date_range("2024-01-01", periods=600, freq="h")
    rng = np.random.default_rng(0)
    sales = 10 + np.sin(2 * np.pi * idx.hour / 24) + 0.1 * rng.standard_normal(600)
    path = tmp_path / "sales.csv"
    pd.DataFrame({"date": idx, "sales": sales}).to_csv(path, index=False)
    return path


def test_cli_forecasts_a_csv(csv_file, tmp_path, capsys):
    out_csv, plot, model = tmp_path / "f.csv", tmp_path / "f.png", tmp_path / "m.tsf"
    code = main(["forecast", str(csv_file), "--target", "sales", "--time-column", "date",
                 "--lookback", "24", "--horizon", "12", "--max-epochs", "3", "--season", "24",
                 "--calendar", "--output", str(out_csv), "--plot", str(plot),
                 "--save", str(model)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Holdout backtest" in printed and "seasonal naive (24)" in printed
    forecast = pd.read_csv(out_csv, index_col=0, parse_dates=True)
    assert len(forecast) == 12 and forecast.index[0] == pd.Timestamp("2024-01-26 00:00")
    assert plot.exists() and model.exists()
    import tsforecast

    assert tsforecast.load(model).covariate_names_[:2] == ["hour_sin", "hour_cos"]


def test_cli_reports_bad_arguments(csv_file, capsys):
    with pytest.raises(SystemExit, match="columns \\['price'\\] are not in"):
        main(["forecast", str(csv_file), "--target", "price", "--time-column", "date"])
    with pytest.raises(SystemExit, match="does not exist"):
        main(["forecast", "missing.csv"])
    with pytest.raises(SystemExit, match="--holdout 5 must be between the horizon"):
        main(["forecast", str(csv_file), "--target", "sales", "--time-column", "date",
              "--horizon", "12", "--holdout", "5"])


def test_console_script_runs():
    import subprocess

    script = Path(sys.executable).parent / "tsforecast"
    done = subprocess.run([str(script), "forecast", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "--lookback" in done.stdout and "--calendar" in done.stdout


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
