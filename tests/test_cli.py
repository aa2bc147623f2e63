"""The command line on ordinary CSV files: what it detects, what it says, and its exit codes.

Every test runs the real command (``main([...])`` in-process, or the console
script in a subprocess) on a small dated CSV written here.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforecast.cli import main

QUICK = ["--lookback", "14", "--horizon", "7", "--max-epochs", "1", "--holdout", "14"]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """Run every command in a scratch folder: the default outputs never land in the repo."""
    monkeypatch.chdir(tmp_path)


def daily(n=120, start="2024-02-01", seed=0):
    idx = pd.date_range(start, periods=n, freq="D")
    rng = np.random.default_rng(seed)
    rate = 1.1 + 0.02 * np.sin(2 * np.pi * np.arange(n) / 7) + 0.005 * rng.standard_normal(n)
    return idx, rate.round(4)


def write(tmp_path, frame, name="rates.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def run(capsys, *argv):
    """Exit code, stdout and stderr (messages unwrapped: they are wrapped to the terminal)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())


@pytest.fixture
def rates(tmp_path):
    """Exchange rates with the date column in the middle, written day first (31/12/2024)."""
    idx, rate = daily()
    frame = pd.DataFrame({"USD": rate, "date": idx.strftime("%d/%m/%Y"), "GBP": rate * 0.8})
    return write(tmp_path, frame)


def test_finds_the_time_column_anywhere_and_says_which(tmp_path, capsys):
    idx, rate = daily(start="2024-02-13")  # first row unambiguous: pandas reads it day first
    frame = pd.DataFrame({"USD": rate, "date": idx.strftime("%d/%m/%Y")})
    out_csv = tmp_path / "f.csv"
    code, out, err = run(capsys, "forecast", write(tmp_path, frame), *QUICK,
                         "--output", out_csv)
    assert code == 0, err
    assert "time column: 'date' (detected; pass --time-column to choose another)" in err
    assert "Holdout backtest" in out and "LSTMForecaster" in out
    forecast = pd.read_csv(out_csv, index_col="date", parse_dates=True)
    assert list(forecast.columns) == ["USD"]
    assert list(forecast.index) == list(pd.date_range(idx[-1], periods=8, freq="D")[1:])


def test_ambiguous_day_first_dates_need_dayfirst(rates, tmp_path, capsys):
    # 01/02/2024 reads as 2 January month first; the 13th row (13/02/2024) cannot.
    code, out, err = run(capsys, "forecast", rates, *QUICK)
    assert code == 2 and out == ""
    assert "the time column 'date' has '13/02/2024' on line 14" in err
    assert "pass --dayfirst" in err and "Traceback" not in err
    out_csv = tmp_path / "f.csv"
    for option in (["--dayfirst"], ["--date-format", "%d/%m/%Y"]):
        code, out, err = run(capsys, "forecast", rates, *QUICK, "--target", "USD",
                             "--output", out_csv, *option)
        assert code == 0, err
        first = pd.read_csv(out_csv, index_col=0, parse_dates=True).index[0]
        assert first == pd.Timestamp("2024-05-31")  # 120 days from 1 February, plus one


def test_a_wrong_date_format_names_the_line_and_the_option(rates, capsys):
    code, _, err = run(capsys, "forecast", rates, *QUICK, "--date-format", "%Y-%m-%d")
    assert code == 2
    assert "'01/02/2024' on line 2, which does not match --date-format '%Y-%m-%d'" in err


def test_a_text_cell_names_its_line_and_value(tmp_path, capsys):
    idx, rate = daily()
    frame = pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "USD": rate.astype(object)})
    frame.loc[30, "USD"] = "?"
    path = write(tmp_path, frame)
    code, _, err = run(capsys, "forecast", path, *QUICK)
    assert code == 2
    assert "column 'USD' has 1 cell(s) that are not numbers, the first '?' on line 32" in err
    assert "--na-values '?'" in err
    code, _, err = run(capsys, "forecast", path, *QUICK, "--na-values", "?",
                       "--fill", "interpolate")
    assert code == 0, err
    assert "filled 1 empty cell(s) with --fill interpolate" in err


