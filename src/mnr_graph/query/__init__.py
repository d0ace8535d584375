"""Stores and queries.

The embedded and remote stores, the SPARQL protocol, query workers and the named queries.
"""

__all__: list[str] = []
