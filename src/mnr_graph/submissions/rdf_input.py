"""Turtle and JSON-LD input: parsed with its lexical forms kept, and JSON-LD made safe first.

A JSON-LD document is checked before it is read: a reference to the shipped context
(:data:`CONTEXT_IRI`) is replaced by its content, any other remote context or ``@import`` is
refused (nothing is fetched), and an ``@id`` that is not an IRI or an ``@language`` that is not
a BCP 47 tag is refused (the JSON-LD processor would drop that node or value without a word).
Syntax errors give their line and column.

>>> graph = parse_rdf(b"<urn:a> <urn:b> 'c' .", filename="a.ttl", fmt="ttl")
>>> len(graph)
1
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import BASE, XSD
from mnr_graph.framework.context import shipped_context
from mnr_graph.submissions.formats import OLE_MAGIC, ZIP_MAGIC
from mnr_graph.submissions.literals import ill_typed_literals_expected

__all__ = ["CONTEXT_IRI", "parse_rdf"]

#: A JSON-LD ``@context`` given as this IRI is replaced by the shipped ``ontology/context.jsonld``.
CONTEXT_IRI = BASE + "context.jsonld"


def _to_rdflib(term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == str(XSD.string):
        return Literal(term.value)
    # the lexical form as written: rdflib would otherwise rewrite a value it can parse
    # ("2024-03-01T10:00:00"^^xsd:date became "2024-03-01", which the shapes then accepted)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False)


def _syntax_error(exc: SyntaxError, filename: str, kind: str) -> InputError:
    args = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else None
    text = str(exc.args[0]) if exc.args else str(exc)
    if args and args[1] is not None:
        line, column = args[1], args[2]
        detail = text.split(": ", 1)[1] if ": " in text else text
        return InputError(
            f"line {line}, column {column}: {kind} syntax error: {detail}", where=filename
        )
    return InputError(f"{kind} syntax error: {text}", where=filename)


def _check_contexts(node: Any, filename: str, shipped: dict[str, Any]) -> Any:
    """Replace references to the shipped context by its content; refuse any other remote one."""
    if isinstance(node, list):
        return [_check_contexts(item, filename, shipped) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@context":
            out[key] = _resolve_context(value, filename, shipped)
        else:
            out[key] = _check_contexts(value, filename, shipped)
    return out


def _resolve_context(value: Any, filename: str, shipped: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_resolve_context(v, filename, shipped) for v in value]
    if isinstance(value, str):
        if value in (CONTEXT_IRI, "context.jsonld"):
            return shipped
        raise InputError(
            f"remote JSON-LD context {value!r} refused: nothing is fetched; use the shipped "
            f"context ({CONTEXT_IRI!r}) or put the context inline",
            where=filename,
        )
    if isinstance(value, dict):
        if "@import" in value:
            raise InputError("JSON-LD '@import' of a remote context is refused", where=filename)
        return {k: _check_contexts(v, filename, shipped) for k, v in value.items()}
    return value


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _iri_terms(document: Any) -> frozenset[str]:
    """The terms whose string values are IRIs in the contexts of a JSON-LD document.

    IRI-valued: ``"@type": "@id"`` or ``"@vocab"``. The contexts: the shipped one, once resolved,
    and inline ones.
    """
    found: set[str] = set()

    def visit(node: Any, in_context: bool) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, in_context)
        elif isinstance(node, dict):
            for key, value in node.items():
                coerced = isinstance(value, dict) and value.get("@type") in ("@id", "@vocab")
                if in_context and (coerced or value == "@id"):  # an IRI-typed term, an alias
                    found.add(key)
                visit(value, in_context or key == "@context")

    visit(document, False)
    return frozenset(found)


def _check_identifiers(document: Any, filename: str, iri_terms: frozenset[str]) -> None:
    """Refuse an ``@id`` that is not an IRI and an ``@language`` that is not a BCP 47 tag.

    The ``@id`` check covers an IRI-typed term's value too. The JSON-LD processor drops such a
    node or value, with everything said about it, without a word (the rest of the file would
    then conform).
    """

    def bad_iri(value: str) -> bool:
        if value.startswith(("_:", "@")):
            return False
        absolute = value if _SCHEME.match(value) else str(BASE) + "data/" + value
        try:
            ox.NamedNode(absolute)
        except ValueError:
            return True
        return False

    def visit(node: Any, where: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, f"{where}[{index}]")
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            here = f"{where}/{key}" if where else key
            if key == "@context":
                if isinstance(value, dict):
                    language = value.get("@language")
                    if isinstance(language, str):
                        check_language(language, f"{here}/@language")
                continue
            if key == "@language" and isinstance(value, str):
                check_language(value, here)
            elif isinstance(value, str) and (key == "@id" or key in iri_terms):
                if bad_iri(value):
                    raise InputError(
                        f"{here}: {value!r} is not a valid IRI (a space or a character such as "
                        f'<>"{{}}|^` in it), so the node or value would be dropped with '
                        "everything said about it: write the IRI without them (percent-encode "
                        "a space as %20)",
                        where=filename,
                    )
            else:
                visit(value, here)

    def check_language(value: str, here: str) -> None:
        try:
            ox.Literal("x", language=value)
        except ValueError:
            raise InputError(
                f"{here}: {value!r} is not a language tag, so the text would be dropped: "
                "write a BCP 47 tag such as en, fr or en-GB (letters and digits joined by '-')",
                where=filename,
            ) from None

    visit(document, "")


def parse_rdf(data: bytes, *, filename: str, fmt: str) -> Graph:
    """Parse Turtle or JSON-LD into an rdflib graph; errors give the line and column.

    >>> parse_rdf(b"<urn:a> <urn:b> .", filename="bad.ttl", fmt="ttl")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: bad.ttl: line 1, column 17: Turtle syntax error: ...
    """
    kind_name = "JSON-LD" if fmt == "jsonld" else "Turtle"
    if data.startswith((ZIP_MAGIC, OLE_MAGIC[:4])):
        raise InputError(
            f"this is a spreadsheet or zip file, not {kind_name} text: name an XLSX workbook .xlsx",
            where=filename,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if fmt == "jsonld":
        try:
            document = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise InputError(f"JSON-LD is not UTF-8: {exc}", where=filename) from exc
        except json.JSONDecodeError as exc:
            raise InputError(
                f"line {exc.lineno}, column {exc.colno}: JSON syntax error: {exc.msg}",
                where=filename,
            ) from exc
        except RecursionError:
            raise InputError("JSON nested too deeply to be a submission", where=filename) from None
        if not isinstance(document, (dict, list)):
            raise InputError(
                "JSON-LD must be an object or an array of objects, found "
                f"{type(document).__name__}",
                where=filename,
            )
        try:
            document = _check_contexts(document, filename, shipped_context())
        except RecursionError:
            raise InputError("JSON nested too deeply to be a submission", where=filename) from None
        _check_identifiers(document, filename, _iri_terms(document))
        data = json.dumps(document).encode("utf-8")
        rdf_format, kind = ox.RdfFormat.JSON_LD, "JSON-LD"
    else:
        rdf_format, kind = ox.RdfFormat.TURTLE, "Turtle"
    graph = Graph()
    try:
        with ill_typed_literals_expected():  # an ill-typed date is for the shapes to report
            triples = [
                (_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object))
                for q in ox.parse(data, format=rdf_format, base_iri=str(BASE) + "data/")
            ]
    except SyntaxError as exc:
        raise _syntax_error(exc, filename, kind) from None
    except ValueError as exc:
        raise InputError(f"{kind} error: {exc}", where=filename) from None
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph
