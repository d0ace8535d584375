"""The top-level package: the names a notebook user calls, loaded on first use."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mnr_graph
from mnr_graph.core.errors import InputError
from typed import solutions

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "examples" / "XA-2024-valid.ttl"
INVALID = ROOT / "examples" / "XF-2024-invalid-S12.ttl"


@pytest.mark.parametrize("name", mnr_graph.__all__)
def test_every_public_name_resolves_and_is_documented(name: str) -> None:
    value = getattr(mnr_graph, name)
    assert value is not None
    if callable(value):
        assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_the_public_names_are_sorted_and_listed_by_dir() -> None:
    assert mnr_graph.__all__ == sorted(mnr_graph.__all__)
    assert set(mnr_graph.__all__) <= set(dir(mnr_graph))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = mnr_graph.no_such_name


def test_importing_the_package_loads_no_rdf_library() -> None:
    code = (
        "import sys, mnr_graph\n"
        "print(sorted(m for m in ('rdflib', 'pyoxigraph', 'pyshacl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_web_app_defers_the_libraries_only_some_requests_need() -> None:
    """A server's start (and so a restart) does not pay for validation, workbooks or HTTP.

    pySHACL, openpyxl (with numpy) and httpx load with the first request that needs them.
    """
    code = (
        "import sys, mnr_graph.cli, mnr_graph.web.app; "
        "print(sorted(m for m in ('pyshacl', 'openpyxl', 'numpy', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lookup_term_gives_the_band_and_what_to_use_instead() -> None:
    found = mnr_graph.lookup_term("Child Pornography").to_json()
    assert found["matches"][0]["band"] == "avoid"
    assert "child sexual abuse material" in str(found["matches"][0])


def test_validate_file_reports_conformance_and_problems(tmp_path: Path) -> None:
    assert mnr_graph.validate_file(VALID).conforms
    report = mnr_graph.validate_file(str(INVALID))
    assert not report.conforms
    assert report.to_json()["results"]


def test_validate_file_says_which_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        mnr_graph.validate_file(tmp_path / "missing.ttl")
    assert raised.value.where == str(tmp_path / "missing.ttl")


def test_open_store_serves_a_data_file_without_the_demo(tmp_path: Path) -> None:
    data = tmp_path / "mine.ttl"
    shutil.copy(VALID, data)
    store = mnr_graph.open_store(data=[data])
    graphs = {
        r[0].value for r in solutions(store.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"))
    }
    assert any(g.endswith("/data/mine") for g in graphs)
    assert not any("/demo" in g for g in graphs)
    table = mnr_graph.run_named_query(store, "capabilities-by-domain")
    assert len(table.rows) == 21
