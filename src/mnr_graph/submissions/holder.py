"""Who holds an on-disk store: a note a running server leaves in it, read by ``submit``.

An embedded store is held by one process (RocksDB locks its folder). ``mnr-graph serve --store``
writes :data:`SERVER_NOTE` (its address and process id) into the folder while it runs; a
``mnr-graph submit`` into the same folder, refused by the lock, then says to submit through that
server, naming it, instead of a raw lock error.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with serving_note(folder, "http://127.0.0.1:8000/"):
...     holder_text(folder).startswith("a running mnr-graph server, http://127.0.0.1:8000/")
True
>>> holder_text(folder)
'another process (a running mnr-graph serve --store?)'
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from mnr_graph.core.errors import BusyError, StoreError

__all__ = ["SERVER_NOTE", "holder_text", "open_for_writing", "serving_note"]

T = TypeVar("T")

#: The file a running server keeps in its store folder.
SERVER_NOTE = "mnr-graph-server.json"


@contextlib.contextmanager
def serving_note(folder: Path, url: str) -> Iterator[None]:
    """Keep a note in ``folder`` that this process serves it at ``url``, while the block runs."""
    note = folder / SERVER_NOTE
    note.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    try:
        yield
    finally:
        note.unlink(missing_ok=True)


def holder_text(folder: Path) -> str:
    """Who holds the store folder, as a message says it."""
    try:
        note = json.loads((folder / SERVER_NOTE).read_text(encoding="utf-8"))
        url, pid = str(note["url"]), int(note["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (a running mnr-graph serve --store?)"
    return f"a running mnr-graph server, {url} (process {pid})"


def open_for_writing(folder: Path, open_store: Callable[[Path], T]) -> T:
    """The store in ``folder``, opened by ``open_store`` (the embedded store's class).

    A store a running server holds is a 503 saying to submit through that server
    (``POST {url}submissions``) or to stop it first.
    """
    try:
        return open_store(folder)
    except StoreError as exc:
        if "lock" not in exc.message.lower():
            raise
        holder = holder_text(folder)
        url = holder.split(", ", 1)[1].split(" ", 1)[0] if "server, " in holder else None
        how = (
            f"submit through it (POST {url}submissions, with the write token: curl -F "
            f"file=@FILE -H 'Authorization: Bearer TOKEN' {url}submissions)"
            if url
            else "submit through that server's POST /submissions"
        )
        raise BusyError(
            f"the store is in use by {holder}: {how}, or stop the server and submit again",
            where=str(folder),
        ) from None
