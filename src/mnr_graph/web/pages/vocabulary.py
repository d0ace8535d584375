"""``/vocabulary``: the term look-up (a ranked search) and the text checker, as a page.

The search is :func:`mnr_graph.terminology.search.search_terms` (as ``GET /terms?q=``; the box
suggests the labels of the page's language as one types, from a ``<datalist>``), the check
:func:`mnr_graph.terminology.checker.check_text` (as ``POST /check``) of a pasted text or of an
uploaded file (.txt, .md, .html, .docx, .odt, read by
:func:`mnr_graph.terminology.readers.read_document`). The text comes back with each finding
marked (``<mark>``, reachable by keyboard, its band and suggestion written out for screen
readers), the counts per band, and the table of findings.

>>> sorted(route.path for route in get_router().routes)
['/vocabulary', '/vocabulary/check']
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from mnr_graph.core.errors import InputError, PayloadTooLargeError
from mnr_graph.terminology import checker
from mnr_graph.terminology.readers import read_document
from mnr_graph.terminology.search import search_terms, term_entries
from mnr_graph.terminology.vocabulary import load_vocabulary
from mnr_graph.web.errors import page_errors
from mnr_graph.web.i18n import translate
from mnr_graph.web.pages.rendering import HTML, base_context, page_handler, render
from mnr_graph.web.requests import app_settings, page_language

__all__ = ["get_router", "marked_segments"]

#: The checker form's optional file field.
_NO_FILE = File(None, description="a .txt, .md, .html, .docx or .odt file to check")
#: The most results the look-up shows.
_MOST_RESULTS = 50


def marked_segments(text: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into plain runs and findings (in order, overlaps skipped), for marking.

    >>> [(s["text"], s["finding"] is not None) for s in marked_segments("a bc d", [
    ...     {"start": 2, "end": 4}])]
    [('a ', False), ('bc', True), (' d', False)]
    """
    segments: list[dict[str, Any]] = []
    cursor = 0
    for number, f in enumerate(sorted(findings, key=lambda f: (f["start"], f["end"])), start=1):
        if f["start"] < cursor:
            continue
        if f["start"] > cursor:
            segments.append({"text": text[cursor : f["start"]], "finding": None})
        segments.append({"text": text[f["start"] : f["end"]], "finding": f, "number": number})
        cursor = f["end"]
    if cursor < len(text):
        segments.append({"text": text[cursor:], "finding": None})
    return segments


def _suggestions(lang: str) -> list[str]:
    """The labels the look-up box suggests: those of the page's language (English if none)."""
    labels = load_vocabulary().labels
    found = sorted({label.text for label in labels if label.lang.split("-")[0] == lang})
    return found or sorted({label.text for label in labels if label.lang == "en"})


def get_router() -> APIRouter:
    """The terminology page's routes: the look-up and the checker's findings."""
    router = APIRouter()

    @router.get(
        "/vocabulary",
        summary="Term look-up and the text checker",
        responses={200: HTML, **page_errors(400)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def vocabulary(
        request: Request,
        q: str | None = Query(None, max_length=200),
        band: str | None = Query(None, max_length=20),
    ) -> Response:
        lang = page_language(request)
        vocab = load_vocabulary()
        results: list[dict[str, Any]] = []
        suggestions: list[dict[str, Any]] = []
        if q and q.strip():
            results = search_terms(q, lang=lang, band=band or None, vocabulary=vocab)
            results = results[:_MOST_RESULTS]
            suggestions = list(vocab.lookup(q, lang=lang).to_json()["suggestions"])
        elif band:
            results = term_entries(vocab, band=band, lang=lang)
        return render(
            "vocabulary.html",
            q=q or "",
            band=band or "",
            bands=sorted({label.band for label in vocab.labels}),
            results=results,
            suggestions=suggestions,
            text="",
            findings=None,
            segments=[],
            counts={},
            labels=_suggestions(lang),
            **base_context(request, lang, translate("nav.terminology", lang)),
        )

    @router.post(
        "/vocabulary/check",
        summary="The text checker's findings, as a page",
        responses={200: HTML, **page_errors(400, 413, 415)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    async def check_page(
        request: Request,
        text: str | None = Form(None, max_length=200_000),
        file: UploadFile | None = _NO_FILE,
    ) -> Response:
        lang = page_language(request)
        vocab = load_vocabulary()
        if file is not None and file.filename:
            most = app_settings(request).max_upload_bytes
            data = await file.read(most + 1)
            if len(data) > most:
                raise PayloadTooLargeError(f"the file is larger than {most} bytes")
            text = await asyncio.to_thread(read_document, data, file.filename)
        if not text or not text.strip():
            raise InputError("give a text to check, or a file", where="field 'text'")
        found = await asyncio.to_thread(checker.check_text, text, lang=lang)
        findings = [f.to_json() for f in found]
        counts: dict[str, int] = {}
        for f in findings:
            counts[f["band"]] = counts.get(f["band"], 0) + 1
        return render(
            "vocabulary.html",
            q="",
            band="",
            bands=sorted({label.band for label in vocab.labels}),
            results=[],
            suggestions=[],
            text=text,
            findings=findings,
            segments=marked_segments(text, findings),
            counts=counts,
            labels=_suggestions(lang),
            **base_context(request, lang, translate("nav.terminology", lang), languages=[]),
        )

    return router
