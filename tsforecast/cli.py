"""The ``tsforecast`` command line: fit, backtest and forecast a CSV file.

``tsforecast forecast data.csv`` reads an ordinary CSV (one row per time
step, a column of dates anywhere), finds the time column, fits a forecaster,
scores it on a holdout backtest against the naive and seasonal-naive
forecasts, refits on everything (or not, with ``--no-refit``), and writes the
forecast as CSV and, with ``--plot``, a PNG.

Covariates known in advance (``--covariates``) need their future values: put
the forecast span as extra rows at the end of the CSV, with the covariates
filled and the targets empty. ``--calendar`` adds calendar features computed
from the time stamps, whose future values are always known.

Exit codes: 0 success; 2 a usage or input error (bad option, unreadable or
unsuitable CSV), with a message naming the option that fixes it; 1 a failure
inside training (e.g. the loss diverged).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["main", "build_parser", "calendar_features"]

EXIT_OK, EXIT_TRAINING_FAILED, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
Read a CSV with one row per time step and a column of dates anywhere (found
automatically), fit a forecaster, score it on a holdout backtest against the
naive and seasonal-naive forecasts, refit on everything (unless --no-refit)
and write the forecast as CSV and, with --plot, as a PNG.

Covariates known in advance (--covariates) need their future values: put the
forecast span as extra rows at the end of the CSV, with the covariates filled
and the targets empty. --calendar adds calendar features computed from the
time stamps. Notes (what was detected or filled) and progress bars go to
stderr; the results table goes to stdout.
"""

EXAMPLES = """\
examples:
  tsforecast forecast sales.csv
      forecast every numeric column 12 steps ahead; the date column is found
  tsforecast forecast rates.csv --target USD --dayfirst --freq B --fill ffill
      day-first dates (31/12/2024), business days, holidays filled forward
  tsforecast forecast load.csv --horizon 24 --lookback 168 --season 24 --calendar \\
      --plot forecast.png
      hourly data, a day ahead, with calendar covariates and a plot
  tsforecast forecast stores.csv --id-column store --target sales --horizon 13
      many series in one long CSV (columns store, date, sales): one global model

exit codes: 0 success, 2 usage or input error, 1 training failed
"""

_FILLS = ("none", "ffill", "interpolate", "zero")
_AGGS = ("mean", "sum", "last", "first", "min", "max", "median")
_TIME_NAMES = ("date", "time", "datetime", "timestamp", "ds", "period", "month", "day")

# Estimator parameters the CLI exposes, for messages raised by the library.
_OPTION_OF = {"lookback": "--lookback", "horizon": "--horizon", "max_epochs": "--max-epochs",
              "strategy": "--strategy", "random_state": "--seed"}


class _InputError(Exception):
    """A problem with the options or the CSV: exit code 2, message says which option fixes it."""


class _TrainingFailed(Exception):
    """Training could not finish: exit code 1."""


def _registry():
    from .models import ESTIMATORS

    names = {}
    for cls in ESTIMATORS:
        short = cls.__name__.removesuffix("Forecaster").lower()
        names[short] = cls
        if short.startswith("seq2seq"):
            names["seq2seq"] = cls
    return names


def calendar_features(index: pd.DatetimeIndex) -> pd.DataFrame:
    """Smooth calendar features known in advance: hour, day of week and month as sin/cos.

    Only the features whose cycle is longer than the series' step are kept
    (no hour-of-day features for daily data).

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Time stamps of the history and the forecast span.

    Returns
    -------
    pandas.DataFrame
        One row per time stamp; columns ``hour_sin``, ``hour_cos``,
        ``dayofweek_sin``, ... as the step allows.
    """
    step = index[1] - index[0] if len(index) > 1 else pd.Timedelta(days=1)
    features = {}
    cycles = [("hour", index.hour, 24, pd.Timedelta(hours=1)),
              ("dayofweek", index.day_of_week, 7, pd.Timedelta(days=1)),
              ("month", index.month - 1, 12, pd.Timedelta(days=28))]
    for name, values, period, finest in cycles:
        if step <= finest:
            angle = 2 * np.pi * np.asarray(values) / period
            features[f"{name}_sin"] = np.sin(angle)
            features[f"{name}_cos"] = np.cos(angle)
    return pd.DataFrame(features, index=index)


