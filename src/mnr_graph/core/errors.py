"""The one exception tree of mnr-graph.

Every error a user can cause is a :class:`MnrGraphError`. The CLI maps the tree to exit codes and
the API to HTTP status codes, each in one place, from the class attributes below.

>>> from mnr_graph.core.errors import InputError
>>> err = InputError("bad.ttl: line 3, column 7: unexpected '.'")
>>> (err.exit_code, err.http_status)
(2, 400)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = [
    "BusyError",
    "ConflictError",
    "ForbiddenError",
    "InputError",
    "MnrGraphError",
    "NotAcceptableError",
    "NotFoundError",
    "PayloadTooLargeError",
    "QueryTimeoutError",
    "StoreError",
    "UnsupportedMediaTypeError",
    "ValidationFailedError",
    "error_body",
    "located",
]


class MnrGraphError(Exception):
    """Base of every error mnr-graph raises on purpose."""

    exit_code: int = 2
    http_status: int = 400

    def __init__(
        self, message: str, *, where: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        #: Structured facts about the error for a program (a comparison), or None.
        self.details = details

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def error_body(exc: MnrGraphError, *, kind: str | None = None) -> dict[str, Any]:
    """The one JSON body of an error, as the API, the pages and the CLI's JSON give it.

    ``error`` names the kind (the class, or ``kind``: ``HTTPError`` for a framework error that is
    not ours), ``message`` says what is wrong, ``where`` where (a parameter, a field, a file, line
    and column; or null), ``detail`` both in one text; ``details`` is there only when the error
    carries structured facts (a 409's comparison).

    >>> body = error_body(InputError("not a year", where="parameter 'year'"))
    >>> body["error"], body["where"], body["detail"]
    ('InputError', "parameter 'year'", "parameter 'year': not a year")
    """
    body: dict[str, Any] = {
        "error": kind or type(exc).__name__,
        "message": exc.message,
        "where": exc.where,
        "detail": str(exc),
    }
    if exc.details is not None:
        body["details"] = exc.details
    return body


class InputError(MnrGraphError):
    """The input cannot be used: malformed RDF, a wrong CSV, a bad parameter, a hostile query."""


@contextlib.contextmanager
def located(where: str) -> Iterator[None]:
    """An :class:`InputError` or :class:`NotFoundError` raised inside says where it is.

    ``where``, such as the parameter it comes from (a value checked by a function that does not
    know its name). The error keeps its kind (a malformed value stays a 400, an unknown one a
    404).

    >>> try:
    ...     with located("parameter 'lang'"):
    ...         raise InputError("'e n' is not a language tag")
    ... except InputError as exc:
    ...     print(exc)
    parameter 'lang': 'e n' is not a language tag
    """
    try:
        yield
    except (InputError, NotFoundError) as exc:
        raise type(exc)(exc.message, where=where) from None


class UnsupportedMediaTypeError(InputError):
    """The input or the requested output has a media type we do not handle."""

    http_status = 415


class NotAcceptableError(UnsupportedMediaTypeError):
    """No output format we have matches what the client accepts."""

    http_status = 406


class PayloadTooLargeError(InputError):
    """The upload is larger than the configured limit."""

    http_status = 413


class NotFoundError(MnrGraphError):
    """An unknown term, query, capability or resource."""

    exit_code = 1
    http_status = 404


class ValidationFailedError(MnrGraphError):
    """A submission has SHACL violations and was not stored."""

    exit_code = 1
    http_status = 422


class ForbiddenError(MnrGraphError):
    """A write without a valid token, or with writes turned off."""

    exit_code = 2
    http_status = 403


class ConflictError(MnrGraphError):
    """The request conflicts with what is stored (``details``: what it was compared with)."""

    exit_code = 1
    http_status = 409


class BusyError(MnrGraphError):
    """Another write holds what this one needs (the write lock of a country and year)."""

    exit_code = 3
    http_status = 503


class QueryTimeoutError(MnrGraphError):
    """A query ran past its time limit and was stopped."""

    exit_code = 2
    http_status = 503


class StoreError(MnrGraphError):
    """The triple store (embedded or remote) failed or could not be reached."""

    exit_code = 3
    http_status = 502
