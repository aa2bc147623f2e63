"""Data-parallel training on 2 CPU processes (gloo), from pytest, a script and ``python -c``.

Every test that starts processes has a timeout, so that a hang fails the
suite instead of stalling it. World size 2 and tiny series keep each launch
to seconds plus the workers' start-up (importing torch and Lightning).
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import pytorch_lightning as pl
import torch

from .conftest import seasonal
from tsforecast import LSTMForecaster, load
from tsforecast._distributed import processes_to_launch, sharded_data
from tsforecast.data.splits import chronological_spans
from tsforecast.data.windows import WindowDataset, collate_batch
from tsforecast.model_selection import backtest
from tsforecast.nlp import CBOW, RNNLM

ROOT = Path(__file__).resolve().parent.parent
DDP = {"accelerator": "cpu", "devices": 2, "strategy": "ddp"}
# scaling=None, loss="mse": the validation loss is an MSE on raw values, checkable by hand
# below; dropout=0: the same model whichever launcher seeded the ranks.
SETTINGS = dict(lookback=24, horizon=6, hidden_size=8, max_epochs=3, patience=None,
                scaling=None, loss="mse", dropout=0.0, validation_size=0.25, random_state=0)
FIT = textwrap.dedent("""
    import json, sys
    import torch
    torch.set_num_threads(1)
    sys.path.insert(0, {root!r})
    from tests.conftest import seasonal
    from tsforecast import LSTMForecaster
    est = LSTMForecaster(**{settings!r}, trainer_kwargs={ddp!r}).fit(seasonal(n=300))
    print("FORECAST", json.dumps(est.predict().tolist()))
