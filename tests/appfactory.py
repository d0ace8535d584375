"""The API under test: the real app factory on the shipped data plus the test submissions.

Shared by ``test_rest.py`` and ``test_pages.py``.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from fastapi import FastAPI

from mnr_graph.core.settings import Settings
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.web import app as api

SUBMISSIONS = Path(__file__).parent / "data" / "queries" / "submissions.trig"


def make_app(settings: Settings | None = None) -> FastAPI:
    """The app under test (the real factory) on the shipped data plus the test submissions."""
    store = EmbeddedStore.with_shipped_data()
    store.update(submissions_update())
    return api.get_fastapi_app(settings or Settings(), store=store)


def submissions_update() -> str:
    """One SPARQL update inserting the test submissions (TriG) into their named graphs."""
    quads = ox.parse(path=str(SUBMISSIONS), format=ox.RdfFormat.TRIG)
    body = "\n".join(
        f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads
    )
    return f"INSERT DATA {{ {body} }}"
