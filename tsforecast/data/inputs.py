"""The input boundary: pandas or numpy in, one internal form out, and back again.

``y`` (and ``X``) may be a ``pd.Series``, a ``pd.DataFrame``, a numpy array of
shape ``(T,)`` or ``(T, k)``, or a list of those for many series. They are
checked and converted once into a :class:`SeriesSet`; forecasts are turned
back into the caller's kind, indexed by the future time stamps.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SeriesSet", "as_series_set", "check_covariates", "check_new_history",
           "future_covariates", "future_index", "to_output", "to_quantile_output"]

_KINDS = ("series", "frame", "array1d", "array2d")


@dataclass
class SeriesSet:
    """Validated series: values, time index and column names.

    Attributes
    ----------
    values : list of ndarray of shape (T_i, k), float64
        One array per series. Always copies, never views of the caller's data.
    indexes : list of pandas.Index
        The time index of each series (a ``RangeIndex`` for numpy input).
    steps : list
        The frequency of each series: a pandas offset for a ``DatetimeIndex``,
        an int step for an integer index.
    columns : list of str
    kind : {"series", "frame", "array1d", "array2d"}
    is_list : bool
        Whether the caller passed a list of series.
    name : object
        ``Series.name`` for a single ``pd.Series`` (kept on the forecast).
    """

    values: list
    indexes: list
    steps: list
    columns: list
    kind: str
    is_list: bool
    name: object = None
    lengths: list = field(init=False)

    def __post_init__(self):
        self.lengths = [len(v) for v in self.values]

    @property
    def n_columns(self) -> int:
        return len(self.columns)

    @property
    def ends(self) -> list:
        """``(last time stamp, step)`` of each series: where its forecasts start."""
        return [(idx[-1], step) for idx, step in zip(self.indexes, self.steps)]

    @property
    def template(self) -> dict:
        """What :func:`to_output` needs to return forecasts in the caller's kind."""
        return {"kind": self.kind, "is_list": self.is_list, "name": self.name}


def _describe(obj) -> str:
    if isinstance(obj, np.ndarray):
        return f"a numpy array of shape {obj.shape} and dtype {obj.dtype}"
    return f"a {type(obj).__name__}"


def _check_index(index: pd.Index, owner: str, name: str):
    """Return the step of a regular, sorted, unique time index, or raise."""
    where = f"The index of {name} passed to {owner}"
    if isinstance(index, pd.DatetimeIndex):
        if index.has_duplicates:
            dups = index[index.duplicated()].unique()[:3]
            raise ValueError(
                f"{where} has duplicated time stamps (e.g. {[str(d) for d in dups]}). "
                f"Expected one row per time step; aggregate or drop the duplicates."
            )
        if not index.is_monotonic_increasing:
            raise ValueError(
                f"{where} is not sorted in time. Expected increasing time stamps; "
                f"call .sort_index() first."
            )
        freq = index.freq
        if freq is None and len(index) >= 3:
            with warnings.catch_warnings():
                # pandas 3 warns that infer_freq will return an offset instead of a
                # string; to_offset below accepts both.
                warnings.simplefilter("ignore")
                inferred = pd.infer_freq(index)
            freq = pd.tseries.frequencies.to_offset(inferred) if inferred else None
        if freq is None:
            if len(index) < 3:
                raise ValueError(
                    f"{where} has {len(index)} time stamps and no frequency set, too few to "
                    f"infer one. Set it with .asfreq(...) or pass a longer series."
                )
            gaps = pd.Series(index[1:] - index[:-1]).value_counts().index[:3]
            raise ValueError(
                f"{where} has irregular time stamps (steps such as "
                f"{[str(g) for g in gaps]}), so no frequency can be inferred. Expected a "
                f"regular frequency; resample with .asfreq(...) or .resample(...) and fill gaps."
            )
        return freq
    if pd.api.types.is_integer_dtype(index.dtype):
        values = np.asarray(index, dtype=np.int64)
        if len(values) < 2:
            return 1
        diffs = np.diff(values)
        if (diffs <= 0).any():
            what = "duplicated" if (diffs == 0).any() else "unsorted"
            raise ValueError(
                f"{where} is {what}. Expected strictly increasing integer steps; sort it or "
                f"drop duplicates."
            )
        if (diffs != diffs[0]).any():
            raise ValueError(
                f"{where} has irregular integer steps (e.g. {sorted(set(diffs.tolist()))[:3]}). "
                f"Expected a constant step; reindex the series."
            )
        return int(diffs[0])
    raise TypeError(
        f"{where} is a {type(index).__name__} of dtype {index.dtype}. Expected a "
        f"DatetimeIndex with a regular frequency or an integer index; convert it with "
        f"pd.to_datetime(...) or .reset_index(drop=True)."
    )


