"""API throughput: this server, rdflib-endpoint and ``oxigraph serve``; same data, same client.

Serves the generated dataset (``mnr-graph generate --countries 195 --years 5``, made here) plus
the shipped graphs from three servers started as subprocesses on loopback ports, then runs one
mix of queries (named queries and raw SPARQL) with one httpx client, concurrently, for a fixed
time against each, in one run. Prints requests/s, p50 and p99 latency, the ratios (goals: at least
25x rdflib-endpoint, at least 0.5x oxigraph serve) and each server's start-up time. Then checks
the answers: one request of each query to each server, compared with mnr-graph's (on the full
dataset with ``oxigraph serve``; with rdflib-endpoint, which needs minutes per query there, on a
3-country dataset; ``--quick`` compares all three on its tiny one). Exit status 1 if any differ.

``oxigraph serve`` runs without ``--union-default-graph``: that option repeats a triple once per
named graph holding it (a bag, not the RDF merge), which multiplied joins and counts; it gets the
merge as its default graph instead, as mnr-graph keeps it.

    python benchmarks/bench_api.py            # 195 countries x 5 years, 15 s per server
    python benchmarks/bench_api.py --quick    # a tiny run (used by the test suite)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from mnr_graph.core.settings import Settings
from mnr_graph.query import named as queries
from mnr_graph.query.store import (
    RemoteStore,
    bind_values,
    build_store,
    data_graph,
    push_graphs,
    shipped_graphs,
)
from mnr_graph.submissions.current import CURRENT_GRAPH
from mnr_graph.submissions.generate import dataset_turtle

PYTHON = sys.executable
OXIGRAPH = Path(PYTHON).parent / "oxigraph"
NAMED = (
    "capabilities-by-domain",
    "capability",
    "country-profile",
    "countries-below-phase",
    "average-phase-by-domain",
    "terms-by-band",
)
RAW = (
    "PREFIX mnr: <https://w3id.org/mnr-graph/def/> "
    "SELECT ?domain (COUNT(?c) AS ?n) WHERE { ?c a mnr:Capability ; mnr:inDomain ?domain } "
    "GROUP BY ?domain ORDER BY ?domain",
    "PREFIX mnr: <https://w3id.org/mnr-graph/def/> "
    "SELECT ?s ?year WHERE { ?s a mnr:Submission ; mnr:country ?c ; mnr:reportingYear ?year . "
    "?c mnr:countryCode 'XB' } ORDER BY ?year",
    "PREFIX mnr: <https://w3id.org/mnr-graph/def/> "
    "SELECT ?phase (COUNT(?a) AS ?n) WHERE { ?a mnr:assessedCapability "
    "<https://w3id.org/mnr-graph/id/C07> ; mnr:maturityPhase ?phase } GROUP BY ?phase",
    "ASK { ?s a <https://w3id.org/mnr-graph/def/Submission> }",
)
RDFLIB_SERVER = """
import sys, uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint
ds = Dataset(default_union=True)
for pair in sys.argv[2:]:
    iri, path = pair.split("=", 1)
    ds.graph(iri).parse(path, format="turtle")
app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


@dataclass
class Request:
    """One request of the mix: a path on our API, or raw SPARQL for any endpoint."""

    label: str
    sparql: str
    api_path: str | None = None
    api_params: dict[str, str] | None = None


