"""Data-parallel (DDP) training from a library call: launching, sharding, checks.

``fit`` with ``trainer_kwargs={"devices": 2, "strategy": "ddp"}`` is a
library call, made from a script, ``python -c``, pytest or a notebook.
Lightning's own launchers do not fit that call: ``strategy="ddp"`` re-runs
``sys.argv`` once per extra process (the whole test session under pytest,
nothing at all under ``python -c``), and ``"ddp_spawn"`` re-imports the
caller's ``__main__``, ships the tensors through shared memory and sends only
rank 0's weights and metrics back (``_collect_rank_zero_results``), not the
callbacks' state that ``history_`` and ``best_epoch_`` come from.

So :func:`launch` starts the processes itself: ``python -m
tsforecast._distributed JOB_DIR RANK`` once per rank, with the environment
variables of Lightning's own cluster environment (``MASTER_ADDR``,
``MASTER_PORT``, ``WORLD_SIZE``, ``NODE_RANK``, ``LOCAL_RANK``), so that each
worker's Trainer joins the process group as an externally launched process.
The job (module and loaders) travels in a file written with ``torch.save``,
the result of rank 0 (weights, history, best epoch) comes back the same way,
and a rank that fails stops the others and its exception is raised in the
caller. Processes started by a cluster launcher (torchrun, srun) train in
place: :func:`launched_externally`.

:class:`ShardedData` gives every rank its own shard of the training windows
(``DistributedSampler`` seeded with the loader's seed, so the shuffle is the
same for a fixed seed and world size) and of the validation windows (no
window repeated, so the validation loss reduced across ranks is the mean over
all windows exactly).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import pytorch_lightning as pl
import torch
from lightning_fabric.plugins.environments import (
    LSFEnvironment,
    MPIEnvironment,
    SLURMEnvironment,
    TorchElasticEnvironment,
)
from pytorch_lightning.overrides.distributed import UnrepeatedDistributedSampler
from pytorch_lightning.strategies import StrategyRegistry
from torch.utils.data import DataLoader, DistributedSampler, IterableDataset, RandomSampler

from .exceptions import TrainingError

__all__ = ["launch", "launched_externally", "processes_to_launch", "sharded_data"]

# Strategies whose launcher spawns or forks from the calling process: each worker
# we start is already one rank, so it runs plain "ddp" in place.
_SPAWNING = ("auto", "ddp_spawn", "ddp_fork", "ddp_notebook")
_POLL_S = 0.05
_WORKER_FLAG = "TSFORECAST_DDP_WORKER"  # set in the processes that launch() starts


def _available_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def launched_externally(num_nodes=1):
    """Whether a cluster launcher (torchrun, srun, mpirun, LSF, or our own) started us.

    ``LOCAL_RANK`` alone is not enough on one node: Lightning's own "ddp"
    launcher leaves it in the caller's environment. With ``num_nodes > 1`` it
    means the environment-variable recipe (``MASTER_ADDR``, ``MASTER_PORT``,
    ``NODE_RANK``, ``LOCAL_RANK``, ``WORLD_SIZE`` set by hand on every node).
    """
    return (os.environ.get(_WORKER_FLAG) == "1"
            or (num_nodes > 1 and "LOCAL_RANK" in os.environ)
            or any(env.detect() for env in (TorchElasticEnvironment, SLURMEnvironment,
                                            LSFEnvironment, MPIEnvironment)))


def _count_devices(devices, accelerator):
    """Processes per node that ``devices`` asks for; raises when the machine has fewer."""
    wants_gpu = accelerator in ("gpu", "cuda") or (accelerator == "auto"
                                                   and torch.cuda.is_available())
    if isinstance(devices, str) and devices.strip().lstrip("-").isdigit():
        devices = int(devices)
    if isinstance(devices, (list, tuple)):
        return len(devices)
    if devices == "auto" or devices is None:
        return torch.cuda.device_count() if wants_gpu else 1
    if not isinstance(devices, int) or isinstance(devices, bool) or devices == 0 or devices < -1:
        raise ValueError(
            f"trainer_kwargs['devices'] must be a positive int, -1 (all), 'auto' or a list of "
            f"device indices. Got {devices!r} instead.")
    have = torch.cuda.device_count() if wants_gpu else _available_cpus()
    kind = "GPUs" if wants_gpu else "CPU cores available to this process"
    if devices == -1:
        return have
    if devices > have:
        raise ValueError(
            f"trainer_kwargs['devices']={devices} asks for {devices} training processes, but "
            f"this machine has {have} {kind}. Pass devices={have} or fewer (each process "
            f"needs a device of its own), or train across machines with num_nodes and a "
            f"cluster launcher (docs: GPU and multi-process training).")
    return devices


def processes_to_launch(settings):
    """Number of training processes ``fit`` must start itself (0: train in this process).

    Checks ``strategy``, ``devices`` and ``num_nodes`` of the Trainer
    ``settings`` first, so that a bad value is an error here and not a hang
    in a process group.
    """
    strategy = settings.get("strategy", "auto")
    if isinstance(strategy, str):
        known = StrategyRegistry.available_strategies()
        if strategy != "auto" and strategy not in known:
            ddp = sorted(s for s in known if s.startswith("ddp"))
            raise ValueError(
                f"trainer_kwargs['strategy'] must be 'auto', a Lightning strategy name or a "
                f"Strategy instance. Got {strategy!r} instead. For several processes pass "
                f"'ddp' (or any of {ddp}).")
    elif not isinstance(strategy, pl.strategies.Strategy):
        raise TypeError(
            f"trainer_kwargs['strategy'] must be a strategy name such as 'ddp' or a Lightning "
            f"Strategy instance. Got {type(strategy).__name__} instead.")
    num_nodes = settings.get("num_nodes", 1)
    if not isinstance(num_nodes, int) or isinstance(num_nodes, bool) or num_nodes < 1:
        raise ValueError(f"trainer_kwargs['num_nodes'] must be a positive int. Got "
                         f"{num_nodes!r} instead.")
    n_devices = _count_devices(settings.get("devices", "auto"),
                               settings.get("accelerator", "auto"))
    if n_devices * num_nodes <= 1 or launched_externally(num_nodes):
        return 0
    if num_nodes > 1:
        raise ValueError(
            f"trainer_kwargs['num_nodes']={num_nodes} needs one process per device on every "
            f"node, started by a cluster launcher (torchrun --nnodes {num_nodes}, or srun on "
            f"SLURM) around your script; fit cannot start processes on other machines. Run "
            f"the script under the launcher, or pass num_nodes=1 to use this machine only.")
    return n_devices


def worker_strategy(strategy):
    """The strategy a worker runs: it is one rank already, so nothing may spawn again."""
    if not isinstance(strategy, str) or strategy not in _SPAWNING:
        return strategy
    return "ddp"


def in_process_strategy(settings):
    """The strategy of a Trainer in this process when nothing is launched.

    A DDP strategy name on a single device becomes "auto": Lightning would
    otherwise set up a one-process group and leave its launcher's variables
    (``LOCAL_RANK``, ...) in this process's environment.
    """
    strategy = settings.get("strategy", "auto")
    if isinstance(strategy, str) and strategy.startswith("ddp") and \
            settings.get("num_nodes", 1) == 1 and not launched_externally() and \
            _count_devices(settings.get("devices", "auto"),
                           settings.get("accelerator", "auto")) == 1:
        return "auto"
    return strategy


def _loader_seed(loader):
    """The seed of a shuffling loader's generator (0 without one): the same on every rank."""
    generator = getattr(loader, "generator", None)
    return generator.initial_seed() if generator is not None else 0


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent():
    """Linux: a worker gets SIGKILL when the process that launched it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def launch(train, module, train_loader, val_loader, *, n_processes, verbose, **kwargs):
    """Run ``train(module, train_loader, val_loader, **kwargs)`` on ``n_processes`` ranks.

    Rank 0's trained weights are loaded into ``module``; returns what rank 0's
    ``train`` returned. Every rank must agree on the best epoch and the
    weights, or a ``TrainingError`` says so.
    """
    sharded_data(train_loader, val_loader)  # data that cannot be split fails here, not in a rank
    seed = _loader_seed(train_loader)
    threads = max(1, torch.get_num_threads() // n_processes)
    with tempfile.TemporaryDirectory(prefix="tsforecast-ddp-") as tmp:
        directory = Path(tmp)
        job = {"train": train, "module": module, "train_loader": train_loader,
               "val_loader": val_loader, "kwargs": {**kwargs, "verbose": verbose}}
        try:
            torch.save(job, directory / "job.pt")
        except Exception as err:  # noqa: BLE001 - any pickling failure means the same
            raise TypeError(
                f"Multi-process training sends the network, loss, data and callbacks to each "
                f"process, but one of them cannot be pickled ({type(err).__name__}: {err}). "
                f"Define custom classes at module level in an importable module, and pass no "
                f"open files, locks or Optuna trials in trainer_kwargs.") from err
        (directory / "job.json").write_text(json.dumps(
            {"sys_path": sys.path, "threads": threads, "seed": seed}))
        port = _free_port()
        package_root = str(Path(__file__).resolve().parent.parent)
        procs = []
        try:
            for rank in range(n_processes):
                env = {**os.environ, _WORKER_FLAG: "1", "MASTER_ADDR": "127.0.0.1",
                       "MASTER_PORT": str(port),
                       "WORLD_SIZE": str(n_processes), "NODE_RANK": "0",
                       "LOCAL_RANK": str(rank), "OMP_NUM_THREADS": str(threads),
                       "PYTHONPATH": os.pathsep.join(
                           [package_root, *filter(None, [os.environ.get("PYTHONPATH")])])}
                show = verbose and rank == 0
                log = None if show else open(directory / f"log-{rank}.txt", "w")
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "tsforecast._distributed", tmp, str(rank)],
                    env=env, stdout=log, stderr=subprocess.STDOUT if log else None,
                    stdin=subprocess.DEVNULL,
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None))
                if log is not None:
                    log.close()
            _wait(procs, directory)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        results = [torch.load(directory / f"result-{r}.pt", weights_only=False)
                   for r in range(n_processes)]
    first = results[0]
    for rank, res in enumerate(results[1:], start=1):
        if (res["best_epoch"], res["checksum"]) != (first["best_epoch"], first["checksum"]):
            raise TrainingError(
                f"The {n_processes} training processes ended with different models (rank 0: "
                f"best epoch {first['best_epoch']}, rank {rank}: {res['best_epoch']}). This is "
                f"a bug in tsforecast's multi-process training; please report it, and train "
                f"with devices=1 meanwhile.")
    module.load_state_dict(first["state"])
    return first["history"], first["best_epoch"]


def _wait(procs, directory):
    """Wait for every rank; when one fails, stop the others and raise its error."""
    while True:
        codes = [proc.poll() for proc in procs]
        if all(code == 0 for code in codes):
            return
        failed = [r for r, code in enumerate(codes) if code not in (None, 0)]
        if failed:
            break
        time.sleep(_POLL_S)
    # Peers of a failed rank die of a broken connection a moment later: the error
    # to report is the first one written.
    time.sleep(0.5)
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    errors = sorted(directory.glob("error-*.pt"), key=lambda p: p.stat().st_mtime)
    n = len(procs)
    if errors:
        rank = int(errors[0].stem.split("-")[1])
        info = torch.load(errors[0], weights_only=False)
        err = info.get("exception")
        note = (f"Raised in training process {rank} of {n}; the others were stopped. Its "
                f"traceback:\n{info['traceback']}")
        if isinstance(err, BaseException):
            err.add_note(note)
            raise err
        raise TrainingError(f"Training process {rank} of {n} failed with "
                            f"{info['type']}: {info['message']}\n{note}")
    rank = failed[0]
    code = procs[rank].returncode
    how = (f"was killed by signal {signal.Signals(-code).name}" if code < 0
           else f"exited with code {code}")
    log = directory / f"log-{rank}.txt"
    output = log.read_text()[-3000:] if log.exists() else "(shown above)"
    raise TrainingError(
        f"Training process {rank} of {n} {how} before finishing; the others were stopped. "
        f"A process killed by the system is often out of memory: try fewer devices or a "
        f"smaller batch_size. Its output:\n{output}")


def _checksum(module):
    return float(sum(p.detach().double().sum() for p in module.state_dict().values()
                     if torch.is_tensor(p) and p.is_floating_point()))


def _worker(directory, rank):
    """One rank: load the job, train in place (LOCAL_RANK is set), write the result."""
    directory = Path(directory)
    try:
        setup = json.loads((directory / "job.json").read_text())
        sys.path[:] = [p for p in dict.fromkeys([*sys.path, *setup["sys_path"]])]
        torch.set_num_threads(setup["threads"])
        # Weights arrive equal from the caller; dropout differs per rank, reproducibly.
        torch.manual_seed(setup["seed"] + rank)
        try:
            job = torch.load(directory / "job.pt", weights_only=False)
        except (AttributeError, ModuleNotFoundError) as err:
            raise TypeError(
                f"Training process {rank} could not load the training job: {err}. Objects "
                f"sent to multi-process training (custom networks, losses, callbacks) must be "
                f"importable by name: define them in a module, not in __main__ or a notebook "
                f"cell.") from err
        module = job["module"]
        history, best_epoch = job["train"](module, job["train_loader"], job["val_loader"],
                                           **job["kwargs"])
        result = {"history": history, "best_epoch": best_epoch, "checksum": _checksum(module),
                  "state": ({k: v.cpu() for k, v in module.state_dict().items()}
                            if rank == 0 else None)}
        torch.save(result, directory / f"result-{rank}.tmp")
        os.replace(directory / f"result-{rank}.tmp", directory / f"result-{rank}.pt")
    except BaseException as err:  # noqa: BLE001 - reported to the caller, then exit non-zero
        info = {"type": type(err).__name__, "message": str(err),
                "traceback": traceback.format_exc()}
        try:
            torch.save({**info, "exception": err}, directory / f"error-{rank}.tmp")
        except Exception:  # noqa: BLE001 - an unpicklable exception travels as text
            torch.save(info, directory / f"error-{rank}.tmp")
        os.replace(directory / f"error-{rank}.tmp", directory / f"error-{rank}.pt")
        sys.exit(1)


class _ShardedData(pl.LightningDataModule):
    """The training loader (and, in the subclass, the validation loader), sharded per rank.

    Built before the Trainer knows the ranks; the loaders are made when
    Lightning asks for them, after the process group is up. A dataset with a
    ``shard(rank, world_size)`` method (e.g. parallel text streams that must
    stay in order) shards itself; any other map-style dataset is split by a
    sampler: ``DistributedSampler`` for training (shuffled with the loader's
    seed when the loader shuffles; padded so that every rank runs the same
    number of steps) and, for validation, Lightning's
    ``UnrepeatedDistributedSampler`` (every window once).
    """

    def __init__(self, train_loader, val_loader=None, *, seed=0):
        super().__init__()
        self._train, self._val, self._seed = train_loader, val_loader, seed
        for name, loader in (("training", train_loader), ("validation", val_loader)):
            if loader is not None and isinstance(loader.dataset, IterableDataset) and not \
                    hasattr(loader.dataset, "shard"):
                raise TypeError(
                    f"The {name} data is an iterable dataset "
                    f"({type(loader.dataset).__name__}), which cannot be split across "
                    f"processes. Train this estimator with trainer_kwargs devices=1.")

    def _shard(self, loader, training):
        world, rank = self.trainer.world_size, self.trainer.global_rank
        dataset = loader.dataset
        if hasattr(dataset, "shard"):
            try:
                part = dataset.shard(rank, world)
            except ValueError:
                if training:
                    raise
                return loader  # too small to split: every rank validates on all of it
            return DataLoader(part, batch_size=loader.batch_size,
                              collate_fn=loader.collate_fn, shuffle=False)
        if training:
            sampler = DistributedSampler(dataset, num_replicas=world, rank=rank,
                                         shuffle=isinstance(loader.sampler, RandomSampler),
                                         seed=self._seed)
        elif len(dataset) >= world:
            sampler = UnrepeatedDistributedSampler(dataset, num_replicas=world, rank=rank,
                                                   shuffle=False)
        else:  # fewer windows than ranks: every rank validates on all, the mean is the same
            return loader
        return DataLoader(dataset, batch_size=loader.batch_size, sampler=sampler,
                          collate_fn=loader.collate_fn, drop_last=loader.drop_last,
                          num_workers=loader.num_workers)

    def train_dataloader(self):
        return self._shard(self._train, training=True)


class _ShardedDataWithValidation(_ShardedData):
    def val_dataloader(self):
        return self._shard(self._val, training=False)


def sharded_data(train_loader, val_loader=None):
    """A LightningDataModule serving each rank its shard of the two loaders."""
    seed = _loader_seed(train_loader)
    kind = _ShardedData if val_loader is None else _ShardedDataWithValidation
    return kind(train_loader, val_loader, seed=seed)


if __name__ == "__main__":
    _worker(sys.argv[1], int(sys.argv[2]))
