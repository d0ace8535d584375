"""Answers kept for the store's current generation: the same request on unchanged data.

A dashboard or a page asks the same named queries again and again; between two writes their
answers cannot change. :class:`AnswerCache` keeps the serialised answers of the store's current
write generation (:attr:`~mnr_graph.query.store.EmbeddedStore.generation`), least recently used
first out, within a byte budget, and forgets them all when the generation changes. A query that
calls a function whose value changes from one run to the next (``RAND``, ``NOW``, ``UUID``,
``STRUUID``, ``BNODE``) is never kept.

>>> from mnr_graph.query.engine import QueryAnswer
>>> from mnr_graph.query.protocol import QueryRequest
>>> cache = AnswerCache()
>>> request = QueryRequest("ASK { ?s ?p ?o }", "results")
>>> cache.put(request, 1, QueryAnswer(b"true", "application/json", 1, False))
>>> cache.get(request, 1).body, cache.get(request, 2)
(b'true', None)
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from mnr_graph.query.engine import QueryAnswer
from mnr_graph.query.protocol import QueryRequest

__all__ = ["AnswerCache", "cacheable"]

_VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def cacheable(request: QueryRequest) -> bool:
    """False for a query whose answer may change between two runs on the same data.

    >>> cacheable(QueryRequest("SELECT (NOW() AS ?t) {}", "results"))
    False
    >>> cacheable(QueryRequest("SELECT ?s { ?s ?p ?o }", "results"))
    True
    """
    return _VOLATILE.search(request.query) is None


class AnswerCache:
    """Serialised answers of one store generation, at most ``max_bytes`` of bodies in all.

    An answer larger than ``max_answer_bytes`` is not kept. Safe to share between threads.
    """

    def __init__(self, max_bytes: int = 64 << 20, max_answer_bytes: int = 4 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_answer_bytes = max_answer_bytes
        self._answers: OrderedDict[QueryRequest, QueryAnswer] = OrderedDict()
        self._generation: int | None = None
        self._bytes = 0
        self._lock = threading.Lock()
        #: Answers given from the cache, and requests that were not in it (for the metrics).
        self.hits = 0
        self.misses = 0

    def _at(self, generation: int) -> bool:
        """Move to ``generation`` (generations only grow); False for an older one."""
        if self._generation is not None and generation < self._generation:
            return False
        if generation != self._generation:
            self._answers.clear()
            self._bytes = 0
            self._generation = generation
        return True

    def get(self, request: QueryRequest, generation: int) -> QueryAnswer | None:
        """The answer kept for ``request`` at ``generation``, if any."""
        with self._lock:
            answer = self._answers.get(request) if self._at(generation) else None
            if answer is None:
                self.misses += 1
                return None
            self._answers.move_to_end(request)
            self.hits += 1
            return answer

    def put(self, request: QueryRequest, generation: int, answer: QueryAnswer) -> None:
        """Keep ``answer`` for ``request``, computed at ``generation``."""
        size = len(answer.body)
        if size > min(self.max_answer_bytes, self.max_bytes) or not cacheable(request):
            return
        with self._lock:
            if not self._at(generation) or request in self._answers:
                return  # computed before a write that came since, or kept already
            self._answers[request] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped.body)