@dataclass
class Result:
    """One server's throughput run: start-up time, request counts and latencies."""

    name: str
    startup: float
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        """Requests per second over the run; 0.0 if it lasted no time."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Return the latency at fraction ``p`` of the sorted latencies, in ms; NaN if none."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 600) -> None:
    """Poll ``url`` until it answers; raise if ``process`` exits or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def current_marks(data: Path) -> tuple[str, Path]:
    """Write each country's current submission (``graph/current``) to a file beside ``data``.

    The file is for the other servers: the named queries read it, as ``mnr-graph load`` writes it
    to a remote store.
    """
    store = build_store(Settings(data_files=(data,)))
    marks = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{CURRENT_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    assert isinstance(marks, ox.QueryTriples)
    file = data.with_name(f"{data.stem}-current.ttl")
    file.write_bytes(ox.serialize(marks, format=ox.RdfFormat.TURTLE) or b"")
    return CURRENT_GRAPH, file


def the_mix() -> list[Request]:
    """Named queries with their example parameters (bound as VALUES for the other servers)."""
    mix: list[Request] = []
    for name in NAMED:
        q = queries.get_query(name)
        values = {p.name: p.example for p in q.parameters if p.example is not None}
        substitutions = q.bind(values)
        mix.append(
            Request(
                f"named:{name}",
                bind_values(q.text, substitutions),
                api_path=f"/queries/{name}",
                api_params=values,
            )
        )
    mix += [Request(f"raw:{i + 1}", text) for i, text in enumerate(RAW)]
    return mix


async def hammer(
    base: str,
    endpoint: str,
    mix: Sequence[Request],
    *,
    use_api: bool,
    seconds: float,
    workers: int,
    timeout: float,
) -> tuple[int, int, list[float], float]:
    """Send ``mix`` to one server from ``workers`` concurrent loops for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    headers = {"Accept": "application/sparql-results+json"}
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)

    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:

        async def loop(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.monotonic() < stop:
                request = mix[i % len(mix)]
                i += 1
                started = time.perf_counter()
                try:
                    if use_api and request.api_path is not None:
                        response = await client.get(
                            base + request.api_path, params=request.api_params
                        )
                    else:
                        response = await client.get(
                            endpoint, params={"query": request.sparql}, headers=headers
                        )
                except httpx.HTTPError:
                    errors += 1
                    continue
                if response.status_code != 200:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)

        started = time.monotonic()
        await asyncio.gather(*(loop(k) for k in range(workers)))
        elapsed = time.monotonic() - started
    return len(latencies), errors, latencies, elapsed


_NUMERIC = {
    f"http://www.w3.org/2001/XMLSchema#{t}"
    for t in ("integer", "decimal", "double", "float", "positiveInteger", "nonNegativeInteger")
}


def _term(term: dict[str, str]) -> tuple[str, ...]:
    """One binding, comparable: numbers by value to 12 decimal places.

    Engines type AVG and SUM differently and divide decimals to different precisions (oxigraph to
    18 decimal places, rdflib to 28 significant digits: 2.428571428571428571 against
    2.428571428571428571428571429); XSD leaves that precision to the implementation.
    """
    if term.get("datatype") in _NUMERIC:
        try:
            value = Decimal(term["value"]).quantize(Decimal("1e-12")).normalize()
            return ("number", format(value, "f"))
        except InvalidOperation:
            pass
    return (term["type"], term["value"], term.get("datatype", ""), term.get("xml:lang", ""))


def normalise(body: dict[str, Any]) -> object:
    """An answer as a multiset of rows (the order of rows is not compared: ties may differ)."""
    if "boolean" in body:
        return body["boolean"]
    rows = [
        tuple(sorted((v, _term(t)) for v, t in binding.items()))
        for binding in body["results"]["bindings"]
    ]
    return sorted(rows)


def answers(
    mix: Sequence[Request], endpoints: dict[str, str], timeout: float
) -> dict[str, dict[str, object]]:
    """One request of each query to each server: {label: {server: normalised answer or error}}."""
    out: dict[str, dict[str, object]] = {}
    for request in mix:
        row: dict[str, object] = {}
        for name, url in endpoints.items():
            try:
                r = httpx.get(
                    url,
                    params={"query": request.sparql},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=timeout,
                )
            except httpx.TimeoutException:
                row[name] = f"no answer within {timeout:g} s"
                continue
            row[name] = normalise(r.json()) if r.status_code == 200 else f"HTTP {r.status_code}"
        out[request.label] = row
    return out


def report_answers(title: str, found: dict[str, dict[str, object]]) -> int:
    """Print which answers agree with mnr-graph's; return how many differ."""
    differ = 0
    print(f"\nanswers ({title}):")
    for label, row in found.items():
        ours = row["mnr-graph"]
        notes = []
        for name, answer in row.items():
            if name == "mnr-graph":
                continue
            if isinstance(answer, str):
                notes.append(f"{name}: {answer}")
            elif answer == ours:
                notes.append(f"{name}: same")
            else:
                differ += 1
                size = len(answer) if isinstance(answer, list) else answer
                mine = len(ours) if isinstance(ours, list) else ours
                notes.append(f"{name}: DIFFERS ({size} rows vs {mine})")
        rows = len(ours) if isinstance(ours, list) else ours
        print(f"  {label:<34}{rows!s:>8} rows   " + "; ".join(notes))
    print(
        "  (rows compared as multisets, numbers by value to 12 decimal places: decimal\n"
        "  division precision is the engine's; row order is not compared: the order of ties\n"
        "  in ORDER BY and of GROUP_CONCAT is unspecified in SPARQL)"
    )
    return differ


def start_ours(data: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``mnr-graph serve`` on ``data``; return the process and its SPARQL URL."""
    port = free_port()
    p = subprocess.Popen(
        [PYTHON, "-m", "mnr_graph", "serve", "--port", str(port), "--data", str(data)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    wait_up(f"http://127.0.0.1:{port}/health", p)
    return p, f"http://127.0.0.1:{port}/sparql"


def start_rdflib(graphs: Sequence[tuple[str, Path]]) -> tuple[subprocess.Popen[bytes], str]:
    """Start rdflib-endpoint on ``graphs``; return the process and its SPARQL URL."""
    port = free_port()
    p = subprocess.Popen(
        [PYTHON, "-c", RDFLIB_SERVER, str(port), *(f"{g}={f}" for g, f in graphs)],
        stderr=subprocess.DEVNULL,
    )
    wait_up(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", p)
    return p, f"http://127.0.0.1:{port}/sparql"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 1 if any server's answers differ from mnr-graph's, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run (3 countries, 1 s)")
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15.0, help="per server")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.countries, args.years, args.seconds, args.concurrency = 3, 1, 2.0, 4
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        data = tmp / "dataset.ttl"
        data.write_text(
            dataset_turtle(countries=args.countries, years=args.years), encoding="utf-8"
        )
        graphs = [*shipped_graphs(), (data_graph(data), data), current_marks(data)]
        print(
            f"dataset: {args.countries} countries x {args.years} years "
            f"({data.stat().st_size / 1e6:.1f} MB Turtle); {args.seconds:g} s per server, "
            f"{args.concurrency} concurrent requests"
        )
        t = time.perf_counter()
        build_store(Settings(data_files=(data,)))
        print(f"store build in-process (library): {time.perf_counter() - t:.2f} s")
        mix = the_mix()
        env = os.environ | {"MNR_GRAPH_QUERY_TIMEOUT": "60"}

        ours_port, rdflib_port, ox_port = free_port(), free_port(), free_port()
        starts: dict[str, float] = {}
        t = time.perf_counter()
        p = subprocess.Popen(
            [PYTHON, "-m", "mnr_graph", "serve", "--port", str(ours_port), "--data", str(data)],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        processes.append(p)
        wait_up(f"http://127.0.0.1:{ours_port}/health", p)
        starts["mnr-graph"] = time.perf_counter() - t
        # the same server with every query run (no answers kept between writes): the mix repeats
        # its queries, and the cache answers most of them
        uncached_port = free_port()
        t = time.perf_counter()
        p = subprocess.Popen(
            [PYTHON, "-m", "mnr_graph", "serve", "--port", str(uncached_port), "--data",
             str(data), "--answer-cache", "0"],
            env=env,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(p)
        wait_up(f"http://127.0.0.1:{uncached_port}/health", p)
        starts["mnr-graph, no answer cache"] = time.perf_counter() - t

        binary = str(OXIGRAPH if OXIGRAPH.exists() else shutil.which("oxigraph"))
        t = time.perf_counter()
        p = subprocess.Popen(
            [
                binary,
                "serve",
                "--bind",
                f"127.0.0.1:{ox_port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(p)
        ox_base = f"http://127.0.0.1:{ox_port}"
        wait_up(ox_base + "/query?query=ASK%7B%7D", p)
        remote = RemoteStore(
            ox_base + "/query",
            update_endpoint=ox_base + "/update",
            gsp_endpoint=ox_base + "/store",
            timeout=300,
        )
        push_graphs(remote, graphs)
        remote.close()
        starts["oxigraph serve"] = time.perf_counter() - t

        t = time.perf_counter()
        p = subprocess.Popen(
            [PYTHON, "-c", RDFLIB_SERVER, str(rdflib_port), *(f"{g}={f}" for g, f in graphs)],
            stderr=subprocess.DEVNULL,
        )
        processes.append(p)
        wait_up(f"http://127.0.0.1:{rdflib_port}/sparql?query=ASK%7B%7D", p)
        starts["rdflib-endpoint"] = time.perf_counter() - t

        endpoints = {
            "mnr-graph": f"http://127.0.0.1:{ours_port}/sparql",
            "mnr-graph, no answer cache": f"http://127.0.0.1:{uncached_port}/sparql",
            "rdflib-endpoint": f"http://127.0.0.1:{rdflib_port}/sparql",
            "oxigraph serve": ox_base + "/query",
        }
        results: dict[str, Result] = {}
        # rdflib-endpoint last: its slow queries go on running after the client gives up.
        for name in (
            "mnr-graph",
            "mnr-graph, no answer cache",
            "oxigraph serve",
            "rdflib-endpoint",
        ):
            endpoint = endpoints[name]
            base = endpoint.rsplit("/", 1)[0]
            n, errors, latencies, elapsed = asyncio.run(
                hammer(
                    base,
                    endpoint,
                    mix,
                    use_api=name.startswith("mnr-graph"),
                    seconds=args.seconds,
                    workers=args.concurrency,
                    timeout=args.timeout,
                )
            )
            results[name] = Result(name, starts[name], n, errors, elapsed, latencies)

        print(
            f"\n{'server':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'start s':>9}"
        )
        for r in results.values():
            print(
                f"{r.name:<28}{r.rps:>10.1f}{r.percentile(0.5):>10.1f}{r.percentile(0.99):>10.1f}"
                f"{r.errors:>8}{r.startup:>9.2f}"
            )
        ours = results["mnr-graph"].rps
        baseline = results["rdflib-endpoint"]
        vs_ox = ours / max(results["oxigraph serve"].rps, 1e-9)
        if baseline.requests:
            print(f"\nratio vs rdflib-endpoint: {ours / baseline.rps:.1f}x (goal >= 25x)")
        else:  # not one request finished: at most one per run
            bound = ours * baseline.seconds
            print(
                f"\nratio vs rdflib-endpoint: > {bound:.0f}x (it finished no request; goal >= 25x)"
            )
        print(f"ratio vs oxigraph serve:  {vs_ox:.2f}x (goal >= 0.5x)")
        uncached = results["mnr-graph, no answer cache"].rps / max(
            results["oxigraph serve"].rps, 1e-9
        )
        print(f"without the answer cache: {uncached:.2f}x oxigraph serve")
        print(
            f"start-up of mnr-graph serve, this dataset: {starts['mnr-graph']:.2f} s (goal < 2 s)"
        )
        if args.json is not None:  # for benchmarks/report.py
            figures = {
                r.name: {
                    "rps": r.rps,
                    "p50_ms": r.percentile(0.5),
                    "p99_ms": r.percentile(0.99),
                    "errors": r.errors,
                    "requests": r.requests,
                    "startup_s": r.startup,
                }
                for r in results.values()
            }
            args.json.write_text(
                json.dumps({"countries": args.countries, "years": args.years, "servers": figures})
            )
        differ = 0
        if args.quick:
            differ += report_answers(
                f"{args.countries} countries x {args.years} year, all three servers",
                answers(mix, endpoints, 60),
            )
        else:
            processes[-1].terminate()  # rdflib-endpoint: leave the machine to the others
            differ += report_answers(
                f"{args.countries} countries x {args.years} years",
                answers(mix, {k: v for k, v in endpoints.items() if k != "rdflib-endpoint"}, 60),
            )
            # rdflib-endpoint takes minutes per query on the full dataset: compare on a small one
            small = tmp / "small.ttl"
            small.write_text(dataset_turtle(countries=3, years=1), encoding="utf-8")
            small_graphs = [*shipped_graphs(), (data_graph(small), small), current_marks(small)]
            p, ours_small = start_ours(small, env)
            processes.append(p)
            p, rdflib_small = start_rdflib(small_graphs)
            processes.append(p)
            differ += report_answers(
                "3 countries x 1 year, mnr-graph and rdflib-endpoint",
                answers(mix, {"mnr-graph": ours_small, "rdflib-endpoint": rdflib_small}, 120),
            )
        if differ:
            print(f"\n{differ} answer(s) differ from mnr-graph's")
        return 1 if differ else 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
