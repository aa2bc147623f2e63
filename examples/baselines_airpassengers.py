"""Compare the statistical baselines on AirPassengers: fit on 1949-1958, forecast 1959-1960.

One holdout, no backtest: each baseline is fitted on the first 120 months and
forecasts the last 24 in one go. Prints MAE, RMSE, MAPE and the fit time.
The ARIMA airline model is shown twice: on the raw series, and on log(y)
with the forecast exponentiated (the log turns the multiplicative season into
an additive one). Runs in a few seconds.

Run with ``python examples/baselines_airpassengers.py`` (``--quick``: four of the
seven fits, for smoke tests).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from tsforecast import (
    ARIMAForecaster,
    ETSForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from tsforecast.datasets import load_airpassengers

AIRLINE = dict(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", type=int, default=24, help="months forecast")
    parser.add_argument("--quick", action="store_true",
                        help="only naive, seasonal naive, ETS A,A,M and ARIMA on log(y)")
    args = parser.parse_args(argv)

    y = load_airpassengers()
    train, test = y.iloc[:-args.holdout], y.iloc[-args.holdout:]
    h = args.holdout
    candidates = [
        ("NaiveForecaster", NaiveForecaster(horizon=h), False),
        ("SeasonalNaiveForecaster", SeasonalNaiveForecaster(horizon=h), False),
        ("ETSForecaster A,A,M", ETSForecaster(trend="add", seasonal="mul", horizon=h), False),
        ("ETSForecaster A,Ad,M", ETSForecaster(trend="add", damped_trend=True, seasonal="mul",
                                               horizon=h), False),
        ("ThetaForecaster", ThetaForecaster(horizon=h), False),
        ("ARIMAForecaster (0,1,1)(0,1,1)12", ARIMAForecaster(**AIRLINE, horizon=h), False),
        ("ARIMAForecaster (0,1,1)(0,1,1)12 on log(y)", ARIMAForecaster(**AIRLINE, horizon=h),
         True),
    ]
    if args.quick:
        keep = ("NaiveForecaster", "SeasonalNaiveForecaster", "ETSForecaster A,A,M",
                "ARIMAForecaster (0,1,1)(0,1,1)12 on log(y)")
        candidates = [c for c in candidates if c[0] in keep]
    rows = {}
    for label, est, log in candidates:
        start = time.perf_counter()
        est.fit(np.log(train) if log else train)
        forecast = est.predict()
        seconds = time.perf_counter() - start
        if log:
            forecast = np.exp(forecast)
        error = forecast.to_numpy() - test.to_numpy()
        rows[label] = {"MAE": np.abs(error).mean(), "RMSE": np.sqrt((error ** 2).mean()),
                       "MAPE %": 100 * np.abs(error / test.to_numpy()).mean(),
                       "fit+predict s": seconds}
    table = pd.DataFrame.from_dict(rows, orient="index")
    print(f"AirPassengers: fit on {train.index[0]:%Y-%m}..{train.index[-1]:%Y-%m}, "
          f"forecast {test.index[0]:%Y-%m}..{test.index[-1]:%Y-%m} ({h} months)")
    print(table.round(2).to_string())
    return table


if __name__ == "__main__":
    main()
