"""Where tuning studies live and how they run: storages, heartbeats, interrupted trials.

:func:`tsforecast.tuning.tune` keeps a study in memory, in a database (SQLite
on one machine; PostgreSQL or MySQL for several) or in any Optuna storage,
such as a journal file (``optuna.storages.JournalStorage``) on a shared file
system. This module turns the ``storage`` argument into an Optuna storage,
turns a server that is down or a role without rights into a clear error,
opens the study (refusing to mix scores of different estimators or metrics),
and runs it to a budget counted over every worker: trials whose worker died
are recovered on this machine by process id and on others through the
database heartbeat, and Ctrl+C leaves the running trial to be re-queued.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import warnings

import optuna
import sqlalchemy
import sqlalchemy.exc
from optuna.exceptions import ExperimentalWarning, UpdateFinishedTrialError
from optuna.trial import TrialState

from .._training import quiet_lightning
from ..exceptions import TrainingError

__all__ = ["make_storage", "open_study", "run_study", "recover_interrupted", "n_taken",
           "worker_id"]

# Database storages record a heartbeat per running trial, so that a trial whose
# machine died is failed and retried by another worker after the grace period.
HEARTBEAT_S, GRACE_S = 60, 180
MAX_RETRY = 2  # a trial interrupted more often than this (e.g. killed for memory) stays failed
SQLITE_TIMEOUT_S = 60  # wait this long for another process's write lock on a SQLite file
CONNECT_TIMEOUT_S = 10  # a database server that does not answer within this is an error


def worker_id():
    """``host:pid`` of this process, recorded on every trial it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _safe_url(url):
    try:
        return sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        return url


def _reason(err):
    """The database driver's message, first line, without SQLAlchemy's boilerplate."""
    text = str(getattr(err, "orig", None) or err)
    return text.strip().splitlines()[0] if text.strip() else type(err).__name__


def _connection_error(url, owner, err):
    return ConnectionError(
        f"{owner} could not connect to the study storage {_safe_url(url)}: {_reason(err)}. "
        f"Check that the database server is running and reachable from this machine, and "
        f"that the user, password and database in the URL exist (the driver waited "
        f"{CONNECT_TIMEOUT_S} s at most).")


def _permission_error(url, owner, err):
    user = sqlalchemy.engine.make_url(url).username if isinstance(url, str) else None
    return PermissionError(
        f"{owner} may not create or use Optuna's tables in the study storage "
        f"{_safe_url(url)}: {_reason(err)}. Use a database the role owns, or let an "
        f"administrator grant it the rights (PostgreSQL: GRANT CREATE, USAGE ON SCHEMA public "
        f"TO {user or '<role>'}; GRANT ALL ON ALL TABLES IN SCHEMA public TO "
        f"{user or '<role>'}).")


def _is_permission(err):
    code = getattr(getattr(err, "orig", None), "pgcode", None)
    return code == "42501" or "permission denied" in str(err).lower() or \
        "access denied" in str(err).lower()


def make_storage(storage, owner):
    """An Optuna storage for ``storage``: None, a database URL or a storage instance.

    Database URLs get heartbeats (retrying the trials of dead workers), a
    lock timeout for SQLite and a connection timeout for servers. A server
    that cannot be reached raises ``ConnectionError``; a role that may not
    create the tables raises ``PermissionError``.
    """
    if storage is None or isinstance(storage, optuna.storages.BaseStorage):
        return storage
    if not isinstance(storage, str):
        raise TypeError(
            f"The 'storage' parameter of {owner} must be a database URL such as "
            f"'sqlite:///tuning.db', an Optuna storage (e.g. "
            f"optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend("
            f"'study.log'))) or None. Got {type(storage).__name__} instead.")
    try:
        backend = sqlalchemy.engine.make_url(storage).get_backend_name()
    except sqlalchemy.exc.ArgumentError:
        raise ValueError(
            f"The 'storage' parameter of {owner} is not a database URL: {storage!r}. Pass "
            f"e.g. 'sqlite:///tuning.db' or 'postgresql+psycopg2://user:password@host/db', "
            f"or an Optuna storage object.") from None
    connect_args = {"timeout": SQLITE_TIMEOUT_S} if backend == "sqlite" else \
        {"connect_timeout": CONNECT_TIMEOUT_S} if backend in ("postgresql", "mysql") else {}
    if backend != "sqlite":
        # Probe once, so that a server that is down is one clear error, not five retries.
        try:
            engine = sqlalchemy.create_engine(storage, connect_args=connect_args)
        except ImportError as err:
            raise ImportError(
                f"{owner} needs a database driver for {_safe_url(storage)}: {err}. For "
                f"PostgreSQL install psycopg2-binary (pip install psycopg2-binary).") from err
        try:
            with engine.connect():
                pass
        except sqlalchemy.exc.DBAPIError as err:
            raise _connection_error(storage, owner, err) from err
        finally:
            engine.dispose()
    with warnings.catch_warnings():  # heartbeats are "experimental" since Optuna 2.9
        warnings.simplefilter("ignore", ExperimentalWarning)
        try:
            return retry_on_race(lambda: optuna.storages.RDBStorage(
                storage, engine_kwargs={"connect_args": connect_args},
                heartbeat_interval=HEARTBEAT_S, grace_period=GRACE_S,
                heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
                    max_retry=MAX_RETRY)))
        except sqlalchemy.exc.DBAPIError as err:
            if _is_permission(err):
                raise _permission_error(storage, owner, err) from err
            raise


