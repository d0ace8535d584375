"""The app under a sub-path behind a reverse proxy.

Every link, asset, form action and redirect of the pages stays under the prefix; the proxy's
X-Forwarded-* headers count only from the trusted proxies.
"""

from __future__ import annotations

import logging
import warnings
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from appfactory import BROWSER, make_app
from mnr_graph.core.settings import Settings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

PREFIX = "/mnr"
SITE = "https://mnr.example.org"
#: Pages crawled at most (the framework, the vocabulary and their resources are many).
MOST = 120


class _Links(HTMLParser):
    """The URLs a page makes a browser load or go to: href, src, form action, formaction."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") and value is not None:
                self.found.append(value)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def _crawl(client: TestClient) -> tuple[int, list[str]]:
    """Crawl the pages from the home page as a browser at SITE/mnr/ sees them.

    nginx strips the prefix before the app. Returns the pages seen and every URL that escapes the
    prefix.
    """
    escaping: list[str] = []
    queue = [f"{SITE}{PREFIX}/"]
    seen: set[str] = set(queue)
    pages = 0
    while queue and pages < MOST:
        url = queue.pop(0)
        path = urlsplit(url)
        upstream = path.path.removeprefix(PREFIX) or "/"
        response = client.get(
            upstream + (f"?{path.query}" if path.query else ""),
            headers={"Accept": BROWSER},
            follow_redirects=False,
        )
        pages += 1
        if 300 <= response.status_code < 400:
            targets = [response.headers["location"]]
        elif "text/html" in response.headers.get("content-type", ""):
            targets = _links(response.text)
        else:
            continue
        for target in targets:
            absolute = urljoin(url, target)
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != SITE:
                continue  # another site, mailto: ...
            if not (parts.path == PREFIX or parts.path.startswith(PREFIX + "/")):
                escaping.append(f"{url} -> {target}")
                continue
            key = absolute.split("#")[0]
            if key not in seen:
                seen.add(key)
                queue.append(key)
    return pages, escaping


@pytest.mark.slow
def test_no_page_link_escapes_the_prefix() -> None:
    """Crawled under /mnr/ (--root-path /mnr): no link, asset, form or redirect leaves it."""
    with TestClient(make_app(Settings(root_path=PREFIX)), base_url=SITE) as client:
        pages, escaping = _crawl(client)
    assert escaping == [], f"{len(escaping)} URLs escape {PREFIX}/: {escaping[:10]}"
    assert pages > 10


@pytest.mark.slow
def test_redirects_keep_the_prefix() -> None:
    """A redirect the app makes (a country's other code to its key) stays under the prefix."""
    with TestClient(make_app(Settings(root_path=PREFIX))) as client:
        response = client.get("/data/country/FRA", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{PREFIX}/data/country/FR"


@pytest.mark.slow
def test_the_prefix_comes_from_a_trusted_proxy_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mnr_graph.access")
    forwarded = {
        "X-Forwarded-Prefix": "/from-proxy",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
    }
    settings = Settings(trusted_proxies=("10.0.0.0/8",))
    app = make_app(settings)
    with TestClient(app, client=("10.1.2.3", 40000)) as trusted:
        through = trusted.get("/data/country/FRA", headers=forwarded, follow_redirects=False)
    with TestClient(app, client=("198.51.100.9", 40000)) as stranger:
        direct = stranger.get("/data/country/FRA", headers=forwarded, follow_redirects=False)
    assert through.headers["location"] == "/from-proxy/data/country/FR"
    assert direct.headers["location"] == "/data/country/FR"
    clients = [getattr(r, "access", {}).get("client") for r in caplog.records]
    assert "203.0.113.7" in clients, "the client the trusted proxy names"
    assert "198.51.100.9" in clients, "a stranger's own address, not what it claims"
    assert clients.count("203.0.113.7") == 1


@pytest.mark.slow
def test_nothing_is_trusted_by_default() -> None:
    with TestClient(make_app(), client=("127.0.0.1", 40000)) as client:
        response = client.get(
            "/data/country/FRA",
            headers={"X-Forwarded-Prefix": "/elsewhere"},
            follow_redirects=False,
        )
    assert response.headers["location"] == "/data/country/FR"


def test_a_request_that_already_carries_the_prefix_is_served_once() -> None:
    """Uvicorn --root-path puts the prefix in the path itself: it is not added twice."""
    with TestClient(make_app(Settings(root_path=PREFIX))) as client:
        assert client.get("/health").status_code == 200
        assert client.get(f"{PREFIX}/health").status_code == 200
