"""SPARQL result formats: the formats an answer comes in, their negotiation and serialisation.

:data:`FORMATS` lists every format by name (the ``format`` parameter), media type and aliases;
:func:`negotiate` picks one for a query by the rule of :mod:`mnr_graph.core.negotiation` (an
explicit ``format`` wins over ``Accept``); :func:`serialize_solutions` and :func:`serialize_graph`
write a capped list of solutions or triples (pyoxigraph serialises only whole results).

>>> negotiate("results", "text/csv", None).name, negotiate("results", "text/csv", "tsv").name
('csv', 'tsv')
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from mnr_graph.core.errors import NotAcceptableError
from mnr_graph.core.namespaces import PREFIXES
from mnr_graph.core.negotiation import allowed, parse_accept
from mnr_graph.core.negotiation import negotiate as choose_format

__all__ = [
    "BOOLEAN_FORMATS",
    "FORMATS",
    "Kind",
    "ResultFormat",
    "negotiate",
    "serialize_graph",
    "serialize_solutions",
]

#: ``results`` for SELECT and ASK, ``graph`` for CONSTRUCT and DESCRIBE.
Kind = Literal["results", "graph"]


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
BOOLEAN_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}


def _by_name(kind: Kind, name: str, *, boolean: bool = False) -> ResultFormat | None:
    name = name.strip().lower()
    for fmt in _candidates(kind, boolean):
        if name in (fmt.name, fmt.media_type, *fmt.aliases):
            return fmt
    return None


def _candidates(kind: Kind, boolean: bool) -> list[ResultFormat]:
    return [f for f in FORMATS if f.kind == kind and (not boolean or f.name in BOOLEAN_FORMATS)]


def _known(name: str) -> bool:
    """True if some format of either kind goes by this name (a SPARQL client's usual Accept)."""
    return _by_name("results", name) is not None or _by_name("graph", name) is not None


def negotiate(
    kind: Kind, accept: str | None, format_param: str | None, *, boolean: bool = False
) -> ResultFormat:
    """The output format of a query: ``format`` if given, else the best of ``Accept``.

    The rule of :mod:`mnr_graph.core.negotiation`, with the query's formats in their order
    (wildcards pick the first of their family: ``text/*`` gives CSV for solutions). A client that
    sends one Accept header and one ``format`` with every query (SPARQLWrapper, rdflib) may ask
    for a results format for a CONSTRUCT: such a request gets the default format of the query's
    kind rather than a 406, and a ``format`` naming a format of the other kind counts as not
    given. ASK answers (``boolean``) come in JSON or XML: the CSV and TSV formats define no
    boolean form. A refusal (``q=0``, of a type or of its family) is never chosen, by a wildcard
    or by a fallback. 406 for an Accept header naming nothing we serve or refusing everything,
    or an unknown ``format``.

    >>> negotiate("graph", "application/n-triples;q=0.9, text/turtle", None).name
    'turtle'
    >>> negotiate("results", "text/csv", "tsv").name
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
    mnr_graph.core.errors.NotAcceptableError: Accept: cannot answer in '*/*;q=0': it refuses every
    format; ...
    """
    candidates = _candidates(kind, boolean)
    other_kind = format_param and _by_name(kind, format_param, boolean=boolean) is None
    if other_kind and _known(format_param or ""):
        format_param = None  # a format of the other kind (or ASK's csv): as if not given
    offered = {f.name: f.media_type for f in candidates}
    aliases = {alias: f.name for f in candidates for alias in f.aliases}
    try:
        name = choose_format(accept, format_param, offered, aliases=aliases)
    except NotAcceptableError as exc:
        if exc.where != "Accept":
            raise
        ranges = parse_accept(accept)
        wanted = [r for r, q in ranges if q > 0]
        fallback = next((f for f in candidates if allowed(f.media_type, ranges)), None)
        if wanted and fallback is not None and all(_known(r) for r in wanted):
            # formats of the other kind (one Accept for every query): our default, unless refused
            return fallback
        raise
    return next(f for f in candidates if f.name == name)


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
