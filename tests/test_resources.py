"""Bundled data files are found wherever the package runs.

They are found through :mod:`mnr_graph.core.resources`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mnr_graph.core import resources

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("folder", resources.FOLDERS)
def test_every_file_of_a_data_folder_is_found(folder: resources.DataFolder) -> None:
    on_disk = sorted(
        p.relative_to(REPO / folder)
        for p in (REPO / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    found = sorted(p.relative_to(resources.path(folder)) for p in resources.files(folder, "**/*"))
    assert found == on_disk


def test_read_text_reads_a_bundled_file() -> None:
    first = resources.files("ontology", "*.ttl")[0]
    assert resources.read_text("ontology", first.name) == first.read_text(encoding="utf-8")


def test_a_missing_file_is_an_error() -> None:
    with pytest.raises(FileNotFoundError):
        resources.read_text("sparql", "no-such-query.rq")
