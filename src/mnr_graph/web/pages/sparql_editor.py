"""``/sparql`` for a browser: a query editor, the named queries as examples, results as a table.

The SPARQL route (:mod:`mnr_graph.web.routes.sparql`) hands a browser's GET (HTML first in
``Accept``, no ``format``) to :func:`sparql_page`; programs get the protocol as before. The page
is a plain form (it works without JavaScript): the project's prefixes are already declared in
the editor, each named query without parameters is an example, the query runs in a worker
under the time limit like any other, and the results link to the same query as CSV and JSON.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from mnr_graph.core.errors import InputError, MnrGraphError
from mnr_graph.core.namespaces import PREFIXES
from mnr_graph.query import named
from mnr_graph.query.protocol import parse_query_string, parse_request
from mnr_graph.query.remote import bind_values
from mnr_graph.query.runner import QueryRunner, run_read
from mnr_graph.web.pages.rendering import base_context, render
from mnr_graph.web.requests import app_settings, page_language

__all__ = ["default_query", "example_text", "sparql_page"]

#: The prefixes the editor declares (the project's own and the standards it uses).
_PREFIXES = ("mnr", "mnrid", "rdf", "rdfs", "skos", "skosxl", "dcterms", "xsd", "qb", "prov")


def default_query() -> str:
    """The editor's first query: the prefixes, then the domains and their labels."""
    lines = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in _PREFIXES if p in PREFIXES]
    lines += [
        "",
        "SELECT ?domain ?label WHERE {",
        "  ?domain a mnr:Domain ;",
        "          skos:prefLabel ?label .",
        '  FILTER(lang(?label) = "en")',
        "} ORDER BY ?domain",
    ]
    return "\n".join(lines)


def _examples() -> list[named.NamedQuery]:
    """The named queries, each an example."""
    return list(named.load_queries().values())


def example_text(query: named.NamedQuery, lang: str) -> str:
    """A named query as a runnable example, its parameters bound.

    The parameters are bound (a ``VALUES`` block) to the page's language, their defaults, else their
    documented examples.
    """
    values = {}
    for p in query.parameters:
        text = lang if p.type == "language" else p.default or p.example
        values[p.name] = named.parse_value(p.type, text)
    return bind_values(query.text, values)


def _cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> dict[str, str]:
    if term is None:
        return {"text": "", "kind": "none", "lang": ""}
    if isinstance(term, ox.NamedNode):
        return {"text": term.value, "kind": "iri", "lang": ""}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "kind": "literal", "lang": term.language or ""}
    return {"text": str(term), "kind": "other", "lang": ""}


def _table(body: bytes) -> tuple[list[str], list[list[dict[str, str]]], bool | None]:
    """The variables, rows and boolean of SPARQL JSON results, read at once.

    A pyoxigraph results iterator must not outlive this frame: it belongs to this thread.
    """
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(result, ox.QueryBoolean):
        return [], [], bool(result)
    variables = [v.value for v in result.variables]
    rows = [[_cell(s[v]) for v in variables] for s in result]
    del result
    return variables, rows, None


async def sparql_page(request: Request) -> Response:
    """The editor, and the results of the query given (``query``) or of an example (``example``)."""
    lang = page_language(request)
    settings = app_settings(request)
    params = parse_query_string(request.scope.get("query_string", b""))
    examples = _examples()
    example = request.query_params.get("example")
    text = request.query_params.get("query")
    if text is None and example:
        chosen = next((q for q in examples if q.name == example), None)
        text = example_text(chosen, lang) if chosen is not None else None
    context = base_context(request, lang, "SPARQL", languages=[])
    variables: list[str] = []
    rows: list[list[dict[str, str]]] = []
    boolean: bool | None = None
    error: str | None = None
    status = 200
    ran = False
    if request.query_params.get("query") is not None:
        try:
            query = parse_request("GET", None, params, b"", limit=settings.result_limit)
            if query is None:
                raise InputError("no query was given", where="query")
            if query.kind != "results":
                raise InputError(
                    "this page shows SELECT and ASK results: download a CONSTRUCT or DESCRIBE "
                    "answer with the links below"
                )
            runner: QueryRunner = request.app.state.query_runner
            answer = await run_read(
                runner,
                query.query,
                default_graphs=query.default_graphs,
                named_graphs=query.named_graphs,
                limit=settings.result_limit,
            )
            variables, rows, boolean = _table(answer.body)
            ran = True
        except MnrGraphError as exc:
            error = str(exc)
            status = exc.http_status
    return render(
        "sparql.html",
        status_code=status,
        query_text=text if text is not None else default_query(),
        examples=examples,
        example=example or "",
        variables=variables,
        rows=rows,
        boolean=boolean,
        ran=ran,
        error=error,
        **context,
    )
