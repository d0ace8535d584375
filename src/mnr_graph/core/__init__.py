"""The shared core: errors, namespaces, bundled resources, settings, network guard.

Nothing here imports another package of mnr_graph.
"""

__all__: list[str] = []
