"""Ill-typed literals in a submission: the shapes report them, rdflib need not log them.

rdflib logs a warning with a traceback whenever a literal's lexical form does not fit its
datatype (``"2023-02-30"^^xsd:date``): "Failed to convert Literal lexical form to value". In a
submission that is an error of the data, which validation reports with its row and cell; the log
line would only repeat it, with a traceback, on the server's console.

:func:`ill_typed_literals_expected` marks a stretch of work, in the calling thread (or task) only,
where that one message is dropped. No logger's level is changed (the API validates on several
worker threads at once: a level set and restored by each could leave the logger silenced), and no
other message is touched: a :class:`logging.Filter`, added once to the ``rdflib.term`` logger,
drops that message while the mark is set in the caller's :mod:`contextvars` context.

>>> import logging
>>> from rdflib import Literal, XSD
>>> with ill_typed_literals_expected():
...     Literal("2023-02-30", datatype=XSD.date).ill_typed
True
>>> _FILTER in logging.getLogger("rdflib.term").filters
True
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["ill_typed_literals_expected"]

#: The start of the message rdflib logs for an ill-typed literal (``rdflib.term``).
_MESSAGE = "Failed to convert Literal lexical form to value"
_EXPECTED: ContextVar[bool] = ContextVar("mnr_graph_ill_typed_literals", default=False)
_LOCK = threading.Lock()


class _DropExpected(logging.Filter):
    """Drops rdflib's ill-typed literal warning where the caller expects such literals."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_EXPECTED.get() and str(record.msg).startswith(_MESSAGE))


_FILTER = _DropExpected()


@contextlib.contextmanager
def ill_typed_literals_expected() -> Iterator[None]:
    """Within this block, in this thread or task, rdflib's ill-typed literal warning is dropped."""
    logger = logging.getLogger("rdflib.term")
    if _FILTER not in logger.filters:
        with _LOCK:
            logger.addFilter(_FILTER)  # once: adding the same filter again does nothing
    token = _EXPECTED.set(True)
    try:
        yield
    finally:
        _EXPECTED.reset(token)
