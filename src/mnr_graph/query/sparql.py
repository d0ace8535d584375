"""The SPARQL 1.1 Protocol, read-only: request parsing, content negotiation, capped results.

The web layer (:mod:`mnr_graph.web.app`) hands the raw request to :func:`parse_request`, which
applies
the protocol's rules (GET, POST form, POST direct; one ``query``; no updates; the dataset
parameters) and refuses anything that would fetch remote data. :func:`negotiate` picks the output
format from ``Accept`` (with q-values), then the ``format`` parameter. :func:`execute` runs a
:class:`QueryRequest` on a pyoxigraph store or any :class:`~mnr_graph.query.store.Store` and
serialises at
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
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate, islice
from typing import Any, Literal
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from mnr_graph.core import netguard
from mnr_graph.core.errors import InputError, NotAcceptableError, UnsupportedMediaTypeError
from mnr_graph.core.namespaces import PREFIXES
from mnr_graph.query.lexer import first_keyword, tokens
from mnr_graph.query.store import QueryResult, Store, run_query

__all__ = [
    "FORMATS",
    "QueryAnswer",
    "QueryRequest",
    "ResultFormat",
    "check_query",
    "choose_media",
    "execute",
    "kind_of",
    "negotiate",
    "parse_accept",
    "parse_query_string",
    "parse_request",
    "quality",
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
#: Deepest nesting of ``{}``, ``()`` and ``[]`` a query may have (the query parser recurses: a
#: query nested thousands deep would overflow its stack and take the worker down).
MAX_NESTING = 500
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_NOT_A_BRACKET = re.compile(r"[^{}()\[\]]+")


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
    ResultFormat(
        "turtle", "graph", "text/turtle", ("application/x-turtle", "ttl", "n3", "text/n3"), "Turtle"
    ),
    ResultFormat("ntriples", "graph", "application/n-triples", ("text/plain", "nt"), "N-Triples"),
    ResultFormat(
        "jsonld", "graph", "application/ld+json", ("application/json", "json", "json-ld"), "JSON-LD"
    ),
    ResultFormat(
        "rdfxml",
        "graph",
        "application/rdf+xml",
        ("application/xml", "text/xml", "rdf", "rdf+xml", "xml"),
        "RDF_XML",
    ),
)
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
#: The formats an ASK answer comes in (SPARQL 1.1 CSV/TSV define no boolean form).
_BOOLEAN_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}


@dataclass(frozen=True)
class QueryRequest:
    """A checked query with its dataset, output format and row cap (picklable, for workers).

    ``boolean``: an ASK query (answered in JSON or XML only: CSV and TSV define no boolean form).
    ``base_iri``: what relative IRIs in the query resolve against (the endpoint's URL).
    ``format_param``: the request's ``format`` parameter (URL or form), a fallback for Accept.
    """

    query: str
    kind: Kind
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    format: ResultFormat | None = None
    limit: int = 10_000
    boolean: bool = False
    base_iri: str | None = None
    format_param: str | None = None

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
    base_iri: str | None = None,
) -> QueryRequest | None:
    """The query of a protocol request, checked; ``None`` when no query is given.

    ``params`` are the URL's query parameters (see :func:`parse_query_string`); ``body`` the
    request body (POST). The query text itself is checked later, by :func:`check_query` in
    :func:`execute`: that is linear in its length and runs in the worker, under the time limit.

    >>> parse_request("GET", None, [("query", "ASK {}"), ("query", "ASK {}")], b"")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: query: give exactly one query, not 2
    """
    fields = list(params)
    media_type, _, parameters = (content_type or "").partition(";")
    media_type = media_type.strip().lower()
    if method == "POST":
        if media_type in (FORM, DIRECT):
            _check_charset(media_type, parameters)
        if media_type == FORM:
            fields += parse_query_string(body, where="the form body")
        elif media_type == DIRECT:
            if any(k == "query" for k, _ in fields):
                raise InputError("give the query in the body or the URL, not both", where="query")
            fields.append(("query", _utf8(body, "the request body")))
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
    query = queries[0].removeprefix("\ufeff")  # a byte order mark some editors write
    kind = kind_of(query)
    # each graph once: pyoxigraph would read a repeated graph twice into the default graph
    default = tuple(dict.fromkeys(v for k, v in fields if k == "default-graph-uri"))
    named = tuple(dict.fromkeys(v for k, v in fields if k == "named-graph-uri"))
    for name, iri in [("default-graph-uri", g) for g in default] + [
        ("named-graph-uri", g) for g in named
    ]:
        _check_iri(iri, name)
    dataset_given = bool(default or named)
    return QueryRequest(
        query=query,
        kind=kind,
        default_graphs=default if dataset_given else None,
        named_graphs=named if dataset_given else None,
        limit=limit,
        boolean=first_keyword(query) == "ASK",
        base_iri=base_iri,
        format_param=next((v for k, v in fields if k == "format"), None),
    )


def parse_query_string(raw: bytes | str, *, where: str = "the URL") -> list[tuple[str, str]]:
    """The ``name=value`` pairs of a URL query string or form body; percent-escapes must be UTF-8.

    (Web frameworks replace bytes that are not UTF-8 with U+FFFD, which would quietly change the
    query; here they are an error.)

    >>> parse_query_string(b"query=ASK%20%7B%7D&format=json")
    [('query', 'ASK {}'), ('format', 'json')]
    >>> parse_query_string(b"query=%FF")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: the URL: the parameters are not UTF-8 (byte 0xff at 0)
    """
    text = _utf8(raw, where) if isinstance(raw, bytes) else raw
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the parameters are not UTF-8 (byte 0x{exc.object[exc.start]:02x} at {exc.start})",
            where=where,
        ) from exc


def _check_charset(media_type: str, parameters: str) -> None:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaTypeError(
                f"{media_type} must be UTF-8 (the SPARQL protocol allows no other encoding), "
                f"not charset={value.strip()}"
            )


def _utf8(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 (byte 0x{body[exc.start]:02x} at {exc.start}); the SPARQL protocol "
            "requires UTF-8",
            where=where,
        ) from exc


def _check_iri(iri: str, name: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"not an IRI: {iri!r}", where=name) from exc


def _rough_depth(query: str) -> int:
    """The nesting depth counting every bracket, in strings too: fast, exact for most queries."""
    brackets = _NOT_A_BRACKET.sub("", query)
    return max(accumulate(1 if c in _OPENERS else -1 for c in brackets), default=0)


def check_query(query: str) -> None:
    """Refuse a query that would fetch remote data or is nested too deep to parse safely.

    >>> check_query("ASK { " + "{ " * 600 + "}" * 600 + " }")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: line 1, column 1005: the query nests ... deeper than 500 ...
    """
    netguard.check_query(query)
    if sum(query.count(c) for c in _OPENERS) <= MAX_NESTING or _rough_depth(query) <= MAX_NESTING:
        return
    depth = 0
    for token in tokens(query):
        if token.text in _OPENERS:
            depth += 1
            if depth > MAX_NESTING:
                line = query.count("\n", 0, token.start) + 1
                column = token.start - (query.rfind("\n", 0, token.start) + 1) + 1
                raise InputError(
                    "the query nests groups, brackets or parentheses deeper than "
                    f"{MAX_NESTING} levels",
                    where=f"line {line}, column {column}",
                )
        elif token.text in _OPENERS.values():
            depth -= 1


_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their q-values, best first.

    At equal q a type comes before a wildcard, then the first listed. A range whose q-value is
    malformed (not 0 to 1 with at most three decimals: ``q=x``, ``q=2``) is ignored, as if it
    were not there; this one reading serves ``/sparql``, the named queries, the linked-data
    paths and ``Accept-Language``.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json, */*;q=0.1")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5), ('*/*', 0.1)]
    >>> parse_accept("text/csv;q=x, text/turtle;q=0")
    [('text/turtle', 0.0)]
    """
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate((accept or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q: float | None = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                q = float(value) if _QVALUE.fullmatch(value) else None
        if q is not None:
            ranges.append((pieces[0].lower(), q, position))
    ranges.sort(key=lambda r: (-r[1], r[0].count("*"), r[2]))
    return [(r[0], r[1]) for r in ranges]


def quality(media_type: str, ranges: Sequence[tuple[str, float]]) -> float | None:
    """The q-value ``ranges`` (of :func:`parse_accept`) give a media type: that of the most
    specific range matching it (``type/subtype``, then ``type/*``, then ``*/*``); ``None`` when
    none matches. So ``text/turtle;q=0, */*`` refuses Turtle and allows the rest.

    >>> ranges = parse_accept("text/turtle;q=0, */*")
    >>> quality("text/turtle", ranges), quality("application/n-triples", ranges)
    (0.0, 1.0)
    >>> quality("text/csv", parse_accept("application/*")) is None
    True
    """
    media_type = media_type.lower()
    family = media_type.split("/")[0] + "/*"
    for wanted in (media_type, family, "*/*"):
        for media_range, q in ranges:
            if media_range == wanted:
                return q
    return None


def choose_media(
    ranges: Sequence[tuple[str, float]],
    offered: Iterable[str],
    wildcards: Mapping[str, Sequence[str]],
) -> str | None:
    """The media type to answer with, of those ``offered``: the first the best range names, or
    for a wildcard range the first of its ``wildcards`` entry that no range refuses; ``None``
    when the ranges (of :func:`parse_accept`) allow none.

    >>> table = ["text/csv", "application/json"]
    >>> choose_media(parse_accept("text/csv;q=0, */*"), table, {"*/*": table})
    'application/json'
    """
    offers = set(offered)
    for media, q in ranges:
        if q <= 0:
            continue
        if media in offers:
            return media
        for candidate in wildcards.get(media, ()):
            if _allowed(candidate, ranges):
                return candidate
    return None


def _allowed(media_type: str, ranges: Sequence[tuple[str, float]]) -> bool:
    """Not refused: no range names it, or the most specific one that does has q > 0."""
    q = quality(media_type, ranges)
    return q is None or q > 0


def _by_name(kind: Kind, name: str, *, boolean: bool = False) -> ResultFormat | None:
    name = name.strip().lower()
    for fmt in _candidates(kind, boolean):
        if name in (fmt.name, fmt.media_type, *fmt.aliases):
            return fmt
    return None


def _candidates(kind: Kind, boolean: bool) -> list[ResultFormat]:
    return [f for f in FORMATS if f.kind == kind and (not boolean or f.name in _BOOLEAN_FORMATS)]


def _known(name: str) -> bool:
    """True if some format of either kind goes by this name (a SPARQL client's usual Accept)."""
    return _by_name("results", name) is not None or _by_name("graph", name) is not None


def negotiate(
    kind: Kind, accept: str | None, format_param: str | None, *, boolean: bool = False
) -> ResultFormat:
    """The output format: a type named in ``Accept``, else ``format``, else an Accept wildcard.

    Wildcards pick the first format of their range (``text/*`` gives CSV for solutions). A client
    that sends one Accept header for every query (SPARQLWrapper, rdflib) may ask for a results
    format for a CONSTRUCT: such a request gets the default format of the query's kind rather than
    a 406, as does a ``format`` naming a format of the other kind. ASK answers (``boolean``) come
    in JSON or XML: the CSV and TSV formats define no boolean form. A refusal (``q=0``, of a type
    or of its family, see :func:`quality`) is never chosen, by a wildcard or by a fallback. 406
    for an Accept header naming nothing we serve or refusing everything, or an unknown ``format``.

    >>> negotiate("graph", "application/n-triples;q=0.9, text/turtle", None).name
    'turtle'
    >>> negotiate("results", "text/html,*/*;q=0.8", "tsv").name
    'tsv'
    >>> negotiate("results", "text/*", None).name, negotiate("graph", "application/*", None).name
    ('csv', 'ntriples')
    >>> negotiate("graph", "application/sparql-results+json", "json").name
    'jsonld'
    >>> negotiate("results", "text/csv", None, boolean=True).name
    'json'
    >>> negotiate("graph", "text/turtle;q=0, */*", None).name
    'ntriples'
    >>> negotiate("graph", "text/csv, text/turtle;q=0", None).name
    'ntriples'
    >>> negotiate("results", "*/*;q=0", None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.NotAcceptableError: Accept: Accept '*/*;q=0' refuses every format; ...
    """
    candidates = _candidates(kind, boolean)
    ranges = parse_accept(accept)
    wildcards = []
    for media_range, q in ranges:
        if q <= 0:
            continue
        if media_range.endswith("/*"):
            wildcards.append(media_range)
            continue
        chosen = _by_name(kind, media_range, boolean=boolean)
        if chosen is not None:
            return chosen
    if format_param:
        chosen = _by_name(kind, format_param, boolean=boolean)
        if chosen is not None:
            return chosen
        if not _known(format_param):
            names = ", ".join(f.name for f in candidates)
            raise NotAcceptableError(
                f"unknown format {format_param!r} for this query; use one of {names}",
                where="format",
            )
    for media_range in wildcards:
        prefix = "" if media_range == "*/*" else media_range[:-1]
        for fmt in candidates:
            if fmt.media_type.startswith(prefix) and _allowed(fmt.media_type, ranges):
                return fmt
    types = ", ".join(f.media_type for f in candidates)
    wanted = [r for r, q in ranges if q > 0]
    if ranges and not wanted:
        raise NotAcceptableError(
            f"Accept {accept!r} refuses every format; this query can give {types}",
            where="Accept",
        )
    if all(_known(r) for r in wanted):
        # formats of the other kind (one Accept for every query): our default, unless refused
        for fmt in candidates:
            if _allowed(fmt.media_type, ranges):
                return fmt
    raise NotAcceptableError(
        f"cannot answer in {accept!r}; this query can give {types}", where="Accept"
    )


def execute(store: ox.Store | Store, request: QueryRequest) -> QueryAnswer:
    """Run the request on a pyoxigraph store (or a Store) and serialise its capped answer.

    The query is checked first (:func:`check_query`): no ``SERVICE``, no absurd nesting.
    """
    check_query(request.query)
    if isinstance(store, ox.Store):
        result: QueryResult = run_query(
            store,
            request.query,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            base_iri=request.base_iri,
        )
    else:
        result = store.query(
            request.query, default_graphs=request.default_graphs, named_graphs=request.named_graphs
        )
    fmt = request.format or negotiate(request.kind, None, None)
    if isinstance(result, ox.QueryBoolean):
        if fmt.name not in _BOOLEAN_FORMATS:
            fmt = negotiate("results", None, None)
        return QueryAnswer(
            result.serialize(format=_BOOLEAN_FORMATS[fmt.name]) or b"", fmt.media_type, 1, False
        )
    if isinstance(result, ox.QuerySolutions):
        if fmt.kind != "results":
            fmt = negotiate("results", None, None)
        variables = [v.value for v in result.variables]
        try:
            rows = list(islice(result, request.limit + 1))
        finally:
            # an error while reading (evaluation is lazy) must not keep the iterator alive in
            # its traceback: it belongs to this thread, and may not be dropped in another
            del result
        capped = len(rows) > request.limit
        rows = rows[: request.limit]
        body = serialize_solutions(variables, rows, fmt.name)
        return QueryAnswer(body, fmt.media_type, len(rows), capped)
    if fmt.kind != "graph":
        fmt = negotiate("graph", None, None)
    try:
        triples = list(islice(result, request.limit + 1))
    finally:
        del result  # as above
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