def _one(obj, owner: str, name: str):
    """Convert one series; return (values, index, step, columns, kind, name)."""
    series_name = None
    if isinstance(obj, pd.Series):
        if not pd.api.types.is_numeric_dtype(obj.dtype) or pd.api.types.is_bool_dtype(obj.dtype):
            raise TypeError(
                f"{name} passed to {owner} has dtype {obj.dtype}. Expected numeric values; "
                f"convert with pd.to_numeric(...)."
            )
        values = obj.to_numpy(dtype=np.float64, copy=True).reshape(-1, 1)
        columns = [str(obj.name) if obj.name is not None else "y"]
        index, kind, series_name = obj.index, "series", obj.name
    elif isinstance(obj, pd.DataFrame):
        bad = [c for c in obj.columns
               if not pd.api.types.is_numeric_dtype(obj[c].dtype)
               or pd.api.types.is_bool_dtype(obj[c].dtype)]
        if bad:
            raise TypeError(
                f"{name} passed to {owner} has non-numeric columns {[str(b) for b in bad]} "
                f"(dtypes {[str(obj[b].dtype) for b in bad]}). Expected numeric columns only; "
                f"drop them or encode them as numbers."
            )
        values = obj.to_numpy(dtype=np.float64, copy=True)
        columns = [str(c) for c in obj.columns]
        index, kind = obj.index, "frame"
    else:
        if isinstance(obj, (str, bytes, dict)) or obj is None:
            raise TypeError(
                f"{name} passed to {owner} is {_describe(obj)}. Expected a pandas Series or "
                f"DataFrame, a numpy array of shape (T,) or (T, k), or a list of those."
            )
        arr = np.asarray(obj)
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                       and not np.issubdtype(arr.dtype, np.bool_)):
            raise TypeError(
                f"{name} passed to {owner} is {_describe(arr)}. Expected numeric values "
                f"(int or float)."
            )
        if arr.ndim not in (1, 2):
            raise ValueError(
                f"{name} passed to {owner} is {_describe(arr)}. Expected shape (T,) for one "
                f"series or (T, k) for k columns."
            )
        kind = "array1d" if arr.ndim == 1 else "array2d"
        values = arr.astype(np.float64, copy=True).reshape(len(arr), -1)
        columns = [str(i) for i in range(values.shape[1])]
        index = pd.RangeIndex(len(values))
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(
            f"{name} passed to {owner} is empty (shape {values.shape}). Expected at least "
            f"one column and enough time steps for one window."
        )
    if len(set(columns)) != len(columns):
        raise ValueError(f"{name} passed to {owner} has duplicated column names {columns}.")
    finite = np.isfinite(values)
    if not finite.all():
        rows, cols = np.nonzero(~finite)
        n_nan = int(np.isnan(values).sum())
        n_inf = int((~finite).sum()) - n_nan
        raise ValueError(
            f"{name} passed to {owner} contains {n_nan} NaN and {n_inf} infinite values "
            f"(first at row {rows[0]} ({index[rows[0]]}), column {columns[cols[0]]!r}). "
            f"Expected finite values; fill gaps (e.g. .interpolate()) or drop them first."
        )
    step = _check_index(index, owner, name)
    return values, index, step, columns, kind, series_name


def as_series_set(obj, owner: str, name: str = "y") -> SeriesSet:
    """Check and convert ``y`` or ``X``; the caller's object is never modified."""
    is_list = isinstance(obj, (list, tuple))
    items = list(obj) if is_list else [obj]
    if is_list and not items:
        raise ValueError(
            f"{name} passed to {owner} is an empty list. Expected one or more series."
        )
    parts = [_one(item, owner, f"{name}[{i}]" if is_list else name)
             for i, item in enumerate(items)]
    kinds = {p[4] for p in parts}
    if len(kinds) > 1:
        raise TypeError(
            f"The series in the list {name} passed to {owner} mix kinds {sorted(kinds)}. "
            f"Pass series of one kind (all Series, all DataFrames or all arrays)."
        )
    columns = parts[0][3]
    for i, p in enumerate(parts[1:], start=1):
        if p[3] != columns:
            raise ValueError(
                f"{name}[{i}] passed to {owner} has columns {p[3]} but {name}[0] has "
                f"{columns}. All series of one model need the same columns in the same order."
            )
    return SeriesSet(values=[p[0] for p in parts], indexes=[p[1] for p in parts],
                     steps=[p[2] for p in parts], columns=columns, kind=parts[0][4],
                     is_list=is_list, name=parts[0][5] if len(parts) == 1 else None)


