"""Instructions per article of detection, counted by valgrind: a measure of speed work that a
shared machine's noise does not move (times move by a third from run to run, the count not at all).

The on-topic articles carried by real news pages (as ``benchmarks.detectors`` builds them) are
extracted once; then detection runs on them under ``valgrind --tool=cachegrind`` twice, once
with no pass and once with ``--passes`` passes, every cache of the toolkit cleared before each
article, and the difference divided by the articles read is what detection costs. It counts
instructions, not the time they take: a change that touches more memory may count fewer and
still run slower, so the benchmark's ratio stays the judge.

    .venv/bin/python -m benchmarks.instructions             # needs valgrind on the PATH
    .venv/bin/python -m benchmarks.instructions --passes 3

Exit status 0 with the count printed, 2 where valgrind or the corpus is missing (said why).
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import ROOT, corpus_dir

#: what the child runs under valgrind: read the articles, warm every pattern up, then ``passes``
#: passes of detection with the caches cleared before each article
_CHILD = """
import pickle, sys
from benchmarks.detectors import _clear_caches
from monitor.detect import detect_article
from monitor.plugins import make_plugin_manager
articles = pickle.load(open(sys.argv[1], "rb"))
pm = make_plugin_manager()
detect_article(pm, articles[0])
for _ in range(int(sys.argv[2])):
    for article in articles:
        _clear_caches()
        detect_article(pm, article)
"""


def _instructions(articles_file: Path, passes: int) -> int:
    """Instructions valgrind counts for the child with ``passes`` passes."""
    run = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", _CHILD, str(articles_file), str(passes)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=False,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind failed (exit {run.returncode}): {run.stderr.strip()[-500:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=2, help="passes of detection over the articles (default 2)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("benchmarks.instructions: valgrind is not on the PATH; nothing measured", file=sys.stderr)
        return 2
    corpus = corpus_dir()
    if not (corpus / "pages").is_dir():
        print(f"benchmarks.instructions: no corpus pages at {corpus} (set MONITOR_CORPUS); nothing measured",
              file=sys.stderr)
        return 2
    from monitor.extract import extract_page

    from .detectors import SHELLS, in_real_pages, on_topic_pages

    articles = [extract_page(body, url=f"https://news.example/{name}")
                for _, name, body in in_real_pages(corpus, on_topic_pages(), SHELLS)]
    with tempfile.TemporaryDirectory() as folder:
        articles_file = Path(folder) / "articles.pickle"
        articles_file.write_bytes(pickle.dumps(articles))
        baseline = _instructions(articles_file, 0)
        measured = _instructions(articles_file, args.passes)
    per_article = (measured - baseline) / args.passes / len(articles)
    print(f"detection of {len(articles)} on-topic articles in real news pages: "
          f"{per_article / 1e6:.2f} million instructions per article ({args.passes} passes, caches cleared per article)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
