"""Named queries in one process: p50 of each, and against an earlier revision's query files.

Generates ``--countries`` x ``--years`` submissions (as ``mnr-graph generate`` does), loads them
with the shipped graphs into one in-memory store, as ``serve --data FILE`` does (the
current-submission marks included), then gives ``--revise`` countries' latest submission a second
version with other phases (the first marked ``mnr:isCurrent false``), withdraws the latest
year of as many others and the year before it of as many more, so that "the version in force",
"the current submission" and "the previous year" are put to the test. Each named query then
runs with its documented example values bound as the API binds them (a ``VALUES`` block, one page
of the server's result limit), one warm-up and ``--repeats`` timed runs; p50 printed in ms.

With ``--before REV`` the query files of that git revision (``git show REV:sparql/...``) run on
the same store too, side by side, and every query's rows are compared with theirs, as multisets,
for the example values, the required ones alone and each optional one added alone (exit status 1
if any differ). The figures are for ``docs/benchmarks.md`` (Scale), never a test's assertion.

    python benchmarks/bench_named.py --countries 195 --years 5 --before HEAD~3
    python benchmarks/bench_named.py --quick     # a tiny run (used by the test suite)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mnr_graph.core.namespaces import DATA, MNR
from mnr_graph.core.settings import Settings
from mnr_graph.query import named as queries
from mnr_graph.query.store import EmbeddedStore, bind_values, build_store
from mnr_graph.submissions.generate import END_YEAR, country_codes, dataset_turtle

ROOT = Path(__file__).resolve().parents[1]
REVISIONS = "https://w3id.org/mnr-graph/graph/bench-revisions"


def examples(q: queries.NamedQuery) -> dict[str, str]:
    """The example value of each parameter of ``q`` that has one, by parameter name."""
    return {p.name: p.example for p in q.parameters if p.example is not None}


def parameter_sets(q: queries.NamedQuery) -> Iterator[dict[str, str]]:
    """The examples; the required ones alone; the required ones with each optional one."""
    yield examples(q)
    required = {p.name: p.example for p in q.parameters if p.required and p.example is not None}
    yield required
    for p in q.parameters:
        if not p.required and p.example is not None:
            yield required | {p.name: p.example}


def build(countries: int, years: int, revise: int, tmp: Path) -> EmbeddedStore:
    """The in-memory store of ``serve --data FILE``, with revised and withdrawn submissions."""
    data = tmp / f"countries-{countries}x{years}.ttl"
    data.write_text(dataset_turtle(countries=countries, years=years), encoding="utf-8")
    store = build_store(Settings(data_files=(data,)))
    assert isinstance(store, EmbeddedStore)
    codes = country_codes(countries)
    revised, withdrawn = codes[:revise], codes[revise : 2 * revise]
    gapped = codes[2 * revise : 3 * revise] if years > 2 else []  # a year missing in the middle
    lines = []
    for code in revised:
        old = f"{DATA}submission/{code}/{END_YEAR}/v1"
        new = f"{DATA}submission/{code}/{END_YEAR}/v2"
        copied = store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(STRSTARTS(STR(?s), '{old}')) }}"
        )
        for t in copied:
            assert isinstance(t, ox.Triple)
            subject = ox.NamedNode(t.subject.value.replace(old, new))
            obj: Any = t.object
            if isinstance(obj, ox.NamedNode) and obj.value.startswith(old):
                obj = ox.NamedNode(obj.value.replace(old, new))
            if t.predicate.value == str(MNR.maturityPhase):  # one phase lower, at least 1
                obj = ox.NamedNode(f"{obj.value[:-2]}{max(1, int(obj.value[-2:]) - 1):02d}")
            lines.append(f"{subject} {t.predicate} {obj} .")
        lines.append(f"<{old}> <{MNR.isCurrent}> false .")
    lines.extend(
        f"<{DATA}submission/{code}/{END_YEAR}/v1> <{MNR.isCurrent}> false ." for code in withdrawn
    )
    lines.extend(
        f"<{DATA}submission/{code}/{END_YEAR - 1}/v1> <{MNR.isCurrent}> false ." for code in gapped
    )
    if lines:
        # the default graph and every mark rebuilt, as after a load
        store.update(f"INSERT DATA {{ GRAPH <{REVISIONS}> {{ {' '.join(lines)} }} }}")
    return store


def run(store: EmbeddedStore, q: queries.NamedQuery, values: dict[str, str]) -> list[Any]:
    """The rows, with the values bound as the API binds them."""
    bound = q.bind(values, store=store)
    limit = Settings().result_limit
    text = queries.paged(q.text, limit=limit)
    solutions = store.query(bind_values(text, bound) if bound else text)
    assert isinstance(solutions, ox.QuerySolutions)
    return queries.table_from_solutions(q, solutions, limit=limit).rows


def p50(store: EmbeddedStore, q: queries.NamedQuery, values: dict[str, str], repeats: int) -> float:
    """p50 in ms of ``repeats`` runs after a warm-up."""
    times = []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        run(store, q, values)
        times.append(time.perf_counter() - t)
    return statistics.median(times[1:]) * 1000


def queries_at(revision: str, tmp: Path) -> dict[str, queries.NamedQuery]:
    """The named queries of a git revision, by name."""
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{revision}:sparql"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    folder = tmp / "before"
    folder.mkdir()
    out = {}
    for name in listing:
        if not (name.startswith("Q") and name.endswith(".rq")):
            continue
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:sparql/{name}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (folder / name).write_text(text, encoding="utf-8")
        q = queries._load(folder / name)  # the same reader for both sides
        out[q.name] = q
    return out


def multiset(q: queries.NamedQuery, rows: list[Any]) -> Counter[tuple[tuple[str, str], ...]]:
    """Rows as a multiset, each row as its sorted (column, value) pairs.

    A ``GROUP_CONCAT`` column's items are sorted: SPARQL leaves their order to the engine's plan.
    """
    concatenated = set(re.findall(r"GROUP_CONCAT\(.*?\)\s+AS\s+\?(\w+)", q.text, flags=re.I | re.S))

    def value(column: str, v: Any) -> str:
        return " ".join(sorted(str(v).split(" "))) if column in concatenated else str(v)

    return Counter(tuple(sorted((k, value(k, v)) for k, v in row.items())) for row in rows)


def measure(
    countries: int, years: int, *, revise: int, repeats: int, before: str | None, tmp: Path
) -> dict[str, Any]:
    """p50 of every named query (and of the revision's) and the answers that differ."""
    t = time.perf_counter()
    store = build(countries, years, revise, tmp)
    triples = len(store.ox)
    out: dict[str, Any] = {
        "size": f"{countries}x{years}",
        "quads": triples,
        "build_s": time.perf_counter() - t,
        "after_ms": {},
        "before_ms": {},
        "differ": [],
    }
    old = queries_at(before, tmp) if before else {}
    for name, q in queries.load_queries().items():
        out["after_ms"][name] = p50(store, q, examples(q), repeats)
        if name in old:
            out["before_ms"][name] = p50(store, old[name], examples(q), repeats)
            for values in parameter_sets(q):
                now, then = run(store, q, values), run(store, old[name], values)
                if multiset(q, now) != multiset(q, then):
                    out["differ"].append([name, values])
    return out


def show(figures: dict[str, Any]) -> None:
    """Print one size's figures."""
    print(f"{figures['size']}: {figures['quads']} quads, built in {figures['build_s']:.1f} s")
    for name, ms in figures["after_ms"].items():
        was = figures["before_ms"].get(name)
        then = f"  before {was:8.1f} ms" if was is not None else ""
        print(f"  {name:<30} p50 {ms:8.1f} ms{then}")
    for name, values in figures["differ"]:
        print(f"  DIFFERENT ANSWERS: {name} {values}")


def main(argv: Sequence[str] | None = None) -> int:
    """Measure one size, print the figures, optionally write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run (3 countries, 2 years)")
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per query")
    parser.add_argument("--revise", type=int, default=3, help="countries revised, and withdrawn")
    parser.add_argument("--before", default=None, help="a git revision to compare with")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.countries, args.years, args.repeats, args.revise = 3, 2, 1, 1
    with tempfile.TemporaryDirectory(prefix="bench-named-") as tmp:
        figures = measure(
            args.countries,
            args.years,
            revise=args.revise,
            repeats=args.repeats,
            before=args.before,
            tmp=Path(tmp),
        )
    show(figures)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1))
    return 1 if figures["differ"] else 0


if __name__ == "__main__":
    sys.exit(main())