""")

needs_two_cpus = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2 and os.environ.get("CI") != "true",
    reason="two training processes need 2 CPU cores")


@pytest.fixture(scope="module")
def ddp_fit():
    y = seasonal(n=300)
    return LSTMForecaster(**SETTINGS, trainer_kwargs=DDP).fit(y), y


def run_python(args, timeout=240):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("FORECAST"))
    return np.array(json.loads(line.split(" ", 1)[1]))


# ------------------------------------------------------------------ two processes
@needs_two_cpus
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_processes_return_the_best_model_to_the_caller(ddp_fit, tmp_path):
    est, y = ddp_fit
    history = pd.DataFrame(est.history_)
    assert list(history["epoch"]) == [0, 1, 2]
    assert history[["train_loss", "val_loss"]].notna().all().all()
    assert est.best_epoch_ == int(history["val_loss"].idxmin())
    # The validation loss is the mean over ALL validation windows (both ranks' shards,
    # none repeated), and the returned weights are those of the best epoch: recompute it
    # here, in one process, from the returned network.
    values = y.to_numpy()[:, None]
    spans = chronological_spans(len(y), lookback=24, horizon=6, validation_size=0.25)
    origins = np.arange(spans.validation[0], spans.validation[1] - 6 + 1)
    pred = est.forecast_origins(values, origins, 6)
    true = np.stack([values[o:o + 6] for o in origins])
    assert np.mean((pred - true) ** 2) == pytest.approx(history["val_loss"].min(), rel=1e-5)
    # predict, save/load and backtest work in the caller's process
    forecast = est.predict()
    assert forecast.shape == (6,) and np.isfinite(forecast).all()
    est.save(tmp_path / "ddp.tsf")
    pd.testing.assert_series_equal(load(tmp_path / "ddp.tsf").predict(), forecast)
    result = backtest(est, seasonal(n=360), start=300, step=6)
    assert np.isfinite(result.metrics.to_numpy(dtype=float)).all()


@needs_two_cpus
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_python_c_gives_the_same_model(ddp_fit):
    # Same seed and world size: the same model from pytest and from ``python -c`` (where
    # Lightning's "ddp" launcher, which re-runs sys.argv, cannot start the other rank).
    # A script behaves as ``python -c``: the workers never import the caller's __main__.
    code = FIT.format(root=str(ROOT), settings=SETTINGS, ddp=DDP)
    np.testing.assert_array_equal(run_python(["-c", code]), ddp_fit[0].predict().to_numpy())


def test_one_process_and_two_differ_only_by_the_data_split(ddp_fit):
    # Not the same numbers (each step sees half the windows), but the same kind of run.
    single = LSTMForecaster(**SETTINGS, trainer_kwargs={"accelerator": "cpu"}).fit(ddp_fit[1])
    assert len(single.history_) == len(ddp_fit[0].history_)
    assert not np.allclose(single.predict(), ddp_fit[0].predict())


class RaiseOnRank(pl.Callback):
    """Fails on one rank only, after the process group is up: the other rank would wait."""

    def __init__(self, rank):
        self.rank = rank

    def on_train_epoch_start(self, trainer, pl_module):
        if trainer.global_rank == self.rank:
            raise ValueError(f"boom on rank {self.rank}")


@needs_two_cpus
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_failing_rank_raises_its_error_in_the_caller_and_stops_the_others():
    est = LSTMForecaster(**{**SETTINGS, "max_epochs": 50},
                         trainer_kwargs={**DDP, "callbacks": [RaiseOnRank(1)]})
    with pytest.raises(ValueError, match="boom on rank 1") as info:
        est.fit(seasonal(n=300))
    assert "Raised in training process 1 of 2" in "".join(info.value.__notes__)
    assert not hasattr(est, "network_")


@needs_two_cpus
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_rnnlm_trains_on_two_processes_with_its_streams_split():
    text = " ".join(["the cat sat on the mat", "a dog ran in the park"] * 40)
    kwargs = dict(hidden_size=8, embedding_size=8, batch_size=4, bptt=8, max_epochs=2,
                  random_state=0)
    lm = RNNLM(**kwargs, trainer_kwargs=DDP).fit(text, validation=text[:400])
    single = RNNLM(**kwargs, trainer_kwargs={"accelerator": "cpu"}).fit(
        text, validation=text[:400])
    assert len(lm.history_) == 2 and all(np.isfinite(r["val_loss"]) for r in lm.history_)
    # Each process reads 2 of the 4 streams in order; the network learns as in one process.
    assert lm.history_[-1]["val_loss"] < lm.history_[0]["train_loss"]
    assert lm.history_[-1]["val_loss"] == pytest.approx(single.history_[-1]["val_loss"],
                                                        rel=0.2)


# ------------------------------------------------------------------ sharding, no processes
class _Trainer:
    def __init__(self, world_size, global_rank):
        self.world_size, self.global_rank = world_size, global_rank


def _shards(loader, val_loader, seed_epoch=0):
    out = []
    for rank in range(2):
        data = sharded_data(loader, val_loader)
        data.trainer = _Trainer(2, rank)
        train = data.train_dataloader()
        train.sampler.set_epoch(seed_epoch)
        out.append((train, data.val_dataloader()))
    return out


def test_each_rank_reads_its_own_shard_of_the_windows():
    series = torch.arange(200, dtype=torch.float32)[:, None]
    dataset = WindowDataset(series, np.arange(150), lookback=10, horizon=2, n_targets=1)
    val = WindowDataset(series, np.arange(150, 189), lookback=10, horizon=2, n_targets=1)
    loader = torch.utils.data.DataLoader(dataset, batch_size=16, shuffle=True,
                                         generator=torch.Generator().manual_seed(3),
                                         collate_fn=collate_batch)
    val_loader = torch.utils.data.DataLoader(val, batch_size=16, collate_fn=collate_batch)

    def starts(dl):  # the first input value of a window is its start row
        return [int(s) for (past, _), _ in dl for s in past[:, 0, 0]]

    (t0, v0), (t1, v1) = _shards(loader, val_loader)
    a, b = starts(t0), starts(t1)
    assert len(a) == len(b) == 75 and sorted(a + b) == list(range(150))  # a partition
    assert a != sorted(a)  # shuffled ...
    assert [starts(t) for t, _ in _shards(loader, val_loader)] == [a, b]  # ... by the seed
    assert [starts(t) for t, _ in _shards(loader, val_loader, seed_epoch=1)] != [a, b]
    va, vb = starts(v0), starts(v1)  # validation: every window exactly once
    assert sorted(va + vb) == list(range(150, 189)) and len(va) == 20 and len(vb) == 19


def test_iterable_data_cannot_be_sharded():
    class Stream(torch.utils.data.IterableDataset):
        def __iter__(self):
            yield from range(3)

    with pytest.raises(TypeError, match="iterable dataset .*Stream.* devices=1"):
        sharded_data(torch.utils.data.DataLoader(Stream()))
    # CBOW draws its batches from one: refused before any process starts
    with pytest.raises(TypeError, match=r"training data is an iterable dataset \(_Batches\)"):
        CBOW(vector_size=4, min_count=1, max_epochs=1, trainer_kwargs=DDP).fit(
            ["the cat sat on the mat", "a dog ran in the park"] * 5)


# ------------------------------------------------------------------ bad input, no processes
@pytest.mark.parametrize("settings, match", [
    ({"accelerator": "cpu", "devices": 512, "strategy": "ddp"},
     r"devices'\]=512 asks for 512 training processes, but this machine has \d+ CPU cores"),
    ({"accelerator": "cpu", "devices": 2, "strategy": "dpp"},
     r"strategy'\] must be 'auto', a Lightning strategy name .* Got 'dpp'.*'ddp'"),
    ({"accelerator": "cpu", "devices": 1, "num_nodes": 2, "strategy": "ddp"},
     r"num_nodes'\]=2 needs one process per device on every node, started by a cluster "
     r"launcher \(torchrun --nnodes 2"),
    ({"accelerator": "cpu", "devices": 0}, r"devices'\] must be a positive int"),
])
def test_bad_multi_process_settings_are_clear_errors(settings, match):
    with pytest.raises(ValueError, match=match):
        processes_to_launch(settings)
    est = LSTMForecaster(**{**SETTINGS, "max_epochs": 1}, trainer_kwargs=settings)
    with pytest.raises(ValueError, match=match):
        est.fit(seasonal(n=300))


def test_what_cannot_be_sent_to_the_processes_is_a_clear_error():
    callback = pl.callbacks.LambdaCallback(on_train_start=lambda trainer, module: None)
    est = LSTMForecaster(**SETTINGS, trainer_kwargs={**DDP, "callbacks": [callback]})
    with pytest.raises(TypeError, match=r"one of them cannot be pickled .*Define custom "
                                        r"classes at module level in an importable module"):
        est.fit(seasonal(n=300))


def test_one_process_settings_launch_nothing_and_leave_the_environment_alone(monkeypatch):
    assert processes_to_launch({"accelerator": "cpu"}) == 0
    one = {"accelerator": "cpu", "devices": 1, "strategy": "ddp"}
    assert processes_to_launch(one) == 0
    # "ddp" on one device trains without a process group, so Lightning's launcher does not
    # leave LOCAL_RANK & co. behind (they would make the next fit look externally launched).
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    LSTMForecaster(**{**SETTINGS, "max_epochs": 1}, trainer_kwargs=one).fit(seasonal(n=300))
    assert "LOCAL_RANK" not in os.environ and not torch.distributed.is_initialized()
    # ... and where another library left it, fit still starts its own processes.
    monkeypatch.setenv("LOCAL_RANK", "0")
    assert processes_to_launch(DDP) == 2
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "x")  # under torchrun: train in place
    assert processes_to_launch(DDP) == 0


# ------------------------------------------------------------------ two "nodes" over loopback
NODE = textwrap.dedent("""
    import json, os, sys
    import torch
    torch.set_num_threads(1)
    sys.path.insert(0, {root!r})
    from tests.conftest import seasonal
    from tsforecast import LSTMForecaster
    kwargs = {{"accelerator": "cpu", "devices": 1, "num_nodes": 2, "strategy": "ddp"}}
    est = LSTMForecaster(**{settings!r}, trainer_kwargs=kwargs).fit(seasonal(n=300))
    print("FORECAST", json.dumps(est.predict().tolist()))
    print("RANK", os.environ["RANK"], "of", os.environ["WORLD_SIZE"])
