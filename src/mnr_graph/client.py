"""A Python client for researchers: named queries, SPARQL and the export, as typed records.

``Client(url)`` talks to a running ``mnr-graph serve``; ``Client()`` (or ``Client(data=[...])``,
``Client(store=...)``) answers from an embedded store, the one ``mnr-graph serve`` would serve
with the same settings. Both have the same methods and give the same :class:`Rows`:

- :meth:`Client.named` runs a named query (``capabilities-ranked``, ``country-profile`` ...) with
  its parameters as keyword arguments, every page of it;
- :meth:`Client.sparql` runs a SPARQL ``SELECT`` (the project's prefixes predeclared) or ``ASK``;
- :meth:`Client.export_assessments` gives the tidy table, one row per assessment.

Values are typed from their RDF datatypes (:func:`typed_value`): integers as ``int``, decimals
and doubles as ``float``, ``xsd:gYear`` as the year's ``int``, dates as :class:`datetime.date`,
booleans as ``bool``, IRIs as :class:`IRI` (a ``str``), texts as ``str``, unbound as ``None``.
Each row is a named tuple of the columns; :meth:`Rows.to_pandas` makes a ``DataFrame`` when
pandas is installed (``pip install 'mnr-graph[pandas]'``).

>>> client = Client()
>>> rows = client.named("capabilities-by-domain", domain="D02")
>>> rows.columns[:2], rows[0].capabilityNotation, type(rows[0].capability).__name__
(('domain', 'domainNotation'), 'C04', 'IRI')
"""

from __future__ import annotations

import datetime
import importlib
import warnings
from collections import namedtuple
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import urljoin

from mnr_graph.core.errors import (
    InputError,
    MnrGraphError,
    NotFoundError,
    QueryTimeoutError,
    StoreError,
)

if TYPE_CHECKING:  # imported when used: `import mnr_graph` (and the CLI) stays fast
    import httpx

__all__ = ["IRI", "Client", "QueryWarning", "Rows", "typed_value"]

_SPARQL_JSON = "application/sparql-results+json"


