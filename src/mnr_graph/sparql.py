"""The SPARQL 1.1 Protocol, read-only: request parsing, content negotiation, capped results.

The web layer (:mod:`mnr_graph.api`) hands the raw request to :func:`parse_request`, which applies
the protocol's rules (GET, POST form, POST direct; one ``query``; no updates; the dataset
parameters) and refuses anything that would fetch remote data. :func:`negotiate` picks the output
format from ``Accept`` (with q-values), then the ``format`` parameter. :func:`execute` runs a
:class:`QueryRequest` on a pyoxigraph store or any :class:`~mnr_graph.store.Store` and serialises at
most ``limit`` rows or triples, saying whether the cap was reached.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://ex/a"), ox.NamedNode("http://ex/p"), ox.Literal("1")))
>>> request = parse_request("GET", None, [("query", "SELECT ?s WHERE { ?s ?p ?o }")], b"")
>>> request = request.with_format(negotiate(request.kind, "text/csv", None))
>>> answer = execute(store, request)
>>> (answer.media_type, answer.body.decode().split())
('text/csv', ['s', 'http://ex/a'])
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, Literal
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from mnr_graph import netguard
from mnr_graph.errors import InputError, NotAcceptableError, UnsupportedMediaTypeError
from mnr_graph.lexer import first_keyword
from mnr_graph.namespaces import PREFIXES
from mnr_graph.store import QueryResult, Store, run_query

__all__ = [
    "FORMATS",
    "QueryAnswer",
    "QueryRequest",
    "ResultFormat",
    "execute",
    "kind_of",
    "negotiate",
    "parse_accept",
    "parse_request",
    "serialize_graph",
    "serialize_solutions",
    "service_description",
]

Kind = Literal["results", "graph"]

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class ResultFormat:
    """One output format: its name (the ``format`` parameter), media type and aliases."""

    name: str
    kind: Kind
    media_type: str
    aliases: tuple[str, ...]
    #: The W3C format IRI (``http://www.w3.org/ns/formats/...``), for the service description.
    w3c: str


#: Every output format, the first of each kind its default.
FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json",
        "results",
        "application/sparql-results+json",
        ("application/json",),
        "SPARQL_Results_JSON",
    ),
    ResultFormat(
        "xml",
        "results",
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        "SPARQL_Results_XML",
    ),
    ResultFormat("csv", "results", "text/csv", (), "SPARQL_Results_CSV"),
    ResultFormat("tsv", "results", "text/tab-separated-values", (), "SPARQL_Results_TSV"),
    ResultFormat("turtle", "graph", "text/turtle", ("application/x-turtle", "ttl"), "Turtle"),
    ResultFormat("ntriples", "graph", "application/n-triples", ("text/plain", "nt"), "N-Triples"),
    ResultFormat("jsonld", "graph", "application/ld+json", ("application/json",), "JSON-LD"),
    ResultFormat(
        "rdfxml", "graph", "application/rdf+xml", ("application/xml", "text/xml"), "RDF_XML"
    ),
)
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
_BOOLEAN_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


@dataclass(frozen=True)
class QueryRequest:
    """A checked query with its dataset, output format and row cap (picklable, for workers)."""

    query: str
    kind: Kind
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    format: ResultFormat | None = None
    limit: int = 10_000

    def with_format(self, fmt: ResultFormat) -> QueryRequest:
        """The same request answered in another format."""
        return replace(self, format=fmt)


@dataclass(frozen=True)
class QueryAnswer:
    """The serialised answer: body, media type, rows (or triples) sent and whether capped."""

    body: bytes
    media_type: str
    count: int
    capped: bool


def kind_of(query: str) -> Kind:
    """``results`` for SELECT and ASK, ``graph`` for CONSTRUCT and DESCRIBE.

    >>> kind_of("PREFIX ex: <http://ex/> DESCRIBE ex:a"), kind_of("ask {}")
    ('graph', 'results')
    """
    keyword = first_keyword(query)
    if keyword in UPDATE_KEYWORDS:
        raise InputError(
            f"{keyword} is an update: this endpoint only answers queries (it is read-only)"
        )
    if keyword in ("CONSTRUCT", "DESCRIBE"):
        return "graph"
    if keyword in ("SELECT", "ASK"):
        return "results"
    raise InputError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


def parse_request(
    method: str,
    content_type: str | None,
    params: Sequence[tuple[str, str]],
    body: bytes,
    *,
    limit: int = 10_000,
) -> QueryRequest | None:
    """The query of a protocol request, checked; ``None`` when no query is given.

    ``params`` are the URL's query parameters; ``body`` the request body (POST).

    >>> parse_request("GET", None, [("query", "ASK {}"), ("query", "ASK {}")], b"")
    Traceback (most recent call last):
    ...
    mnr_graph.errors.InputError: query: give exactly one query, not 2
    """
    fields = list(params)
    media_type = (content_type or "").split(";")[0].strip().lower()
    if method == "POST":
        if media_type == FORM:
            fields += parse_qsl(_utf8(body), keep_blank_values=True)
        elif media_type == DIRECT:
            if any(k == "query" for k, _ in fields):
                raise InputError("give the query in the body or the URL, not both", where="query")
            fields.append(("query", _utf8(body)))
        elif media_type == "application/sparql-update":
            raise InputError("updates are not accepted: this endpoint is read-only")
        else:
            raise UnsupportedMediaTypeError(
                f"POST a query as {FORM} or {DIRECT}, not {media_type or 'no media type'!r}"
            )
    elif method not in ("GET", "HEAD"):
        raise InputError(f"{method} is not a SPARQL query operation")
    if any(k == "update" for k, _ in fields):
        raise InputError("updates are not accepted: this endpoint is read-only", where="update")
    queries = [v for k, v in fields if k == "query"]
    if not queries:
        return None
    if len(queries) > 1:
        raise InputError(f"give exactly one query, not {len(queries)}", where="query")
    query = queries[0]
    kind = kind_of(query)
    netguard.check_query(query)
    default = tuple(v for k, v in fields if k == "default-graph-uri")
    named = tuple(v for k, v in fields if k == "named-graph-uri")
    for iri in (*default, *named):
        _check_iri(iri)
    dataset_given = bool(default or named)
    return QueryRequest(
        query=query,
        kind=kind,
        default_graphs=default if dataset_given else None,
        named_graphs=named if dataset_given else None,
        limit=limit,
    )


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the request body is not UTF-8: {exc}") from exc


def _check_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"not an IRI: {iri!r}", where="default-graph-uri") from exc


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their q-values, best first.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json, */*;q=0.1")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5), ('*/*', 0.1)]
    """
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate((accept or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((pieces[0].lower(), q, position))
    ranges.sort(key=lambda r: (-r[1], r[0].count("*"), r[2]))
    return [(r[0], r[1]) for r in ranges]


def _by_name(kind: Kind, name: str) -> ResultFormat | None:
    name = name.strip().lower()
    for fmt in FORMATS:
        if fmt.kind == kind and name in (fmt.name, fmt.media_type, *fmt.aliases):
            return fmt
    return None


def negotiate(kind: Kind, accept: str | None, format_param: str | None) -> ResultFormat:
    """The output format: a specific type in ``Accept``, else ``format``, else the default.

    >>> negotiate("graph", "application/n-triples;q=0.9, text/turtle", None).name
    'turtle'
    >>> negotiate("results", "text/html,*/*;q=0.8", "tsv").name
    'tsv'
    """
    candidates = [f for f in FORMATS if f.kind == kind]
    wildcard = False
    acceptable = False
    for media_range, q in parse_accept(accept):
        if q <= 0:
            continue
        acceptable = True
        if media_range in ("*/*", "application/*", "text/*"):
            wildcard = True
            continue
        chosen = _by_name(kind, media_range)
        if chosen is not None:
            return chosen
    if format_param:
        chosen = _by_name(kind, format_param)
        if chosen is None:
            names = ", ".join(f.name for f in candidates)
            raise NotAcceptableError(
                f"unknown format {format_param!r} for this query; use one of {names}",
                where="format",
            )
        return chosen
    if wildcard or not acceptable:
        return candidates[0]
    types = ", ".join(f.media_type for f in candidates)
    raise NotAcceptableError(f"cannot answer in {accept!r}; this query can give {types}")


def execute(store: ox.Store | Store, request: QueryRequest) -> QueryAnswer:
    """Run the request on a pyoxigraph store (or a Store) and serialise its capped answer."""
    if isinstance(store, ox.Store):
        result: QueryResult = run_query(
            store,
            request.query,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
        )
    else:
        result = store.query(
            request.query, default_graphs=request.default_graphs, named_graphs=request.named_graphs
        )
    fmt = request.format or negotiate(request.kind, None, None)
    if isinstance(result, ox.QueryBoolean):
        if fmt.kind != "results":
            fmt = negotiate("results", None, None)
        return QueryAnswer(
            result.serialize(format=_BOOLEAN_FORMATS[fmt.name]) or b"", fmt.media_type, 1, False
        )
    if isinstance(result, ox.QuerySolutions):
        if fmt.kind != "results":
            fmt = negotiate("results", None, None)
        variables = [v.value for v in result.variables]
        rows = list(islice(result, request.limit + 1))
        capped = len(rows) > request.limit
        rows = rows[: request.limit]
        body = serialize_solutions(variables, rows, fmt.name)
        return QueryAnswer(body, fmt.media_type, len(rows), capped)
    if fmt.kind != "graph":
        fmt = negotiate("graph", None, None)
    triples = list(islice(result, request.limit + 1))
    capped = len(triples) > request.limit
    triples = triples[: request.limit]
    return QueryAnswer(serialize_graph(triples, fmt.name), fmt.media_type, len(triples), capped)


def serialize_graph(triples: Iterable[ox.Triple], name: str) -> bytes:
    """Triples in a graph format (``turtle``, ``ntriples``, ``jsonld``, ``rdfxml``)."""
    rdf_format = _RDF_FORMATS[name]
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""


# --- result serialisers (pyoxigraph cannot serialise a capped list of solutions) ----------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def serialize_solutions(
    variables: Sequence[str], rows: Sequence[ox.QuerySolution], name: str
) -> bytes:
    """Solutions in a results format (``json``, ``xml``, ``csv``, ``tsv``)."""
    if name == "json":
        bindings = [
            {v: _json_term(row[v]) for v in variables if row[v] is not None} for row in rows
        ]
        doc = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if name == "xml":
        parts = [
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>',
            *(f"<variable name={quoteattr(v)}/>" for v in variables),
            "</head><results>",
        ]
        for row in rows:
            parts.append("<result>")
            parts.extend(
                f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                for v in variables
                if row[v] is not None
            )
            parts.append("</result>")
        parts.append("</results></sparql>")
        return "".join(parts).encode("utf-8")
    if name == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_term(row[v]) for v in variables] for row in rows)
        return out.getvalue().encode("utf-8")
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines.extend(
        "\t".join("" if row[v] is None else str(row[v]) for v in variables) for row in rows
    )
    return ("\n".join(lines) + "\n").encode("utf-8")


def service_description(endpoint: str, graph_names: Iterable[str], fmt: ResultFormat) -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint, in a graph format."""
    sd = ox.NamedNode
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, sd(SD + "Service")),
        ox.Triple(service, sd(SD + "endpoint"), sd(endpoint)),
        ox.Triple(service, sd(SD + "supportedLanguage"), sd(SD + "SPARQL11Query")),
        ox.Triple(service, sd(SD + "feature"), sd(SD + "UnionDefaultGraph")),
        ox.Triple(
            service,
            sd(SD + "defaultEntailmentRegime"),
            sd("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, sd(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd(SD + "Dataset")),
        ox.Triple(dataset, sd(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd(SD + "Graph")),
    ]
    triples += [
        ox.Triple(service, sd(SD + "resultFormat"), sd(FORMATS_NS + f.w3c)) for f in FORMATS
    ]
    for i, name in enumerate(graph_names):
        node = ox.BlankNode(f"graph{i}")
        triples += [
            ox.Triple(dataset, sd(SD + "namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd(SD + "NamedGraph")),
            ox.Triple(node, sd(SD + "name"), sd(name)),
        ]
    return serialize_graph(triples, fmt.name)
