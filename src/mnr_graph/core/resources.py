"""Access to the bundled data files: ``ontology/``, ``shapes/``, ``sparql/`` and ``examples/``.

The top-level data folders of the repository are the source of truth. A wheel carries them under
``mnr_graph/data/``; in a source checkout (editable install) they are read where they are. This is
the only module that knows where data files live.

>>> from mnr_graph.core import resources
>>> any(p.name.endswith(".ttl") for p in resources.files("ontology"))
True
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Literal

__all__ = ["FOLDERS", "DataFolder", "data_root", "files", "iter_all", "path", "read_text"]

DataFolder = Literal["ontology", "shapes", "sparql", "examples"]
FOLDERS: tuple[DataFolder, ...] = ("ontology", "shapes", "sparql", "examples")


@cache
def data_root() -> Path:
    """The folder that holds ``ontology/``, ``shapes/``, ``sparql/`` and ``examples/``."""
    packaged = Path(str(importlib_resources.files("mnr_graph"))) / "data"
    if (packaged / "ontology").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "ontology").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(  # pragma: no cover - a broken install
        "mnr-graph data files not found: neither mnr_graph/data/ in the installed package "
        "nor ontology/ in a source checkout"
    )


def path(folder: DataFolder, name: str = "") -> Path:
    """The path of a bundled data folder, or of one file in it."""
    base = data_root() / folder
    return base / name if name else base


def files(folder: DataFolder, pattern: str = "*") -> list[Path]:
    """The files of a data folder matching a glob pattern (recursive with ``**``), sorted."""
    return sorted(p for p in path(folder).glob(pattern) if p.is_file())


def iter_all() -> Iterator[Path]:
    """Every bundled data file, in every folder."""
    for folder in FOLDERS:
        yield from files(folder, "**/*")


def read_text(folder: DataFolder, name: str) -> str:
    """The text of one bundled file."""
    return path(folder, name).read_text(encoding="utf-8")
