"""The input boundary: pandas or numpy in, one internal form out, and back again.

``y`` (and ``X``) may be one series -- a ``pd.Series``, a ``pd.DataFrame``, a
numpy array of shape ``(T,)`` or ``(T, k)`` -- or many series held in one of
the shapes users keep them in:

- a list of single series (positions are the identity);
- a dict ``{id: series}``;
- a long DataFrame (or Series) with a two-level ``MultiIndex`` ``(id, time)``;
- a long DataFrame with ``unique_id`` and ``ds`` columns (the layout of
  NeuralForecast and statsforecast); other column names go through
  :func:`from_long` / :func:`to_long`.

They are checked and converted once into a :class:`SeriesSet`; forecasts are
turned back into the caller's shape (same container, ids, index names and
column names), indexed by the future time stamps.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SeriesSet", "as_series_set", "check_covariates", "check_new_history",
           "future_covariates", "future_index", "to_output", "to_quantile_output", "from_long",
           "to_long", "align_ids", "ID_COL", "TIME_COL"]

_KINDS = ("series", "frame", "array1d", "array2d")
#: Column names that mark a long DataFrame (NeuralForecast / statsforecast layout).
ID_COL, TIME_COL = "unique_id", "ds"


@dataclass
class SeriesSet:
    """Validated series: values, time index and column names.

    Attributes
    ----------
    values : list of ndarray of shape (T_i, k), float64
        One read-only array per series: a view of the caller's data when it
        already is float64 (no copy: memory stays O(rows)), else a copy.
    indexes : list of pandas.Index
        The time index of each series (a ``RangeIndex`` for numpy input).
    steps : list
        The frequency of each series: a pandas offset for a ``DatetimeIndex``,
        an int step for an integer index.
    columns : list of str
    kind : {"series", "frame", "array1d", "array2d"}
        The kind of each single series.
    is_list : bool
        Whether the caller passed many series (a list, a dict or a long frame).
    name : object
        ``Series.name`` for a single ``pd.Series`` (kept on the forecast).
    container : {"single", "list", "dict", "long"}
        How the caller held the series.
    ids : list or None
        The id of each series for a dict or a long frame (dict keys, the id
        level or column), in the caller's order; None otherwise.
    layout : dict or None
        For a long frame, what :func:`to_output` needs to rebuild one:
        ``{"columns": bool, "id_name", "time_name", "is_series": bool}``.
    arg : str
        The argument's name in messages ("y" or "X").
    names : list or None
        ``Series.name`` of each series (None for other kinds); forecasts of
        many Series keep their own names.
    """

    values: list
    indexes: list
    steps: list
    columns: list
    kind: str
    is_list: bool
    name: object = None
    container: str = "single"
    ids: list | None = None
    layout: dict | None = None
    arg: str = "y"
    names: list | None = None
    lengths: list = field(init=False)

    def __post_init__(self):
        self.lengths = [len(v) for v in self.values]

    def label(self, i: int) -> str:
        """How series ``i`` is named in messages: ``y``, ``y[3]`` or ``y['store 7']``."""
        if self.container == "single":
            return self.arg
        if self.ids is not None:
            return f"{self.arg}[{self.ids[i]!r}]"
        return f"{self.arg}[{i}]"

    def shorter_than(self, n: int, item: str = "{label} ({length})", shown: int = 5):
        """Positions of the series with fewer than ``n`` steps, and them listed for messages:
        ``item`` for each of the first ``shown`` (``"y[0] (40), y[2] (12)"``), then ``...``."""
        short = [i for i, length in enumerate(self.lengths) if length < n]
        listed = ", ".join(item.format(label=self.label(i), length=self.lengths[i])
                           for i in short[:shown])
        return short, listed + (" ..." if len(short) > shown else "")

    @property
    def n_columns(self) -> int:
        return len(self.columns)

    @property
    def ends(self) -> list:
        """``(last time stamp, step)`` of each series: where its forecasts start."""
        return [(idx[-1], step) for idx, step in zip(self.indexes, self.steps)]

    @property
    def template(self) -> dict:
        """What :func:`to_output` needs to return forecasts in the caller's shape (JSON-able
        but for ``name``); the ids travel separately."""
        return {"kind": self.kind, "is_list": self.is_list, "name": self.name,
                "container": self.container, "layout": self.layout,
                "names": self.names if self.is_list and self.kind == "series" else None}

    def head(self, i: int, stop: int):
        """The first ``stop`` rows of series ``i``, rebuilt in its own kind.

        Used to fit or forecast on the part of a series before a cutoff
        (tuning holdouts, backtests) without touching the caller's objects.
        """
        part, idx = self.values[i][:stop], self.indexes[i][:stop]
        if self.kind == "series":
            name = self.names[i] if self.names else self.name
            return pd.Series(part[:, 0], index=idx, name=name)
        if self.kind == "frame":
            return pd.DataFrame(part, index=idx, columns=self.columns)
        return part[:, 0].copy() if self.kind == "array1d" else part.copy()

    def heads(self, stops, members=None):
        """``head(i, stops[k])`` of each series ``i`` in ``members`` (default: all), in
        the caller's container: one object, a list, or a dict keyed by id."""
        members = range(len(self.values)) if members is None else members
        parts = [self.head(i, stop) for i, stop in zip(members, stops)]
        if not self.is_list:
            return parts[0]
        if self.ids is not None:
            return {self.ids[i]: p for i, p in zip(members, parts)}
        return parts


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


