"""Scale: start-up, restart, named queries, memory and writes of ``mnr-graph serve`` at one size.

Generates ``--countries`` x ``--years`` submissions (``mnr-graph generate``), then, each server a
subprocess on a loopback port, measures in one run:

- **start-up in memory**: ``serve --data FILE`` until ``/health`` answers, against the baseline
  ``oxigraph load`` of the same file into a fresh store (the ratio; goal at most 1.5x at 1M
  triples, and at most 2 s at 0.25M);
- **named queries**: the p50 of every named query with its documented example values, over
  ``--repeats`` requests each, with the answer cache off so that each request runs its query
  (goal at most 300 ms at 1M triples, and at most 4.5x its p50 at a quarter of the data:
  ``benchmarks/report.py`` compares the sizes);
- **memory**: the proportional set size (shared pages counted once) of the server and its query
  workers after the queries (goal at most 1.5 GB at 1M triples);
- **persisted store**: first start of ``serve --store DIR --data FILE``, a restart, and the time to
  the first named query's answer after it (goal: under a second whatever the size);
- **writes**: ``--submissions`` submissions posted through the API to the persisted store, one at a
  time (rate over the first and the last half: the cost per write must not grow; goal at least
  10/s), the store's size on disk after it optimised itself against the bytes posted (goal at
  most 10x), its memory, and the restart after the writes.

Prints the figures and, with ``--json FILE``, writes them for ``benchmarks/report.py``.

    python benchmarks/bench_store.py --countries 195 --years 5
    python benchmarks/bench_store.py --quick     # a tiny run (used by the test suite)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from mnr_graph.query import named as queries
from mnr_graph.submissions.generate import END_YEAR, country_codes, submission_file

PYTHON = sys.executable
OXIGRAPH = Path(PYTHON).parent / "oxigraph"
TOKEN = "bench-store-token-0123456789abcdef0123"  # 32 characters at least


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``mnr-graph serve`` as a subprocess, timed from launch to ``/health``."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - its stderr, closed by stop()
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "mnr_graph", "serve", "--port", str(self.port), *args],
            env=os.environ
            | {"MNR_GRAPH_WRITE_TOKEN": TOKEN, "MNR_GRAPH_QUERY_TIMEOUT": "120"}
            | (env or {}),
            stderr=self.log,
        )
        self.client = httpx.Client(base_url=self.base, timeout=300)
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve {' '.join(args)} exited with {self.process.returncode}")
            try:
                if self.client.get("/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.02)
        self.startup = time.perf_counter() - started
        self.log.seek(0)
        ready = re.search(rb"store ready in ([0-9.]+) s", self.log.read())
        #: Seconds to the store ready, from the command's start (Python's imports of the web
        #: modules run beside it): the part of the start-up that depends on the data.
        self.store_ready = float(ready.group(1)) if ready else float("nan")

    def pss_mb(self) -> float:
        """Proportional set size of the server and its children (the query workers), MB."""
        pids = [self.process.pid]
        index = 0
        while index < len(pids):
            pid = pids[index]
            index += 1
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                pids += [int(p) for p in task.read_text().split()]
        total_kb = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total_kb += int(line.split()[1])
            except OSError:
                continue
        return total_kb / 1024

    def stop(self) -> None:
        """Close the client and the log, then stop the server (SIGTERM, killed after 60 s)."""
        self.client.close()
        self.log.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class PeakPss:
    """The largest PSS of a server and its workers, sampled every 0.2 s while the block runs."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            self.mb = max(self.mb, self.server.pss_mb())

    def __enter__(self) -> PeakPss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def examples(q: queries.NamedQuery) -> dict[str, str]:
    """The example value of each parameter of ``q`` that has one, by parameter name."""
    return {p.name: p.example for p in q.parameters if p.example is not None}


def named_p50(server: Server, repeats: int) -> dict[str, float]:
    """p50 in ms of every named query with its example values (one warm-up request first)."""
    out: dict[str, float] = {}
    for name, q in sorted(queries.load_queries().items(), key=lambda kv: kv[1].id):
        times = []
        for _ in range(repeats + 1):
            t = time.perf_counter()
            response = server.client.get(f"/queries/{name}", params=examples(q))
            response.raise_for_status()
            times.append(time.perf_counter() - t)
        out[name] = statistics.median(times[1:]) * 1000
    return out


