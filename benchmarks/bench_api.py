"""API throughput: this server, rdflib-endpoint and ``oxigraph serve``; same data, same client.

Serves the generated dataset (``mnr-graph generate --countries 195 --years 5``, made here) plus
the shipped graphs from three servers started as subprocesses on loopback ports, then runs one
mix of queries (named queries and raw SPARQL) with one httpx client, concurrently, for a fixed
time against each, in one run. Prints requests/s, p50 and p99 latency, the ratios (goals: at least
25x rdflib-endpoint, at least 0.5x oxigraph serve) and each server's start-up time.

    python benchmarks/bench_api.py            # 195 countries x 5 years, 15 s per server
    python benchmarks/bench_api.py --quick    # a tiny run (used by the test suite)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from mnr_graph import queries
from mnr_graph.generate import dataset_turtle
from mnr_graph.settings import Settings
from mnr_graph.store import (
    RemoteStore,
    bind_values,
    build_store,
    data_graph,
    example_graphs,
    push_graphs,
    shipped_graphs,
)

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
    name: str
    startup: float
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 600) -> None:
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


def check_answers(mix: Sequence[Request], endpoints: dict[str, str], timeout: float) -> None:
    """One request of each query to each server: its time, and whether the answers agree."""
    print(f"\n{'one request each, ms':<36}" + "".join(f"{name:>18}" for name in endpoints))
    for request in mix:
        counts: dict[str, str] = {}
        times: list[str] = []
        for name, url in endpoints.items():
            started = time.perf_counter()
            try:
                r = httpx.get(
                    url,
                    params={"query": request.sparql},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=timeout,
                )
                if r.status_code != 200:
                    times.append(f"{'HTTP ' + str(r.status_code):>18}")
                    print(f"  {name}: {r.text[:200]}")
                    continue
                body = r.json()
                counts[name] = str(
                    len(body["results"]["bindings"]) if "results" in body else body["boolean"]
                )
                times.append(f"{(time.perf_counter() - started) * 1000:>18.1f}")
            except httpx.TimeoutException:
                times.append(f"{'> ' + format(timeout, 'g') + ' s':>18}")
        print(f"{request.label:<36}" + "".join(times))
        if len(set(counts.values())) > 1:
            print(f"  warning: the answers differ: {counts}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run (3 countries, 1 s)")
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15.0, help="per server")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
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
        graphs = [*shipped_graphs(), *example_graphs(), (data_graph(data), data)]
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
            "rdflib-endpoint": f"http://127.0.0.1:{rdflib_port}/sparql",
            "oxigraph serve": ox_base + "/query",
        }
        results: dict[str, Result] = {}
        # rdflib-endpoint last: its slow queries go on running after the client gives up.
        for name in ("mnr-graph", "oxigraph serve", "rdflib-endpoint"):
            endpoint = endpoints[name]
            base = endpoint.rsplit("/", 1)[0]
            n, errors, latencies, elapsed = asyncio.run(
                hammer(
                    base,
                    endpoint,
                    mix,
                    use_api=name == "mnr-graph",
                    seconds=args.seconds,
                    workers=args.concurrency,
                    timeout=args.timeout,
                )
            )
            results[name] = Result(name, starts[name], n, errors, elapsed, latencies)

        print(
            f"\n{'server':<18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'start s':>9}"
        )
        for r in results.values():
            print(
                f"{r.name:<18}{r.rps:>10.1f}{r.percentile(0.5):>10.1f}{r.percentile(0.99):>10.1f}"
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
        print(
            f"start-up of mnr-graph serve, this dataset: {starts['mnr-graph']:.2f} s (goal < 2 s)"
        )
        processes[-1].terminate()  # rdflib-endpoint: leave the machine to the others
        check_answers(mix, {k: v for k, v in endpoints.items() if k != "rdflib-endpoint"}, 60)
        return 0
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