""")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@needs_two_cpus
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_nodes_under_torchrun_train_the_same_model(ddp_fit, tmp_path):
    # The cluster recipe on one machine: two torchrun "nodes" over loopback, one
    # process each. Lightning finds torchrun's environment; fit trains in place.
    script = tmp_path / "node.py"
    script.write_text(NODE.format(root=str(ROOT), settings=SETTINGS))
    port = str(_free_port())
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    nodes = [subprocess.Popen(
        [sys.executable, "-m", "torch.distributed.run", "--nnodes", "2", "--nproc-per-node",
         "1", "--node-rank", str(rank), "--master-addr", "127.0.0.1", "--master-port", port,
         str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        cwd=tmp_path) for rank in (0, 1)]
    try:
        outputs = [node.communicate(timeout=240)[0] for node in nodes]
    finally:
        for node in nodes:
            if node.poll() is None:
                node.kill()
    for node, out in zip(nodes, outputs):
        assert node.returncode == 0, out[-3000:]
    assert "RANK 0 of 2" in outputs[0] and "RANK 1 of 2" in outputs[1]
    forecasts = [np.array(json.loads(ln.split(" ", 1)[1])) for out in outputs
                 for ln in out.splitlines() if ln.startswith("FORECAST")]
    # Every node ends with the same weights, and they are those of the one-machine launch.
    np.testing.assert_array_equal(forecasts[0], forecasts[1])
    np.testing.assert_allclose(forecasts[0], ddp_fit[0].predict().to_numpy(), rtol=1e-6)
