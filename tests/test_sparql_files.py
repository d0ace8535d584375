"""Every SPARQL file of ``sparql/``, found by a glob: it parses, and its header documents it.

The files are the named queries, the check queries and the pages' queries in ``sparql/pages/``.
The header documents it with ``@summary``, ``@description``, ``@param``, ``@column``: the columns
are the projection, each parameter a variable of the query, its example a value of its type.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from mnr_graph.core import resources
from mnr_graph.framework import quality
from mnr_graph.query import named
from mnr_graph.query.header import parse_header
from mnr_graph.query.lexer import tokens
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.web.page_queries import page_query

ALL_FILES = resources.files("sparql", "**/*.rq")
PAGE_FILES = resources.files("sparql", "pages/*.rq")


def _header(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


def test_every_kind_of_query_is_found() -> None:
    names = {p.relative_to(resources.path("sparql")).as_posix() for p in ALL_FILES}
    assert any(n.startswith("Q") for n in names)
    assert any(n.startswith("check-") for n in names)
    assert len(PAGE_FILES) >= 7


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_query_parses_with_rdflib_and_oxigraph(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    prepareQuery(text)
    # Keep no pyoxigraph result alive in this frame: it must be freed on the thread that made it.
    assert isinstance(ox.Store().query(text), ox.QuerySolutions), "a SELECT"


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_header_documents_the_query(path: Path) -> None:
    header = _header(path)
    for tag in ("@summary", "@description", "@param", "@column"):
        assert any(line.startswith(f"# {tag} ") for line in header), f"{path.name}: no {tag}"
    columns = {line.split()[2] for line in header if line.startswith("# @column ")}
    params = {line.split()[2] for line in header if line.startswith("# @param ")} - {"none"}
    projected = {str(v) for v in prepareQuery(path.read_text(encoding="utf-8")).algebra["PV"]}
    assert columns <= projected, "every documented column is projected"
    assert projected <= columns | params, "every projected variable is a column or a parameter"


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.stem)
def test_page_query_parameters_are_typed_variables_with_examples(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    variables = {t.text[1:] for t in tokens(text) if t.kind == "var"}
    params = [line for line in _header(path) if line.startswith("# @param ")]
    if params == ["# @param none -- takes no parameters"]:
        return
    parsed = parse_header(text, where=path.name)
    assert len(parsed["parameters"]) == len(params)
    for p in parsed["parameters"]:
        assert p.name in variables, f"?{p.name} is not a variable of {path.name}"
        named.parse_value(p.type, p.example)


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.stem)
def test_page_query_runs_with_its_examples_bound(shipped_store: EmbeddedStore, path: Path) -> None:
    """As the pages run it.

    The parameters bound as RDF terms (which the store requires to be projected), the documented
    columns answered.
    """
    text = page_query(path.stem)
    params = [line for line in _header(path) if line.startswith("# @param ")]
    substitutions: dict[str, ox.NamedNode | ox.Literal] = {}
    if params != ["# @param none -- takes no parameters"]:
        for p in parse_header(text, where=path.name)["parameters"]:
            substitutions[p.name] = named.parse_value(p.type, p.example)
    result = shipped_store.query(text, substitutions=substitutions)
    assert isinstance(result, ox.QuerySolutions)
    columns = [line.split()[2] for line in _header(path) if line.startswith("# @column ")]
    assert [v.value for v in result.variables] == columns
    del result  # freed on this thread


@pytest.mark.slow
def test_the_pages_queries_are_neither_named_nor_check_queries(shipped_graph: Graph) -> None:
    """The named-query loader reads sparql/Q*.rq, the quality gate sparql/check-*.rq.

    A page's query is neither served at /queries nor taken for a check that must return no rows.
    """
    page_paths = {p.resolve() for p in PAGE_FILES}
    assert not page_paths & {q.path.resolve() for q in named.load_queries().values()}
    checked = {r.name for r in quality.run_check_queries(shipped_graph)}
    assert checked
    assert not checked & {p.name for p in PAGE_FILES}
