"""Servers the tests start.

A free loopback port, a real ``oxigraph serve`` (PyPI ``oxigraph``), a private Virtuoso Open Source
(Debian ``virtuoso-opensource``), and ``mnr-graph serve`` itself in its own process.

Shared by ``conftest.py`` (the ``oxigraph_url`` and ``virtuoso_url`` fixtures) and the tests that
need a free port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from mnr_graph.query.remote import RemoteStore

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
#: Virtuoso's server and its SQL client (Debian names it isql-vt: isql is unixODBC's).
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")

#: A Virtuoso database of its own: loopback only, no time or row limit on a SPARQL answer
#: (past MaxQueryExecutionTime Virtuoso answers with what it found so far, an "anytime" result),
#: and room to sort a page of the API's largest answer (10,000 rows and one more; Virtuoso
#: refuses an ORDER BY with a LIMIT past MaxSortedTopRows, 10,000 unless set).
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxSortedTopRows = 1000000
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 60
DirsAllowed = {db}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""

#: What the SPARQL endpoint's anonymous user may do: update (the store writes through /sparql),
#: and not see Virtuoso's own graphs (its schemas), which would otherwise be in every answer.
VIRTUOSO_SETUP = """\
GRANT SPARQL_UPDATE TO "SPARQL";
DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs',
  'http://www.openlinksw.com/schemas/virtrdf#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs',
  'http://www.w3.org/ns/ldp#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs',
  'http://localuriqaserver/sparql');
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Endpoint:
    """A real SPARQL store the remote-store mode runs on: its endpoints and how it is used."""

    #: ``oxigraph`` or ``virtuoso``
    name: str
    query: str
    update: str
    gsp: str
    #: Its default graph is the union of its named graphs (Virtuoso's; --union-default-graph).
    union_default_graph: bool

    @classmethod
    def oxigraph(cls, url: str, *, union_default_graph: bool = False) -> Endpoint:
        """``oxigraph serve`` at ``url`` (``--union-default-graph`` if it was started so)."""
        name = "oxigraph-union" if union_default_graph else "oxigraph"
        return cls(name, url + "/query", url + "/update", url + "/store", union_default_graph)

    @classmethod
    def virtuoso(cls, url: str) -> Endpoint:
        """Virtuoso at ``url`` (:func:`virtuoso_server`)."""
        return cls("virtuoso", url + "/sparql", url + "/sparql", url + "/sparql-graph-crud", True)

    def union_flag(self) -> list[str]:
        """The option that says the default graph is the union, if it is."""
        return ["--union-default-graph"] if self.union_default_graph else []

    def load_args(self, *, gsp: bool = True) -> list[str]:
        """The options of ``mnr-graph load`` for this store."""
        args = ["--endpoint", self.query, "--update-endpoint", self.update, *self.union_flag()]
        return [*args, "--gsp", self.gsp] if gsp else args

    def store(self, timeout: float = 30.0) -> RemoteStore:
        """A :class:`RemoteStore` on this store's query and update endpoints."""
        return RemoteStore(
            self.query,
            update_endpoint=self.update,
            union_default_graph=self.union_default_graph,
            timeout=timeout,
        )

    def serve_args(self) -> list[str]:
        """The options of ``mnr-graph serve`` for this store."""
        return [
            "--sparql-endpoint",
            self.query,
            "--update-endpoint",
            self.update,
            *self.union_flag(),
        ]


@contextmanager
def oxigraph_server(location: Path, *, union_default_graph: bool = False) -> Iterator[str]:
    """A real ``oxigraph serve`` on a free loopback port, storing in ``location``; its URL.

    ``union_default_graph``: its queries read the union of the graphs as their default graph.
    """
    binary = OXIGRAPH if OXIGRAPH.exists() else shutil.which("oxigraph")
    assert binary, "the oxigraph binary (PyPI package `oxigraph`) is a test dependency"
    port = free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            *(["--union-default-graph"] if union_default_graph else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def virtuoso_server(location: Path) -> Iterator[str]:
    """A private Virtuoso on free loopback ports, its database in ``location``; its HTTP URL.

    Its SPARQL endpoint is ``URL/sparql`` (query and update, the rights of
    :data:`VIRTUOSO_SETUP`); the Graph Store Protocol's is ``URL/sparql-graph-crud``.
    """
    assert VIRTUOSO, "virtuoso-t (Debian virtuoso-opensource) is needed"
    assert ISQL, "isql-vt (Debian virtuoso-opensource) is needed"
    sql_port, http_port = free_port(), free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=location, sql_port=sql_port, http_port=http_port))
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=location,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"virtuoso-t stopped: {_log_tail(location)}"
            try:
                if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"Virtuoso did not start: {_log_tail(location)}"
            time.sleep(0.2)
        setup = location / "setup.sql"
        setup.write_text(VIRTUOSO_SETUP)
        done = subprocess.run(
            [ISQL, str(sql_port), "dba", "dba", str(setup)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
            process.kill()
            process.wait(timeout=10)


def _log_tail(location: Path) -> str:
    log = location / "virtuoso.log"
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


@contextmanager
def mnr_graph_server(args: list[str], *, token: str | None = None) -> Iterator[str]:
    """``mnr-graph serve ARGS`` on a free loopback port, in its own process; its URL once up.

    In its own process as an operator runs it: one process, its own workers. Its URL is given once
    ``/health`` answers.
    """
    port = free_port()
    env = dict(os.environ)
    if token is not None:
        env["MNR_GRAPH_WRITE_TOKEN"] = token
    process = subprocess.Popen(
        [sys.executable, "-m", "mnr_graph", "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"mnr-graph serve {args} stopped"
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "mnr-graph serve did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
