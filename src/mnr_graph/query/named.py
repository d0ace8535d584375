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
  checked, turned into RDF terms and bound through the store's ``substitutions``. Oxigraph binds a
  substituted variable in the ``SELECT`` projection, so every parameter variable must be projected
  by the outer ``SELECT`` (and by any sub-query that uses it). An optional parameter without a
  default stays unbound: test it with ``COALESCE(<expression using ?NAME>, true)``, not with
  ``BOUND(?NAME)`` (Oxigraph evaluates ``BOUND`` of a substituted variable as false).
- ``@column NAME -- TEXT`` (one per result column, in order). Only declared columns are returned;
  projected parameter variables are not columns unless declared.

The query's name is the file stem without its ``Qnn-`` id (``capabilities-by-domain``); the id
(``Q01``) is accepted as an alias.

>>> q = get_query("Q01")
>>> q.id, q.name == q.path.stem[4:], bool(q.summary)
('Q01', True, True)
>>> parse_value("capability", "7")
<NamedNode value=https://w3id.org/mnr-graph/id/C07>
>>> parse_value("language", "fr-CA")
<Literal value=fr-ca datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
"""

from __future__ import annotations

import csv
import io
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError, NotFoundError, located
from mnr_graph.core.namespaces import BASE, DATA, DEMO, MNR, MNRID, SKOS, TERM, XSD
from mnr_graph.framework.countries import country_iri, lookup_country

__all__ = [
    "PARAMETER_TYPES",
    "Column",
    "NamedQuery",
    "Parameter",
    "ParameterType",
    "QueryStore",
    "QueryTable",
    "get_query",
    "load_queries",
    "paged",
    "parse_header",
    "parse_value",
    "run_query",
    "table_from_solutions",
    "term_to_json",
]

_ID_NAME = re.compile(r"^(Q\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
_HEADER_LINE = re.compile(r"^#\s*@(\w+)\s*(.*)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QueryStore(Protocol):
    """What named queries need of a store (both :class:`~mnr_graph.query.store.EmbeddedStore` and
    the
    remote store have it)."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Any = None,
        named_graphs: Any = None,
        substitutions: Any = None,
    ) -> Any: ...