@cache
def _datatypes() -> tuple[frozenset[str], frozenset[str], Any]:
    """The integer and floating datatypes' IRIs, and the XSD namespace."""
    from mnr_graph.core.namespaces import XSD

    integers = (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
    floats = ("decimal", "double", "float")
    return (
        frozenset(str(XSD[t]) for t in integers),
        frozenset(str(XSD[t]) for t in floats),
        XSD,
    )


class QueryWarning(UserWarning):
    """A query names a term the ontology does not have (its answer is likely empty)."""


class IRI(str):
    """An IRI in a result (a ``str``, told apart from a text)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str(self)!r})"


def typed_value(term: Any) -> Any:
    """The Python value of an RDF term of a result.

    >>> import pyoxigraph as ox
    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> typed_value(ox.Literal("2024", datatype=ox.NamedNode(xsd + "gYear")))
    2024
    >>> typed_value(ox.Literal("2.5", datatype=ox.NamedNode(xsd + "decimal")))
    2.5
    >>> typed_value(ox.Literal("2025-01-17", datatype=ox.NamedNode(xsd + "date")))
    datetime.date(2025, 1, 17)
    >>> typed_value(ox.NamedNode("https://w3id.org/mnr-graph/id/C01"))
    IRI('https://w3id.org/mnr-graph/id/C01')
    """
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):
        return str(term)
    value, datatype = term.value, term.datatype.value
    integers, floats, XSD = _datatypes()
    try:
        if datatype in integers:
            return int(value)
        if datatype in floats:
            return float(Decimal(value)) if datatype == str(XSD.decimal) else float(value)
        if datatype == str(XSD.boolean):
            return value in ("true", "1")
        if datatype == str(XSD.gYear):
            return int(value[:5] if value.startswith("-") else value[:4])
        if datatype == str(XSD.date):
            return datetime.date.fromisoformat(value[:10])
        if datatype == str(XSD.dateTime):
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value  # a malformed literal stays its text
    return value


class Rows(Sequence[Any]):
    """The typed rows of an answer: a sequence of named tuples with the answer's columns."""

    def __init__(self, columns: Sequence[str], values: Sequence[Sequence[Any]]) -> None:
        self.columns = tuple(columns)
        #: The class of the rows: a named tuple of the columns.
        make: Any = namedtuple  # fields known at run time, which mypy's special case refuses
        record: Any = make("Row", [_field(c) for c in self.columns])
        self.record: type[tuple[Any, ...]] = record
        self._rows = [self.record(*row) for row in values]

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self._rows[index]

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def __repr__(self) -> str:
        return f"<Rows {len(self)} x {len(self.columns)}: {', '.join(self.columns)}>"

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as dictionaries, column by column."""
        return [dict(zip(self.columns, row, strict=True)) for row in self._rows]

    def to_pandas(self) -> Any:
        """The rows as a pandas ``DataFrame`` with the same columns.

        pandas is an optional extra: ``pip install 'mnr-graph[pandas]'``. Whole-number columns with
        gaps become pandas' nullable ``Int64``; dates stay :class:`datetime.date` objects.
        """
        try:
            pd = importlib.import_module("pandas")
        except ImportError as exc:
            raise ImportError(
                "Rows.to_pandas needs pandas: pip install 'mnr-graph[pandas]'"
            ) from exc
        frame = pd.DataFrame.from_records(self._rows, columns=list(self.columns))
        for column in self.columns:
            cells: list[Any] = [row[self.columns.index(column)] for row in self._rows]
            present: list[Any] = [c for c in cells if c is not None]
            if present and all(type(c) is int for c in present) and len(present) < len(cells):
                frame[column] = frame[column].astype("Int64")
        return frame


def _field(column: str) -> str:
    """A column name as a named tuple field (SPARQL variables are already identifiers)."""
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in column)
    return name if name.isidentifier() and not name.startswith("_") else f"c_{name}"


def _rows_from_results(body: bytes, columns: Sequence[str] | None = None) -> Rows | bool:
    import pyoxigraph as ox

    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    assert isinstance(result, ox.QuerySolutions)
    names = list(columns) if columns is not None else [v.value for v in result.variables]
    return Rows(names, [[typed_value(s[n]) for n in names] for s in result])


class Client:
    """The named queries, SPARQL and the export of mnr-graph, over HTTP or embedded.

    ``url``: a server (``http://localhost:8000``); ``token``: its bearer token if it wants one.
    Without ``url``: an embedded store, ``store`` if given, else the one ``mnr-graph serve``
    would build from the environment and ``data`` (RDF files, each in its own graph).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        store: Any = None,
        data: Sequence[str | Path] = (),
        token: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.url = url.rstrip("/") + "/" if url else None
        self._http: httpx.Client | None = None
        self._store = store
        if self.url is not None:
            import httpx

            headers = {"Authorization": f"Bearer {token}"} if token else {}
            self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)
        elif store is None:
            from mnr_graph.core.settings import Settings
            from mnr_graph.query.store import build_store

            settings = Settings.from_env()
            if data:
                settings = settings.with_(data_files=tuple(Path(d) for d in data))
            self._store = build_store(settings)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections (an embedded client has none)."""
        if self._http is not None:
            self._http.close()

    def __repr__(self) -> str:
        return f"Client({self.url!r})" if self.url else "Client(embedded)"

    # -- named queries ----------------------------------------------------------------------

    def queries(self) -> list[dict[str, Any]]:
        """The named queries with their parameters and columns (as ``GET /queries``)."""
        if self._http is not None:
            return list(self._get("queries").json())
        from mnr_graph.query.named import load_queries

        return [q.to_json() for q in load_queries().values()]

    def named(self, name: str, **params: Any) -> Rows:
        """Every row of a named query, with its parameters as keyword arguments.

        The query is named by its name (``capabilities-ranked``) or id (``Q12``); the parameters are
        given as ``country="XA"``, ``year=2024``.
        """
        values = {k: _raw(v) for k, v in params.items() if v is not None}
        if self._http is None:
            return self._named_embedded(name, values)
        rows: list[list[Any]] = []
        columns: Sequence[str] | None = None
        path: str | None = f"queries/{name}"
        query: dict[str, str] | None = {**values, "format": "sparql-json"}
        while path is not None:
            response = self._get(path, params=query)
            page = _rows_from_results(response.content)
            assert isinstance(page, Rows)
            columns = page.columns
            rows += [list(r) for r in page]
            following = response.links.get("next", {}).get("url")
            path, query = (
                (urljoin(str(response.url), following), None) if following else (None, None)
            )
        return Rows(columns or (), rows)

    def _named_embedded(self, name: str, values: Mapping[str, str]) -> Rows:
        from mnr_graph.query.named import get_query, table_from_solutions

        query = get_query(name)
        substitutions = query.bind(values, store=self._store)
        solutions = self._store.query(query.text, substitutions=substitutions)
        table = table_from_solutions(query, solutions)
        return Rows(
            table.columns, [[typed_value(t[c]) for c in table.columns] for t in table.terms]
        )

    def export_assessments(
        self,
        *,
        country: str | None = None,
        year: int | str | None = None,
        domain: str | None = None,
        current: bool | None = None,
        lang: str | None = None,
    ) -> Rows:
        """The tidy table: one row per assessment (the named query ``assessments``)."""
        from mnr_graph.query.export import EXPORT_QUERY

        return self.named(
            EXPORT_QUERY, country=country, year=year, domain=domain, current=current, lang=lang
        )

    # -- SPARQL -----------------------------------------------------------------------------

    def sparql(self, query: str, *, limit: int = 10_000) -> Rows | bool:
        """A SPARQL ``SELECT`` as typed rows (its variables as columns), or an ``ASK``'s answer.

        The project's prefixes (``mnr:``, ``skos:`` ...) need no declaration; a query that
        cannot be read raises :class:`~mnr_graph.core.errors.InputError` saying where and
        why.
        """
        if self._http is not None:
            response = self._request(
                "POST",
                "sparql",
                content=query.encode("utf-8"),
                headers={"Content-Type": "application/sparql-query", "Accept": _SPARQL_JSON},
            )
            for warning in response.headers.get_list("Warning", split_commas=False):
                warnings.warn(warning, QueryWarning, stacklevel=2)
            return _rows_from_results(response.content)
        from mnr_graph.query.diagnostics import unknown_terms
        from mnr_graph.query.engine import execute
        from mnr_graph.query.formats import negotiate
        from mnr_graph.query.protocol import parse_request

        request = parse_request("GET", None, [("query", query)], b"", limit=limit)
        if request is None:
            raise InputError("no query given", where="query")
        if request.kind != "results":
            raise InputError("Client.sparql answers SELECT and ASK queries", where="query")
        request = request.with_format(negotiate("results", _SPARQL_JSON, None))
        for unknown in unknown_terms(query):
            warnings.warn(unknown, QueryWarning, stacklevel=2)
        return _rows_from_results(execute(self._store, request).body)

    # -- HTTP -------------------------------------------------------------------------------

    def _get(self, path: str, *, params: Mapping[str, str] | None = None) -> httpx.Response:
        return self._request("GET", path, params=params, headers={"Accept": _SPARQL_JSON})

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        assert self._http is not None
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code >= 400:
            raise _http_error(response)
        return response


def _raw(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _http_error(response: httpx.Response) -> MnrGraphError:
    """The server's error body as the library's error (the same message and ``where``)."""
    try:
        body = response.json()
        message, where = str(body.get("message") or body), body.get("where")
    except ValueError:
        message, where = response.text[:500] or response.reason_phrase, None
    kind: type[MnrGraphError] = InputError
    if response.status_code == 404:
        kind = NotFoundError
    elif response.status_code == 503:
        kind = QueryTimeoutError
    elif response.status_code >= 500:
        kind = StoreError
    return kind(message, where=where)