def is_real_dtype(dtype) -> bool:
    """Whether values of ``dtype`` are real numbers: ints or floats, not bool or complex.

    Complex values would lose their imaginary part silently when cast to float.
    """
    return (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
            and not pd.api.types.is_complex_dtype(dtype))


def check_not_empty(shape, owner: str, name: str):
    """Refuse an input with no rows or no columns, before any reshaping."""
    if len(shape) == 0 or 0 in shape:
        raise ValueError(
            f"{name} passed to {owner} is empty (shape {tuple(shape)}). Expected at least "
            f"one column and enough time steps for one window."
        )


def check_magnitude(values, columns, owner: str, name: str):
    """Refuse values whose mean or standard deviation overflow float64.

    Scaling divides by the standard deviation, which squares the values:
    beyond about 1e150 it is infinite, and forecasts would silently be inf.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        stats = np.concatenate([values.mean(axis=0), values.std(axis=0)])
    if not np.isfinite(stats).all():
        col = int(np.flatnonzero(~np.isfinite(stats))[0]) % values.shape[1]
        biggest = float(np.abs(values[:, col]).max())
        raise ValueError(
            f"{name} passed to {owner} has values too large for float64 arithmetic: the "
            f"mean or standard deviation of column {columns[col]!r} overflows (largest "
            f"magnitude {biggest:.3g}). Expected magnitudes below about 1e150. Rescale {name} "
            f"(e.g. divide by 10**{max(int(np.log10(biggest)) - 3, 1)}) and scale the "
            f"forecasts back."
        )


def _check_numeric(obj, owner: str, name: str):
    """Refuse non-numeric (boolean, complex) values in a Series or DataFrame."""
    if isinstance(obj, pd.Series):
        if not is_real_dtype(obj.dtype):
            raise TypeError(
                f"{name} passed to {owner} has dtype {obj.dtype}. Expected numeric values; "
                f"convert with pd.to_numeric(...)."
            )
        return
    bad = [c for c in obj.columns if not is_real_dtype(obj[c].dtype)]
    if bad:
        raise TypeError(
            f"{name} passed to {owner} has non-numeric columns {[str(b) for b in bad]} "
            f"(dtypes {[str(obj[b].dtype) for b in bad]}). Expected numeric columns only; "
            f"drop them or encode them as numbers."
        )


def _read_only(values):
    """``values`` as a read-only float64 array: a view when already float64, else a copy.

    Not copying float64 input keeps memory O(rows) for many series; being
    read-only, the view cannot be used to write into the caller's data.
    """
    values = np.asarray(values, dtype=np.float64).view()
    values.flags.writeable = False
    return values


def _check_values(values, index, columns, owner: str, name: str):
    """Refuse duplicated columns, NaN or infinite values and overflowing magnitudes."""
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
    check_magnitude(values, columns, owner, name)


def _one(obj, owner: str, name: str):
    """Convert one series; return (values, index, step, columns, kind, name)."""
    series_name = None
    if isinstance(obj, pd.Series):
        check_not_empty(obj.shape, owner, name)
        _check_numeric(obj, owner, name)
        values = _read_only(obj.to_numpy(dtype=np.float64).reshape(-1, 1))
        columns = [str(obj.name) if obj.name is not None else "y"]
        index, kind, series_name = obj.index, "series", obj.name
    elif isinstance(obj, pd.DataFrame):
        check_not_empty(obj.shape, owner, name)
        _check_numeric(obj, owner, name)
        values = _read_only(obj.to_numpy(dtype=np.float64))
        columns = [str(c) for c in obj.columns]
        index, kind = obj.index, "frame"
    else:
        if isinstance(obj, (str, bytes, dict)) or obj is None:
            raise TypeError(
                f"{name} passed to {owner} is {_describe(obj)}. Expected a pandas Series or "
                f"DataFrame, a numpy array of shape (T,) or (T, k), or a list of those."
            )
        arr = np.asarray(obj)
        if not is_real_dtype(arr.dtype):
            raise TypeError(
                f"{name} passed to {owner} is {_describe(arr)}. Expected numeric values "
                f"(int or float)."
            )
        if arr.ndim not in (1, 2):
            raise ValueError(
                f"{name} passed to {owner} is {_describe(arr)}. Expected shape (T,) for one "
                f"series or (T, k) for k columns."
            )
        check_not_empty(arr.shape, owner, name)
        kind = "array1d" if arr.ndim == 1 else "array2d"
        values = _read_only(arr.reshape(len(arr), -1))
        columns = [str(i) for i in range(values.shape[1])]
        index = pd.RangeIndex(len(values))
    _check_values(values, index, columns, owner, name)
    step = _check_index(index, owner, name)
    return values, index, step, columns, kind, series_name


def _is_long(obj) -> bool:
    """A long frame: a 2-level (id, time) MultiIndex, or ``unique_id`` and ``ds`` columns."""
    if isinstance(obj, (pd.Series, pd.DataFrame)) and isinstance(obj.index, pd.MultiIndex):
        return True
    return isinstance(obj, pd.DataFrame) and ID_COL in obj.columns and TIME_COL in obj.columns


def _long_rows(obj, owner: str, name: str):
    """Group the rows of a long frame by id, each id's rows in time order.

    Returns ``(data, ids, layout, order, bounds, times)``: ``data`` the value
    columns (a DataFrame, or the Series itself); ``order`` the row positions
    that put ``data`` in (id, time) order, or None when it already is; the rows
    of id ``k`` are ``bounds[k]:bounds[k + 1]`` of that order, and ``times``
    their time stamps (an Index, in that order). Vectorised over all rows: no
    per-id pandas objects are built here.
    """
    if isinstance(obj.index, pd.MultiIndex):
        if obj.index.nlevels != 2:
            raise ValueError(
                f"{name} passed to {owner} has a MultiIndex with {obj.index.nlevels} levels "
                f"{list(obj.index.names)}. Expected two levels, (id, time); drop or merge the "
                f"others first (e.g. .droplevel(...) or .reset_index(level=...))."
            )
        layout = {"columns": False, "id_name": obj.index.names[0],
                  "time_name": obj.index.names[1], "is_series": isinstance(obj, pd.Series)}
        if isinstance(obj, pd.DataFrame) and (ID_COL in obj.columns or TIME_COL in obj.columns):
            raise ValueError(
                f"{name} passed to {owner} has both a (id, time) MultiIndex and "
                f"{ID_COL!r}/{TIME_COL!r} columns. Use one of the two layouts."
            )
        data, id_values = obj, obj.index.get_level_values(0)
        times = obj.index.get_level_values(1)
    else:
        layout = {"columns": True, "id_name": ID_COL, "time_name": TIME_COL,
                  "is_series": False, "order": [str(c) for c in obj.columns]}
        if obj[ID_COL].isna().any():
            rows = np.flatnonzero(obj[ID_COL].isna().to_numpy())[:3].tolist()
            raise ValueError(
                f"{name} passed to {owner} has missing ids in column {ID_COL!r} (rows {rows}). "
                f"Expected an id on every row; drop or fill those rows."
            )
        times = obj[TIME_COL]
        if not (pd.api.types.is_datetime64_any_dtype(times)
                or pd.api.types.is_integer_dtype(times)):
            try:
                times = pd.to_datetime(times)
            except (ValueError, TypeError) as err:
                raise TypeError(
                    f"Column {TIME_COL!r} of {name} passed to {owner} has dtype {times.dtype} "
                    f"that does not parse as time stamps ({err}). Expected datetimes or "
                    f"integer steps; convert it with pd.to_datetime(...)."
                ) from None
        data = obj.drop(columns=[ID_COL, TIME_COL])
        id_values, times = obj[ID_COL], pd.Index(times)
    if len(data) == 0:
        raise ValueError(
            f"{name} passed to {owner} is an empty long frame. Expected rows of one or more "
            f"series."
        )
    codes, ids = pd.factorize(id_values, sort=False)  # ids in order of first appearance
    t = _time_ints(times)
    if t is None:  # neither datetimes nor integers: _check_index names the problem
        in_order = False
    else:
        same = codes[1:] == codes[:-1]
        in_order = not ((codes[1:] < codes[:-1]) | (same & (t[1:] < t[:-1]))).any()
    order = None
    if not in_order:  # gather each id's rows, in time order (stable: duplicates stay put)
        order = (np.lexsort((t, codes)) if t is not None
                 else np.argsort(codes, kind="stable"))
        codes, times = codes[order], times.take(order)
    bounds = np.r_[0, np.flatnonzero(codes[1:] != codes[:-1]) + 1, len(codes)]
    return data, list(ids), layout, order, bounds, times.rename(None)


def _time_ints(times):
    """Time stamps as int64 (in the index's unit, UTC for tz-aware ones, or steps), or None."""
    if isinstance(times, pd.DatetimeIndex):
        return times.asi8
    if pd.api.types.is_integer_dtype(times.dtype):
        return np.asarray(times, dtype=np.int64)
    return None


def _split_long(obj, owner: str, name: str):
    """Split a long frame into per-id pandas objects; return (items, ids, layout)."""
    data, ids, layout, order, bounds, times = _long_rows(obj, owner, name)
    items = []
    for k in range(len(ids)):
        rows = slice(bounds[k], bounds[k + 1]) if order is None else \
            order[bounds[k]:bounds[k + 1]]
        items.append(data.iloc[rows].set_axis(times[bounds[k]:bounds[k + 1]], axis=0))
    return items, ids, layout


def _long_series_set(obj, owner: str, name: str) -> SeriesSet:
    """Convert a long frame in one pass over its rows (memory and time O(rows)).

    Equivalent to splitting it into one series per id and converting each
    (the same checks, in the same order, with the same messages), but the
    values are read once into one float64 array in (id, time) order, of which
    each series is a read-only slice, and regular time steps are checked with
    vectorised differences instead of one pandas frequency inference per id.
    """
    data, ids, layout, order, bounds, times = _long_rows(obj, owner, name)
    labels = [f"{name}[{k!r}]" for k in ids]
    _check_numeric(data, owner, labels[0])
    if isinstance(data, pd.Series):
        kind, series_name = "series", data.name
        columns = [str(data.name) if data.name is not None else "y"]
        values = data.to_numpy(dtype=np.float64).reshape(-1, 1)
    else:
        kind, series_name = "frame", None
        columns = [str(c) for c in data.columns]
        values = data.to_numpy(dtype=np.float64)
    values = _read_only(values if order is None else values[order])
    check_not_empty((bounds[1] - bounds[0], values.shape[1]), owner, labels[0])
    if len(set(columns)) != len(columns):
        _check_values(values[:1], times[:1], columns, owner, labels[0])
    bad = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if len(bad):  # the first series with a NaN or inf raises, as it would alone
        k = int(np.searchsorted(bounds, bad[0], side="right")) - 1
        part = slice(bounds[k], bounds[k + 1])
        _check_values(values[part], times[part], columns, owner, labels[k])
    if max(values.max(), -values.min()) >= 1e150:  # only then can a mean or std overflow
        for k, label in enumerate(labels):
            check_magnitude(values[bounds[k]:bounds[k + 1]], columns, owner, label)
    steps = _long_steps(times, bounds, owner, labels)
    parts = [slice(bounds[k], bounds[k + 1]) for k in range(len(ids))]
    return SeriesSet(values=[values[p] for p in parts], indexes=[times[p] for p in parts],
                     steps=steps, columns=columns, kind=kind, is_list=True, name=None,
                     container="long", ids=ids, layout=layout, arg=name,
                     names=[series_name] * len(ids))


_MONTH_NS = 28 * 86_400 * 10**9
_WEEK_NS = 7 * 86_400 * 10**9


def _long_steps(times, bounds, owner, labels):
    """The step of each id's time stamps (``times[bounds[k]:bounds[k + 1]]``), or raise.

    A run of stamps with one constant positive difference gets its step
    without a pandas frequency inference per id: integers take the
    difference; tz-naive datetimes less than 28 days apart share the step
    inferred for the first id with the same difference (and weekday, for
    whole weeks), which is all ``pd.infer_freq`` reads in such a run. Any
    other id goes through :func:`_check_index`, with its messages.
    """
    t = _time_ints(times)
    integer = t is not None and not isinstance(times, pd.DatetimeIndex)
    if isinstance(times, pd.DatetimeIndex):
        if times.tz is not None:  # local-time steps (daylight saving) need pandas' inference
            t = None
        else:
            per_ns = pd.Timedelta(1, unit=times.unit).value  # asi8 is in the index's unit
    known, steps = {}, []
    for k, label in enumerate(labels):
        lo, hi = bounds[k], bounds[k + 1]
        step = None
        if t is not None and hi - lo >= (2 if integer else 3):
            d = t[lo + 1] - t[lo]
            if d > 0 and (hi - lo == 2 or (np.diff(t[lo:hi]) == d).all()):
                if integer:
                    step = int(d)
                elif d * per_ns < _MONTH_NS:
                    key = (int(d), times[lo].day_of_week if (d * per_ns) % _WEEK_NS == 0 else None)
                    if key not in known:
                        known[key] = _check_index(times[lo:hi], owner, label)
                    step = known[key]
        steps.append(step if step is not None else _check_index(times[lo:hi], owner, label))
    return steps


def as_series_set(obj, owner: str, name: str = "y") -> SeriesSet:
    """Check and convert ``y`` or ``X``; the caller's object is never modified."""
    ids, layout = None, None
    if isinstance(obj, (list, tuple)):
        container, items = "list", list(obj)
    elif isinstance(obj, dict):
        container, items, ids = "dict", list(obj.values()), list(obj.keys())
    elif _is_long(obj):
        ys = _long_series_set(obj, owner, name)
        _check_one_step(ys.steps, [ys.label(i) for i in range(len(ys.steps))], owner, name)
        return ys
    else:
        container, items = "single", [obj]
    is_list = container != "single"
    if is_list and not items:
        raise ValueError(
            f"{name} passed to {owner} is an empty {type(obj).__name__}. Expected one or more "
            f"series."
        )
    labels = ([f"{name}[{k!r}]" for k in ids] if ids is not None
              else [f"{name}[{i}]" for i in range(len(items))] if is_list else [name])
    for label, item in zip(labels, items):
        if is_list and (isinstance(item, (list, tuple, dict)) or _is_long(item)):
            raise TypeError(
                f"{label} passed to {owner} is a {type(item).__name__}: many series must hold "
                f"single series (a pandas Series or DataFrame indexed by time, or a numpy "
                f"array), not containers of series."
            )
    parts = [_one(item, owner, label) for label, item in zip(labels, items)]
    kinds = {p[4] for p in parts}
    if len(kinds) > 1:
        raise TypeError(
            f"The series in the {container} {name} passed to {owner} mix kinds {sorted(kinds)}. "
            f"Pass series of one kind (all Series, all DataFrames or all arrays)."
        )
    columns = parts[0][3]
    for label, p in zip(labels[1:], parts[1:]):
        # Series carry their name, not columns: many Series may be named after their id.
        if p[3] != columns and p[4] != "series":
            raise ValueError(
                f"{label} passed to {owner} has columns {p[3]} but {labels[0]} has "
                f"{columns}. All series of one model need the same columns in the same order."
            )
    if is_list:
        _check_one_step([p[2] for p in parts], labels, owner, name)
    return SeriesSet(values=[p[0] for p in parts], indexes=[p[1] for p in parts],
                     steps=[p[2] for p in parts], columns=columns, kind=parts[0][4],
                     is_list=is_list, name=parts[0][5] if not is_list else None,
                     container=container, ids=ids, layout=layout, arg=name,
                     names=[p[5] for p in parts])


def _check_one_step(steps, labels, owner, name):
    """Refuse many series whose frequencies differ (one global model needs one)."""
    freqs = [str(getattr(step, "freqstr", step)) for step in steps]
    if len(set(freqs)) > 1:
        by_step = {}
        for label, freq in zip(labels, freqs):
            by_step.setdefault(freq, label)
        raise ValueError(
            f"The series of {name} passed to {owner} have different frequencies "
            f"({', '.join(f'{k} (e.g. {v})' for k, v in by_step.items())}). One global "
            f"model needs one frequency; resample them to a common one first."
        )


def align_ids(xs: SeriesSet, ids, owner: str, what: str = "y") -> SeriesSet:
    """Reorder the series of ``xs`` (a dict or long ``X``) to ``ids``; refuse missing or extra ids."""
    if xs.ids is None or ids is None:
        return xs
    if list(xs.ids) == list(ids):
        return xs
    position = {k: i for i, k in enumerate(xs.ids)}
    missing = [k for k in ids if k not in position]
    extra = [k for k in xs.ids if k not in set(ids)]
    if missing or extra:
        raise ValueError(
            f"X passed to {owner} does not hold the same series as {what}: ids missing from X "
            f"{missing[:5]}{' ...' if len(missing) > 5 else ''}, ids in X only "
            f"{extra[:5]}{' ...' if len(extra) > 5 else ''}. Pass covariates for every series "
            f"of {what}, under the same ids."
        )
    order = [position[k] for k in ids]
    pick = lambda items: [items[i] for i in order]  # noqa: E731
    return SeriesSet(values=pick(xs.values), indexes=pick(xs.indexes), steps=pick(xs.steps),
                     columns=xs.columns, kind=xs.kind, is_list=xs.is_list, name=xs.name,
                     container=xs.container, ids=list(ids), layout=xs.layout, arg=xs.arg,
                     names=pick(xs.names) if xs.names else xs.names)


def check_covariates(X: SeriesSet, y: SeriesSet, owner: str) -> SeriesSet:
    """Check that covariates ``X`` line up with ``y`` row for row, series for series.

    Returns ``X`` aligned with ``y``: series in ``y``'s id order, and for pandas
    input the rows after the end of ``y`` (future covariates kept in the same
    frame) dropped. The caller's objects are not modified.
    """
    X = align_ids(X, y.ids, owner)
    if X.is_list != y.is_list or len(X.values) != len(y.values):
        raise ValueError(
            f"X passed to {owner} holds {len(X.values)} series but y holds {len(y.values)}. "
            f"Pass one X per series of y (a list when y is a list)."
        )
    values, indexes = list(X.values), list(X.indexes)
    for i, (xi, yi) in enumerate(zip(X.values, y.values)):
        xl, yl = X.label(i), y.label(i)
        pandas = X.kind in ("series", "frame") and y.kind in ("series", "frame")
        if pandas and len(xi) > len(yi) and X.indexes[i][:len(yi)].equals(y.indexes[i]):
            values[i], indexes[i] = xi[:len(yi)], X.indexes[i][:len(yi)]  # future rows: predict's
            continue
        if len(xi) != len(yi):
            raise ValueError(
                f"{xl} passed to {owner} has {len(xi)} rows but {yl} has {len(yi)}. "
                f"Expected covariates aligned with y, one row per time step."
            )
        if pandas and not X.indexes[i].equals(y.indexes[i]):
            raise ValueError(
                f"The index of {xl} passed to {owner} differs from the index of "
                f"{yl}. Expected covariates aligned with y on the same time stamps."
            )
    X.values, X.indexes = values, indexes
    X.lengths = [len(v) for v in values]
    return X


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
    short, shown = ys.shorter_than(min_length)
    if short:
        raise ValueError(
            f"{len(short)} series passed to predict are too short: {shown} time steps, but "
            f"{owner} {needs}. Pass longer histories (or leave those series out)."
        ) if ys.is_list else ValueError(
            f"y passed to predict has {ys.lengths[0]} time steps but {owner} {needs}. "
            f"Pass a longer history."
        )


def future_covariates(X, ys, horizon: int, ends, owner: str, *, covariate_names, fitted_x_kind,
                      n_series: int, ids=None):
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
    ids : list, optional
        Their ids (a dict or long ``X`` is matched to them by id).

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
    xs = align_ids(xs, ids, owner, "the series forecast")
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
        label = xs.label(i)
        start = 0 if ys is None else ys.lengths[i]
        if isinstance(xidx, pd.DatetimeIndex):
            first = future_index(*ends[i], 1)[0]
            if ys is None and start < len(xidx) and xidx[start] != first and first in xidx:
                start = int(xidx.get_loc(first))  # X holds history rows too: skip them
            if start < len(xidx) and xidx[start] != first:
                where = "the first forecast time stamp" if ys is None else \
                    "the first time stamp of y, and continue past its end"
                raise ValueError(
                    f"{label} passed to predict has {xidx[start]} where {first} was "
                    f"expected. Pass covariates that start at {where}."
                )
        if len(xv) - start < horizon:
            need = f"len(y) + horizon = {start + horizon}" if ys is not None else \
                f"{horizon}" if start == 0 else f"{horizon} from the first forecast time stamp"
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


def _one_output(f, idx, kind, name, columns):
    if kind == "series":
        return pd.Series(f[:, 0], index=idx, name=name)
    if kind == "frame":
        return pd.DataFrame(f, index=idx, columns=columns)
    return f[:, 0].copy() if kind == "array1d" else f.copy()


def to_output(forecasts, indexes, template, *, columns, ids=None):
    """Turn forecasts of shape (H, k), one per series, back into the caller's shape.

    Parameters
    ----------
    forecasts : list of ndarray of shape (H_i, k)
    indexes : list of pandas.Index
        The future time stamps of each forecast.
    template : dict
        :attr:`SeriesSet.template` of the input that sets the shape.
    columns : list of str
        The target names.
    ids : list, optional
        The series ids, for a dict or a long frame.

    Returns
    -------
    One forecast of the input's kind; for many series a list, a dict with the
    same keys, or a long frame with the same layout (index names or id/time
    columns) holding the forecast rows of every id, in the input's id order.
    """
    kind, container = template["kind"], template.get("container", "list"
                                                      if template["is_list"] else "single")
    names = template.get("names") or [template.get("name")] * len(forecasts)
    if container == "long":
        return _long_output(forecasts, indexes, template["layout"], columns, ids, names[0])
    out = [_one_output(f, idx, kind, nm, columns) for f, idx, nm in zip(forecasts, indexes, names)]
    if container == "single":
        return out[0]
    if container == "dict":
        return dict(zip(ids, out))
    return out


def _long_output(forecasts, indexes, layout, columns, ids, name):
    """One long frame (or Series) from per-id forecasts, built without a per-id concat."""
    lengths = [len(f) for f in forecasts]
    id_values = pd.Index(ids).repeat(lengths)
    times = indexes[0].append(indexes[1:]) if len(indexes) > 1 else indexes[0]
    values = np.concatenate(forecasts, axis=0) if forecasts else np.zeros((0, len(columns)))
    if layout["columns"]:
        data = {layout["id_name"]: id_values, layout["time_name"]: times}
        data.update({c: values[:, j] for j, c in enumerate(columns)})
        order = [c for c in layout.get("order", []) if c in data] or list(data)
        return pd.DataFrame(data, columns=order)
    index = pd.MultiIndex.from_arrays([id_values, times],
                                      names=[layout["id_name"], layout["time_name"]])
    if layout["is_series"]:
        return pd.Series(values[:, 0], index=index, name=name)
    return pd.DataFrame(values, index=index, columns=columns)


def _flat_label(label) -> str:
    """A label as one string for id/time-column long frames: ``q_0.1``, ``lower_0.9``."""
    if isinstance(label, tuple):
        coverage, bound = label
        return f"{bound}_{coverage:g}"
    return f"q_{label:g}" if isinstance(label, float) else str(label)


def to_quantile_output(values, indexes, template, *, columns, labels, names, ids=None,
                       flat_labels=None):
    """Turn quantiles or interval bounds, one array per series, into the caller's shape.

    The counterpart of :func:`to_output` for outputs with trailing axes.

    Parameters
    ----------
    values : list of ndarray of shape (H, k, *trail)
        Per series: forecast step, target column, then the trailing axes of
        the quantity (``(Q,)`` quantile levels, ``(2,)`` lower/upper, or
        ``(C, 2)`` coverages x lower/upper).
    indexes : list of pandas.Index
        The future time stamps of each series.
    template : dict
        :attr:`SeriesSet.template` of the input that sets the shape.
    columns : list of str
        The target names.
    labels : list
        One label per element of the flattened trailing axes: floats (levels),
        strings ("lower", "upper") or tuples (``(0.9, "lower")``).
    names : list of str
        Names of the label levels (e.g. ``["quantile"]``, ``["coverage", "bound"]``).
    ids : list, optional
        The series ids, for a dict or a long frame.
    flat_labels : list of str, optional
        The labels as single strings, for long frames with id/time columns
        (default ``q_<level>``, ``<bound>_<coverage>``).

    Returns
    -------
    pandas.DataFrame, ndarray, or a container of those
        One series of kind ``"series"``: a DataFrame indexed by the time
        stamps with the labels as columns (a MultiIndex for tuple labels);
        ``"frame"``: columns ``(target, *label)``; ``"array1d"``: an array of
        shape ``(H, *trail)``; ``"array2d"``: ``(H, k, *trail)``. Many series:
        a list, a dict with the same keys, or a long frame: indexed by
        ``(id, time)`` with those columns, or, for id/time columns, one
        column per flat label (prefixed ``<target>_`` for several targets).
    """
    kind = template["kind"]
    container = template.get("container", "list" if template["is_list"] else "single")
    tuples = [lab if isinstance(lab, tuple) else (lab,) for lab in labels]
    if kind == "series":
        cols = (pd.MultiIndex.from_tuples(tuples, names=names) if len(names) > 1
                else pd.Index(labels, name=names[0]))
    else:
        cols = pd.MultiIndex.from_tuples([(c, *t) for c in columns for t in tuples],
                                         names=["target", *names])
    flat = [np.asarray(v).reshape(v.shape[0], -1) for v in values]  # -> (H, k * n_labels)
    if container == "long":
        layout = template["layout"]
        lengths = [len(f) for f in flat]
        id_values = pd.Index(ids).repeat(lengths)
        times = indexes[0].append(indexes[1:]) if len(indexes) > 1 else indexes[0]
        stacked = np.concatenate(flat, axis=0)
        if layout["columns"]:
            plain = flat_labels or [_flat_label(lab) for lab in labels]
            keys = plain if len(columns) == 1 else [f"{c}_{p}" for c in columns for p in plain]
            data = {layout["id_name"]: id_values, layout["time_name"]: times}
            data.update({key: stacked[:, j] for j, key in enumerate(keys)})
            return pd.DataFrame(data)
        index = pd.MultiIndex.from_arrays([id_values, times],
                                          names=[layout["id_name"], layout["time_name"]])
        return pd.DataFrame(stacked, index=index, columns=cols)
    out = []
    for v, f, idx in zip(values, flat, indexes):
        if kind in ("series", "frame"):
            out.append(pd.DataFrame(f, index=idx, columns=cols))
        elif kind == "array1d":
            out.append(np.asarray(v)[:, 0].copy())
        else:
            out.append(np.asarray(v).copy())
    if container == "single":
        return out[0]
    if container == "dict":
        return dict(zip(ids, out))
    return out


def from_long(df, *, id_col, time_col, value_cols=None):
    """Split a long DataFrame with any id/time column names into ``{id: DataFrame}``.

    The default long layout (``unique_id``/``ds`` columns, or a ``(id, time)``
    MultiIndex) is read by every estimator directly; this helper serves other
    column names. The caller's frame is not modified.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per series and time step.
    id_col, time_col : str
        The columns holding the series id and the time stamp.
    value_cols : list of str, optional
        The value columns to keep (targets, or covariates for ``X``); default:
        every other column.

    Returns
    -------
    dict
        ``{id: DataFrame}`` indexed by time, in the order ids first appear.

    See Also
    --------
    to_long : the way back, for forecasts.

    Examples
    --------
    >>> import pandas as pd
    >>> from tsforecast.data import from_long
    >>> df = pd.DataFrame({"store": ["a", "a", "b", "b"], "day": [1, 2, 1, 2],
    ...                    "sales": [3.0, 4.0, 5.0, 6.0]})
    >>> series = from_long(df, id_col="store", time_col="day")
    >>> list(series), series["b"]["sales"].tolist()
    (['a', 'b'], [5.0, 6.0])
    """
    owner = "from_long"
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df passed to {owner} is {_describe(df)}. Expected a long pandas "
                        f"DataFrame with one row per series and time step.")
    for arg, col in (("id_col", id_col), ("time_col", time_col)):
        if col not in df.columns:
            raise ValueError(
                f"The {arg} {col!r} passed to {owner} is not a column of df (columns: "
                f"{[str(c) for c in df.columns]}). Pass the name of the column holding the "
                f"series {'id' if arg == 'id_col' else 'time stamp'}."
            )
    if value_cols is None:
        value_cols = [c for c in df.columns if c not in (id_col, time_col)]
    missing = [c for c in value_cols if c not in df.columns]
    if missing or not value_cols:
        raise ValueError(
            f"value_cols passed to {owner} are {value_cols}; {missing or 'none'} of them are "
            f"not columns of df. Pass existing columns other than the id and time columns."
        )
    renamed = df[[id_col, time_col, *value_cols]].rename(
        columns={id_col: ID_COL, time_col: TIME_COL})
    items, ids, _ = _split_long(renamed, owner, "df")
    return dict(zip(ids, items))


