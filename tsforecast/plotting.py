"""Plots of forecasts, backtests and attention weights (matplotlib)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_forecast", "plot_backtest", "plot_attention"]

_ONE_AXIS_MAX = 1  # more series than this get one panel each (own y scale, no shared legend)


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _label(key) -> str:
    """A readable name for a series: column names as they are, positions as "series i"."""
    if key is None or isinstance(key, (int, np.integer)):
        return f"series {0 if key is None else int(key)}"
    if isinstance(key, tuple):
        return " / ".join(_label(k) if isinstance(k, (int, np.integer)) else str(k)
                          for k in key)
    return str(key)


def _series_dict(obj, what: str) -> dict:
    """Split any forecast-like input into ``{label: pd.Series}``, in order.

    Accepts a Series, a DataFrame (one series per column), a Series or DataFrame
    indexed by ``(id, time)`` or with ``unique_id``/``ds`` columns, a 1-D/2-D
    array, or a list or dict of those (the shapes ``predict`` returns).
    """
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            inner = _series_dict(value, what)
            for sub, series in inner.items():
                out[_label(key) if len(inner) == 1 else f"{_label(key)} / {sub}"] = series
        return out
    if isinstance(obj, (list, tuple)):
        return _series_dict(dict(enumerate(obj)), what)
    if isinstance(obj, np.ndarray):
        obj = pd.DataFrame(obj.reshape(len(obj), -1))
    if isinstance(obj, pd.Series):
        if isinstance(obj.index, pd.MultiIndex) and obj.index.nlevels == 2:
            return {_label(k): part.droplevel(0)
                    for k, part in obj.groupby(level=0, sort=False)}
        return {_label(obj.name): obj}
    if isinstance(obj, pd.DataFrame) and {"unique_id", "ds"} <= set(obj.columns):
        from .data import from_long  # the NeuralForecast layout of many series

        return _series_dict(from_long(obj, id_col="unique_id", time_col="ds"), what)
    if isinstance(obj, pd.DataFrame):
        if isinstance(obj.index, pd.MultiIndex) and obj.index.nlevels == 2:
            out = {}
            for k, part in obj.groupby(level=0, sort=False):
                part = part.droplevel(0)
                for col in part.columns:
                    key = k if part.shape[1] == 1 else (k, col)
                    out[_label(key)] = part[col]
            return out
        return {_label(col): obj[col] for col in obj.columns}
    raise TypeError(f"plot_forecast got {what} of type {type(obj).__name__}. Expected a "
                    f"pandas Series or DataFrame (as returned by predict), an array, or a "
                    f"list or dict of those.")


def _band_dict(intervals) -> dict:
    """``predict_interval`` output as ``{label: [(coverage or None, lower, upper), ...]}``.

    Columns ``lower``/``upper`` (one coverage), ``(coverage, side)`` (several),
    or ``(target, coverage, side)`` for DataFrame input; lists and dicts as in
    :func:`_series_dict`.
    """
    if isinstance(intervals, (list, tuple)):
        intervals = dict(enumerate(intervals))
    if isinstance(intervals, dict):
        out = {}
        for key, value in intervals.items():
            inner = _band_dict(value)
            for sub, bands in inner.items():
                out[_label(key) if len(inner) == 1 else f"{_label(key)} / {sub}"] = bands
        return out
    if not isinstance(intervals, pd.DataFrame):
        raise TypeError(f"plot_forecast got intervals of type {type(intervals).__name__}. "
                        f"Expected the DataFrame returned by predict_interval.")
    if isinstance(intervals.index, pd.MultiIndex) and intervals.index.nlevels == 2:
        out = {}
        for k, part in intervals.groupby(level=0, sort=False):
            for sub, bands in _band_dict(part.droplevel(0)).items():
                out[_label(k) if sub == "series 0" else f"{_label(k)} / {sub}"] = bands
        return out
    cols = intervals.columns
    if cols.nlevels == 1:
        missing = {"lower", "upper"} - set(cols)
        if missing:
            raise ValueError(f"plot_forecast got intervals with columns {list(cols)}. "
                             f"Expected 'lower' and 'upper' columns, as predict_interval "
                             f"returns.")
        return {"series 0": [(None, intervals["lower"], intervals["upper"])]}
    if cols.nlevels == 2:
        return {"series 0": [(c, intervals[(c, "lower")], intervals[(c, "upper")])
                             for c in dict.fromkeys(cols.get_level_values(0))]}
    out = {}
    for target in dict.fromkeys(cols.get_level_values(0)):
        part = intervals[target]
        out[_label(target)] = [(c, part[(c, "lower")], part[(c, "upper")])
                               for c in dict.fromkeys(part.columns.get_level_values(0))]
    return out


def _window(series: pd.Series, n_history):
    if n_history is None:
        return series
    if isinstance(n_history, (int, np.integer)):
        return series.iloc[-int(n_history):] if n_history > 0 else series.iloc[:0]
    return series[series.index > series.index[-1] - pd.Timedelta(n_history)]


def _concise_dates(ax):
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _panels(n: int, ax, figsize):
    """One axis (given or new) for a single series, else a column or grid of panels."""
    import matplotlib.pyplot as plt

    if ax is not None:
        return np.array([ax] * n), ax.figure
    if n <= _ONE_AXIS_MAX:
        fig, a = plt.subplots(figsize=figsize or (10, 4), layout="constrained")
        return np.array([a]), fig
    ncols = 1 if n <= 4 else 2
    nrows = -(-n // ncols)
    fig, grid = plt.subplots(nrows, ncols, sharex=True, squeeze=False, layout="constrained",
                             figsize=figsize or (10 if ncols == 1 else 12, 2.4 * nrows + 0.8))
    for extra in grid.ravel()[n:]:
        extra.set_visible(False)
    return grid.ravel()[:n], fig


def _select(labels: list, ids, max_series: int, what: str):
    if ids is not None:
        wanted = [_label(i) if not isinstance(i, str) else i for i in ids]
        unknown = [w for w in wanted if w not in labels]
        if unknown:
            raise ValueError(f"{what} got ids {unknown} that are not among the series "
                             f"{labels[:10]}{' ...' if len(labels) > 10 else ''}. Pass labels "
                             f"from that list.")
        return wanted
    return labels[:max_series]


def _finish(fig, axes, shown, total, title, own_axes):
    """Legend outside the data, concise dates, and a note when series were left out."""
    first = axes[0]
    handles, labels = first.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    if len(set(map(id, axes))) == 1:  # everything on one axis: legend right of it
        first.legend(unique.values(), unique.keys(), loc="upper left",
                     bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    elif own_axes:
        fig.legend(unique.values(), unique.keys(), loc="outside lower center",
                   ncol=min(len(unique), 5), fontsize="small", frameon=False)
    note = f" (showing {shown} of {total} series; choose with ids=)" if shown < total else ""
    if title or note:
        if len(set(map(id, axes))) == 1:
            first.set_title((title or "") + note)
        else:
            fig.suptitle((title or "") + note)
    for a in axes:
        a.grid(alpha=0.3)
        a.xaxis.label.set_visible(False)


def plot_forecast(history, forecast, *, actual=None, intervals=None, n_history=None,
                  max_series=6, ids=None, ax=None, title=None, figsize=None):
    """Plot the end of each series, its forecast, and optionally the truth and intervals.

    One series is drawn on one axis. Several get one panel each (stacked, or a
    two-column grid beyond four), each with its own y scale so that a small
    series is not flattened by a large one, sharing the time axis and one
    legend above the panels. Dates are labelled with matplotlib's
    ``ConciseDateFormatter``.

    Parameters
    ----------
    history : pandas.Series or DataFrame, or list or dict of those
        Observed values; each DataFrame column is a series. A Series or
        DataFrame indexed by ``(id, time)``, or with ``unique_id``/``ds``
        columns, holds one series per id (per id and column when there are
        several value columns).
    forecast : same kind as ``history``
        Output of ``predict``, indexed by the future time stamps.
    actual : same kind as ``history``, optional
        Observed values over the forecast span.
    intervals : pandas.DataFrame, or list or dict of those, optional
        Output of ``predict_interval``: columns ``lower``/``upper``, or
        ``(coverage, "lower"|"upper")`` for several coverages, or
        ``(target, coverage, "lower"|"upper")`` for DataFrame input. Drawn as
        shaded bands, the widest palest.
    n_history : int or str or pandas.Timedelta, optional
        Show only the last ``n_history`` observed steps (int) or that span of
        time (e.g. ``"60D"``). Default: the whole history.
    max_series : int, default=6
        Draw at most this many series (the first ones) unless ``ids`` says
        which; the title says how many were left out.
    ids : list, optional
        Labels of the series to draw: column names, ids, or positions of
        unnamed series (``0`` is "series 0").
    ax : matplotlib.axes.Axes, optional
        Draw everything on this axis (then the legend sits to its right).
    title : str, optional
    figsize : tuple of float, optional
        Size of a new figure (default: from the number of panels).

    Returns
    -------
    matplotlib.axes.Axes or ndarray of Axes
        The axis, or one axis per panel when several series were drawn.

    Examples
    --------
    >>> import pandas as pd
    >>> from tsforecast.plotting import plot_forecast
    >>> y = pd.Series(range(30), index=pd.date_range("2024-01-01", periods=30), dtype=float)
    >>> f = pd.Series([30.0, 31.0], index=pd.date_range("2024-01-31", periods=2))
    >>> ax = plot_forecast(y, f, n_history=10)
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['observed', 'forecast']
    """
    owner = "plot_forecast"
    hist = _series_dict(history, "history")
    fc = _series_dict(forecast, "forecast")
    if list(hist) != list(fc):
        raise ValueError(f"{owner} got a history with series {list(hist)[:6]} but a forecast "
                         f"with {list(fc)[:6]}. Pass the forecast of that history.")
    act = _series_dict(actual, "actual") if actual is not None else {}
    bands = _band_dict(intervals) if intervals is not None else {}
    if len(fc) == 1 and bands and list(bands) == ["series 0"]:
        bands = {list(fc)[0]: bands["series 0"]}
    chosen = _select(list(fc), ids, max_series, owner)
    axes, fig = _panels(len(chosen), ax, figsize)
    shared = len(set(map(id, axes))) == 1 and len(chosen) > 1
    for i, (label, a) in enumerate(zip(chosen, axes)):
        h = _window(hist[label], n_history)
        color = f"C{i}" if shared else "C0"
        prefix = f"{label} " if shared else ""
        a.plot(h.index, h.to_numpy(), color="black" if not shared else color, lw=1,
               label=f"{prefix}observed")
        f = fc[label]
        ordered = sorted(bands.get(label, []), key=lambda b: -(b[0] or 0))
        for k, (coverage, lo, hi) in enumerate(ordered):
            name = f"{coverage:.0%} interval" if coverage is not None else "interval"
            a.fill_between(lo.index, lo.to_numpy(), hi.to_numpy(), color=color if shared
                           else "C0", alpha=0.15 + 0.15 * k, lw=0, label=f"{prefix}{name}")
        if label in act:
            a.plot(act[label].index, act[label].to_numpy(), color="grey" if not shared
                   else color, lw=1, ls=":", label=f"{prefix}actual")
        if len(h) and len(f) and h.index[-1] < f.index[0]:  # join the forecast to the data
            f = pd.concat([h.iloc[-1:], f])
        a.plot(f.index, f.to_numpy(), color=color, lw=2, ls="--" if shared else "-",
               label=f"{prefix}forecast")
        if len(h):
            a.axvline(h.index[-1], color="grey", lw=0.8)
        if not shared and len(chosen) > 1:
            a.set_title(label, fontsize="medium", loc="left")
        elif not shared:
            a.set_ylabel(label)
        if isinstance(f.index, pd.DatetimeIndex):
            _concise_dates(a)
    _finish(fig, axes, len(chosen), len(fc), title, own_axes=ax is None)
    return axes[0] if len(set(map(id, axes))) == 1 else axes


def plot_backtest(result, *, history=None, n_history=None, max_origins=12, max_series=6,
                  ids=None, ax=None, title=None, figsize=None):
    """Draw the forecasts of a backtest from several origins against what happened.

    The truth is a black line; each origin's forecast is a coloured line
    (early origins dark, late ones light) starting at its origin; with
    interval columns (``lower_0.9``/``upper_0.9``, as ``backtest(...,
    coverage=)`` adds them) each forecast gets its band.

    Parameters
    ----------
    result : BacktestResult or pandas.DataFrame
        What `tsforecast.model_selection.backtest` returns, or its
        ``forecasts`` frame (columns ``origin``, ``time``, ``column``,
        ``y_true``, ``y_pred``, and optionally ``id`` and interval columns).
    history : pandas.Series or DataFrame, optional
        The observed series, drawn before the first origin for context.
    n_history : int or str or pandas.Timedelta, optional
        How much of ``history`` before the first origin to show (default:
        as many steps as the backtest spans).
    max_origins : int, default=12
        Draw at most this many origins, evenly spread over all of them.
    max_series : int, default=6
        Draw at most this many series unless ``ids`` says which.
    ids : list, optional
        Series to draw: target column names (or ``"id / column"`` labels
        when the backtest has an ``id`` column).
    ax : matplotlib.axes.Axes, optional
        Draw on this axis (one series only).
    title : str, optional
    figsize : tuple of float, optional

    Returns
    -------
    matplotlib.axes.Axes or ndarray of Axes
        The axis, or one axis per panel when several series were drawn.
    """
    import matplotlib.pyplot as plt

    owner = "plot_backtest"
    frame = getattr(result, "forecasts", result)
    need = {"origin", "time", "y_true", "y_pred"}
    if not isinstance(frame, pd.DataFrame) or not need <= set(frame.columns):
        got = list(frame.columns) if isinstance(frame, pd.DataFrame) else type(frame).__name__
        raise TypeError(f"{owner} expects a BacktestResult or its forecasts DataFrame with "
                        f"columns {sorted(need)}; got {got}. Pass what backtest returns.")
    keys = [k for k in ("id", "column") if k in frame.columns]
    groups = {(_label(k) if not isinstance(k, tuple) else " / ".join(map(str, k))): part
              for k, part in (frame.groupby(keys if len(keys) > 1 else keys[0],
                                            sort=False, observed=True)
                              if keys else [("series 0", frame)])}
    chosen = _select(list(groups), ids, max_series, owner)
    if ax is not None and len(chosen) > 1:
        raise ValueError(f"{owner} got ax= but {len(chosen)} series. Pass ids=[one label] "
                         f"or leave ax=None for one panel per series.")
    axes, fig = _panels(len(chosen), ax, figsize)
    hist = _series_dict(history, "history") if history is not None else {}
    coverages = sorted({float(c.split("_", 1)[1]) for c in frame.columns
                        if c.startswith("lower_")}, reverse=True)
    cmap = plt.get_cmap("viridis")
    for label, a in zip(chosen, axes):
        part = groups[label]
        origins = list(dict.fromkeys(part["origin"]))
        if len(origins) <= max_origins:
            keep = origins
        else:  # evenly spread, first and last included
            keep = [origins[int(round(i))] for i in np.linspace(0, len(origins) - 1, max_origins)]
        truth = part.drop_duplicates("time").sort_values("time")
        past = hist.get(label, hist.get(label.split(" / ")[-1])) if hist else None
        if past is not None:
            window = n_history if n_history is not None else len(truth)
            past = _window(past[past.index < truth["time"].iloc[0]], window)
            a.plot(past.index, past.to_numpy(), color="grey", lw=1, label="history")
        times, values = truth["time"].to_numpy(), truth["y_true"].to_numpy()
        if past is not None and len(past):  # join the truth to the history
            times, values = np.r_[past.index[-1:].to_numpy(), times], np.r_[past.iloc[-1:], values]
        a.plot(times, values, color="black", lw=1, label="actual")
        for j, origin in enumerate(keep):
            one = part[part["origin"] == origin].sort_values("time")
            color = cmap(0.85 * j / max(1, len(keep) - 1))
            for k, c in enumerate(coverages):
                a.fill_between(one["time"], one[f"lower_{c:g}"].to_numpy(),
                               one[f"upper_{c:g}"].to_numpy(), color=color,
                               alpha=0.12 + 0.1 * k, lw=0,
                               label=f"{c:.0%} interval" if j == 0 else None)
            a.plot(one["time"], one["y_pred"].to_numpy(), color=color, lw=1.6,
                   label="forecast (colour: origin)" if j == 0 else None)
        if len(origins) > len(keep):
            a.text(0.01, 0.02, f"{len(keep)} of {len(origins)} origins shown",
                   transform=a.transAxes, fontsize="x-small", color="grey")
        if len(chosen) > 1:
            a.set_title(label, fontsize="medium", loc="left")
        if pd.api.types.is_datetime64_any_dtype(part["time"]):
            _concise_dates(a)
    _finish(fig, axes, len(chosen), len(groups), title, own_axes=ax is None)
    return axes[0] if len(axes) == 1 else axes


def plot_attention(weights, *, x_labels=None, y_labels=None, ax=None, title=None,
                   cmap="viridis"):
    """Draw attention weights as a heatmap: one row per output step.

    Parameters
    ----------
    weights : array-like of shape (n_outputs, n_inputs) or DataFrame
        E.g. the output of ``predict_attention`` (forecast steps x history
        steps) or of a text seq2seq model (output x input characters). A
        DataFrame's index and columns become the labels.
    x_labels, y_labels : sequence of str, optional
        Labels of the input (columns) and output (rows) positions.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    cmap : str, default="viridis"

    Returns
    -------
    matplotlib.axes.Axes
    """
    if isinstance(weights, pd.DataFrame):
        x_labels = [str(c) for c in weights.columns] if x_labels is None else x_labels
        y_labels = [str(i) for i in weights.index] if y_labels is None else y_labels
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(
            f"plot_attention expects a 2-D array (outputs x inputs); got shape {w.shape}. "
            f"Pass the weights of one series or one sentence."
        )
    ax = _axes(ax, (max(4, 0.12 * w.shape[1] + 2), max(3, 0.12 * w.shape[0] + 2)))
    image = ax.imshow(w, aspect="auto", cmap=cmap, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    for labels, setter, n in ((x_labels, "x", w.shape[1]), (y_labels, "y", w.shape[0])):
        if labels is not None:
            if len(labels) != n:
                raise ValueError(
                    f"plot_attention got {len(labels)} {setter}_labels for {n} positions. "
                    f"Pass one label per {'input' if setter == 'x' else 'output'} position."
                )
            step = max(1, n // 24)  # keep long axes readable
            ticks = np.arange(0, n, step)
            getattr(ax, f"set_{setter}ticks")(ticks)
            getattr(ax, f"set_{setter}ticklabels")([labels[t] for t in ticks],
                                                   rotation=90 if setter == "x" else 0,
                                                   fontsize="small")
    ax.set_xlabel("input (history) position")
    ax.set_ylabel("output (forecast) position")
    if title:
        ax.set_title(title)
    return ax
