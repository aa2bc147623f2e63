"""Bundled datasets; everything loads offline from files shipped inside the package.

See ``tsforecast/datasets/data/NOTICE.md`` for sources and licences.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_etth1", "load_airpassengers", "load_sp500"]


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
