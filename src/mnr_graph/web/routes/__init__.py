"""The REST routes of the API, one module per family.

``sparql``, ``queries``, ``terms``, ``check``, ``validation``, ``submissions``, ``framework``. Each
has a ``get_router()``; the app factory (:mod:`mnr_graph.web.app`) includes them. They do not import
each other.
"""

__all__: list[str] = []
