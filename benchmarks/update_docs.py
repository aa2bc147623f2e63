"""Copy the reports in benchmarks/results/ into docs/benchmarks.md, between their markers.

Run after ett.py, speed.py, m4.py, scale.py, distributed.py or intervals.py so that the docs
show the generated tables unchanged
(headings are only demoted by two levels to nest under the page's sections)::

    python benchmarks/update_docs.py
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
doc = ROOT / "docs" / "benchmarks.md"
text = doc.read_text()
for name in ("ett.md", "speed.md", "m4_weekly.md", "scale.md", "distributed.md", "intervals.md"):
    body = (ROOT / "benchmarks" / "results" / name).read_text().rstrip("\n")
    body = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", body, flags=re.M)
    for figure in re.findall(r"!\[[^\]]*\]\(([\w.-]+\.png)\)", body):  # figures beside a report
        (ROOT / "docs" / "img" / figure).write_bytes(
            (ROOT / "benchmarks" / "results" / figure).read_bytes())
        body = body.replace(f"]({figure})", f"](img/{figure})")
    begin = f"<!-- BEGIN benchmarks/results/{name} -->"
    end = f"<!-- END benchmarks/results/{name} -->"
    i, j = text.index(begin) + len(begin), text.index(end)
    text = text[:i] + "\n" + body + "\n" + text[j:]
doc.write_text(text)
