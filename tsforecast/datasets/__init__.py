"""Data sets; everything loads offline.

ETTh1, the airline passengers and the S&P 500 ship inside the package (see
``tsforecast/datasets/data/NOTICE.md`` for sources and licences). The M4
competition data may be used for research and benchmarking only, so it is not
shipped: :func:`load_m4` reads the competition's CSV files from a local folder.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..utils.validation import check_options

__all__ = ["load_etth1", "load_airpassengers", "load_sp500", "load_m4", "M4_DIR_ENV",
           "M4_HORIZONS"]

#: Environment variable naming the folder that holds the M4 CSV files.
M4_DIR_ENV = "TSFORECAST_M4_DIR"
#: The forecast horizon of each M4 frequency (the rows of its test file).
M4_HORIZONS = {"Yearly": 6, "Quarterly": 8, "Monthly": 18, "Weekly": 13, "Daily": 14,
               "Hourly": 48}


def _path(name):
    return resources.files(__package__).joinpath("data", name)


def load_etth1() -> pd.DataFrame:
    """Load ETTh1, the hourly Electricity Transformer Temperature data set.

    17,420 hourly rows from 2016-07-01 to 2018-06-26 and 7 columns: six power
    loads (``HUFL``, ``HULL``, ``MUFL``, ``MULL``, ``LUFL``, ``LULL``) and the
    oil temperature ``OT``, the usual target. The standard long-horizon
    benchmark uses the first 14,400 rows (12/4/4 months of train/val/test).

    Returns
    -------
    pandas.DataFrame
        Indexed by an hourly ``DatetimeIndex`` named ``date``, with frequency set.

    References
    ----------
    Zhou, H. et al. (2021). Informer: Beyond efficient transformer for long
    sequence time-series forecasting. *AAAI*. Data licensed CC BY-ND 4.0.

    Examples
    --------
    >>> from tsforecast.datasets import load_etth1
    >>> df = load_etth1()
    >>> df.shape
    (17420, 7)
    """
    with _path("ETTh1.csv").open("r") as f:
        df = pd.read_csv(f, index_col="date", parse_dates=["date"])
    return df.asfreq("h")


def load_airpassengers() -> pd.Series:
    """Load the monthly airline passengers series (Box & Jenkins, Series G).

    144 monthly totals of international airline passengers, in thousands,
    1949-01 to 1960-12: trend plus multiplicative yearly seasonality.

    Returns
    -------
    pandas.Series
        Named ``passengers``, indexed by a month-start ``DatetimeIndex``.

    Examples
    --------
    >>> from tsforecast.datasets import load_airpassengers
    >>> y = load_airpassengers()
    >>> len(y), int(y.sum())
    (144, 40363)
    """
    with _path("airpassengers.csv").open("r") as f:
        df = pd.read_csv(f, index_col="month", parse_dates=["month"])
    return df["passengers"].asfreq("MS")


def load_sp500() -> pd.DataFrame:
    """Load the daily S&P 500 index, 2000-01-03 to 2020-04-17.

    Columns ``open``, ``high``, ``low``, ``close``, ``adjclose``, ``volume``,
    one row per trading day. Trading days are not a regular calendar
    frequency, so the frame is indexed by trading-day number (a
    ``RangeIndex``) with the dates in the ``date`` column.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> from tsforecast.datasets import load_sp500
    >>> float(load_sp500()["close"].iloc[0])
    1455.219971
    """
    with _path("sp500-2000.csv").open("r") as f:
        df = pd.read_csv(f, parse_dates=["date"])
    return df


def _m4_candidates():
    """``shared/data/m4`` in the checkout this package runs from, or in a folder above it."""
    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / "pyproject.toml").is_file():  # an installed package, not a checkout
        return []
    return [folder / "shared" / "data" / "m4" for folder in (checkout, *checkout.parents)]


def _m4_dir(path, files):
    """The folder holding ``files``: ``path``, else ``$TSFORECAST_M4_DIR``, else a checkout's."""
    how = (f"Pass path=... (the folder holding {files[0]} and {files[1]}), or set "
           f"{M4_DIR_ENV}. The files are in the Dataset/ folder of Mcompetitions/M4-methods "
           f"(free for research and benchmarking).")
    for given, source in ((path, "path"), (os.environ.get(M4_DIR_ENV, "").strip() or None,
                                           M4_DIR_ENV)):
        if given is None:
            continue
        folder = Path(given).expanduser()
        missing = [f for f in files if not (folder / f).is_file()]
        if missing:
            raise FileNotFoundError(
                f"The M4 folder given by {source} ({str(folder)!r}) lacks {missing}. {how}")
        return folder
    looked = _m4_candidates()
    for folder in looked:
        if all((folder / f).is_file() for f in files):
            return folder
    shown = ", ".join(repr(str(f)) for f in looked) or "no checkout folders (installed package)"
    raise FileNotFoundError(
        f"M4 files {list(files)} were not found: no path was passed, {M4_DIR_ENV} is not set, "
        f"and none of {shown} holds them. {how}")


