"""The HTTP adapter: the FastAPI app, its routes, the linked-data resolution and the pages.

It parses requests and calls the library; it holds no logic the library lacks.
"""

__all__: list[str] = []
