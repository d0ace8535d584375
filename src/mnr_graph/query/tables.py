"""The answer of a named query: a table of its declared columns, one page at a time.

Values are JSON: IRIs and texts as strings, numbers and booleans as such.

>>> term_to_json(ox.Literal("2", datatype=ox.NamedNode(str(XSD.integer))))
2
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from mnr_graph.core.namespaces import XSD
from mnr_graph.query.formats import serialize_solutions

if TYPE_CHECKING:
    from mnr_graph.query.named import NamedQuery

__all__ = ["QueryTable", "table_from_solutions", "term_to_json"]


@dataclass(frozen=True)
class QueryTable:
    """The rows of a named query; values as JSON (IRIs and texts as strings, numbers as such).

    A page of the answer: ``offset`` rows were skipped, at most ``limit`` given; ``truncated`` is
    true when more rows follow (the next page starts at ``offset + len(rows)``).
    """

    query: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    truncated: bool = False
    offset: int = 0
    limit: int | None = None
    #: The rows as RDF terms (the declared columns; ``None`` for an unbound value), for the
    #: formats that keep datatypes (SPARQL JSON results). Not compared.
    terms: list[dict[str, Any]] = field(default_factory=list, compare=False, repr=False)

    @property
    def next_offset(self) -> int | None:
        """Where the next page starts, or None when this page is the last."""
        return self.offset + len(self.rows) if self.truncated else None

    def to_json(self) -> dict[str, Any]:
        """``{"query", "columns", "rows", "truncated", "offset", "limit"}``."""
        return {
            "query": self.query,
            "columns": list(self.columns),
            "rows": self.rows,
            "truncated": self.truncated,
            "offset": self.offset,
            "limit": self.limit,
        }

    def to_sparql_json(self) -> bytes:
        """The rows as SPARQL 1.1 JSON results.

        The declared columns with their datatypes and languages (a program gets 2024 as an
        ``xsd:gYear``, not a text).
        """
        return serialize_solutions(list(self.columns), self.terms, "json")  # type: ignore[arg-type]

    def to_csv(self) -> str:
        """The rows as CSV with a header line (empty cells for unbound values)."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(self.columns), lineterminator="\r\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return out.getvalue()


_NUMERIC = {
    str(XSD[t]) for t in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger")
}
_DECIMAL = {str(XSD[t]) for t in ("decimal", "double", "float")}


def term_to_json(term: object) -> Any:
    """A result value as JSON: IRIs and texts as strings, numbers and booleans as such.

    >>> term_to_json(ox.Literal("2", datatype=ox.NamedNode(str(XSD.integer))))
    2
    >>> term_to_json(ox.NamedNode("https://w3id.org/mnr-graph/id/C01"))
    'https://w3id.org/mnr-graph/id/C01'
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _NUMERIC:
                return int(term.value)
            if datatype in _DECIMAL:
                return round(float(term.value), 6)
        except ValueError:
            return term.value
        if datatype == str(XSD.boolean):
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return term.value
    return str(term)


def table_from_solutions(
    query: NamedQuery,
    solutions: Iterable[ox.QuerySolution],
    *,
    limit: int | None = None,
    truncated: bool = False,
    offset: int = 0,
) -> QueryTable:
    """The declared columns of a named query's solutions, at most ``limit`` rows.

    A row beyond them, or ``truncated``, says more follow.
    """
    columns = tuple(c.name for c in query.columns)
    rows: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    for solution in solutions:
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        row = {c: solution[c] for c in columns}
        terms.append(row)
        rows.append({c: term_to_json(t) for c, t in row.items()})
    return QueryTable(
        query=query.name,
        columns=columns,
        rows=rows,
        truncated=truncated,
        offset=offset,
        limit=limit,
        terms=terms,
    )