def test_missing_cells_ask_for_fill(tmp_path, capsys):
    idx, rate = daily()
    frame = pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "USD": rate.astype(object)})
    frame.loc[[40, 41], "USD"] = "n/a"
    path = write(tmp_path, frame)
    code, _, err = run(capsys, "forecast", path, *QUICK)
    assert code == 2
    assert "2 cell(s) of the history are missing" in err
    assert "column 'USD' at 2024-03-12 (line 42)" in err
    assert "--fill ffill" in err and ".interpolate()" not in err
    out_csv = tmp_path / "f.csv"
    code, _, err = run(capsys, "forecast", path, *QUICK, "--fill", "ffill", "--output", out_csv)
    assert code == 0, err
    assert len(pd.read_csv(out_csv)) == 7


def test_gaps_suggest_freq_and_freq_aggregates(tmp_path, capsys):
    idx, rate = daily(n=200)
    keep = np.ones(len(idx), bool)
    keep[[50, 51, 90]] = False  # three missing days
    frame = pd.DataFrame({"when": idx[keep].strftime("%Y-%m-%d"), "sales": rate[keep] * 100})
    path = write(tmp_path, frame)
    code, _, err = run(capsys, "forecast", path, *QUICK)
    assert code == 2
    assert ("the time stamps in 'when' are not evenly spaced: the usual step is 1 day but 2 "
            "step(s) differ, the first from 2024-03-21 (line 51) to 2024-03-24 (line 52)") in err
    assert "Pass --freq D" in err
    code, _, err = run(capsys, "forecast", path, *QUICK, "--freq", "D")
    assert code == 2 and "(a step added by --freq)" in err
    out_csv = tmp_path / "weekly.csv"
    code, _, err = run(capsys, "forecast", path, "--freq", "W", "--agg", "sum", "--lookback",
                       "6", "--horizon", "2", "--holdout", "4", "--max-epochs", "1",
                       "--output", out_csv)
    assert code == 0, err
    weekly = pd.read_csv(out_csv, index_col=0, parse_dates=True)
    assert (weekly.index[1] - weekly.index[0]) == pd.Timedelta(days=7)
    assert weekly.index[0].day_name() == "Sunday"  # pandas' W ends weeks on Sunday
    code, _, err = run(capsys, "forecast", path, "--freq", "fortnightly")
    assert code == 2 and "--freq 'fortnightly' is not a pandas frequency" in err


def test_duplicated_stamps_suggest_agg(tmp_path, capsys):
    idx, rate = daily()
    frame = pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "y": rate})
    frame = pd.concat([frame.iloc[:10], frame.iloc[9:10], frame.iloc[10:]])
    code, _, err = run(capsys, "forecast", write(tmp_path, frame), *QUICK)
    assert code == 2
    assert "has the time stamp '2024-02-10' twice (lines 11 and 12)" in err
    assert "--agg" in err


def test_text_columns_are_skipped_unless_chosen(tmp_path, capsys):
    idx, rate = daily()
    frame = pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "currency": "USD", "rate": rate})
    path = write(tmp_path, frame)
    code, _, err = run(capsys, "forecast", path, *QUICK, "--output", tmp_path / "f.csv")
    assert code == 0, err
    assert "skipping column 'currency': it holds text (e.g. 'USD' on line 2)" in err
    assert "targets: ['rate']" in err
    code, _, err = run(capsys, "forecast", path, *QUICK, "--target", "currency")
    assert code == 2 and "column 'currency' holds text" in err and "--target" in err


def test_input_errors_exit_2_in_cli_terms(tmp_path, capsys):
    idx, rate = daily(n=40)
    path = write(tmp_path, pd.DataFrame({"date": idx, "y": rate}))
    code, _, err = run(capsys, "forecast", path, "--lookback", "30", "--horizon", "7")
    assert code == 2
    assert "the series has 40 rows, too few for --lookback 30 and --horizon 7" in err
    code, _, err = run(capsys, "forecast", tmp_path / "missing.csv")
    assert code == 2 and "missing.csv does not exist" in err
    code, _, err = run(capsys, "forecast", path, "--target", "price")
    assert code == 2 and "columns ['price'] are not in" in err
    code, _, err = run(capsys, "forecast", path, "--horizon", "soon")  # argparse's own check
    assert code == 2 and "argument --horizon: invalid int value: 'soon'" in err
    code, _, err = run(capsys, "forecast", path, "--quiet", "--verbose")
    assert code == 2 and "not allowed with argument" in err


