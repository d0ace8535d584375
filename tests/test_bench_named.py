"""The named-query benchmark runs (``--quick``), so that it cannot rot.

It times every named query (found by glob) on one in-memory store and, against a git revision,
compares the answers. The figures are not checked: speed is for benchmarks, never a test's.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mnr_graph.core import resources
from mnr_graph.query.named import get_query

BENCH = Path(__file__).parents[1] / "benchmarks" / "bench_named.py"


@pytest.mark.slow
def test_benchmark_times_every_named_query(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    names = {f.stem[4:] for f in resources.files("sparql", "Q*.rq")}
    assert set(figures["after_ms"]) == names
    assert figures["differ"] == []


def test_answers_compare_as_multisets_with_concatenations_sorted() -> None:
    spec = importlib.util.spec_from_file_location("bench_named", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench_named = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_named)

    q = get_query("countries-below-phase-count")
    rows = [{"capabilities": "C07 C04", "countryCode": "XA"}]
    assert bench_named.multiset(q, rows) == bench_named.multiset(
        q, [{**rows[0], "capabilities": "C04 C07"}]
    )
    assert bench_named.multiset(q, rows) != bench_named.multiset(q, rows * 2)
    assert bench_named.multiset(q, rows) != bench_named.multiset(
        q, [{**rows[0], "countryCode": "XB"}]
    )