def du_mb(path: Path) -> float:
    """Total size in MB of the files under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def oxigraph_load(data: Path, tmp: Path) -> float:
    """Seconds ``oxigraph load`` takes to load the file into a fresh store (the baseline)."""
    binary = str(OXIGRAPH if OXIGRAPH.exists() else shutil.which("oxigraph"))
    location = tmp / "oxigraph-load"
    t = time.perf_counter()
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(data)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - t
    shutil.rmtree(location, ignore_errors=True)
    return seconds


def post_submissions(server: Server, count: int, countries: int, years: int) -> dict[str, Any]:
    """Post ``count`` new versions of the dataset's submissions (other values), one at a time."""
    codes = country_codes(countries)
    pairs = [(c, y) for y in range(END_YEAR - years + 1, END_YEAR + 1) for c in codes]
    rng = random.Random(7)
    times: list[float] = []
    posted = 0
    for i in range(count):
        code, year = pairs[i % len(pairs)]
        text = submission_file(code, year, rng).encode()
        posted += len(text)
        t = time.perf_counter()
        response = server.client.post(
            "/submissions",
            headers={"Authorization": f"Bearer {TOKEN}"},
            files={"file": (f"{code}-{year}.ttl", text, "text/turtle")},
            data={"replace": "true"},
        )
        times.append(time.perf_counter() - t)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"submission {i}: {response.status_code} {response.text[:300]}")
    half = max(1, len(times) // 2)
    return {
        "submissions": count,
        "rate_per_s": count / sum(times),
        "rate_first_half": half / sum(times[:half]),
        "rate_last_half": (len(times) - half) / max(sum(times[half:]), 1e-9),
        "posted_mb": posted / 1e6,
    }


def measure(
    countries: int, years: int, *, repeats: int, submissions: int, tmp: Path
) -> dict[str, Any]:
    """Every figure at one size (see the module's description)."""
    data = tmp / f"dataset-{countries}x{years}.ttl"
    subprocess.run(
        [PYTHON, "-m", "mnr_graph", "generate", "--countries", str(countries), "--years",
         str(years), "-o", str(data)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    triples = sum(1 for _ in ox.parse(path=str(data), format=ox.RdfFormat.TURTLE))
    out: dict[str, Any] = {"countries": countries, "years": years, "triples": triples}
    out["oxigraph_load_s"] = oxigraph_load(data, tmp)

    # every query runs: the server keeps answers until the next write (--answer-cache), and a
    # p50 over repeated requests would time the cache, not the query
    server = Server("--data", str(data), "--answer-cache", "0")
    try:
        out["startup_s"] = server.startup
        out["startup_store_ready_s"] = server.store_ready
        with PeakPss(server) as peak:
            out["named_p50_ms"] = named_p50(server, repeats)
        out["pss_mb"] = server.pss_mb()
        out["pss_peak_mb"] = peak.mb
    finally:
        server.stop()

    store = tmp / f"store-{countries}x{years}"
    server = Server("--store", str(store), "--data", str(data))
    out["persisted_first_start_s"] = server.startup
    server.stop()
    server = Server("--store", str(store), "--data", str(data))
    try:
        out["restart_s"] = server.startup
        out["restart_store_ready_s"] = server.store_ready
        t = time.perf_counter()
        q = queries.get_query("countries-below-phase")
        server.client.get(f"/queries/{q.name}", params=examples(q)).raise_for_status()
        out["restart_first_query_s"] = time.perf_counter() - t
        out["restart_to_answer_s"] = out["restart_s"] + out["restart_first_query_s"]
        if submissions:
            before = du_mb(store)
            out["writes"] = post_submissions(server, submissions, countries, years)
            time.sleep(8)  # past the store's quiet time: it flushes and compacts itself
            out["writes"]["disk_mb"] = du_mb(store)
            # what the writes added to the store on disk, against the bytes posted
            out["writes"]["disk_growth_mb"] = out["writes"]["disk_mb"] - before
            out["writes"]["disk_ratio"] = (
                out["writes"]["disk_growth_mb"] / out["writes"]["posted_mb"]
            )
            out["writes"]["pss_mb"] = server.pss_mb()
    finally:
        server.stop()
    if submissions:
        server = Server("--store", str(store), "--data", str(data))
        out["writes"]["restart_after_s"] = server.startup
        server.stop()
    out["store_disk_mb"] = du_mb(store)
    shutil.rmtree(store, ignore_errors=True)
    return out


def show(figures: dict[str, Any]) -> None:
    """Print the figures of one size against their goals."""
    f = figures
    print(f"{f['countries']} countries x {f['years']} years: {f['triples']:,} triples")
    ratio = f["startup_s"] / f["oxigraph_load_s"]
    print(
        f"  start-up in memory {f['startup_s']:.2f} s; oxigraph load {f['oxigraph_load_s']:.2f} s"
        f" (ratio {ratio:.2f}x, goal <= 1.5x at 1M; <= 2 s at 0.25M)"
    )
    print(
        f"  PSS server + workers {f['pss_mb']:.0f} MB after the named queries, at most "
        f"{f.get('pss_peak_mb', float('nan')):.0f} MB while they ran (goal <= 1500 MB at 1M)"
    )
    print(f"  store ready in memory {f['startup_store_ready_s']:.2f} s after the command started")
    print(
        f"  persisted store: first start {f['persisted_first_start_s']:.2f} s, restart "
        f"{f['restart_s']:.2f} s (store ready in {f['restart_store_ready_s']:.2f} s), first "
        f"answer after it {f['restart_first_query_s'] * 1000:.0f} ms (goal: restart < 1 s)"
    )
    for name, ms in f["named_p50_ms"].items():
        print(f"  {name:<28} p50 {ms:8.1f} ms")
    if "writes" in f:
        w = f["writes"]
        print(
            f"  {w['submissions']} submissions: {w['rate_per_s']:.1f}/s (first half "
            f"{w['rate_first_half']:.1f}/s, last half {w['rate_last_half']:.1f}/s; goal >= 10/s),"
            f" disk +{w['disk_growth_mb']:.1f} MB for {w['posted_mb']:.2f} MB posted "
            f"({w['disk_ratio']:.1f}x, goal <= 10x; {w['disk_mb']:.1f} MB in all), "
            f"PSS {w['pss_mb']:.0f} MB, restart after "
            f"{w['restart_after_s']:.2f} s"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure one size, print the figures and optionally write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run (3 countries, 1 year)")
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=9, help="requests per named query")
    parser.add_argument("--submissions", type=int, default=300, help="posted through the API")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.countries, args.years, args.repeats, args.submissions = 3, 1, 2, 4
    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        figures = measure(
            args.countries, args.years, repeats=args.repeats, submissions=args.submissions, tmp=tmp
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    show(figures)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
