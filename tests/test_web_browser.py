"""The pages in a real browser (Playwright driving Debian's Chromium), as people use them.

A crawl from ``/`` visits every kind of page: no console error, no request leaving the server
(every request to another origin is refused and recorded), and axe-core (vendored in
``tests/assets/axe-core``) finds no serious or critical violation. Then as a person: look a term
up, check a sentence and see it marked, upload a broken CSV and find its row, download the
annotated workbook and find the marked cell, run a query on the SPARQL page, see a chart on a
country page; the pages fit a 375 px wide screen. Screenshots are kept in
``build/screenshots/`` (or ``$MNR_GRAPH_SCREENSHOTS``).

Chromium is Debian's (``/usr/bin/chromium``; ``playwright install`` cannot download here);
without it the tests skip, except under CI, where ``.ci/run`` installs it and they fail instead.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
import uvicorn

from appfactory import make_app
from mnr_graph.core import resources

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"
SHOTS = Path(
    os.environ.get("MNR_GRAPH_SCREENSHOTS", Path(__file__).parents[1] / "build" / "screenshots")
)
#: The pages the crawl starts from besides ``/`` (those only a form leads to).
EXTRA = ["/redoc", "/docs", "/charts?country=XA&other=XB", "/sparql?example=capabilities-by-domain"]
#: The pages a script builds, and what shows it has.
READY = {"/docs": ".swagger-ui .opblock", "/redoc": ".api-content"}
#: At most this many pages of one kind (the same first path segment) are crawled.
PER_KIND = 2

pytestmark = [
    pytest.mark.slow,
    pytest.mark.server,
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"),
        reason="chromium is not installed (under CI, where .ci/run installs it, this fails)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """A real server (uvicorn, in a thread) with the app under test."""
    port = _free_port()
    config = uvicorn.Config(make_app(), host="127.0.0.1", port=port, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM is not None, "CI runs the browser tests: .ci/run should install chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


class Watch:
    """A browser context that refuses and records any request leaving the server.

    It also records console errors and uncaught page errors.
    """

    def __init__(self, browser: Any, base_url: str, **options: Any) -> None:
        self.base = base_url
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(accept_downloads=True, **options)
        self.context.route("**/*", self._route)
        self.page = self.new_page()

    def new_page(self) -> Any:
        """A new tab (the crawl opens each page in its own: one page's scripts end with it)."""
        page = self.context.new_page()
        page.set_default_timeout(120_000)  # a busy machine: a wait is not a time limit
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        return page

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith((self.base + "/", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{self.page.url}: {message.text}")

    def axe(self) -> list[str]:
        """axe-core's serious and critical violations on the page (WCAG 2.1 A and AA)."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        )
        return [
            f"{self.page.url}: {v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result
            if v["impact"] in ("serious", "critical")
        ]

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watch(browser: Any, base_url: str) -> Iterator[Watch]:
    w = Watch(browser, base_url)
    yield w
    w.close()


def _kind(path: str) -> str:
    return path.split("?")[0].strip("/").split("/")[0] or "home"


def test_crawl_every_kind_of_page(browser: Any, base_url: str) -> None:
    """Every kind of page from /: no console error, nothing from elsewhere, axe-core clean.

    Each page opens in a new browser context (nothing of one page lingers into the next).
    """
    todo = ["/", *EXTRA]
    seen: set[str] = set()
    per_kind: dict[str, int] = {}
    violations: list[str] = []
    outside: list[str] = []
    errors: list[str] = []
    while todo:
        path = todo.pop(0)
        if path in seen or per_kind.get(_kind(path), 0) >= PER_KIND:
            continue
        seen.add(path)
        per_kind[_kind(path)] = per_kind.get(_kind(path), 0) + 1
        watch = Watch(browser, base_url)
        try:
            response = watch.page.goto(base_url + path, wait_until="load")
            assert response is not None, path
            assert response.status == 200, path
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            if path in READY:  # a page its own script builds: wait until it has
                watch.page.wait_for_selector(READY[path])
            violations += watch.axe()
            watch.shot("crawl-" + (_kind(path) + "-" + str(per_kind[_kind(path)])))
            hrefs = watch.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        finally:
            outside += watch.outside
            errors += watch.errors
            watch.close()
        for href in hrefs:
            parts = urlsplit(urljoin(base_url + path, href))
            if f"{parts.scheme}://{parts.netloc}" != base_url or "/download/" in parts.path:
                continue
            if "format=" in parts.query:
                continue
            todo.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    kinds = {"home", "framework", "vocabulary", "validate", "sparql", "charts", "docs", "redoc"}
    assert kinds <= set(per_kind), per_kind
    assert not outside, outside
    assert not errors, errors
    assert not violations, "\n".join(violations)


def test_look_a_term_up_and_check_a_sentence(watch: Watch, base_url: str) -> None:
    page = watch.page
    page.goto(base_url + "/vocabulary")
    page.fill("#q", "child pornography")
    page.press("#q", "Enter")
    page.wait_for_selector("table caption")
    assert "child pornography" in page.inner_text("table")
    page.fill("#text", "Police said the files were child pornography, the report says.")
    page.click("form[enctype] button[type=submit]")
    mark = page.wait_for_selector("mark.band-avoid")
    assert mark.inner_text().startswith("child pornography")
    page.keyboard.press("Tab")  # the mark is reachable by keyboard
    page.focus("mark.band-avoid")
    assert page.evaluate("document.activeElement.tagName") == "MARK"
    watch.shot("checker-marked")
    assert watch.axe() == []
    assert not watch.errors
    assert not watch.outside


def test_upload_a_broken_csv_then_download_its_annotated_workbook(
    watch: Watch, base_url: str
) -> None:
    broken = resources.path("examples", "XC-2024-invalid-S15-row5.csv")
    page = watch.page
    page.goto(base_url + "/validate")
    page.set_input_files("#file", str(broken))
    page.click("button:not([formaction])")
    heading = page.wait_for_selector("h3:has-text('Row 5')")
    group = heading.evaluate_handle("h => h.closest('section')")
    assert "C5" in group.inner_text()
    assert "S15" in group.inner_text()
    watch.shot("validate-report")
    assert watch.axe() == []
    with page.expect_download() as download_info:
        page.click("form input[name=content] ~ button")
    download = download_info.value
    assert download.suggested_filename.endswith("-annotated.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    cell = book["submission"]["C5"]
    assert cell.comment is not None
    assert "S15" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert not watch.errors
    assert not watch.outside


def test_run_a_query_on_the_sparql_page(watch: Watch, base_url: str) -> None:
    page = watch.page
    page.goto(base_url + "/sparql")
    assert "PREFIX mnr:" in page.input_value("#query")
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("#results")
    rows = page.query_selector_all("main table tbody tr")
    assert len(rows) == 6, "the six domains"
    watch.shot("sparql-results")
    assert watch.axe() == []
    assert not watch.errors
    assert not watch.outside


def test_a_country_page_has_its_charts(watch: Watch, base_url: str) -> None:
    page = watch.page
    page.goto(base_url + "/data/country/XA")
    chart = page.wait_for_selector("svg.chart#country-phases")
    assert chart.is_visible()
    assert page.eval_on_selector("#country-phases", "s => s.querySelectorAll('rect').length") > 0
    watch.shot("country-charts")
    assert not watch.errors
    assert not watch.outside


@pytest.mark.parametrize(
    "path", ["/", "/vocabulary", "/validate", "/sparql", "/charts", "/data/country/XA"]
)
def test_pages_fit_a_small_screen(browser: Any, base_url: str, path: str) -> None:
    small = Watch(browser, base_url, viewport={"width": 375, "height": 740})
    try:
        small.page.goto(base_url + path)
        width = small.page.evaluate("document.documentElement.scrollWidth")
        small.shot("small-" + _kind(path))
        assert width <= 375, f"{path}: {width} px wide at 375 px"
    finally:
        small.close()
