"""Named queries: the ``sparql/Qnn-<name>.rq`` files, their headers, typed parameters and results.

Every named query is a SPARQL ``SELECT`` file whose first lines are a header of ``#`` comments::

    # @summary Every capability of the framework with its domain, in framework order.
    # @description Optional longer text; the line may repeat.
    # @param lang language optional default=en example=fr -- language of the labels
    # @param domain domain optional example=D02 -- only the capabilities of this domain
    # @column domain -- the domain (IRI)
    # @column capabilityLabel -- the capability's label in the asked language

- ``@summary`` (one, required) and ``@description`` (optional, repeatable) describe the query.
- ``@param NAME TYPE required|optional [default=VALUE] [example=VALUE] -- TEXT`` (a value with
  spaces in double quotes: ``example="child pornography"``): ``NAME`` is the
  SPARQL variable ``?NAME``; ``TYPE`` is one of :data:`PARAMETER_TYPES`; ``example`` is required
  (the tests run every query with its examples). Values never enter the query text: they are
  checked, turned into RDF terms and bound in a ``VALUES`` block at the start of the ``WHERE``
  clause, as the API's workers and a remote store bind them (Oxigraph plans the query knowing the
  values: with pyoxigraph's ``substitutions`` it did not, and some queries read the whole store).
  So a parameter is seen by the top-level patterns, each ``BIND`` and ``FILTER`` there and an
  ``OPTIONAL``'s own ``FILTER``, never inside a sub-query or a nested group. The queries also give
  the same rows through ``substitutions`` (the tests check it), which bind a variable in the
  ``SELECT`` projection: every parameter variable is projected by the outer ``SELECT``, and an
  optional parameter without a default (unbound) is tested with ``COALESCE(<expression using
  ?NAME>, true)``, not with ``BOUND(?NAME)`` (false for a substituted variable).
- ``@column NAME -- TEXT`` (one per result column, in order). Only declared columns are returned;
  projected parameter variables are not columns unless declared.

The query's name is the file stem without its ``Qnn-`` id (``capabilities-by-domain``); the id
(``Q01``) is accepted as an alias.

The header is read by :mod:`mnr_graph.query.header`, values are checked by the types of
:mod:`mnr_graph.query.parameters`, and the answer is a :class:`~mnr_graph.query.tables.QueryTable`.

>>> q = get_query("Q01")
>>> q.id, q.name == q.path.stem[4:], bool(q.summary)
('Q01', True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError, NotFoundError, located
from mnr_graph.query.header import Column, Parameter, parse_header
from mnr_graph.query.parameters import PARAMETER_TYPES, parse_value
from mnr_graph.query.remote import bind_values
from mnr_graph.query.tables import QueryTable, table_from_solutions

__all__ = [
    "PARAMETER_TYPES",
    "NamedQuery",
    "QueryStore",
    "QueryTable",
    "get_query",
    "load_queries",
    "paged",
    "parse_value",
    "run_query",
    "table_from_solutions",
]

_ID_NAME = re.compile(r"^(Q\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")


class QueryStore(Protocol):
    """What named queries need of a store.

    Both :class:`~mnr_graph.query.store.EmbeddedStore` and the remote store have it.
    """

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Any = None,
        named_graphs: Any = None,
        substitutions: Any = None,
    ) -> Any:
        """Run a SPARQL query; the default graph is the union of all graphs unless given."""


@dataclass(frozen=True)
class NamedQuery:
    """A ``sparql/Qnn-<name>.rq`` file with its parsed header."""

    id: str
    name: str
    path: Path
    text: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]

    def parameter(self, name: str) -> Parameter:
        """The declared parameter of that name."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise InputError(f"query {self.name!r} has no parameter {name!r}")

    def bind(
        self, values: Mapping[str, str | None], *, store: QueryStore | None = None
    ) -> dict[str, ox.NamedNode | ox.Literal]:
        """Check the raw values and return the substitutions (defaults filled in).

        Unknown parameter names, missing required ones and malformed values raise
        :class:`InputError` (400); with a store, a capability, domain, phase, band, term or
        country that the store does not hold raises :class:`NotFoundError` (404), and a country
        code stands for the country that has data (the user's, else the demo's).
        """
        declared = {p.name for p in self.parameters}
        unknown = sorted(set(values) - declared)
        if unknown:
            raise InputError(
                f"query {self.name!r} has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(sorted(declared)) or 'none'}"
            )
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.parameters:
            raw = values.get(p.name)
            if raw is None or raw == "":
                raw = p.default
            if raw is None:
                if p.required:
                    raise InputError(
                        f"query {self.name!r} needs the parameter {p.name!r} "
                        f"({PARAMETER_TYPES[p.type].description}, e.g. {p.example})"
                    )
                continue
            with located(f"parameter {p.name!r}"):
                term = parse_value(p.type, raw)
            bound[p.name] = term
        check = self.existence_query(bound)
        if store is not None and check is not None:
            bound = self.check_existence(values, bound, store.query(check))
        return bound

    def _checked(self, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> list[Parameter]:
        return [p for p in self.parameters if p.name in bound and PARAMETER_TYPES[p.type].exists]

    def resolves(self, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> bool:
        """True when a bound value may stand for another term (a country: the demo's).

        The query can then only run once :meth:`check_existence` has chosen.
        """
        return any(
            len(PARAMETER_TYPES[p.type].candidates(bound[p.name])) > 1 for p in self._checked(bound)
        )

    def existence_query(self, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
        """One ``SELECT ?i ?rank`` with a row for each bound value the store holds.

        ``i``: the ``i``-th checked parameter; ``rank``: which of its candidate terms. ``None``
        when no bound parameter's type can be checked. The values are RDF terms in ``VALUES``
        blocks.

        >>> q = get_query("capability")
        >>> "(<https://w3id.org/mnr-graph/id/C07> 0)" in q.existence_query(
        ...     q.bind({"capability": "C07"}))
        True
        """
        parts = []
        for i, p in enumerate(self._checked(bound)):
            kind = PARAMETER_TYPES[p.type]
            rows = " ".join(
                f"({term} {rank})" for rank, term in enumerate(kind.candidates(bound[p.name]))
            )
            parts.append(
                f"{{ VALUES (?value ?rank) {{ {rows} }} FILTER EXISTS {{ {kind.exists} }} "
                f"BIND({i} AS ?i) }}"
            )
        return f"SELECT DISTINCT ?i ?rank WHERE {{ {' UNION '.join(parts)} }}" if parts else None

    def check_existence(
        self,
        values: Mapping[str, str | None],
        bound: Mapping[str, ox.NamedNode | ox.Literal],
        found: Iterable[Any],
    ) -> dict[str, ox.NamedNode | ox.Literal]:
        """The substitutions with each checked value as the first of its candidates found.

        Found: by :meth:`existence_query`; :class:`NotFoundError` (404) names the first parameter
        whose value names nothing here.
        """
        ranks: dict[int, int] = {}
        for row in found:
            if row["i"] is not None:
                i, rank = int(row["i"].value), int(row["rank"].value)
                ranks[i] = min(rank, ranks.get(i, rank))
        resolved = dict(bound)
        for i, p in enumerate(self._checked(bound)):
            kind = PARAMETER_TYPES[p.type]
            if i not in ranks:
                raw = values.get(p.name) or p.default
                raise NotFoundError(
                    kind.missing.format(type=p.type, raw=raw), where=f"parameter {p.name!r}"
                )
            resolved[p.name] = kind.candidates(bound[p.name])[ranks[i]]
        return resolved

    def to_json(self) -> dict[str, Any]:
        """The query as listed at ``GET /queries``."""
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "path": f"/queries/{self.name}",
            "parameters": [p.to_json() for p in self.parameters],
            "columns": [{"name": c.name, "description": c.description} for c in self.columns],
        }


def _load(path: Path) -> NamedQuery:
    match = _ID_NAME.match(path.stem)
    if match is None:
        raise InputError("a named query file is called Qnn-name.rq", where=str(path))
    text = path.read_text(encoding="utf-8")
    header = parse_header(text, where=path.name)
    return NamedQuery(id=match.group(1), name=match.group(2), path=path, text=text, **header)


@cache
def load_queries() -> dict[str, NamedQuery]:
    """Every shipped named query (``sparql/Q*.rq``), by name, in id order."""
    queries = [_load(p) for p in resources.files("sparql", "Q*.rq")]
    return {q.name: q for q in sorted(queries, key=lambda q: q.id)}


def get_query(name: str) -> NamedQuery:
    """A named query by name (``capabilities-by-domain``), id (``Q01``) or file stem."""
    queries = load_queries()
    if name in queries:
        return queries[name]
    for q in queries.values():
        if name.upper() == q.id or name == q.path.stem:
            return q
    raise NotFoundError(f"unknown query {name!r}; the list is at /queries")


def paged(text: str, *, limit: int | None, offset: int = 0) -> str:
    """A named query's text asking for one page.

    ``limit`` rows (and one more, to tell whether another page follows) after ``offset`` rows.
    The named queries end with their ``ORDER BY``, so the pages are stable.

    >>> paged("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", limit=10, offset=20).split()[-4:]
    ['LIMIT', '11', 'OFFSET', '20']
    """
    if limit is None and not offset:
        return text
    page = f"LIMIT {int(limit) + 1} " if limit is not None else ""
    return f"{text.rstrip()}\n{page}OFFSET {int(offset)}\n"


def run_query(
    store: QueryStore,
    name: str,
    values: Mapping[str, str | None] | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> QueryTable:
    """Run a named query with raw parameter values.

    Return its declared columns, one page of at most ``limit`` rows after ``offset``
    (``truncated``: more follow).

    >>> from mnr_graph.query.store import EmbeddedStore
    >>> table = run_query(EmbeddedStore.with_shipped_data(), "capabilities-by-domain", limit=5)
    >>> table.columns[:2], len(table.rows), table.truncated, table.next_offset
    (('domain', 'domainNotation'), 5, True, 5)
    """
    query = get_query(name)
    substitutions = query.bind(values or {}, store=store)
    text = paged(query.text, limit=limit, offset=offset)
    solutions = store.query(bind_values(text, substitutions) if substitutions else text)
    return table_from_solutions(query, solutions, limit=limit, offset=offset)
