"""Validation speed: one submission (warm), a generated dataset, and raw pySHACL as the baseline.

Goals (issue 12): one submission validated in-process in at most 50 ms, warm (the shipped
example and a generated country submission with every capability); the generated
195-country, 5-year dataset validated with every shape by ``mnr_graph.submissions.validation`` in
at most 60 s. The baseline is raw pySHACL on the same shapes and data (the SPARQL-based shapes as
SPARQL, the shipped graph added to the data), run on ``--raw-countries`` countries only: with
every shape it had not finished 195 x 5 after 15 minutes. Also prints the shapes that cost most.

    python benchmarks/bench_validation.py            # full: 195 countries x 5 years
    python benchmarks/bench_validation.py --quick    # tiny run (used by the tests)
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SH

from mnr_graph.core import resources
from mnr_graph.framework.ontology import load_graph
from mnr_graph.submissions import rules
from mnr_graph.submissions.generate import END_YEAR, dataset_turtle, submission_file
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
    parser.add_argument(
        "--raw-countries", type=int, default=20, help="countries for the raw pySHACL baseline"
    )
    args = parser.parse_args(argv)
    countries, years = (2, 1) if args.quick else (args.countries, args.years)
    raw_countries = 2 if args.quick else min(args.raw_countries, countries)
    per_shape_countries = 2 if args.quick else 10
    repeat = 3 if args.quick else 15
    example = resources.path("examples", "XA-2024-valid.ttl").read_bytes()
    generated = submission_file("XB", END_YEAR, random.Random(3)).encode()
    validate_bytes(example, filename="XA.ttl")  # warm up: shapes, context, vocabulary
    for name, text in (("the shipped example", example), ("a generated submission", generated)):
        triples = len(parse_rdf(text, filename="one.ttl", fmt="ttl"))
        one = _time(lambda t=text: validate_bytes(t, filename="one.ttl"), repeat=repeat)
        print(f"one submission, warm (median), {name} ({triples} triples): {one * 1000:.0f} ms")
    print("  (goal <= 50 ms)")
    shipped = load_graph()
    text = dataset_turtle(countries=countries, years=years, seed=0).encode()
    triples = len(parse_rdf(text, filename="dataset.ttl", fmt="ttl"))
    ours = _time(lambda: validate_bytes(text, filename="dataset.ttl"))
    print(
        f"dataset {countries} countries x {years} years ({triples} triples), every shape, "
        f"parse + validate + report: {ours:.2f} s  (goal <= 60 s at 195 x 5)"
    )
    small_text = dataset_turtle(countries=raw_countries, years=years, seed=0).encode()
    small_data = parse_rdf(small_text, filename="dataset.ttl", fmt="ttl")
    ours_small = _time(lambda: validate_bytes(small_text, filename="dataset.ttl"))
    raw = _time(lambda: _raw(small_data, shipped))
    core = _time(lambda: _raw(small_data, shipped, core_only=True))
    print(f"baseline on {raw_countries} countries x {years} years:")
    print(f"  ours: {ours_small:.2f} s; raw pySHACL (same shapes, data): {raw:.2f} s")
    print(f"  ratio ours / raw: {ours_small / raw:.2f}")
    print(f"  raw pySHACL, SHACL Core shapes only: {core:.2f} s; ratio {ours_small / core:.2f}")
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
