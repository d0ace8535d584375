"""Servers the tests start.

A free loopback port, a real ``oxigraph serve`` (PyPI ``oxigraph``), and ``mnr-graph serve`` itself
in its own process.

Shared by ``conftest.py`` (the ``oxigraph_url`` fixture) and the tests that need a free port.
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
from pathlib import Path

import httpx

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """A real ``oxigraph serve`` on a free loopback port, storing in ``location``; its URL."""
    binary = OXIGRAPH if OXIGRAPH.exists() else shutil.which("oxigraph")
    assert binary, "the oxigraph binary (PyPI package `oxigraph`) is a test dependency"
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
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
