"""Country submissions.

Reading the input formats, validation and its report, ingest, versions and provenance, the generator
and the demo data.
"""

__all__: list[str] = []
