"""The SPARQL 1.1 Protocol's query operation, read-only: a request read and checked.

The web layer hands the raw request to :func:`parse_request`, which applies the protocol's rules
(GET, POST form, POST direct; one ``query``; no updates; the dataset parameters) and gives a
:class:`QueryRequest`; :func:`check_query` refuses a query that would fetch remote data or is
nested too deep to parse safely (it runs in the worker, under the time limit, in
:func:`mnr_graph.query.engine.execute`).

>>> request = parse_request("GET", None, [("query", "ASK {}"), ("format", "xml")], b"")
>>> request.kind, request.boolean, request.format_param
('results', True, 'xml')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from urllib.parse import parse_qsl

import pyoxigraph as ox

from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.query import netguard
from mnr_graph.query.formats import Kind, ResultFormat
from mnr_graph.query.lexer import first_keyword, tokens

__all__ = [
    "MAX_NESTING",
    "QueryRequest",
    "check_query",
    "kind_of",
    "parse_query_string",
    "parse_request",
]

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
#: Deepest nesting of ``{}``, ``()`` and ``[]`` a query may have (the query parser recurses: a
#: query nested thousands deep would overflow its stack and take the worker down).
MAX_NESTING = 500
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_NOT_A_BRACKET = re.compile(r"[^{}()\[\]]+")


@dataclass(frozen=True)
class QueryRequest:
    """A checked query with its dataset, output format and row cap (picklable, for workers).

    ``boolean``: an ASK query (answered in JSON or XML only: CSV and TSV define no boolean form).
    ``base_iri``: what relative IRIs in the query resolve against (the endpoint's URL).
    ``format_param``: the request's ``format`` parameter (URL or form); it wins over Accept.
    ``predeclare``: the project's prefixes may be used undeclared
    (:func:`mnr_graph.query.diagnostics.predeclare`); a protocol request has them.
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
    predeclare: bool = False

    def with_format(self, fmt: ResultFormat) -> QueryRequest:
        """The same request answered in another format."""
        return replace(self, format=fmt)


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
        predeclare=True,
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