def _read_m4(file, offsets=None):
    """``{id: Series}`` from one M4 CSV: ids in V1, values left-aligned, blanks after the end."""
    frame = pd.read_csv(file, index_col=0, dtype={"V1": str})
    values = frame.to_numpy(dtype=np.float64)
    lengths = np.isfinite(values).sum(axis=1)
    out = {}
    for k, (key, row, n) in enumerate(zip(frame.index, values, lengths)):
        if not np.isfinite(row[:n]).all():
            raise ValueError(
                f"Row {key!r} of {file} has gaps inside the series (values must be "
                f"left-aligned, with empty cells only after the series ends). Check the file.")
        start = 0 if offsets is None else offsets[key]
        out[key] = pd.Series(row[:n], index=pd.RangeIndex(start, start + n), name=key)
    return out


def load_m4(frequency="Weekly", *, path=None):
    """Load one frequency of the M4 competition data from local CSV files.

    The M4 data (Makridakis et al., 2020) may be used for research and
    benchmarking only, so tsforecast does not ship it: the files
    ``<frequency>-train.csv`` and ``<frequency>-test.csv`` from the Dataset/
    folder of the Mcompetitions/M4-methods repository are read from ``path``,
    else from the folder named by the environment variable
    ``TSFORECAST_M4_DIR``, else from a ``shared/data/m4`` folder in the source
    checkout tsforecast runs from or in a folder above it.

    The files hold one row per series: its id in column ``V1``, its values
    left-aligned, empty cells after the series ends (those are dropped). They
    carry no dates, so series are indexed by integer steps: the training
    series from 0, their test continuation from the training length on, which
    is where ``predict`` of a model fitted on ``train`` starts.

    Parameters
    ----------
    frequency : {"Yearly", "Quarterly", "Monthly", "Weekly", "Daily", "Hourly"}, default="Weekly"
        Which subset to read. Its forecast horizon is ``M4_HORIZONS[frequency]``
        (13 for Weekly).
    path : str or path-like, optional
        The folder holding the two files.

    Returns
    -------
    train : dict
        ``{id: pandas.Series}`` of the training series (float64, named by
        their id), in file order.
    test : dict
        ``{id: pandas.Series}`` of the next ``M4_HORIZONS[frequency]`` values
        of each series, under the same ids.

    Raises
    ------
    FileNotFoundError
        If the files are not found; the message lists where it looked.

    References
    ----------
    Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2020). The M4
    Competition: 100,000 time series and 61 forecasting methods.
    *International Journal of Forecasting*, 36(1), 54-74.

    Examples
    --------
    >>> from tsforecast.datasets import load_m4
    >>> train, test = load_m4("Weekly")  # doctest: +SKIP
    >>> len(train), len(test["W1"])  # doctest: +SKIP
    (359, 13)
    """
    check_options("load_m4", "frequency", frequency, M4_HORIZONS)
    files = (f"{frequency}-train.csv", f"{frequency}-test.csv")
    folder = _m4_dir(path, files)
    train = _read_m4(folder / files[0])
    test = _read_m4(folder / files[1], offsets={k: len(v) for k, v in train.items()})
    if list(test) != list(train):
        only_train = [k for k in train if k not in test][:5]
        only_test = [k for k in test if k not in train][:5]
        raise ValueError(
            f"{files[0]} and {files[1]} in {str(folder)!r} do not hold the same series (only "
            f"in train: {only_train}, only in test: {only_test}). Use the two files of one M4 "
            f"release.")
    return train, test
