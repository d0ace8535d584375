"""Backups of an embedded store and their restore, as N-Quads with a manifest.

A backup is a folder: ``store.nq`` (every quad of every named graph; the default graph is the
merge of the named graphs and is rebuilt on restore) and ``manifest.json`` (the mnr-graph version,
the time, the SHA-256 of ``store.nq`` and the number of quads of each graph). The quads are read
from one snapshot of the store (pyoxigraph reads a consistent view while writes go on), so a backup
taken while the server writes holds every write that had returned before it began and none half.
:func:`restore` refuses a folder whose digest does not match, loads into a store folder that is
empty or new, and checks every graph's count against the manifest.

>>> import tempfile
>>> from pathlib import Path
>>> from mnr_graph.query.store import EmbeddedStore
>>> source = EmbeddedStore.with_shipped_data()
>>> with tempfile.TemporaryDirectory() as tmp:
...     manifest = backup(source, Path(tmp) / "b")
...     restored = restore(Path(tmp) / "b", Path(tmp) / "store")
...     restored == manifest["graphs"]
True
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from mnr_graph import __version__
from mnr_graph.core.errors import InputError, StoreError
from mnr_graph.query.dataset import SYNC_UNION
from mnr_graph.query.store import EmbeddedStore

__all__ = ["DUMP", "MANIFEST", "backup", "dump", "empty_folder", "restore", "write_manifest"]

DUMP = "store.nq"
MANIFEST = "manifest.json"
_CHUNK = 1 << 20


def _named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            yield quad


def dump(store: EmbeddedStore, out: BinaryIO) -> None:
    """Write every quad of every named graph to ``out`` as N-Quads, from one snapshot."""
    ox.serialize(_named_quads(store.ox), out, format=ox.RdfFormat.N_QUADS)


def empty_folder(folder: Path) -> None:
    """Make ``folder``, or refuse one that is not empty (a backup never overwrites)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError("is not a new or empty folder: nothing was written", where=str(folder))
    folder.mkdir(parents=True, exist_ok=True)


def write_manifest(folder: Path, *, version: str = __version__) -> dict[str, Any]:
    """Count the quads of ``folder``'s dump per graph and write its manifest; returns it."""
    digest = hashlib.sha256()
    with (folder / DUMP).open("rb") as data:
        while chunk := data.read(_CHUNK):
            digest.update(chunk)
    counts = _counts(folder / DUMP)
    manifest = {
        "mnrGraphVersion": version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sha256": digest.hexdigest(),
        "quads": sum(counts.values()),
        "graphs": counts,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _counts(file: Path) -> dict[str, int]:
    counts: Counter[str] = Counter()
    try:
        for quad in ox.parse(path=str(file), format=ox.RdfFormat.N_QUADS):
            counts[str(getattr(quad.graph_name, "value", ""))] += 1
    except SyntaxError as exc:
        raise InputError(f"is not N-Quads: {exc}", where=str(file)) from exc
    return dict(sorted(counts.items()))


def backup(store: EmbeddedStore, folder: Path) -> dict[str, Any]:
    """Back the store up into ``folder`` (new or empty); returns the manifest."""
    empty_folder(folder)
    with (folder / DUMP).open("wb") as out:
        dump(store, out)
    return write_manifest(folder)


def restore(folder: Path, target: Path) -> dict[str, int]:
    """Load the backup in ``folder`` into a new store at ``target`` (new or empty).

    Returns the quads of each graph restored, checked against the manifest.
    """
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"no readable {MANIFEST}: {exc}", where=str(folder)) from exc
    digest = hashlib.sha256()
    try:
        with (folder / DUMP).open("rb") as data:
            while chunk := data.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"no readable {DUMP}: {exc}", where=str(folder)) from exc
    if digest.hexdigest() != manifest.get("sha256"):
        raise InputError(
            f"{DUMP} does not match the manifest's SHA-256: the backup is damaged",
            where=str(folder),
        )
    empty_folder(target)
    try:
        store = ox.Store(str(target))
    except OSError as exc:
        raise StoreError(f"cannot open the store: {exc}", where=str(target)) from exc
    store.bulk_load(path=str(folder / DUMP), format=ox.RdfFormat.N_QUADS)
    store.update(SYNC_UNION)
    store.flush()
    counts: Counter[str] = Counter(
        q.graph_name.value for q in _named_quads(store) if isinstance(q.graph_name, ox.NamedNode)
    )
    restored = dict(sorted(counts.items()))
    if restored != manifest.get("graphs"):
        raise StoreError(
            "the restored store does not hold what the manifest lists", where=str(target)
        )
    return restored
