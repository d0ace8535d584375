"""The SPARQL of the pages and the linked-data paths: the files ``sparql/pages/*.rq``.

Each file has the header of a named query (``@summary``, ``@description``, ``@param``,
``@column``); its parameters are bound as RDF terms in a ``VALUES`` block, never spliced as text.
They are not named queries (not served at ``/queries``): the named-query loader reads only
``sparql/Q*.rq``.

>>> "?resource ?p ?o" in page_query("resource-statements")
True
>>> print(with_iris("SELECT ?x WHERE { ?x ?p ?o }", "x", ["http://ex/a", "http://ex/b"]))
SELECT ?x WHERE { VALUES ?x { <http://ex/a> <http://ex/b> } ?x ?p ?o }
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pyoxigraph as ox

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.query.lexer import tokens

__all__ = ["page_query", "with_iris"]


@cache
def page_query(name: str) -> str:
    """The text of ``sparql/pages/<name>.rq``."""
    return resources.read_text("sparql", f"pages/{name}.rq")


def with_iris(sparql: str, variable: str, iris: Iterable[str]) -> str:
    """The query with a ``VALUES`` block giving ``?variable`` each of the IRIs (one row each).

    The block is at the start of its ``WHERE`` clause. A text that is not an IRI is an
    ``InputError``.
    """
    try:
        values = " ".join(str(ox.NamedNode(iri)) for iri in iris)
    except ValueError as exc:
        raise InputError(f"not an IRI: {exc}", where=f"?{variable}") from None
    block = f"VALUES ?{variable} {{ {values} }} "
    after_where = False
    for token in tokens(sparql):
        if token.kind == "word" and token.text.upper() == "WHERE":
            after_where = True
        elif after_where and token.text == "{":
            start = token.start + 1
            return sparql[:start] + " " + block + sparql[start:].lstrip()
    raise InputError("the query has no WHERE clause to bind values in")
