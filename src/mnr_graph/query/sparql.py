"""The names :mod:`mnr_graph.query.workers` imports from here, until its import moves.

The SPARQL protocol is split by concern: :mod:`mnr_graph.query.protocol` (request parsing),
:mod:`mnr_graph.query.formats` (result formats, negotiation, serialisation),
:mod:`mnr_graph.query.engine` (execution) and :mod:`mnr_graph.query.service` (service
description). New code imports from those.
"""

from __future__ import annotations

from mnr_graph.query.engine import QueryAnswer, execute
from mnr_graph.query.protocol import QueryRequest

__all__ = ["QueryAnswer", "QueryRequest", "execute"]