def check_covariates(X: SeriesSet, y: SeriesSet, owner: str):
    """Check that covariates ``X`` line up with ``y`` row for row, series for series."""
    if X.is_list != y.is_list or len(X.values) != len(y.values):
        raise ValueError(
            f"X passed to {owner} holds {len(X.values)} series but y holds {len(y.values)}. "
            f"Pass one X per series of y (a list when y is a list)."
        )
    for i, (xi, yi) in enumerate(zip(X.values, y.values)):
        label = f"[{i}]" if y.is_list else ""
        if len(xi) != len(yi):
            raise ValueError(
                f"X{label} passed to {owner} has {len(xi)} rows but y{label} has {len(yi)}. "
                f"Expected covariates aligned with y, one row per time step."
            )
        if X.kind in ("series", "frame") and y.kind in ("series", "frame"):
            if not X.indexes[i].equals(y.indexes[i]):
                raise ValueError(
                    f"The index of X{label} passed to {owner} differs from the index of "
                    f"y{label}. Expected covariates aligned with y on the same time stamps."
                )


def check_new_history(ys: SeriesSet, owner: str, *, target_names, fitted_kind, min_length,
                      needs):
    """Check a new history ``y`` given to ``predict`` against the targets seen in ``fit``.

    ``min_length`` rows are required per series; ``needs`` ends the message
    "y has n time steps but <owner> ..." (e.g. "reads lookback=24 steps to forecast").
    """
    if ys.columns != list(target_names) and ys.kind == "frame" and fitted_kind == "frame":
        raise ValueError(
            f"y passed to predict has columns {ys.columns} but {owner} was fitted with "
            f"{list(target_names)}. Pass the same columns, in the same order, as in fit."
        )
    if ys.n_columns != len(target_names):
        raise ValueError(
            f"y passed to predict has {ys.n_columns} columns but {owner} was fitted with "
            f"{len(target_names)} ({list(target_names)}). Pass the same columns, in the same "
            f"order, as in fit."
        )
    for i, n in enumerate(ys.lengths):
        if n < min_length:
            label = f"y[{i}]" if ys.is_list else "y"
            raise ValueError(
                f"{label} passed to predict has {n} time steps but {owner} {needs}. "
                f"Pass a longer history."
            )


def future_covariates(X, ys, horizon: int, ends, owner: str, *, covariate_names, fitted_x_kind,
                      n_series: int):
    """Check the ``X`` given to ``predict``; split it into forecast-span and history parts.

    Parameters
    ----------
    X : object or None
        What the caller passed as ``X``.
    ys : SeriesSet or None
        The new history passed as ``y``, or None to forecast after the series of ``fit``.
    horizon : int
    ends : list of (last, step)
        Where each forecast starts.
    owner : str
        The estimator's name, for messages.
    covariate_names : list of str
        The covariates seen in ``fit`` (empty without covariates).
    fitted_x_kind : str or None
        The kind of ``X`` in ``fit``.
    n_series : int
        Number of series forecast.

    Returns
    -------
    future : list of ndarray of shape (horizon, C)
        Covariates over each forecast span (C = 0 without covariates).
    past : list of ndarray of shape (len(y_i), C) or None
        Covariates over each new history; None when ``ys`` is None or there are
        no covariates.
    """
    n_cov = len(covariate_names)
    if n_cov == 0:
        if X is not None:
            raise ValueError(
                f"X was passed to predict, but {owner} was fitted without covariates. "
                f"Refit with X, or call predict without X."
            )
        return [np.zeros((horizon, 0)) for _ in range(n_series)], None
    if X is None:
        raise ValueError(
            f"{owner} was fitted with covariates {list(covariate_names)}, so predict needs X "
            f"with their values for the {horizon} forecast steps. Pass X=..."
        )
    xs = as_series_set(X, owner, "X")
    if len(xs.values) != n_series:
        raise ValueError(
            f"X passed to predict holds {len(xs.values)} series but {n_series} are "
            f"forecast. Pass one X per series."
        )
    if xs.columns != list(covariate_names) and xs.kind == "frame" and fitted_x_kind == "frame":
        missing = [c for c in covariate_names if c not in xs.columns]
        extra = [c for c in xs.columns if c not in covariate_names]
        raise ValueError(
            f"X passed to predict has columns {xs.columns} but {owner} was fitted with "
            f"{list(covariate_names)} (missing {missing}, unexpected {extra}). Pass the same "
            f"columns, in the same order, that were used in fit."
        )
    if xs.n_columns != n_cov:
        raise ValueError(
            f"X has {xs.n_columns} columns but {owner} was fitted with {n_cov} "
            f"({list(covariate_names)}). Pass the same columns, in the same order, that "
            f"were used in fit."
        )
    future, past = [], []
    for i, (xv, xidx) in enumerate(zip(xs.values, xs.indexes)):
        label = f"X[{i}]" if xs.is_list else "X"
        start = 0 if ys is None else ys.lengths[i]
        if isinstance(xidx, pd.DatetimeIndex):
            first = future_index(*ends[i], 1)[0]
            if start < len(xidx) and xidx[start] != first:
                where = "the first forecast time stamp" if ys is None else \
                    "the first time stamp of y, and continue past its end"
                raise ValueError(
                    f"{label} passed to predict has {xidx[start]} where {first} was "
                    f"expected. Pass covariates that start at {where}."
                )
        if len(xv) - start < horizon:
            need = f"{horizon}" if ys is None else f"len(y) + horizon = {start + horizon}"
            raise ValueError(
                f"{label} passed to predict has {len(xv)} rows, but {need} are needed: "
                f"covariates must cover every forecast step. Pass X for the whole "
                f"forecast span (or a shorter horizon)."
            )
        past.append(xv[:start])
        future.append(xv[start:start + horizon])
    return future, (past if ys is not None else None)


