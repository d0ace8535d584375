"""mnr-graph: the WeProtect Model National Response and its terminology as linked data.

The handful of calls a notebook needs; everything else is in the packages (``core``,
``framework``, ``terminology``, ``submissions``, ``query``), which these names come from.
Importing ``mnr_graph`` is cheap: each name loads its package when first used.

>>> import mnr_graph
>>> mnr_graph.lookup_term("child pornography").to_json()["matches"][0]["band"]
'avoid'
>>> [f.band for f in mnr_graph.check_text("Police seized child pornography.")]
['avoid']
>>> store = mnr_graph.open_store()
>>> table = mnr_graph.run_named_query(store, "capabilities-by-domain", limit=2)
>>> len(table.rows), table.truncated
(2, True)
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mnr_graph.client import Client
    from mnr_graph.core.errors import InputError, MnrGraphError, NotFoundError
    from mnr_graph.query.named import run_query as run_named_query
    from mnr_graph.query.store import Store
    from mnr_graph.query.tables import QueryTable
    from mnr_graph.submissions.report import ValidationReport
    from mnr_graph.terminology.checker import check_text
    from mnr_graph.terminology.findings import Finding
    from mnr_graph.terminology.model import LookupResult
    from mnr_graph.terminology.search import describe_term, search_terms

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Finding",
    "InputError",
    "LookupResult",
    "MnrGraphError",
    "NotFoundError",
    "QueryTable",
    "Store",
    "ValidationReport",
    "__version__",
    "check_text",
    "describe_term",
    "lookup_term",
    "open_store",
    "run_named_query",
    "search_terms",
    "validate_file",
]

#: The names loaded on first use: name -> (module, attribute).
_LAZY = {
    "Client": ("mnr_graph.client", "Client"),
    "Finding": ("mnr_graph.terminology.findings", "Finding"),
    "InputError": ("mnr_graph.core.errors", "InputError"),
    "LookupResult": ("mnr_graph.terminology.model", "LookupResult"),
    "MnrGraphError": ("mnr_graph.core.errors", "MnrGraphError"),
    "NotFoundError": ("mnr_graph.core.errors", "NotFoundError"),
    "QueryTable": ("mnr_graph.query.tables", "QueryTable"),
    "Store": ("mnr_graph.query.store", "Store"),
    "ValidationReport": ("mnr_graph.submissions.report", "ValidationReport"),
    "check_text": ("mnr_graph.terminology.checker", "check_text"),
    "describe_term": ("mnr_graph.terminology.search", "describe_term"),
    "run_named_query": ("mnr_graph.query.named", "run_query"),
    "search_terms": ("mnr_graph.terminology.search", "search_terms"),
}


def __getattr__(name: str) -> Any:
    """Load a public name from its package the first time it is used (PEP 562)."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'mnr_graph' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names with the module's own."""
    return sorted(set(globals()) | set(__all__))


def lookup_term(text: str, *, lang: str | None = None) -> LookupResult:
    """Look a term up in the vocabulary: its band, what to use instead, its review status.

    Args:
        text: The term as written, in any case, with or without accents or hyphens.
        lang: A BCP 47 language tag to prefer (``en``, ``fr``, ``es``...); None: any.

    Returns:
        The matches (each with its band and concept) and suggestions when nothing matched.
    """
    from mnr_graph.terminology.vocabulary import load_vocabulary

    return load_vocabulary().lookup(text, lang=lang)


def validate_file(path: str | Path, *, sheet: str | None = None) -> ValidationReport:
    """Validate a country's submission file against the shapes.

    Args:
        path: A Turtle, JSON-LD, CSV or XLSX file; its suffix says its format.
        sheet: The workbook sheet to read, when several look like a submission.

    Returns:
        The report: ``conforms``, and each result with its severity, message and place (the
        row and column of a table, the sheet of a workbook).

    Raises:
        InputError: The file cannot be read (a syntax error, with its line and column; wrong
            table headers; several candidate sheets and none chosen).
    """
    from mnr_graph.core.errors import InputError
    from mnr_graph.submissions.validation import validate_bytes

    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", where=str(file)) from None
    return validate_bytes(data, filename=file.name, sheet=sheet)


def open_store(
    path: str | Path | None = None,
    *,
    data: Iterable[str | Path] = (),
    examples: bool | None = None,
    endpoint: str | None = None,
) -> Store:
    """Open the store the server would serve, with the shipped ontology and vocabulary.

    Args:
        path: An on-disk store folder (submissions ingested by ``mnr-graph submit``); None: in
            memory.
        data: RDF files to serve, each in its own named graph.
        examples: Serve the illustrative demo submissions; None: only when no data is given.
        endpoint: A remote SPARQL 1.1 query endpoint to read instead of an embedded store.

    Returns:
        A store to hand to :func:`run_named_query`, or to query with SPARQL
        (``store.query(text)``).
    """
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.store import build_store

    settings = Settings(
        store_path=Path(path) if path is not None else None,
        data_files=tuple(Path(f) for f in data),
        sparql_endpoint=endpoint,
        examples=examples,
    )
    return build_store(settings)
