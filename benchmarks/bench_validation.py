"""Validation speed: one submission (warm), and a generated dataset against raw pySHACL.

Goals: one country's submission validated in-process in under 150 ms (warm); the generated
195-country, 5-year dataset validated by ``mnr_graph.submissions.validation`` in no more than 1.2
times the
time raw pySHACL takes on the same shapes and data (raw pySHACL runs the SPARQL-based shapes as
SPARQL, with the shipped graph added to the data). Also prints the shapes that cost most.

    python benchmarks/bench_validation.py            # full: 195 countries x 5 years
    python benchmarks/bench_validation.py --quick    # tiny run (used by the tests)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SH

from mnr_graph.core import resources
from mnr_graph.framework.ontology import load_graph
from mnr_graph.submissions import rules
from mnr_graph.submissions.generate import dataset_turtle
from mnr_graph.submissions.rdf_input import parse_rdf
from mnr_graph.submissions.shapes import shapes_graph
from mnr_graph.submissions.validation import validate_bytes, validate_graph


def _time(function: Callable[[], object], repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _raw(
    data: Graph, shipped: Graph, shapes: list[URIRef] | None = None, *, core_only: bool = False
) -> None:
    combined = Graph()
    combined += shipped
    combined += data
    shacl = _core_shapes() if core_only else shapes_graph()
    validate(combined, shacl_graph=shacl, inplace=True, allow_warnings=True, use_shapes=shapes)


def _core_shapes() -> Graph:
    """The shapes with the SPARQL-based ones deactivated (what pySHACL runs inside ours)."""
    graph = Graph()
    graph += shapes_graph()
    for shape, ident in list(graph.subject_objects(DCTERMS.identifier)):
        if str(ident) in rules.RULES:
            graph.add((shape, SH.deactivated, Literal(True)))
    return graph


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the timings, the ratios and the cost per shape."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args(argv)
    countries, years = (2, 1) if args.quick else (args.countries, args.years)
    per_shape_countries = 2 if args.quick else 10

    example = resources.path("examples", "XA-2024-valid.ttl").read_bytes()
    validate_bytes(example, filename="XA.ttl")  # warm up: shapes, context, vocabulary
    one = _time(lambda: validate_bytes(example, filename="XA.ttl"), repeat=3 if args.quick else 15)
    print(f"one submission, warm (median): {one * 1000:.0f} ms  (goal < 150 ms)")

    shipped = load_graph()
    text = dataset_turtle(countries=countries, years=years, seed=0).encode()
    data = parse_rdf(text, filename="dataset.ttl", fmt="ttl")
    print(f"dataset: {countries} countries x {years} years, {len(data)} triples")
    ours = _time(lambda: validate_bytes(text, filename="dataset.ttl"))
    raw = _time(lambda: _raw(data, shipped))
    print(f"ours (parse + validate + report): {ours:.2f} s")
    print(f"raw pySHACL (same shapes, data):  {raw:.2f} s")
    print(f"ratio ours / raw: {ours / raw:.2f}  (goal <= 1.2)")
    core = _time(lambda: _raw(data, shipped, core_only=True))
    print(f"raw pySHACL, SHACL Core shapes only (no SPARQL shapes): {core:.2f} s")
    print(f"ratio ours (all shapes) / raw Core only: {ours / core:.2f}")

    # cost per shape, on a smaller dataset: raw pySHACL one shape at a time, and our Python rules
    small_text = dataset_turtle(countries=per_shape_countries, years=1, seed=0).encode()
    small = parse_rdf(small_text, filename="small.ttl", fmt="ttl")
    graph = shapes_graph()
    costs: list[tuple[float, str, str]] = []
    for shape, ident in sorted(graph.subject_objects(DCTERMS.identifier), key=lambda t: str(t[1])):
        assert isinstance(shape, URIRef)
        costs.append((_time(lambda s=shape: _raw(small, shipped, [s])), str(ident), "pySHACL"))
    for ident, rule in sorted(rules.RULES.items()):
        costs.append((_time(lambda r=rule: r(small, shipped)), ident, "Python rule"))
    base = min(seconds for seconds, _i, how in costs if how == "pySHACL")
    print(
        f"cost per shape on {per_shape_countries} submissions "
        f"(pySHACL: time with that shape alone minus the cheapest, {base:.2f} s):"
    )
    for seconds, ident, how in sorted(costs, reverse=True)[:8]:
        extra = seconds - base if how == "pySHACL" else seconds
        print(f"  {ident} ({how}): {extra * 1000:.0f} ms")
    full = _time(lambda: validate_graph(small))
    print(f"ours on the same {per_shape_countries} submissions: {full * 1000:.0f} ms")


if __name__ == "__main__":
    main()
