"""Shared fixtures: tiny series and settings that keep every test fast on 2 CPU cores."""

import numpy as np
import pandas as pd
import pytest
import torch

torch.set_num_threads(1)

CPU_QUIET = {"accelerator": "cpu"}
# Small windows and one epoch: the common checks test behaviour, not accuracy.
FAST = dict(lookback=24, horizon=6, max_epochs=1, random_state=0, trainer_kwargs=CPU_QUIET)


def seasonal(n=240, period=24, noise=0.1, seed=0, phase=0.0):
    """A noisy sine wave with a slow trend, hourly from 2024-01-01."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = (np.sin(2 * np.pi * t / period + phase) + 0.002 * t
              + noise * rng.standard_normal(n))
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="h"),
                     name="load")


@pytest.fixture
def sine_series():
    return seasonal()


@pytest.fixture
def sine_frame():
    return pd.DataFrame({"a": seasonal(seed=1), "b": seasonal(seed=2, phase=1.0)})


@pytest.fixture
def calendar():
    """Covariates known in advance over the fixture's span plus 24 future hours."""
    idx = pd.date_range("2024-01-01", periods=240 + 24, freq="h")
    return pd.DataFrame({"hour_sin": np.sin(2 * np.pi * idx.hour / 24),
                         "hour_cos": np.cos(2 * np.pi * idx.hour / 24)}, index=idx)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server for the session, from scripts/start-postgres.sh.

    Yields a dict with ``URL`` (role ``tsforecast``, owns database ``tsforecast``)
    and ``NOPERM_URL`` (a role that may not create tables). Skips with the
    reason where the server cannot be started, except on CI (``CI=true``),
    where that is a failure: CI must run these tests.
    """
    import os
    import subprocess
    from pathlib import Path

    def unavailable(reason):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run on CI)")
        pytest.skip(reason)

    try:
        import psycopg2  # noqa: F401
    except ImportError:
        unavailable("psycopg2 is not installed (pip install -e '.[dev]')")
    script = Path(__file__).resolve().parents[1] / "scripts" / "start-postgres.sh"
    try:
        proc = subprocess.run(["bash", str(script)], capture_output=True, text=True,
                              timeout=600)
    except subprocess.TimeoutExpired:
        unavailable("scripts/start-postgres.sh did not start PostgreSQL within 600 s")
    if proc.returncode != 0:
        unavailable(f"PostgreSQL could not be started: {proc.stderr.strip()[-800:]}")
    info = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    yield info
    subprocess.run(["bash", "-c", info["STOP"]], timeout=120)
