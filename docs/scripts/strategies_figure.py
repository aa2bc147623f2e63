"""Figure for docs/guide/strategies.md: direct vs recursive LSTM forecasts on ETTh1.

Run: ``python docs/scripts/strategies_figure.py`` (about a minute on one CPU thread).
Writes ``docs/img/strategies.png`` and prints the MAE of both strategies over
the forecast shown and over 20 daily origins.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from tsforecast import LSTMForecaster  # noqa: E402
from tsforecast.datasets import load_etth1  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "img" / "strategies.png"


def main():
    torch.set_num_threads(1)
    y = load_etth1()["OT"].iloc[:11520]
    train, test = y.iloc[-4000:-480], y.iloc[-480:]
    common = dict(lookback=96, horizon=24, hidden_size=64, max_epochs=15, random_state=0)
    direct = LSTMForecaster(**common, strategy="direct").fit(train)
    recursive = LSTMForecaster(**common, strategy="recursive").fit(train)
    origins = range(0, len(test) - 48, 24)
    histories = [y.iloc[: len(y) - 480 + o] for o in origins]
    truth = np.stack([test.iloc[o:o + 48].to_numpy() for o in origins])
    maes = {}
    for name, est in (("direct", direct), ("recursive", recursive)):
        pred = np.stack([f.to_numpy() for f in est.predict(horizon=48, y=histories)])
        maes[name] = np.abs(pred - truth).mean()
        print(f"{name:>9}: MAE over {len(origins)} origins, 48 steps = {maes[name]:.3f}")

    fig, ax = plt.subplots(figsize=(10, 4))
    hist = histories[5]
    ax.plot(hist.index[-96:], hist.iloc[-96:], color="black", lw=1, label="history")
    ax.plot(test.index[5 * 24:5 * 24 + 48], test.iloc[5 * 24:5 * 24 + 48], color="grey",
            lw=1, label="actual")
    for name, est, color in (("direct (blocks of 24)", direct, "tab:blue"),
                             ("recursive (1 step fed back)", recursive, "tab:orange")):
        f = est.predict(horizon=48, y=hist)
        ax.plot(f.index, f, color=color, lw=2, label=name)
    ax.axvline(hist.index[-1], color="grey", lw=0.8, ls=":")
    ax.set_title("ETTh1 oil temperature, 48-hour forecasts from the same history")
    ax.set_ylabel("OT (°C)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(OUT, dpi=90)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
