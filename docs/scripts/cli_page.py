"""Run the commands shown on docs/cli.md and paste their real output into the page.

Run: ``python docs/scripts/cli_page.py`` (about half a minute on one CPU thread).
It writes ``sp500.csv`` (the bundled daily S&P 500 closes of 2018-2019, dates
written day first as 31/12/2019, two cells "n/a", weekends and holidays
absent) into a temporary folder, runs each command there as a user would, and
replaces the block between ``<!-- BEGIN cli: NAME -->`` and
``<!-- END cli: NAME -->`` in docs/cli.md with the command and what it printed
(stdout and stderr, as a terminal shows them). The forecast plot goes to
``docs/img/cli_sp500.png``. ``tests/test_docs_cli.py`` runs the same commands
and checks that the page still shows what they print (up to the trained
model's numbers and the timings of the progress bar).
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "cli.md"
FIGURE = ROOT / "docs" / "img" / "cli_sp500.png"

SETTINGS = "--target close --horizon 5 --lookback 40 --season 5 --max-epochs 5"
# name -> the command as shown on the page
COMMANDS = {
    "head": "head -4 sp500.csv",
    "first-try": "tsforecast forecast sp500.csv",
    "dayfirst": "tsforecast forecast sp500.csv --dayfirst",
    "freq": "tsforecast forecast sp500.csv --dayfirst --freq B",
    "fill": f"tsforecast forecast sp500.csv --dayfirst --freq B --fill ffill {SETTINGS} "
            f"--plot sp500.png",
    "verbose": f"tsforecast forecast sp500.csv --dayfirst --freq B --fill ffill {SETTINGS} "
               f"--verbose --no-refit --output /dev/null",
    "many-head": "head -4 sensors.csv",
    "many": "tsforecast forecast sensors.csv --id-column sensor --horizon 7 --lookback 28 "
            "--season 7 --max-epochs 5",
    "help": "tsforecast forecast --help",
}


def write_csv(folder: Path) -> Path:
    """The S&P 500 closes of 2018-2019 as an ordinary, slightly messy, CSV."""
    from tsforecast.datasets import load_sp500

    sp = load_sp500()
    sp = sp[(sp["date"] >= "2018-01-01") & (sp["date"] < "2020-01-01")]
    frame = sp[["close"]].round(2).astype(object)
    frame.insert(0, "date", sp["date"].dt.strftime("%d/%m/%Y"))
    frame.iloc[[100, 101], 1] = "n/a"  # a data feed's missing values
    path = folder / "sp500.csv"
    frame.to_csv(path, index=False)
    return path


def write_long_csv(folder: Path) -> Path:
    """Three ETTh1 load series as daily means in one long CSV (sensor, date, value)."""
    from tsforecast.datasets import load_etth1

    daily = load_etth1()[["HUFL", "MUFL", "OT"]].resample("D").mean().round(3)
    frame = daily.reset_index(names="date").melt(id_vars="date", var_name="sensor",
                                                 value_name="value")
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    path = folder / "sensors.csv"
    frame[["sensor", "date", "value"]].to_csv(path, index=False)
    return path


def run(command: str, folder: Path) -> str:
    """What ``command`` prints in ``folder`` as ``$ command`` and its output.

    The command runs in this process (``tsforecast.cli.main``), with stdout and
    stderr sent to one buffer, so notes, bars and results appear in the order a
    terminal shows them; each progress bar keeps its last state (after its last
    carriage return).
    """
    from tsforecast.cli import main as cli

    argv = shlex.split(command)
    # UTF-8 like a terminal (tqdm draws ASCII bars into a plain StringIO)
    buffer = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    env = {"COLUMNS": "88", "CI": "" if "--verbose" in argv else "true"}
    saved = {k: os.environ.get(k) for k in env}
    here = os.getcwd()
    try:
        os.environ.update(env)
        os.chdir(folder)
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            if argv[0] == "head":
                lines = Path(argv[-1]).read_text().splitlines()[:int(argv[1].lstrip("-"))]
                print("\n".join(lines))
                code = 0
            else:
                code = cli(argv[1:])
    finally:
        os.chdir(here)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    printed = buffer.buffer.getvalue().decode("utf-8")
    text = "\n".join(line.split("\r")[-1] for line in printed.split("\n"))
    status = f"\n[exit code {code}]" if code else ""
    return f"$ {command}\n{text.rstrip()}{status}"


def outputs(folder: Path) -> dict:
    """Write the CSVs into ``folder`` and run every command there."""
    write_csv(folder)
    write_long_csv(folder)
    return {name: run(command, folder) for name, command in COMMANDS.items()}


def shown(page: str) -> dict:
    """The command blocks currently on the page."""
    blocks = {}
    for name in COMMANDS:
        begin, end = f"<!-- BEGIN cli: {name} -->", f"<!-- END cli: {name} -->"
        body = page[page.index(begin) + len(begin):page.index(end)].strip()
        blocks[name] = body.removeprefix("```console\n").removesuffix("\n```")
    return blocks


def main():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        blocks = outputs(folder)
        FIGURE.write_bytes((folder / "sp500.png").read_bytes())
    text = PAGE.read_text()
    for name, block in blocks.items():
        begin, end = f"<!-- BEGIN cli: {name} -->", f"<!-- END cli: {name} -->"
        i, j = text.index(begin) + len(begin), text.index(end)
        text = text[:i] + f"\n```console\n{block}\n```\n" + text[j:]
    PAGE.write_text(text)
    print(f"updated {PAGE.relative_to(ROOT)} and {FIGURE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