def test_too_short_for_training_before_the_holdout(tmp_path, capsys):
    idx, rate = daily(n=45)
    path = write(tmp_path, pd.DataFrame({"date": idx, "y": rate}))
    code, _, err = run(capsys, "forecast", path, "--lookback", "20", "--horizon", "7",
                       "--holdout", "18", "--max-epochs", "1")
    assert code == 2
    assert "the 27 rows before the holdout are too few to train with --lookback 20" in err
    assert "Pass a smaller --lookback, --horizon or --holdout." in err
    assert "validation_size" not in err


def test_library_errors_name_the_cli_option(tmp_path, capsys):
    idx, rate = daily()
    path = write(tmp_path, pd.DataFrame({"date": idx, "y": rate}))
    code, _, err = run(capsys, "forecast", path, *QUICK, "--max-epochs", "0")
    assert code == 2
    assert ("The --max-epochs parameter of LSTMForecaster must be a positive int. Got 0 "
            "instead.") in err


def test_a_training_failure_exits_1(tmp_path, capsys, monkeypatch):
    import torch

    from tsforecast._training import TrainingModule

    idx, rate = daily()
    path = write(tmp_path, pd.DataFrame({"date": idx, "y": rate}))

    def nan_loss(self, batch, training=False):
        return torch.tensor(float("nan"), requires_grad=True), 1

    monkeypatch.setattr(TrainingModule, "_loss", nan_loss)
    code, out, err = run(capsys, "forecast", path, *QUICK)
    assert code == 1
    assert "training failed during the holdout fit (LSTMForecaster): The training loss " \
           "became nan" in err


def test_help_shows_defaults_examples_and_exit_codes(capsys):
    code, out, _ = run(capsys, "forecast", "--help")
    assert code == 0
    assert "past steps each forecast reads (default: 48)" in out
    assert "--fill {none,ffill,interpolate,zero}" in out and "(default: none)" in out
    assert "examples:" in out and "tsforecast forecast rates.csv --target USD --dayfirst" in out
    assert "exit codes: 0 success, 2 usage or input error, 1 training failed" in out
    assert "(default: None)" not in out and "``" not in out
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "forecast" in out


def test_quiet_and_verbose(rates, tmp_path, capsys):
    args = ["forecast", rates, *QUICK, "--dayfirst", "--target", "USD", "--season", "7",
            "--output", tmp_path / "f.csv"]
    code, out, err = run(capsys, *args, "--quiet")
    assert code == 0 and err == ""
    assert "seasonal naive (7)" in out
    code, out, err = run(capsys, *args, "--verbose")
    assert code == 0
    # one labelled bar per fit, on stderr, with the losses; the table alone on stdout
    assert "holdout fit (LSTMForecaster):" in err and "final fit (LSTMForecaster):" in err
    assert "epoch 1/1, train_loss=" in err and "val_loss=" in err
    assert "%|" not in out and "Epoch" not in out
    for noise in ("GPU available", "Tip:", "Trainable params", "LeafSpec", "Trainer.fit"):
        assert noise not in err + out


