"""Query workers: each SPARQL query runs in a forked process that can be stopped at its deadline.

pyoxigraph 0.5 has no per-query timeout or cancellation, so a query cannot be stopped inside the
server process. The pool forks worker processes (``fork`` start method) from the process that holds
the in-memory store: they share its pages copy-on-write, so starting one costs milliseconds and no
data is copied or reloaded. A query is sent to an idle worker over a pipe; if it has not answered by
its deadline the worker is killed and a fresh one forked, and the caller gets
:class:`~mnr_graph.core.errors.QueryTimeoutError`. The deadline counts from the request for a
worker:
time spent waiting for one (all busy) is part of the limit. The event loop only waits on pipes,
so other requests are served while a query runs. After a write the store's ``generation``
changes and each worker is replaced (re-forked, seeing the new data) before it takes its next
query.

>>> import asyncio, pyoxigraph as ox
>>> from mnr_graph.query.protocol import QueryRequest
>>> pool = QueryPool(ox.Store, lambda: 0, size=1, timeout=5)
>>> answer = asyncio.run(pool.run(QueryRequest("ASK { }", "results")))
>>> pool.close()
>>> answer.body
b'{"head":{},"boolean":true}'
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import faulthandler
import multiprocessing
import os
import resource
import signal
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import pyoxigraph as ox

from mnr_graph.core import errors
from mnr_graph.core.errors import MnrGraphError, QueryTimeoutError, StoreError
from mnr_graph.query.answers import AnswerCache
from mnr_graph.query.engine import QueryAnswer, execute
from mnr_graph.query.protocol import QueryRequest

__all__ = ["QueryPool", "Worker", "default_size"]

_PR_SET_PDEATHSIG = 1  # prctl(2) on Linux

#: A worker whose private memory is larger than this after an answer retires, and a fresh fork
#: (sharing every page with the server again) takes its place.
RETIRE_PRIVATE_MB = 64


def default_size() -> int:
    """One worker per core plus one, at least three (one runaway query never blocks the rest)."""
    return max(3, (os.cpu_count() or 1) + 1)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to kill this worker when the server process ends (no orphaned workers)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent ended before the request took effect
            os._exit(0)


def _cap_memory(memory_mb: int) -> None:  # pragma: no cover - runs in the child
    """Let this worker allocate at most ``memory_mb`` more address space (and dump no core)."""
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_mb <= 0:
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):
        pass  # no /proc (not Linux): the time limit still holds


def _give_back_memory() -> None:  # pragma: no cover - runs in the child
    """Return the memory a query freed to the system (glibc's ``malloc_trim``).

    A query's hash joins allocate (hundreds of MB at a million triples); freed, the memory stayed
    in the worker's heap, private to it, for as long as it lived.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _private_mb() -> float:  # pragma: no cover - runs in the child
    """The memory private to this process, MB: what it allocated and what it no longer shares.

    Reading the store touches its pages, and each page touched becomes a private copy of the
    server's (reference counts and locks live beside the data): a worker that ran the named
    queries at a million triples held a copy of most of the store.
    """
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


_MALLOC_TRIM = _malloc_trim()


def _serve(
    conn: Connection, source: ox.Store | str, inherited: list[int], memory_mb: int = 0
) -> None:  # pragma: no cover - runs in the child
    """The worker's loop: receive a request, answer it, until the pipe closes.

    ``source``: the store (shared with the server by the fork), or the directory of an on-disk
    store's checkpoint, opened here read-only.

    ``inherited``: the server's ends of this worker's and the other workers' pipes, copied by the
    fork. They are closed at once: a worker holding them open would never see its own pipe close,
    nor its siblings theirs, and all would outlive the server.
    """
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    _die_with_parent()
    _cap_memory(memory_mb)
    faulthandler.disable()  # a query stopped at the memory cap aborts: no Python traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    store: ox.Store | None = source if isinstance(source, ox.Store) else None
    opening_error: str | None = None
    if store is None:
        try:
            store = ox.Store.read_only(str(source))
        except OSError as exc:
            opening_error = f"cannot open the store's snapshot: {exc}"
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        reply: tuple[str, Any, Any, Any]
        try:
            if store is None:
                raise StoreError(opening_error or "no store")
            reply = ("ok", execute(store, request), None, None)
        except MnrGraphError as exc:
            reply = ("error", type(exc).__name__, exc.message, exc.where)
        except Exception as exc:
            reply = ("error", "StoreError", f"query failed: {exc}", None)
        del request
        _give_back_memory()
        retiring = _private_mb() > RETIRE_PRIVATE_MB
        try:
            conn.send((*reply, retiring))
        except (BrokenPipeError, OSError):
            os._exit(0)
        del reply
        if retiring:  # the pool forks a fresh worker in its place
            os._exit(0)


@dataclass
class Worker:
    """One forked worker: its process, its end of the pipe and the store generation it holds."""

    process: BaseProcess
    conn: Connection
    generation: int
    busy: bool = field(default=False)

    def kill(self) -> None:
        """Stop the worker at once."""
        if self.process.is_alive():
            self.process.kill()
        self.conn.close()
        self.process.join(timeout=5)


class QueryPool:
    """A pool of forked query workers with a per-query deadline.

    ``source`` gives the in-memory pyoxigraph store to fork from, or the directory of an on-disk
    store's read-only checkpoint; ``generation`` its write counter.
    """

    def __init__(
        self,
        source: Callable[[], ox.Store | str],
        generation: Callable[[], int],
        *,
        size: int | None = None,
        timeout: float = 5.0,
        memory_mb: int = 0,
        answer_cache_mb: int = 64,
    ) -> None:
        self.source = source
        self.generation = generation
        self.size = size or default_size()
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._context = multiprocessing.get_context("fork")
        self._workers: list[Worker] = []
        self._idle: asyncio.Queue[Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: Worker processes started so far (beyond ``size``: replacements, for the metrics).
        self.started = 0
        #: Answers of the store's current generation, given again without a worker.
        self.answers = AnswerCache(max_bytes=answer_cache_mb << 20)

    def _spawn(self) -> Worker:
        generation = self.generation()
        store = self.source()
        parent, child = self._context.Pipe(duplex=True)
        # the child closes the server's end of its own pipe and of every other worker's pipe
        inherited = [parent.fileno()] + [
            w.conn.fileno() for w in self._workers if not w.conn.closed
        ]
        process = self._context.Process(
            target=_serve,
            args=(child, store, inherited, self.memory_mb),
            daemon=True,
            name="mnr-graph-query",
        )
        with warnings.catch_warnings():
            # Python >= 3.12 warns on fork in a threaded process; the child only queries its copy
            # of the store, and a child that ever hangs is killed at its deadline and replaced.
            warnings.filterwarnings(
                "ignore", message=".*multi-threaded.*", category=DeprecationWarning
            )
            process.start()
        child.close()
        worker = Worker(process, parent, generation)
        self._workers.append(worker)
        self.started += 1
        return worker

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        if worker in self._workers:
            self._workers.remove(worker)

    def _start(self, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[Worker]:
        """(Re)start the pool for this event loop."""
        self.close()
        self._loop = loop
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._idle.put_nowait(self._spawn())
        return self._idle

    def close(self) -> None:
        """Stop every worker."""
        for worker in list(self._workers):
            self._retire(worker)
        self._idle = None
        self._loop = None

    async def warm(self) -> None:
        """Start the workers now, not at the first query: a restarted server answers at once.

        An on-disk store's checkpoint is made in a thread (it takes 0.1 s or more), then the
        workers are forked; each opens the checkpoint itself.
        """
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.source)
        except (MnrGraphError, OSError):  # the first query meets the error, and says it
            return
        if self._loop is not loop or self._idle is None:
            self._start(loop)

    @property
    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    async def run(self, request: QueryRequest) -> QueryAnswer:
        """Answer a request in a worker within the deadline, or raise QueryTimeoutError.

        The deadline is end to end: ``timeout`` seconds from this call, the wait for a free
        worker included (requests wait their turn first come, first served). One that gets no
        worker before it is refused; one that gets a worker late has only what is left to run.
        """
        generation = self.generation()
        kept = self.answers.get(request, generation)
        if kept is not None:
            return kept
        loop = asyncio.get_running_loop()
        asked = loop.time()
        deadline = asked + self.timeout
        idle = self._idle if self._loop is loop and self._idle is not None else self._start(loop)
        try:
            worker = await asyncio.wait_for(idle.get(), self.timeout)
        except TimeoutError as exc:
            raise QueryTimeoutError(
                f"every query worker stayed busy for {self.timeout:g} s (the query's time "
                "limit); try again later"
            ) from exc
        if worker.generation != self.generation() or not worker.process.is_alive():
            self._retire(worker)
            worker = self._spawn()
        waited = loop.time() - asked
        if loop.time() >= deadline:
            idle.put_nowait(worker)
            raise QueryTimeoutError(
                f"every query worker stayed busy for {self.timeout:g} s (the query's time "
                "limit); try again later"
            )
        try:
            reply = await self._ask(loop, worker, request, deadline=deadline, waited=waited)
        except BaseException:
            # A timeout, a cancelled request or a dead worker: the worker's state is unknown.
            self._retire(worker)
            idle.put_nowait(self._spawn())
            raise
        status, value, message, where, retiring = reply
        if retiring:
            self._retire(worker)
            worker = self._spawn()
        idle.put_nowait(worker)
        if status == "ok":
            assert isinstance(value, QueryAnswer)
            self.answers.put(request, generation, value)
            return value
        error_class = getattr(errors, str(value), StoreError)
        raise error_class(message, where=where)

    async def _ask(
        self,
        loop: asyncio.AbstractEventLoop,
        worker: Worker,
        request: QueryRequest,
        *,
        deadline: float,
        waited: float = 0.0,
    ) -> tuple[str, Any, Any, Any, bool]:
        fd = worker.conn.fileno()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            worker.conn.send(request)
            loop.add_reader(fd, readable)
            try:
                await asyncio.wait_for(ready, max(0.0, deadline - loop.time()))
            finally:
                loop.remove_reader(fd)
            reply: tuple[str, Any, Any, Any, bool] = worker.conn.recv()
        except TimeoutError as exc:
            queued = f" ({waited:.1f} s of it waiting for a free worker)" if waited >= 0.1 else ""
            raise QueryTimeoutError(
                f"the query ran longer than {self.timeout:g} s{queued} and was stopped"
            ) from exc
        except (EOFError, OSError) as exc:
            cap = f"its {self.memory_mb} MB memory limit" if self.memory_mb else "the memory"
            raise QueryTimeoutError(
                f"the query was stopped: it needed more than {cap} (or crashed its worker); "
                "narrow it down or add a LIMIT"
            ) from exc
        return reply
