"""Plots of forecasts and attention weights (matplotlib)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_forecast", "plot_attention"]


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_forecast(history, forecast, *, actual=None, n_history=None, ax=None, title=None):
    """Plot the end of a series and its forecast (and, optionally, what happened).

    Parameters
    ----------
    history : pandas.Series or DataFrame
        Observed values; a DataFrame plots each column.
    forecast : pandas.Series or DataFrame
        Output of ``predict``, indexed by the future time stamps.
    actual : pandas.Series or DataFrame, optional
        Observed values over the forecast span.
    n_history : int, optional
        Plot only the last ``n_history`` observed steps.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (10, 4))
    history = history.to_frame() if isinstance(history, pd.Series) else history
    forecast = forecast.to_frame() if isinstance(forecast, pd.Series) else forecast
    if n_history is not None:
        history = history.iloc[-n_history:]
    for i, col in enumerate(forecast.columns):
        color = f"C{i}"
        ax.plot(history.index, history.iloc[:, i], color=color, lw=1, label=f"{col} observed")
        ax.plot(forecast.index, forecast[col], color=color, lw=2, ls="--",
                label=f"{col} forecast")
        if actual is not None:
            act = actual.to_frame() if isinstance(actual, pd.Series) else actual
            ax.plot(act.index, act.iloc[:, i], color=color, lw=1, alpha=0.5,
                    label=f"{col} actual")
    ax.axvline(history.index[-1], color="grey", lw=0.8)
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


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