def future_index(last, step, n: int) -> pd.Index:
    """The ``n`` time stamps after ``last``, ``step`` apart (an offset or an int)."""
    if isinstance(last, pd.Timestamp):
        return pd.date_range(start=last + step, periods=n, freq=step)
    return pd.Index(int(last) + step * np.arange(1, n + 1, dtype=np.int64))


def to_output(forecasts, indexes, *, kind, is_list, name, columns):
    """Turn forecasts of shape (H, k), one per series, back into the caller's kind."""
    out = []
    for f, idx in zip(forecasts, indexes):
        if kind == "series":
            out.append(pd.Series(f[:, 0], index=idx, name=name))
        elif kind == "frame":
            out.append(pd.DataFrame(f, index=idx, columns=columns))
        elif kind == "array1d":
            out.append(f[:, 0].copy())
        else:
            out.append(f.copy())
    return out if is_list else out[0]


def to_quantile_output(values, indexes, *, kind, is_list, columns, labels, names):
    """Turn quantiles or interval bounds, one array per series, into the caller's kind.

    Parameters
    ----------
    values : list of ndarray of shape (H, k, *trail)
        Per series: forecast step, target column, then the trailing axes of
        the quantity (``(Q,)`` quantile levels, ``(2,)`` lower/upper, or
        ``(C, 2)`` coverages x lower/upper).
    indexes : list of pandas.Index
        The future time stamps of each series.
    kind, is_list : as in :func:`to_output`
    columns : list of str
        The target names.
    labels : list
        One label per element of the flattened trailing axes: floats (levels),
        strings ("lower", "upper") or tuples (``(0.9, "lower")``).
    names : list of str
        Names of the label levels (e.g. ``["quantile"]``, ``["coverage", "bound"]``).

    Returns
    -------
    pandas.DataFrame, ndarray, or a list of those
        ``"series"``: a DataFrame indexed by the time stamps with the labels as
        columns (a MultiIndex for tuple labels); ``"frame"``: columns
        ``(target, *label)``; ``"array1d"``: an array of shape ``(H, *trail)``;
        ``"array2d"``: ``(H, k, *trail)``.
    """
    out = []
    tuples = [lab if isinstance(lab, tuple) else (lab,) for lab in labels]
    for v, idx in zip(values, indexes):
        H, k = v.shape[:2]
        flat = v.reshape(H, k, -1)
        if kind == "series":
            cols = (pd.MultiIndex.from_tuples(tuples, names=names) if len(names) > 1
                    else pd.Index(labels, name=names[0]))
            out.append(pd.DataFrame(flat[:, 0], index=idx, columns=cols))
        elif kind == "frame":
            cols = pd.MultiIndex.from_tuples([(c, *t) for c in columns for t in tuples],
                                             names=["target", *names])
            out.append(pd.DataFrame(flat.reshape(H, -1), index=idx, columns=cols))
        elif kind == "array1d":
            out.append(v[:, 0].copy())
        else:
            out.append(v.copy())
    return out if is_list else out[0]
