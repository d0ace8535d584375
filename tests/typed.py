"""Narrowing helpers for the tests: what a query or a graph look-up gave, as the type expected."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Literal
from rdflib.term import Node


def solutions(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    """The rows of a SELECT query's result (a failed assertion for an ASK or CONSTRUCT)."""
    assert isinstance(result, ox.QuerySolutions), result
    return result


def triples(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QueryTriples:
    """The triples of a CONSTRUCT or DESCRIBE query's result."""
    assert isinstance(result, ox.QueryTriples), result
    return result


def literal(node: Node | None) -> Literal:
    """A graph value that must be a literal."""
    assert isinstance(node, Literal), node
    return node


def language(node: Node) -> str | None:
    """The language tag of a literal; None for anything else."""
    return node.language if isinstance(node, Literal) else None
