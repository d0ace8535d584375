"""No query makes the process connect anywhere, unless an operator allows it.

rdflib follows ``SERVICE`` clauses and fetches the graphs named by ``FROM`` / ``FROM NAMED``;
:func:`install` turns both off for the whole process (``SPARQL_LOAD_GRAPHS = False`` and a custom
evaluator that refuses ``SERVICE``). For pyoxigraph, :func:`check_query` and :func:`check_update`
refuse ``SERVICE`` and ``LOAD`` before a query or update is evaluated.

>>> install()
>>> check_query("SELECT * WHERE { ?s ?p 'SERVICE' }")
>>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
mnr_graph.core.errors.InputError: line 1, column 18: SERVICE is refused: no remote data is fetched
"""

from __future__ import annotations

from typing import Any

from mnr_graph.core.errors import InputError
from mnr_graph.query.lexer import keywords

__all__ = ["check_query", "check_update", "install", "installed", "refuse_service_eval"]

_EVAL_NAME = "mnr_graph_netguard"
_QUERY_REFUSED = {"SERVICE"}
_UPDATE_REFUSED = {"SERVICE", "LOAD"}


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _check(text: str, refused: set[str]) -> None:
    lowered = text.lower()
    if not any(word.lower() in lowered for word in refused):
        return  # the usual case, and fast: only a query that has the word at all is tokenised
    for token in keywords(text):
        if token.text in refused:
            raise InputError(
                f"{token.text} is refused: no remote data is fetched",
                where=_where(text, token.start),
            )


def check_query(query: str) -> None:
    """Raise :class:`InputError` if the query would fetch anything (``SERVICE``)."""
    _check(query, _QUERY_REFUSED)


def check_update(update: str) -> None:
    """Raise :class:`InputError` if the update would fetch anything (``SERVICE``, ``LOAD``)."""
    _check(update, _UPDATE_REFUSED)


def refuse_service_eval(ctx: Any, part: Any) -> Any:
    """An rdflib custom evaluator that refuses ``SERVICE`` and leaves everything else alone."""
    if getattr(part, "name", None) == "ServiceGraphPattern":
        raise InputError("SERVICE is refused: no remote data is fetched")
    raise NotImplementedError


def install() -> None:
    """Harden rdflib for this process: no ``SERVICE``, no fetching of ``FROM`` graphs."""
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    rdflib_sparql.CUSTOM_EVALS[_EVAL_NAME] = refuse_service_eval


def installed() -> bool:
    """True once :func:`install` has run."""
    import rdflib.plugins.sparql as rdflib_sparql

    return (
        rdflib_sparql.CUSTOM_EVALS.get(_EVAL_NAME) is refuse_service_eval
        and not rdflib_sparql.SPARQL_LOAD_GRAPHS
    )