def to_long(forecasts, *, id_col="unique_id", time_col="ds"):
    """Stack ``{id: Series | DataFrame}`` forecasts into one long DataFrame.

    Parameters
    ----------
    forecasts : dict
        Forecasts keyed by series id, as ``predict`` returns them for a dict.
    id_col, time_col : str, default="unique_id", "ds"
        Names of the id and time columns of the result.

    Returns
    -------
    pandas.DataFrame
        Columns ``id_col``, ``time_col`` and the value columns, ids in the
        dict's order.

    Examples
    --------
    >>> import pandas as pd
    >>> from tsforecast.data import to_long
    >>> f = {"a": pd.Series([1.0, 2.0], index=[3, 4], name="sales")}
    >>> to_long(f, id_col="store", time_col="day")
      store  day  sales
    0     a    3    1.0
    1     a    4    2.0
    """
    if not isinstance(forecasts, dict) or not forecasts:
        raise TypeError(
            f"forecasts passed to to_long is {_describe(forecasts)}. Expected a non-empty "
            f"dict {{id: Series or DataFrame}}, as predict returns for a dict of series."
        )
    frames = []
    for key, f in forecasts.items():
        if isinstance(f, pd.Series):
            f = f.to_frame(f.name if f.name is not None else "y")
        if not isinstance(f, pd.DataFrame):
            raise TypeError(f"forecasts[{key!r}] passed to to_long is {_describe(f)}. "
                            f"Expected a pandas Series or DataFrame indexed by time.")
        frames.append(f)
    values = pd.concat(frames, axis=0, ignore_index=True)
    lengths = [len(f) for f in frames]
    times = frames[0].index.append([f.index for f in frames[1:]])
    out = pd.DataFrame({id_col: pd.Index(list(forecasts)).repeat(lengths),
                        time_col: times})
    return pd.concat([out, values], axis=1)