@dataclass(frozen=True)
class ParameterType:
    """A kind of parameter value: how to check it, turn it into an RDF term, and test it exists.

    A value that does not have the type's form is an :class:`InputError` (400); a well-formed
    identifier that names nothing (a capability C22, a country with no submission) is a
    :class:`NotFoundError` (404).
    """

    name: str
    description: str
    pattern: str
    convert: Callable[[re.Match[str]], ox.NamedNode | ox.Literal]
    #: A graph pattern that matches when the (bound) ``?value`` exists in the store.
    exists: str | None = None
    json_type: str = "string"
    #: Further terms the value may stand for, tried in order when the first is not in the store
    #: (a country code: the user's data first, then the demo).
    alternatives: Callable[[ox.NamedNode | ox.Literal], list[ox.NamedNode]] | None = None
    #: What a value the store does not hold is told (``{raw}``: the value as given).
    missing: str = "unknown {type} {raw!r}"

    def parse(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a raw text value, or :class:`InputError` saying what was expected."""
        match = re.fullmatch(self.pattern, raw.strip())
        if match is None:
            raise InputError(f"{raw!r} is not a valid {self.name}: expected {self.description}")
        return self.convert(match)

    def candidates(self, term: ox.NamedNode | ox.Literal) -> list[ox.NamedNode | ox.Literal]:
        """The term and its alternatives, in the order they are tried."""
        return [term, *(self.alternatives(term) if self.alternatives else [])]


def _notation(prefix: str) -> Callable[[re.Match[str]], ox.NamedNode]:
    def convert(match: re.Match[str]) -> ox.NamedNode:
        return ox.NamedNode(str(MNRID[f"{prefix}{int(match.group(1)):02d}"]))

    return convert


_COUNTRY_IRI = re.escape(BASE) + r"(data|demo)/country/"


def _country(match: re.Match[str]) -> ox.NamedNode:
    """A country code, name or IRI as the IRI of the country's key (FRA -> .../country/FR)."""
    space, code, text = match.group(1), match.group(2), match.group(3)
    country = lookup_country(code if code is not None else text)
    iri = country_iri(country.code)
    return ox.NamedNode(iri.replace("/data/", "/demo/", 1) if space == "demo" else iri)


def _demo_country(term: ox.NamedNode | ox.Literal) -> list[ox.NamedNode]:
    """A country of the user's data also stands for the demo's country of the same code."""
    data = str(DATA) + "country/"
    if isinstance(term, ox.NamedNode) and term.value.startswith(data):
        return [ox.NamedNode(str(DEMO) + "country/" + term.value[len(data) :])]
    return []


#: A country has data when it has a current submission (one the registry has not superseded or
#: withdrawn).
_HAS_SUBMISSION = (
    f"?submission a <{MNR.Submission}> ; <{MNR.country}> ?value . "
    f"FILTER NOT EXISTS {{ ?submission <{MNR.isCurrent}> false }}"
)


_IRI_PATTERN = r"https?://[^\s<>\"{}|\\^`]+"

#: The parameter types a query header may use, by name.
PARAMETER_TYPES: dict[str, ParameterType] = {
    t.name: t
    for t in (
        ParameterType(
            "iri", "an absolute http(s) IRI", _IRI_PATTERN, lambda m: ox.NamedNode(m.group(0))
        ),
        ParameterType(
            "string",
            "a text of 1 to 200 characters",
            r"(?s).{1,200}",
            lambda m: ox.Literal(m.group(0)),
        ),
        ParameterType(
            "integer",
            "a whole number",
            r"[+-]?\d{1,9}",
            lambda m: ox.Literal(str(int(m.group(0))), datatype=ox.NamedNode(str(XSD.integer))),
            json_type="integer",
        ),
        ParameterType(
            "year",
            "a four-digit year such as 2024",
            r"\d{4}",
            lambda m: ox.Literal(m.group(0), datatype=ox.NamedNode(str(XSD.gYear))),
        ),
        ParameterType(
            "language",
            "a language tag such as en, fr or es",
            r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*",
            lambda m: ox.Literal(m.group(0).lower()),
        ),
        ParameterType(
            "capability",
            "a capability notation such as C07 (or its number, 7)",
            r"(?i)C?(\d{1,2})",
            _notation("C"),
            f"?value a <{MNR.Capability}>",
        ),
        ParameterType(
            "domain",
            "a domain notation such as D02 (or its number, 2)",
            r"(?i)D?(\d{1,2})",
            _notation("D"),
            f"?value a <{MNR.Domain}>",
        ),
        ParameterType(
            "phase",
            "a maturity phase notation such as P02 (or its number, 2)",
            r"(?i)P?(\d{1,2})",
            _notation("P"),
            f"?value a <{MNR.MaturityPhase}>",
        ),
        ParameterType(
            "band",
            "a usage band notation (use, caution or avoid)",
            r"(?i)([a-z]+)",
            lambda m: ox.NamedNode(str(MNRID[f"band-{m.group(1).lower()}"])),
            f"?label <{MNR.usageBand}> ?value",
        ),
        ParameterType(
            "country",
            "a country: an ISO 3166-1 code (alpha-2 FR, alpha-3 FRA or numeric 250; "
            "user-assigned XA or XAB), its English name, or its IRI",
            _COUNTRY_IRI + r"([^/\s]{1,100})|(.{1,100})",
            _country,
            _HAS_SUBMISSION,
            alternatives=_demo_country,
            missing="country {raw!r} has no current submission here",
        ),
        ParameterType(
            "term",
            "a term identifier such as child-sexual-abuse-material",
            r"([a-z0-9]+(?:-[a-z0-9]+)*)",
            lambda m: ox.NamedNode(str(TERM[m.group(1)])),
            f"?value a <{SKOS.Concept}>",
        ),
    )
}


def parse_value(type_name: str, raw: str) -> ox.NamedNode | ox.Literal:
    """Check a raw parameter value of the named type and return its RDF term."""
    try:
        kind = PARAMETER_TYPES[type_name]
    except KeyError:
        raise InputError(f"unknown parameter type {type_name!r}") from None
    return kind.parse(raw)


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a named query."""

    name: str
    type: str
    required: bool
    example: str
    description: str
    default: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The parameter as listed at ``GET /queries``."""
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "example": self.example,
            "description": self.description,
            "expected": PARAMETER_TYPES[self.type].description,
        }