# ------------------------------------------------------------------ messages
def _say(message: str):
    """Print a note or an error on stderr, wrapped to the terminal (at most 100 columns)."""
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    print(textwrap.fill(f"tsforecast: {message}", width=width, subsequent_indent="  ",
                        break_long_words=False, break_on_hyphens=False), file=sys.stderr)


class _Reporter:
    """Notes on stderr (what was detected or changed), silenced by ``--quiet``."""

    def __init__(self, quiet: bool):
        self.quiet = quiet

    def note(self, message: str):
        if not self.quiet:
            _say(message)


def _line(position: int) -> int:
    """Line of the CSV file holding data row ``position`` (the header is line 1)."""
    return int(position) + 2


# ------------------------------------------------------------------ reading the CSV
def _read_csv(args) -> pd.DataFrame:
    path = Path(args.csv)
    if not path.is_file():
        raise _InputError(f"{path} does not exist. Pass the path of a CSV file.")
    try:
        df = pd.read_csv(path, na_values=args.na_values, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise _InputError(f"{path} could not be read as a CSV file: {err}") from None
    if df.empty or len(df.columns) < 1:
        raise _InputError(f"{path} has no data rows. Pass a CSV with a header line and one "
                          f"row per time step.")
    return df.reset_index(drop=True)


def _guessed_format(values: pd.Series, dayfirst: bool) -> str | None:
    from pandas.tseries.api import guess_datetime_format

    first = values.dropna()
    return guess_datetime_format(str(first.iloc[0]), dayfirst=dayfirst) if len(first) else None


def _to_datetime(values: pd.Series, *, date_format=None, dayfirst=False, errors="raise"):
    with warnings.catch_warnings():
        # "Could not infer format" / "Parsing dates in %d/%m/%Y format when dayfirst=False"
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(values, format=date_format, dayfirst=dayfirst, errors=errors)


def _looks_like_dates(values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    present = values.dropna()
    if present.empty:
        return False
    for dayfirst in (False, True):
        parsed = _to_datetime(present, dayfirst=dayfirst, errors="coerce")
        if parsed.notna().mean() >= 0.9:
            return True
    return False


def _find_time_column(df: pd.DataFrame, args, report: _Reporter):
    """The column named by ``--time-column``, else the first one that parses as dates."""
    if args.time_column:
        if args.time_column not in df.columns:
            raise _InputError(f"--time-column {args.time_column!r} is not a column of "
                              f"{args.csv} (columns: {list(df.columns)}).")
        return args.time_column
    for col in df.columns:
        if _looks_like_dates(df[col]):
            report.note(f"time column: {col!r} (detected; pass --time-column to choose "
                        f"another)")
            return col
    named = [c for c in df.columns if str(c).strip().lower() in _TIME_NAMES]
    if named:  # named like dates but unparseable: the parse error below explains why
        return named[0]
    report.note("no column of dates found: the rows are numbered 0, 1, 2, ... (pass "
                "--time-column NAME if one of the columns holds the time stamps)")
    return None


def _parse_time(values: pd.Series, args, column) -> pd.DatetimeIndex:
    """Parse the time column, or say which line fails and which option fixes it."""
    try:
        return pd.DatetimeIndex(_to_datetime(values, date_format=args.date_format,
                                             dayfirst=args.dayfirst))
    except (ValueError, TypeError, OverflowError):
        pass
    parsed = _to_datetime(values, date_format=args.date_format, dayfirst=args.dayfirst,
                          errors="coerce")
    bad = np.flatnonzero(pd.isna(parsed) & values.notna().to_numpy())
    empty = np.flatnonzero(values.isna().to_numpy())
    if not len(bad) and len(empty):
        raise _InputError(f"the time column {column!r} is empty on line {_line(empty[0])}. "
                          f"Every row needs a time stamp; fill or delete that row.")
    pos = bad[0] if len(bad) else 0
    value = values.iloc[pos]
    where = f"the time column {column!r} has {value!r} on line {_line(pos)}"
    if args.date_format:
        raise _InputError(f"{where}, which does not match --date-format {args.date_format!r}. "
                          f"Fix the format (codes as in Python's strftime, e.g. %d/%m/%Y).")
    guess = _guessed_format(values, args.dayfirst)
    alternative = _to_datetime(values, dayfirst=not args.dayfirst, errors="coerce")
    if not args.dayfirst and alternative.notna().all():
        raise _InputError(f"{where}, which is not a date when the first rows are read month "
                          f"first ({guess}). The dates look day first (31/12/2024): pass "
                          f"--dayfirst, or --date-format with the exact format.")
    shown = f" ({guess}, guessed from the first rows)" if guess else ""
    raise _InputError(f"{where}, which is not a date in the format of the other rows{shown}. "
                      f"Pass --date-format with the exact format (e.g. --date-format "
                      f"'%d.%m.%Y %H:%M'), or fix that cell.")


def _numeric_columns(df: pd.DataFrame, columns, args, report: _Reporter, *, chosen: bool):
    """Convert ``columns`` to numbers; name the line and value of a cell that is not one.

    Columns that are mostly text are skipped with a note when the targets were
    not chosen by the user, and rejected when they were.
    """
    keep = []
    for col in columns:
        values = df[col]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            keep.append(col)
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        bad = np.flatnonzero(numbers.isna().to_numpy() & values.notna().to_numpy())
        present = int(values.notna().sum())
        if present and len(bad) > present / 2:  # a text column, not a column with a few typos
            if not chosen:
                report.note(f"skipping column {col!r}: it holds text (e.g. "
                            f"{values.iloc[bad[0]]!r} on line {_line(bad[0])}), not numbers")
                continue
            raise _InputError(f"column {col!r} holds text (e.g. {values.iloc[bad[0]]!r} on "
                              f"line {_line(bad[0])}), not numbers. Choose numeric columns "
                              f"with --target and --covariates.")
        if len(bad):
            tokens = sorted({str(values.iloc[i]) for i in bad})[:3]
            raise _InputError(
                f"column {col!r} has {len(bad)} cell(s) that are not numbers, the first "
                f"{values.iloc[bad[0]]!r} on line {_line(bad[0])}. Fix them, or read them as "
                f"missing with --na-values {' '.join(repr(t) for t in tokens)} and fill them "
                f"with --fill ffill|interpolate|zero.")
        df[col] = numbers
        keep.append(col)
    return keep


def _stamp(ts) -> str:
    """A time stamp as a user wrote it: the date alone at midnight."""
    ts = pd.Timestamp(ts)
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else str(ts)


def _span(delta: pd.Timedelta) -> str:
    """``1 day``, ``3 days``, ``1 hour``, ``15 minutes``, or pandas' own spelling."""
    for unit, size in (("day", pd.Timedelta(days=1)), ("hour", pd.Timedelta(hours=1)),
                       ("minute", pd.Timedelta(minutes=1))):
        if delta % size == pd.Timedelta(0) and delta >= size:
            n = delta // size
            return f"{n} {unit}{'s' if n > 1 else ''}"
    return str(delta)


def _infer_freq(index: pd.DatetimeIndex):
    with warnings.catch_warnings():  # pandas 3 warns that infer_freq will return an offset
        warnings.simplefilter("ignore")
        return pd.infer_freq(index) if len(index) >= 3 else None


def _suggest_freq(index: pd.DatetimeIndex) -> str:
    usual = pd.Series(index[1:] - index[:-1]).mode().iloc[0]
    if usual == pd.Timedelta(days=1) and (index.day_of_week < 5).all():
        return "B"
    for code, size in (("D", pd.Timedelta(days=1)), ("h", pd.Timedelta(hours=1)),
                       ("min", pd.Timedelta(minutes=1)), ("s", pd.Timedelta(seconds=1))):
        if usual >= size and usual % size == pd.Timedelta(0):
            n = usual // size
            return code if n == 1 else f"{n}{code}"
    return "D"


def _regular(df: pd.DataFrame, time_col, args, lines: np.ndarray, raw_time: pd.Series):
    """Sort, aggregate to ``--freq`` and check that the time stamps are evenly spaced."""
    index = df.index
    if args.freq:
        try:
            offset = pd.tseries.frequencies.to_offset(args.freq)
        except ValueError:
            raise _InputError(f"--freq {args.freq!r} is not a pandas frequency. Use e.g. h "
                              f"(hourly), D (daily), B (business days), W (weekly), MS "
                              f"(month start).") from None
        resampler = df.resample(offset)
        out = resampler.sum(min_count=1) if args.agg == "sum" else getattr(resampler, args.agg)()
        # A period that holds exactly one row of the file keeps that row's line number.
        counts = pd.Series(1, index=index).resample(offset).sum()
        first_line = pd.Series(lines, index=index).resample(offset).first()
        kept = np.where(counts.reindex(out.index).to_numpy() == 1,
                        first_line.reindex(out.index).fillna(-1).to_numpy(), -1)
        return out, kept.astype(int)
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        where = [_line(lines[p]) for p in np.flatnonzero(index == dup)[:2]]
        raise _InputError(f"the time column {time_col!r} has the time stamp {_stamp(dup)!r} "
                          f"twice (lines {where[0]} and {where[1]}). Pass --freq with --agg "
                          f"(e.g. --freq D --agg sum) to combine the rows of each period, or "
                          f"remove the duplicates.")
    if len(index) >= 3 and _infer_freq(index) is None:
        steps = index[1:] - index[:-1]
        usual = pd.Series(steps).mode().iloc[0]
        odd = np.flatnonzero(steps != usual)
        first = odd[0]
        freq = _suggest_freq(index)
        hint = ""
        if not args.dayfirst and not args.date_format:
            flipped = pd.DatetimeIndex(_to_datetime(raw_time, dayfirst=True, errors="coerce"))
            if flipped.notna().all() and len(flipped) >= 3 and \
                    _infer_freq(flipped.sort_values()) is not None:
                hint = (" They are evenly spaced when read day first (31/12/2024): pass "
                        "--dayfirst.")
        raise _InputError(
            f"the time stamps in {time_col!r} are not evenly spaced: the usual step is "
            f"{_span(usual)} but {len(odd)} step(s) differ, the first from "
            f"{_stamp(index[first])} (line {_line(lines[first])}) to "
            f"{_stamp(index[first + 1])} (line {_line(lines[first + 1])})."
            f"{hint or ''} Pass --freq {freq} to put the series on a regular grid (missing "
            f"steps become empty cells) with --fill ffill|interpolate|zero to fill them, or "
            f"--freq with --agg to aggregate to a coarser step.")
    return df, lines


def _fill(df: pd.DataFrame, columns, n_hist: int, args, report: _Reporter, lines):
    """Fill or reject the empty cells of the history (and of the covariates' future rows)."""
    hist = df.iloc[:n_hist]
    gaps = hist[columns].isna()
    if not gaps.any().any():
        return df
    if args.fill == "none":
        pos = int(np.flatnonzero(gaps.any(axis=1).to_numpy())[0])  # the earliest gap
        col = gaps.iloc[pos].idxmax()
        stamp = hist.index[pos]
        where = _stamp(stamp) if isinstance(stamp, pd.Timestamp) else f"row {stamp}"
        where += (f" (line {_line(lines[pos])})" if lines[pos] >= 0
                  else " (a step added by --freq)")
        raise _InputError(
            f"{int(gaps.sum().sum())} cell(s) of the history are missing (empty, NA, n/a, ...), "
            f"the first in column "
            f"{col!r} at {where}. Pass --fill ffill (carry the last value forward), --fill "
            f"interpolate or --fill zero.")
    filled = df.copy()
    block = filled.iloc[:n_hist][columns]
    if args.fill == "ffill":
        block = block.ffill()
    elif args.fill == "zero":
        block = block.fillna(0.0)
    else:
        method = "time" if isinstance(block.index, pd.DatetimeIndex) else "linear"
        block = block.interpolate(method=method, limit_direction="forward")
    filled.loc[filled.index[:n_hist], columns] = block.to_numpy()
    report.note(f"filled {int(gaps.sum().sum())} empty cell(s) with --fill {args.fill}")
    lead = filled.iloc[:n_hist][columns].isna().any(axis=1).to_numpy()
    n_lead = int(np.argmin(lead)) if not lead.all() else n_hist
    if n_lead:
        report.note(f"dropped {n_lead} leading row(s) with nothing to fill them from")
        filled = filled.iloc[n_lead:]
    return filled


def _read(args, report: _Reporter):
    """The CSV as targets ``y``, covariates ``X`` (history and future rows), and ``n_hist``.

    With ``--id-column`` (many series in one long CSV), each is a dict keyed by
    id, in the order the ids first appear, and every series goes through the
    same checks (regular steps, gaps, future covariate rows) on its own.
    """
    df = _read_csv(args)
    ids = None
    if args.id_column:
        if args.id_column not in df.columns:
            raise _InputError(f"--id-column {args.id_column!r} is not a column of {args.csv} "
                              f"(columns: {list(df.columns)}).")
        if df[args.id_column].isna().any():
            first = int(np.flatnonzero(df[args.id_column].isna().to_numpy())[0])
            raise _InputError(f"the id column {args.id_column!r} is empty on line "
                              f"{_line(first)}. Every row needs the id of its series.")
        ids = df[args.id_column].to_numpy()
        df = df.drop(columns=[args.id_column])
    time_col = _find_time_column(df, args, report)
    lines = np.arange(len(df))
    raw_time = None
    if time_col is not None:
        raw_time = df[time_col]
        index = _parse_time(raw_time, args, time_col)
        df = df.drop(columns=[time_col])
        df.index = index.rename(time_col)
        if not df.index.is_monotonic_increasing:
            order = np.argsort(df.index.to_numpy(), kind="stable")
            df, lines = df.iloc[order], lines[order]
            raw_time = raw_time.iloc[order]
            ids = ids[order] if ids is not None else None
            if ids is None:
                report.note(f"the rows were not in time order; sorted them by {time_col!r}")
    covs = list(args.covariates or [])
    chosen = bool(args.target)
    targets = list(args.target) if chosen else [c for c in df.columns if c not in covs]
    missing = [c for c in [*targets, *covs] if c not in df.columns]
    if missing:
        raise _InputError(f"columns {missing} are not in {args.csv} (columns: "
                          f"{list(df.columns)}). Check --target and --covariates.")
    targets = _numeric_columns(df, targets, args, report, chosen=chosen)
    covs = _numeric_columns(df, covs, args, report, chosen=True)
    if not chosen:
        report.note(f"targets: {targets} (every numeric column; choose with --target)")
    if not targets:
        raise _InputError(f"{args.csv} has no numeric column to forecast (columns: "
                          f"{list(df.columns)}). Choose one with --target.")
    df = df[targets + covs]
    if ids is None:
        return _one_series(df, targets, covs, time_col, args, report, lines, raw_time)
    codes, keys = pd.factorize(ids, sort=False)
    ys, xs, n_hists = {}, {}, {}
    for k, key in enumerate(keys):
        rows = np.flatnonzero(codes == k)
        try:
            ys[key], xs[key], n_hists[key] = _one_series(
                df.iloc[rows], targets, covs, time_col, args, report, lines[rows],
                raw_time.iloc[rows] if raw_time is not None else None)
        except _InputError as err:
            raise _InputError(f"series {key!r} (--id-column {args.id_column}): {err}") from None
    report.note(f"{len(keys)} series by {args.id_column!r}: one global model over all of them")
    return ys, (xs if covs or args.calendar else None), n_hists


def _one_series(df, targets, covs, time_col, args, report, lines, raw_time):
    """Regular steps, filled gaps and covariate rows of one series: ``(y, X, n_hist)``."""
    if time_col is not None:
        df, lines = _regular(df, time_col, args, lines, raw_time)
    elif args.freq:
        raise _InputError("--freq needs time stamps, but no column of dates was found. Pass "
                          "--time-column NAME.")
    # Trailing rows without any target value are the forecast span of the covariates.
    has_target = df[targets].notna().any(axis=1).to_numpy()
    n_hist = int(np.flatnonzero(has_target)[-1]) + 1 if has_target.any() else 0
    before = len(df)
    df = _fill(df, targets + covs, n_hist, args, report, lines)
    n_hist -= before - len(df)
    X = df[covs] if covs else None
    if args.calendar:
        if not isinstance(df.index, pd.DatetimeIndex):
            raise _InputError("--calendar needs time stamps, but no column of dates was "
                              "found. Pass --time-column NAME.")
        full_index = df.index
        if n_hist + args.horizon > len(df):  # extend the index over the forecast span
            freq = df.index.freq or _infer_freq(df.index[:n_hist])
            full_index = pd.date_range(df.index[0], periods=n_hist + args.horizon, freq=freq)
        cal = calendar_features(full_index)
        X = cal if X is None else cal.join(X)
    y = df[targets].iloc[:n_hist]
    if X is not None and len(X) < n_hist + args.horizon:
        raise _InputError(
            f"the covariates have {len(X) - n_hist} rows after the last target value, but "
            f"--horizon {args.horizon} needs {args.horizon}. Add the future rows to the CSV "
            f"with the covariates filled and the targets empty.")
    return y, X, n_hist


# ------------------------------------------------------------------ the forecast command
def _cli_terms(message: str) -> str:
    """Name the CLI's options, not the estimator's parameters, in a library message."""
    for param, option in _OPTION_OF.items():
        message = message.replace(f"'{param}'", option)
    return message


def _fitting(label: str, fn, *args, **kwargs):
    """Run one fit under a progress-bar label, sorting its errors into the exit codes."""
    from ._training import fit_label
    from .exceptions import TrainingError

    try:
        with fit_label(label):
            return fn(*args, **kwargs)
    except (TrainingError, RuntimeError) as err:
        raise _TrainingFailed(f"training failed during the {label}: {err}") from err
    except (ValueError, TypeError) as err:
        raise _InputError(_cli_terms(str(err))) from err


def _check_sizes(args, n_hist: int, est) -> int:
    """The holdout length, if a model can be fitted before the holdout; else what to change."""
    from .data.splits import chronological_spans

    need = args.lookback + args.horizon
    holdout = args.holdout if args.holdout is not None else 4 * args.horizon
    most = n_hist - need
    if most < args.horizon:
        raise _InputError(
            f"the series has {n_hist} rows, too few for --lookback {args.lookback} and "
            f"--horizon {args.horizon}: the holdout backtest needs at least lookback + 2 x "
            f"horizon = {need + args.horizon} rows. Pass a smaller --lookback or --horizon.")
    if holdout < args.horizon or holdout > most:
        raise _InputError(f"--holdout {holdout} must be between the horizon ({args.horizon}) "
                          f"and {most} for this series of {n_hist} rows.")
    for rows, when in ((n_hist - holdout, "before the holdout"), (n_hist, "in the series")):
        try:
            chronological_spans(rows, lookback=args.lookback,
                                horizon=args.horizon if args.strategy == "direct" else 1,
                                validation_size=est.validation_size)
        except ValueError:
            raise _InputError(
                f"the {rows} rows {when} are too few to train with --lookback "
                f"{args.lookback} and --horizon {args.horizon}: training and early stopping "
                f"need windows of lookback + horizon rows in both the first "
                f"{1 - est.validation_size:.0%} and the last {est.validation_size:.0%} of "
                f"them. Pass a smaller --lookback, --horizon or --holdout.") from None
    return holdout


def _forecast(args, report: _Reporter):
    import torch

    from .baselines import NaiveForecaster, SeasonalNaiveForecaster
    from .model_selection import backtest

    torch.set_num_threads(args.threads)
    y, X, n_hist = _read(args, report)
    many = isinstance(y, dict)
    verbose = False if args.quiet else (True if args.verbose else None)
    est = _registry()[args.model](lookback=args.lookback, horizon=args.horizon,
                                  strategy=args.strategy, max_epochs=args.max_epochs,
                                  random_state=args.seed, verbose=verbose)
    if many:  # every series must allow the holdout; the shortest decides
        shortest = min(n_hist, key=n_hist.get)
        try:
            holdout = _check_sizes(args, n_hist[shortest], est)
        except _InputError as err:
            raise _InputError(f"series {shortest!r}, the shortest: {err}") from None
        X_hist = {k: x.iloc[:n_hist[k]] for k, x in X.items()} if X is not None else None
        future_x = ({k: x.iloc[:n_hist[k] + args.horizon] for k, x in X.items()}
                    if X is not None else None)
        start = -holdout  # the last `holdout` rows of every series
    else:
        holdout = _check_sizes(args, n_hist, est)
        X_hist = X.iloc[:n_hist] if X is not None else None
        future_x = X.iloc[:n_hist + args.horizon] if X is not None else None
        start = n_hist - holdout
    name = type(est).__name__
    season = args.season or 1
    candidates = [(name, est), ("naive", NaiveForecaster(horizon=args.horizon))]
    if args.season:
        candidates.append((f"seasonal naive ({season})",
                           SeasonalNaiveForecaster(horizon=args.horizon, season_length=season)))
    table, results = {}, {}
    for label, model in candidates:
        uses_x = X_hist is not None and model is est
        results[label] = _fitting(
            f"holdout fit ({name})" if model is est else f"holdout fit ({label})", backtest,
            model, y, X_hist if uses_x else None, start=start, step=args.horizon,
            horizon=args.horizon, metrics=("mae", "rmse", "smape", "mase"),
            seasonal_period=season)
        table[label] = results[label].metrics
    scores = pd.DataFrame(table).T
    what = f"the last {holdout} rows" + (f" of each of {len(y)} series" if many else "")
    print(f"Holdout backtest: {what}, forecasts of {args.horizon} steps every "
          f"{args.horizon} steps (MASE scaled by the seasonal-naive error, m={season})")
    print(scores.round(4).to_string())

    fitted = results[name].estimator
    if args.refit:
        fitted = _fitting(f"final fit ({name})", est.fit, y, X_hist)
    forecast = fitted.predict(y=y, X=future_x)
    _write(args, y, forecast, results[name], name)
    if args.save:
        fitted.save(args.save)
        print(f"Model saved to {args.save}")
    return scores


def _write(args, y, forecast, holdout, name):
    out = Path(args.output)
    if isinstance(forecast, dict):  # many series: one long CSV, id and time columns first
        from .data.inputs import to_long

        first = next(iter(y.values()))
        to_long(forecast, id_col=args.id_column,
                time_col=first.index.name or "step").to_csv(out, index=False)
        print(f"\nForecasts of {args.horizon} steps for {len(forecast)} series written to {out}")
    else:
        forecast.to_csv(out, index_label=y.index.name or "step")
        print(f"\nForecast of {args.horizon} steps written to {out}")
    if args.plot or args.backtest_plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from .plotting import plot_backtest, plot_forecast
    if args.plot:
        axes = plot_forecast(y, forecast, n_history=max(4 * args.horizon, 3 * args.lookback),
                             title=f"{name}, {args.horizon}-step forecast")
        fig = np.ravel(axes)[0].figure
        fig.savefig(args.plot, dpi=100, bbox_inches="tight")
        plt.close(fig)
        print(f"Plot written to {args.plot}")
    if args.backtest_plot:
        axes = plot_backtest(holdout, history=y, title=f"{name}, holdout backtest")
        fig = np.ravel(axes)[0].figure
        fig.savefig(args.backtest_plot, dpi=100, bbox_inches="tight")
        plt.close(fig)
        print(f"Backtest plot written to {args.backtest_plot}")


# ------------------------------------------------------------------ the parser
class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Show defaults (but not "default: None") and keep the examples' line breaks."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def _add_input_options(p):
    g = p.add_argument_group("reading the CSV")
    g.add_argument("csv", help="CSV file with a header line and one row per time step")
    g.add_argument("--target", action="append", metavar="NAME",
                   help="column to forecast; repeat for several (default: every numeric "
                        "column but the time column and the covariates)")
    g.add_argument("--id-column", metavar="NAME",
                   help="column naming the series of a long CSV (many series, one row per "
                        "series and time step): one global model over all of them, forecasts "
                        "written in the same long layout")
    g.add_argument("--time-column", metavar="NAME",
                   help="column with the time stamps (default: the first column that parses "
                        "as dates; none: rows are numbered)")
    g.add_argument("--date-format", metavar="FMT",
                   help="strftime format of the time stamps, e.g. '%%d.%%m.%%Y' (default: "
                        "guessed from the first rows)")
    g.add_argument("--dayfirst", action="store_true",
                   help="read ambiguous dates day first: 01/02/2024 is 1 February")
    g.add_argument("--na-values", nargs="+", metavar="TOKEN",
                   help="extra cell values that mean 'missing' (empty, NA, n/a, null, NaN "
                        "always do)")
    g.add_argument("--freq", metavar="FREQ",
                   help="resample to this pandas frequency: h, D, B (business days), W, MS, ... "
                        "(default: the CSV's own step, which must be regular)")
    g.add_argument("--agg", default="mean", choices=_AGGS,
                   help="how --freq combines the rows of one period")
    g.add_argument("--fill", default="none", choices=_FILLS,
                   help="how to fill empty cells of the history: none (stop with an error), "
                        "ffill (last value), interpolate (in time), zero")
    g.add_argument("--covariates", nargs="+", metavar="NAME",
                   help="columns known in advance; their future values go in extra rows "
                        "with empty targets at the end of the CSV")
    g.add_argument("--calendar", action="store_true",
                   help="add calendar features (hour, day of week, month) as covariates")
    return g


def _add_model_options(p):
    g = p.add_argument_group("model")
    g.add_argument("--model", default="lstm", choices=sorted(_registry()),
                   help="network to fit")
    g.add_argument("--lookback", type=int, metavar="N", default=48,
                   help="past steps each forecast reads")
    g.add_argument("--horizon", type=int, metavar="N", default=12, help="steps to forecast")
    g.add_argument("--strategy", default="direct", choices=["direct", "recursive"],
                   help="all steps at once (direct) or one step fed back (recursive)")
    g.add_argument("--max-epochs", type=int, metavar="N", default=30,
                   help="training epochs at most "
                   "(early stopping on the validation tail may stop sooner)")
    g.add_argument("--seed", type=int, metavar="INT", default=0, help="random seed")
    g.add_argument("--threads", type=int, metavar="N", default=1, help="torch threads")
    return g


def _add_evaluation_options(p):
    g = p.add_argument_group("evaluation")
    g.add_argument("--holdout", type=int, metavar="N",
                   help="rows at the end scored by the backtest (default: 4 x horizon)")
    g.add_argument("--season", type=int, metavar="N",
                   help="seasonal period (e.g. 24 for hourly, 7 for daily data) for the "
                        "seasonal-naive baseline and MASE (default: none)")
    g.add_argument("--refit", action=argparse.BooleanOptionalAction, default=True,
                   help="refit on the whole series before the final forecast")
    return g


def _add_output_options(p):
    g = p.add_argument_group("output")
    g.add_argument("--output", default="forecast.csv", metavar="CSV",
                   help="where to write the forecast")
    g.add_argument("--plot", metavar="PNG", help="write a plot of the forecast here")
    g.add_argument("--backtest-plot", metavar="PNG",
                   help="write a plot of the holdout backtest's forecasts here")
    g.add_argument("--save", metavar="PATH",
                   help="save the fitted model here (tsforecast.load reads it)")
    chatter = g.add_mutually_exclusive_group()
    chatter.add_argument("--quiet", action="store_true",
                         help="print only the results: no notes, no progress bar")
    chatter.add_argument("--verbose", action="store_true",
                         help="always show the training progress bars (default: only when "
                              "stderr is a terminal)")
    return g


def build_parser():
    """The argument parser of the ``tsforecast`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(prog="tsforecast",
                                     description="Time-series forecasting from CSV files.",
                                     epilog=EXAMPLES, formatter_class=_HelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("forecast", help="fit, backtest and forecast a CSV file",
                       description=DESCRIPTION,
                       epilog=EXAMPLES, formatter_class=_HelpFormatter)
    _add_input_options(p)
    _add_model_options(p)
    _add_evaluation_options(p)
    _add_output_options(p)
    return parser


def main(argv=None):
    """Entry point of the ``tsforecast`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0 success, 2 usage or input error, 1 training failed.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # --help (0) or a usage error argparse has printed (2)
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    report = _Reporter(args.quiet)
    try:
        if args.command == "forecast":
            _forecast(args, report)
    except _InputError as err:
        _say(f"error: {err}")
        return EXIT_USAGE
    except _TrainingFailed as err:
        _say(f"error: {err}")
        return EXIT_TRAINING_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
