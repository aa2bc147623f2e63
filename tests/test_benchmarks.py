"""The benchmark scripts run end to end in their --quick mode, and follow the protocol."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tsforecast.datasets import load_etth1
from tsforecast.models import ESTIMATORS

ROOT = Path(__file__).resolve().parents[1]


def _run(script, out, *args):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick",
                           "--out", str(out), *args], env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return done


@pytest.mark.slow
def test_ett_quick_runs_every_model_and_follows_the_protocol(tmp_path):
    _run("ett.py", tmp_path)
    rows = json.loads((tmp_path / "ett.json").read_text())
    expected = {c.__name__.removesuffix("Forecaster") for c in ESTIMATORS}
    expected |= {"baseline/last", "baseline/snaive24", "baseline/ridge"}
    for setting in ("M", "S"):
        models = {r["model"] for r in rows if r["setting"] == setting}
        assert models == expected
    for r in rows:  # quick: 600 rows, test [480 - 24, 600), horizon 12
        assert r["windows"] == 600 - 12 - 480 + 1 and np.isfinite([r["MSE"], r["MAE"]]).all()
        assert r["peak_mb"] > 0 and r["train_s"] >= 0
    # the last-value baseline, recomputed by hand from the protocol
    ot = load_etth1()["OT"].to_numpy()[:600]
    z = (ot - ot[:360].mean()) / ot[:360].std()
    origins = np.arange(480, 600 - 12 + 1)
    errors = z[origins[:, None] + np.arange(12)] - z[origins - 1][:, None]
    last = next(r for r in rows if r["model"] == "baseline/last" and r["setting"] == "S")
    assert last["MSE"] == pytest.approx((errors ** 2).mean())
    assert last["MAE"] == pytest.approx(np.abs(errors).mean())
    report = (tmp_path / "ett.md").read_text()
    assert "## Protocol" in report and "| SegRNN | 0.368 |" in report
    assert (tmp_path / "ett.csv").read_text().startswith("model,setting,H,seed,MSE,MAE")


def test_ett_set_overrides_parameters_and_append_keeps_earlier_rows(tmp_path):
    _run("ett.py", tmp_path, "--models", "GRU", "ridge", "--settings", "S")
    first = {r["model"]: r for r in json.loads((tmp_path / "ett.json").read_text())}
    _run("ett.py", tmp_path, "--models", "GRU", "--settings", "S", "--set", "hidden_size=8",
         "--append")
    rows = json.loads((tmp_path / "ett.json").read_text())
    assert sorted(r["model"] for r in rows) == ["GRU", "baseline/ridge"]  # GRU replaced
    gru = next(r for r in rows if r["model"] == "GRU")
    assert gru["params"] < first["GRU"]["params"] and "--set hidden_size=8" in gru["command"]
    report = (tmp_path / "ett.md").read_text()
    assert "--models GRU ridge --settings S`" in report and "hidden_size=8 --append`" in report
    assert "parameters given with `--set`" in report
    combined = tmp_path / "combined"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ett.py"), "--combine",
                    str(tmp_path / "ett.csv"), "--out", str(combined)], check=True,
                   capture_output=True)
    assert json.loads((combined / "ett.json").read_text()) == rows
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ett.py"), "--set", "x"],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "--set expects NAME=VALUE" in bad.stderr


@pytest.mark.slow
def test_speed_quick_reports_training_prediction_and_memory(tmp_path):
    _run("speed.py", tmp_path)
    report = json.loads((tmp_path / "speed.json").read_text())
    assert [r["variant"] for r in report["training"]] == [
        "fused nn.LSTM", "layer_norm", "peephole", "layer_norm + peephole"]
    for r in report["training"]:
        assert r["estimator windows/s"] > 0 and r["bare loop windows/s"] > 0
    assert all(r["test windows"] == 109 and r["forecast s"] > 0 for r in report["prediction"])
    assert [(r["lookback"], r["series rows"]) for r in report["memory"]] == [
        (24, 360), (24, 600), (96, 360), (96, 600)]
    assert all(r["peak MB"] > 0 for r in report["memory"])
    fixed = report["framework overhead"]
    assert fixed["estimator CPU ms/step"] > 0 and fixed["bare loop CPU ms/step"] > 0
    assert "## Training throughput" in (tmp_path / "speed.md").read_text()


@pytest.mark.skipif(not Path("/work/shared/data/m4/Weekly-train.csv").exists(),
                    reason="the M4 Weekly files are not on this machine")
def test_intervals_quick_scores_both_sets_and_appends(tmp_path):
    _run("intervals.py", tmp_path, "--models", "Naive", "GRU", "--max-epochs", "1")
    rows = json.loads((tmp_path / "intervals.json").read_text())["rows"]
    assert {(r["dataset"], r["model"]) for r in rows} == {
        ("ETTh1-S", "Naive"), ("ETTh1-S", "GRU"), ("M4 Weekly", "Naive"), ("M4 Weekly", "GRU")}
    for r in rows:
        assert 0 <= r["cov80"] <= r["cov95"] <= 1 and r["MSIS"] > 0
        assert r["calibration_cpu_s"] >= 0 and r["calibration_origins"] > 0
    # the naive forecast of weekly data is M4's Naive2 (m = 1): OWA exactly 1
    naive = next(r for r in rows if r["dataset"] == "M4 Weekly" and r["model"] == "Naive")
    assert naive["OWA"] == pytest.approx(1.0)
    ett = next(r for r in rows if r["dataset"] == "ETTh1-S" and r["model"] == "GRU")
    assert ett["windows"] == 600 - 24 - 480 + 1  # every quick test window
    _run("intervals.py", tmp_path, "--models", "ETS", "--datasets", "m4", "--methods",
         "conformal", "native", "--append")
    rows = json.loads((tmp_path / "intervals.json").read_text())["rows"]
    assert len(rows) == 6 and {r["method"] for r in rows if r["model"] == "ETS"} == {
        "conformal", "native"}
    report = (tmp_path / "intervals.md").read_text()
    assert "published: ARIMA (auto)" in report and "19.58" in report


def _m4_or_skip():
    from tsforecast.datasets import load_m4

    try:
        load_m4("Weekly")
    except FileNotFoundError as err:
        if os.environ.get("CI") == "true":
            raise  # CI has a copy of shared/ beside the clone: never skip there
        pytest.skip(f"The M4 Weekly files are not available: {err}")


def test_m4_quick_scores_as_m4_and_appends_per_model(tmp_path):
    _m4_or_skip()
    _run("m4.py", tmp_path, "--models", "GRU", "Naive2")
    rows = {r["model"]: r for r in json.loads((tmp_path / "m4_weekly.json").read_text())}
    assert set(rows) == {"GRU", "baseline/Naive2"}
    assert rows["baseline/Naive2"]["OWA"] == pytest.approx(1.0)
    gru = rows["GRU"]
    assert gru["lookback"] == 51 and gru["epochs"] == 1 and gru["fit_cpu_s"] > 0
    assert np.isfinite([gru["sMAPE"], gru["MASE"], gru["OWA"]]).all()
    _run("m4.py", tmp_path, "--models", "Theta", "--append")
    rows = json.loads((tmp_path / "m4_weekly.json").read_text())
    assert sorted(r["model"] for r in rows) == ["GRU", "baseline/Naive2", "baseline/Theta"]
    report = (tmp_path / "m4_weekly.md").read_text()
    assert "| published/ES-RNN (Smyl) | 7.817 | 2.356 | 0.851 |" in report
    assert "--quick smoke test" in report and "Not run yet: LSTM, RNN, Transformer" in report


def test_scale_quick_measures_every_size_in_its_own_process(tmp_path):
    _run("scale.py", tmp_path, "--sizes", "30", "--long-rows", "20000")
    rows = json.loads((tmp_path / "scale.json").read_text())
    assert [(r["layout"], r["series"]) for r in rows] == [
        ("dict", 30), ("long_frame", 30), ("long_series", 1)]
    for r in rows:
        assert r["prep_s"] > 0 and r["batch_ms"] > 0 and r["peak_mb"] > r["input_mb"] > 0
        assert r["forecasts"] == r["series"] and r["epoch_s"] > r["sampler_s"]
    assert rows[0]["rows"] == rows[1]["rows"]  # the same series, held two ways
    assert (tmp_path / "scale.png").stat().st_size > 10_000
    assert "| dict | 30 |" in (tmp_path / "scale.md").read_text()


@pytest.mark.slow
def test_quantile_head_quick_reports_coverage_and_cqr(tmp_path):
    _run("quantile_head.py", tmp_path)
    rows = json.loads((tmp_path / "quantile_head.json").read_text())
    assert [(r["levels"], r["variant"]) for r in rows] == [
        ("0.1 / 0.5 / 0.9", "head"), ("0.1 / 0.5 / 0.9", "head + CQR"),
        ("0.025 / 0.5 / 0.975", "head"), ("0.025 / 0.5 / 0.975", "head + CQR")]
    for head, cqr in (rows[:2], rows[2:]):
        assert head["windows"] == 600 - 12 - 480 + 1 == cqr["windows"]
        assert head["calibration windows"] == 480 - 12 - 360 + 1
        assert head["pinball"] == cqr["pinball"] > 0  # CQR moves the interval only
        assert 0 <= head["coverage"] <= 1 and head["width"] > 0
        # two epochs leave the head far too narrow; the margin widens it to about nominal
        assert cqr["width"] > head["width"] and abs(cqr["coverage"] - cqr["nominal"]) < 0.1
    assert "## Protocol" in (tmp_path / "quantile_head.md").read_text()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_distributed_quick_reports_one_and_two_processes(tmp_path):
    _run("distributed.py", tmp_path, "--repeats", "1", "--datasets", "ETTh1-M")
    report = json.loads((tmp_path / "distributed.json").read_text())
    rows = {r["processes"]: r for r in report["rows"]}
    assert set(rows) == {1, 2} and report["load_before"] >= 0
    # quick: 325 training windows; 2 processes split them, batch 32 each
    assert rows[1]["steps"] == 11 and rows[2]["steps"] == 6
    assert rows[1]["samples"] == rows[2]["samples"] == 325
    assert all(np.isfinite([r["train_loss"], r["score"], r["fit_wall_s"]]).all()
               for r in rows.values())
    assert "| 2 |" in (tmp_path / "distributed.md").read_text()
