"""The Model National Response as shipped.

The ontology graph, its exports and quality gates, and ISO 3166 countries.
"""

__all__: list[str] = []