def load_study(storage, url, owner, **kwargs):
    """``optuna.create_study(load_if_exists=True)`` with clear errors for rights and races."""
    try:
        return retry_on_race(lambda: optuna.create_study(storage=storage, load_if_exists=True,
                                                         **kwargs))
    except sqlalchemy.exc.DBAPIError as err:
        if _is_permission(err):
            raise _permission_error(url, owner, err) from err
        raise


def retry_on_race(make, attempts=5):
    """Call ``make`` again when another worker is creating the same database at this moment.

    Workers started together on a new database race to create its tables and
    the study; the losers get integrity or operational errors (PostgreSQL: a
    type or table that "already exists") and succeed on a second try. A URL
    that is really wrong still fails, a second later.
    """
    for attempt in range(attempts):
        try:
            return make()
        except sqlalchemy.exc.DBAPIError as err:
            if attempt == attempts - 1 or not _lost_race(err):
                raise
            time.sleep(0.1 * 2 ** attempt)


def _lost_race(err):
    if isinstance(err, (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.OperationalError)):
        return True
    # duplicate_object, duplicate_table: another worker created Optuna's enum types first
    return getattr(getattr(err, "orig", None), "pgcode", None) in ("42710", "42P07")


def _alive(pid):
    if os.name != "posix":  # os.kill would end the process on Windows; rely on heartbeats
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(study, *, this_process):
    """Fail and re-queue running trials whose worker on this machine is gone.

    A worker killed mid-trial (SIGKILL, out of memory) or interrupted with
    Ctrl+C leaves its trial RUNNING in the storage. Trials of dead processes
    on this host, and with ``this_process`` those of this process (which runs
    none at that moment), are failed and queued again with the same
    parameters. Workers on other machines are covered by the storage's
    heartbeat (database storages only).
    """
    host, pid = socket.gethostname(), os.getpid()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
        retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner_host, _, owner_pid = str(trial.user_attrs.get("worker", "")).rpartition(":")
        if owner_host != host or not owner_pid.isdigit():
            continue
        owner_pid = int(owner_pid)
        if (owner_pid == pid and this_process) or (owner_pid != pid and not _alive(owner_pid)):
            try:
                failed = study.tell(trial.number, state=TrialState.FAIL)
            except (ValueError, UpdateFinishedTrialError):
                continue  # another worker recovered it first
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ExperimentalWarning)
                retry(study, failed)


def n_taken(study):
    """Trials that count towards ``n_trials``: finished or running, not interrupted-and-retried."""
    trials = study.get_trials(deepcopy=False)
    retried = {n for t in trials for n in t.system_attrs.get("retry_history", [])}
    counted = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    return sum(t.state in counted or (t.state == TrialState.FAIL and t.number not in retried)
               for t in trials)


# ---------------------------------------------------------------------- one study
def open_study(storage, owner, *, study_name, sampler, pruner, tags):
    """The study ``study_name`` of ``storage`` (created if missing), checked against ``tags``.

    ``storage`` is what the user passed (None, a URL or an Optuna storage).
    ``tags`` (estimator, metric, scoring) are stored on a new study; a study
    that holds other tags raises ``ValueError``, since its scores could not
    be compared with this call's.
    """
    optuna_storage = make_storage(storage, owner)
    study = load_study(optuna_storage, storage, owner, study_name=study_name, sampler=sampler,
                       pruner=pruner, direction="minimize")
    found = {k: v for k, v in study.user_attrs.items() if k in tags}
    # Tags are written one at a time, so another worker that has just created the study may
    # have written only some: those must agree, and this worker writes the rest (same values).
    if any(tags[key] != value for key, value in found.items()):
        raise ValueError(
            f"Study '{study.study_name}' was tuned with {found}, but this call uses {tags}; "
            f"their scores cannot be compared. Resume it with the same estimator, metric and "
            f"validation, or pass another study_name."
        )
    for key in tags.keys() - found.keys():
        study.set_user_attr(key, tags[key])
    return study


class _Interrupted(BaseException):
    """Carries Ctrl+C out of ``Study.optimize``, which would mark the trial as failed."""

    def __init__(self, original):
        super().__init__(repr(original))
        self.original = original


def run_study(study, objective, *, n_trials, timeout, n_jobs, verbose):
    """Run trials until ``study`` holds ``n_trials`` (of every worker), or ``timeout`` passes.

    Trials of dead workers are failed and re-queued first (and after every
    trial); a ``TrainingError`` (a diverging loss) fails its trial and the
    study goes on; Ctrl+C leaves the running trial to be re-queued and is
    raised again.
    """
    def interruptible(trial):
        try:
            return objective(trial)
        except (KeyboardInterrupt, SystemExit) as err:
            # Optuna would record the trial as failed; leave it running, to be re-queued.
            raise _Interrupted(err) from err

    def stop_at_budget(study, trial):
        recover_interrupted(study, this_process=False)
        if n_taken(study) >= n_trials:
            study.stop()

    recover_interrupted(study, this_process=True)
    remaining = n_trials - n_taken(study)
    if remaining <= 0:
        return
    # Quiet Lightning once for all trials: per-fit toggling races between threads.
    try:
        with quiet_lightning():
            study.optimize(interruptible, n_trials=remaining, timeout=timeout, n_jobs=n_jobs,
                           catch=(TrainingError,), callbacks=[stop_at_budget],
                           show_progress_bar=verbose)
    except _Interrupted as stop:  # Ctrl+C (Lightning turns it into SystemExit)
        recover_interrupted(study, this_process=True)
        raise stop.original from None


@contextlib.contextmanager
def quiet_optuna(verbose):
    """Optuna's per-trial INFO lines only when verbose."""
    level = optuna.logging.get_verbosity()
    if not verbose:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(level)