def test_console_script_on_a_dated_csv(tmp_path):
    """The installed command, as a user types it, in a non-interactive shell."""
    idx, rate = daily(start="2024-02-13")
    frame = pd.DataFrame({"value": rate, "date": idx.strftime("%Y-%m-%d")})
    path = write(tmp_path, frame)
    plot = tmp_path / "f.png"
    done = subprocess.run(
        [sys.executable, "-m", "tsforecast.cli", "forecast", str(path), *QUICK, "--plot",
         str(plot), "--output", str(tmp_path / "f.csv")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**__import__("os").environ, "CI": "true"})
    assert done.returncode == 0, done.stderr
    assert "Forecast of 7 steps written to" in done.stdout
    assert "%|" not in done.stderr  # no progress bar under CI
    assert plot.stat().st_size > 10_000
    done = subprocess.run([sys.executable, "-m", "tsforecast.cli", "forecast",
                           str(tmp_path / "nope.csv")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 2 and done.stderr.startswith("tsforecast: error:")
    script = Path(sys.executable).parent / "tsforecast"
    if script.exists():
        done = subprocess.run([str(script), "forecast", "--help"], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0 and "--dayfirst" in done.stdout


@pytest.fixture
def csv_file(tmp_path):
    idx = pd.date_range("2024-01-01", periods=600, freq="h")
    rng = np.random.default_rng(0)
    sales = 10 + np.sin(2 * np.pi * idx.hour / 24) + 0.1 * rng.standard_normal(600)
    path = tmp_path / "sales.csv"
    pd.DataFrame({"date": idx, "sales": sales}).to_csv(path, index=False)
    return path


def test_calendar_covariates_and_save(csv_file, tmp_path, capsys):
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


def test_future_covariate_rows_are_not_filled(tmp_path, capsys):
    idx, rate = daily(n=127)
    promo = (np.arange(127) % 7 == 0).astype(float)
    sales = pd.Series(rate * 100, dtype=object)
    sales.iloc[120:] = ""  # the forecast span: covariates known, targets empty
    sales.iloc[60] = "n/a"
    frame = pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "sales": sales, "promo": promo})
    out_csv = tmp_path / "f.csv"
    code, _, err = run(capsys, "forecast", write(tmp_path, frame), *QUICK, "--target", "sales",
                       "--covariates", "promo", "--fill", "ffill", "--output", out_csv)
    assert code == 0, err
    assert "filled 1 empty cell(s)" in err
    forecast = pd.read_csv(out_csv, index_col=0, parse_dates=True)
    assert list(forecast.index) == list(idx[120:])


def _stores(tmp_path, lengths=(120, 100, 140)):
    """A long CSV: three stores of different lengths, start dates and levels, rows interleaved."""
    frames = []
    for i, n in enumerate(lengths):
        idx, rate = daily(n=n, start=f"2024-02-0{1 + i}", seed=i)
        frames.append(pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "store": f"s{i}",
                                    "sales": rate * 10 ** i}))
    return write(tmp_path, pd.concat(frames).sample(frac=1.0, random_state=0), "stores.csv")


def test_id_column_reads_a_long_csv_and_writes_long_forecasts(tmp_path, capsys):
    out_csv = tmp_path / "f.csv"
    code, out, err = run(capsys, "forecast", _stores(tmp_path), "--id-column", "store",
                         "--target", "sales", *QUICK, "--output", out_csv)
    assert code == 0, err
    assert "3 series by 'store': one global model over all of them" in err
    assert "the last 14 rows of each of 3 series" in out
    forecast = pd.read_csv(out_csv, parse_dates=["date"])
    assert list(forecast.columns) == ["store", "date", "sales"]
    assert sorted(forecast["store"].unique()) == ["s0", "s1", "s2"]
    for i, n in enumerate((120, 100, 140)):
        rows = forecast[forecast["store"] == f"s{i}"]
        last = pd.Timestamp(f"2024-02-0{1 + i}") + pd.Timedelta(days=n - 1)
        assert list(rows["date"]) == list(pd.date_range(last, periods=8, freq="D")[1:])
        # each store is forecast at its own level (1, 10, 100)
        assert 0.5 * 10 ** i < rows["sales"].mean() < 2 * 10 ** i


def test_id_column_errors_name_the_series_and_the_option(tmp_path, capsys):
    path = _stores(tmp_path, lengths=(120, 20, 140))
    code, out, err = run(capsys, "forecast", path, "--id-column", "shop", *QUICK)
    assert code == 2 and "--id-column 'shop' is not a column of" in err
    code, out, err = run(capsys, "forecast", path, "--id-column", "store", "--target", "sales",
                         *QUICK)
    assert code == 2
    assert "series 's1', the shortest: the series has 20 rows, too few for --lookback 14" in err
