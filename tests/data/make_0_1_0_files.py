"""Wrote the model files of tsforecast 0.1.0 in this folder (tests/test_persistence.py loads them).

Run with the tsforecast of commit c9a2448 on the path, e.g.
``git archive c9a2448 tsforecast | tar -x -C /tmp/old`` and then
``PYTHONPATH=/tmp/old python tests/data/make_0_1_0_files.py tests/data``.
The files must not be rewritten by later versions: they stand for the files
users already have.
"""

import json
import sys

import numpy as np
import pandas as pd

import tsforecast
from tsforecast import LSTMForecaster
from tsforecast.nlp import RNNLM


def main(out):
    assert tsforecast.__version__ == "0.1.0", tsforecast.__version__
    cpu = {"accelerator": "cpu", "enable_progress_bar": False, "logger": False,
           "enable_model_summary": False}
    t = np.arange(200)
    y = pd.Series(np.sin(2 * np.pi * t / 24) + 0.01 * t,
                  index=pd.date_range("2024-01-01", periods=200, freq="h", tz="Europe/Paris"),
                  name="load")
    est = LSTMForecaster(lookback=24, horizon=6, hidden_size=8, max_epochs=2, random_state=0,
                         loss="quantile", quantiles=(0.1, 0.5, 0.9), trainer_kwargs=cpu).fit(y)
    est.save(f"{out}/lstm-0.1.0.tsf")
    lm = RNNLM(embedding_size=8, hidden_size=8, n_layers=1, bptt=4, batch_size=2, max_epochs=1,
               random_state=0, trainer_kwargs=cpu).fit(["the cat sat on the mat", "the dog sat"])
    lm.save(f"{out}/rnnlm-0.1.0.zip")
    expected = {
        "lstm_predict": est.predict().tolist(),
        "lstm_index": [str(s) for s in est.predict().index],
        "lstm_interval": est.predict_interval(coverage=0.8).to_numpy().tolist(),
        "rnnlm_perplexity": lm.perplexity(["the cat sat on the mat"]),
    }
    json.dump(expected, open(f"{out}/expected-0.1.0.json", "w"), indent=1)


if __name__ == "__main__":  # not on import: pytest's --doctest-modules imports this file
    main(sys.argv[1])
