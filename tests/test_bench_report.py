"""The benchmark report runs (``--quick``: tiny sizes) so that it and ``bench_store.py`` cannot rot.

It measures every named query at three sizes, keeps the rest of the page, and draws its figures.
The figures it prints are not checked: speed is for benchmarks, never a test's assertion.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mnr_graph.core import resources

pytestmark = pytest.mark.slow  # servers, subprocesses or whole-store runs

ROOT = Path(__file__).parents[1]
REPORT = ROOT / "benchmarks" / "report.py"


@pytest.mark.server
def test_the_report_runs_quick_and_replaces_only_its_section(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(
        "# Benchmarks\n\nWritten by hand.\n\n<!-- report:begin -->\nold figures\n"
        "<!-- report:end -->\n\nAlso by hand.\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(REPORT), "--quick", "--output", str(page)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = page.read_text(encoding="utf-8")
    assert "Written by hand." in text
    assert "Also by hand." in text
    assert "old figures" not in text
    assert text.count("<!-- report:begin -->") == 1
    section = text.split("<!-- report:begin -->")[1].split("<!-- report:end -->")[0]
    assert "cores" in section  # the machine it ran on
    # three sizes, in each table
    assert len(re.findall(r"^\| 3 x [124] \(", section, flags=re.M)) == 6
    # every named query (found by glob) with its p50 at each size and two growth figures
    for file in resources.files("sparql", "Q*.rq"):
        name = file.stem[4:]
        row = next(line for line in section.splitlines() if line.startswith(f"| `{name}` |"))
        assert len(row.strip("|").split("|")) == 1 + 3 + 2, row
    for server in ("mnr-graph", "oxigraph serve", "rdflib-endpoint"):
        assert f"| {server} |" in section
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", section)
    assert len(figures) == 4
    for figure in figures:
        assert (tmp_path / figure).read_bytes().startswith(b"\x89PNG")