@dataclass(frozen=True)
class Column:
    """One declared result column of a named query."""

    name: str
    description: str


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

    def to_csv(self) -> str:
        """The rows as CSV with a header line (empty cells for unbound values)."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(self.columns), lineterminator="\r\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return out.getvalue()


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
        """True when a bound value may stand for another term (a country: the demo's), so the
        query can only run once :meth:`check_existence` has chosen."""
        return any(
            len(PARAMETER_TYPES[p.type].candidates(bound[p.name])) > 1 for p in self._checked(bound)
        )

    def existence_query(self, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
        """One ``SELECT ?i ?rank`` with a row for each bound value (the ``i``-th checked
        parameter; ``rank``: which of its candidate terms) the store holds; ``None`` when no
        bound parameter's type can be checked. The values are RDF terms in ``VALUES`` blocks.

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
        """The substitutions with each checked value as the first of its candidates that
        :meth:`existence_query` found; :class:`NotFoundError` (404) naming the first parameter
        whose value names nothing here."""
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


def _split_description(rest: str, *, where: str) -> tuple[str, str]:
    head, sep, text = rest.partition(" -- ")
    if not sep or not text.strip():
        raise InputError(f"expected 'NAME ... -- description' in {rest!r}", where=where)
    return head.strip(), text.strip()


def _parse_param(rest: str, *, where: str) -> Parameter:
    head, text = _split_description(rest, where=where)
    try:
        words = shlex.split(head)
    except ValueError as exc:
        raise InputError(f"{exc} in {head!r}", where=where) from None
    if len(words) < 3:
        raise InputError(
            f"expected '@param NAME TYPE required|optional ...': {rest!r}", where=where
        )
    name, type_name, need, *options = words
    if not _NAME.match(name):
        raise InputError(f"bad parameter name {name!r}", where=where)
    if type_name not in PARAMETER_TYPES:
        raise InputError(
            f"unknown parameter type {type_name!r}; known: {', '.join(PARAMETER_TYPES)}",
            where=where,
        )
    if need not in ("required", "optional"):
        raise InputError(f"expected 'required' or 'optional', not {need!r}", where=where)
    opts: dict[str, str] = {}
    for option in options:
        key, eq, value = option.partition("=")
        if not eq or key not in ("default", "example") or not value:
            raise InputError(f"bad option {option!r} (default=V or example=V)", where=where)
        opts[key] = value
    if "example" not in opts:
        raise InputError(f"parameter {name!r} has no example=", where=where)
    for key in ("example", "default"):
        if key in opts:
            try:
                parse_value(type_name, opts[key])
            except InputError as exc:
                raise InputError(f"{key} of {name!r}: {exc.message}", where=where) from None
    return Parameter(
        name=name,
        type=type_name,
        required=need == "required",
        example=opts["example"],
        description=text,
        default=opts.get("default"),
    )


def parse_header(text: str, *, where: str = "<query>") -> dict[str, Any]:
    """Parse the ``#`` header of a query text: ``summary``, ``description``, ``parameters``,
    ``columns``.

    >>> h = parse_header('''# @summary Capabilities.
    ... # @param lang language optional default=en example=fr -- label language
    ... # @column capability -- the capability
    ... SELECT ?capability ?lang WHERE { ?capability ?p ?o }''')
    >>> h["summary"], h["parameters"][0].default, h["columns"][0].name
    ('Capabilities.', 'en', 'capability')
    """
    summary: str | None = None
    description: list[str] = []
    parameters: list[Parameter] = []
    columns: list[Column] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = _HEADER_LINE.match(stripped)
        if match is None:
            continue
        at = f"{where}: line {number}"
        key, rest = match.group(1), match.group(2).strip()
        if key == "summary":
            if summary is not None or not rest:
                raise InputError("exactly one non-empty @summary is needed", where=at)
            summary = rest
        elif key == "description":
            description.append(rest)
        elif key == "param":
            parameters.append(_parse_param(rest, where=at))
        elif key == "column":
            name, col_text = _split_description(rest, where=at)
            if not _NAME.match(name):
                raise InputError(f"bad column name {name!r}", where=at)
            columns.append(Column(name, col_text))
        else:
            raise InputError(f"unknown header field @{key}", where=at)
    if summary is None:
        raise InputError("the header has no @summary", where=where)
    if not columns:
        raise InputError("the header declares no @column", where=where)
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise InputError("a parameter is declared twice", where=where)
    return {
        "summary": summary,
        "description": " ".join(description),
        "parameters": tuple(parameters),
        "columns": tuple(columns),
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


def paged(text: str, *, limit: int | None, offset: int = 0) -> str:
    """A named query's text asking for one page: ``limit`` rows (and one more, to tell whether
    another page follows) after ``offset`` rows. The named queries end with their ``ORDER BY``,
    so the pages are stable.

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
    """Run a named query with raw parameter values; return its declared columns, one page of
    at most ``limit`` rows after ``offset`` (``truncated``: more follow).

    >>> from mnr_graph.query.store import EmbeddedStore
    >>> table = run_query(EmbeddedStore.with_shipped_data(), "capabilities-by-domain", limit=5)
    >>> table.columns[:2], len(table.rows), table.truncated, table.next_offset
    (('domain', 'domainNotation'), 5, True, 5)
    """
    query = get_query(name)
    substitutions = query.bind(values or {}, store=store)
    text = paged(query.text, limit=limit, offset=offset)
    solutions = store.query(text, substitutions=substitutions)
    return table_from_solutions(query, solutions, limit=limit, offset=offset)


def table_from_solutions(
    query: NamedQuery,
    solutions: Iterable[ox.QuerySolution],
    *,
    limit: int | None = None,
    truncated: bool = False,
    offset: int = 0,
) -> QueryTable:
    """The declared columns of a named query's solutions, at most ``limit`` rows (a row beyond
    them, or ``truncated``, says more follow)."""
    columns = tuple(c.name for c in query.columns)
    rows: list[dict[str, Any]] = []
    for solution in solutions:
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        rows.append({c: term_to_json(solution[c]) for c in columns})
    return QueryTable(
        query=query.name,
        columns=columns,
        rows=rows,
        truncated=truncated,
        offset=offset,
        limit=limit,
    )
