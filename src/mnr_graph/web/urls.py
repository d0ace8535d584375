"""THE one way the pages build their links: root-path aware, with a content hash on static files.

Behind a reverse proxy that serves the app under a prefix (``--root-path /mnr``), the ASGI scope's
``root_path`` is that prefix; every link a page writes goes through :func:`url` so that it carries
the prefix. Static files get ``?v=`` and the first 12 hex digits of their SHA-256, so a browser
may cache them for long and still sees a new version at once.

>>> url("/mnr/", "/framework", lang="fr")
'/mnr/framework?lang=fr'
>>> url("", "/vocabulary", q="child abuse", band=None)
'/vocabulary?q=child+abuse'
>>> url("/mnr", "https://example.org/x")
'https://example.org/x'
>>> static_url("", "style.css").startswith("/static/style.css?v=")
True
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

__all__ = ["STATIC_PREFIX", "request_root", "route_path", "static_file", "static_url", "url"]

#: Where the static files (``mnr_graph/web/static``) are served.
STATIC_PREFIX = "/static"


def request_root(scope: Any) -> str:
    """The prefix the app is served under (the scope's ``root_path``), without a final slash."""
    return str(scope.get("root_path") or "").rstrip("/")


def route_path(scope: Any) -> str:
    """The request's path inside the app (without the root path a proxy may have kept in it)."""
    path = str(scope.get("path") or "/")
    root = request_root(scope)
    return path[len(root) :] or "/" if root and path.startswith(root + "/") else path


def url(root: str, path: str, **params: Any) -> str:
    """The link to ``path`` under ``root``, with ``params`` as its query.

    ``path`` is a path of this app (``/...``); the ``params`` that are ``None`` are left out; a full
    URL (or a fragment) is left as it is.
    """
    if not path.startswith("/") or path.startswith("//"):
        return path
    query = urlencode({k: v for k, v in params.items() if v is not None and v != ""}, doseq=True)
    joined = root.rstrip("/") + path
    if query:
        joined += ("&" if "?" in joined else "?") + query
    return joined


@cache
def _digest(name: str) -> str:
    return hashlib.sha256(static_file(name)).hexdigest()[:12]


def static_file(name: str) -> bytes:
    """The bytes of a static file (``name`` relative to ``mnr_graph/web/static``)."""
    return resources.files("mnr_graph.web").joinpath("static", *name.split("/")).read_bytes()


def static_url(root: str, name: str) -> str:
    """The link to a static file, with its content hash as ``v``."""
    return url(root, f"{STATIC_PREFIX}/{name}", v=_digest(name))
