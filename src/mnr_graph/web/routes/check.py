"""``POST /check``: a text checked for avoided and cautioned terms, as ``mnr-graph check`` does.

The body is JSON (``{"text", "lang"}``) or plain text in its declared charset; the findings are
those of :func:`mnr_graph.terminology.checker.check_text`.

>>> [route.path for route in get_router().routes]
['/check']
"""

from __future__ import annotations

import asyncio
import codecs
import json
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError

from mnr_graph.core.errors import InputError, PayloadTooLargeError, UnsupportedMediaTypeError
from mnr_graph.terminology import checker
from mnr_graph.web.errors import errors
from mnr_graph.web.models import CheckRequest, CheckResponse
from mnr_graph.web.requests import app_settings, single_values

__all__ = ["get_router"]


def get_router() -> APIRouter:
    """The text checker's route."""
    router = APIRouter()
    body = {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": CheckRequest.model_json_schema()},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    }

    @router.post(
        "/check",
        response_model=CheckResponse,
        tags=["terminology"],
        openapi_extra=body,
        responses=errors(400, 413, 415),
    )
    async def check(
        request: Request,
        lang: str | None = Query(None, description="language of the text (for text/plain)"),
    ) -> dict[str, Any]:
        """Check a text for avoided and cautioned terms.

        The text is JSON ``{"text", "lang"}`` or ``text/plain``; the findings are those of
        ``mnr-graph check --format json``.
        """
        settings = app_settings(request)
        single_values(request)
        raw = await request.body()
        if len(raw) > settings.max_upload_bytes:
            raise PayloadTooLargeError(f"the text is larger than {settings.max_upload_bytes} bytes")
        text, given_lang = _check_body(raw, request.headers.get("content-type") or "text/plain")
        lang = given_lang or lang
        # A large text takes a while to check: in a thread, so the event loop stays free.
        findings = await asyncio.to_thread(checker.check_text, text, lang=lang)
        return {"findings": [f.to_json() for f in findings]}

    return router


def _check_body(raw: bytes, content_type: str) -> tuple[str, str | None]:
    """The text (and the language, from JSON) of a ``POST /check`` body.

    The declared ``charset`` is honoured (UTF-8 without one); a charset Python does not know is
    a 415; bytes not in it, malformed JSON or a JSON body without its ``text`` a clean 400.

    >>> _check_body("café".encode("latin-1"), "text/plain; charset=latin-1")
    ('café', None)
    >>> _check_body(b'{"text": 1}', "application/json")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: field 'text': Input should be a valid string
    """
    media, _, parameters = content_type.partition(";")
    media = media.strip().lower()
    if media != "application/json" and not media.startswith("text/"):
        raise UnsupportedMediaTypeError(
            f"send the text as application/json or text/plain, not {media}", where="Content-Type"
        )
    charset = "utf-8"
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            charset = value.strip().strip('"')
    try:
        text = raw.decode(codecs.lookup(charset).name)
    except LookupError:
        raise UnsupportedMediaTypeError(
            f"unknown charset {charset!r}: send UTF-8 (or a charset such as latin-1)",
            where="Content-Type",
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the text is not {charset} (byte 0x{raw[exc.start]:02x} at {exc.start})",
            where="the request body",
        ) from None
    if media != "application/json":
        return text, None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            where="the request body",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            'send a JSON object: {"text": "...", "lang": "en"}', where="the request body"
        )
    try:
        parsed = CheckRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "text"
        raise InputError(str(first["msg"]), where=f"field {field!r}") from None
    return parsed.text, parsed.lang
