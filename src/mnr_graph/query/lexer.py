"""A small SPARQL lexer: the tokens of a query outside strings, IRIs and comments.

Used to refuse ``SERVICE`` before a query is evaluated, to tell an update from a query, and to find
where a ``VALUES`` block can be bound into a query. It does not parse SPARQL; it only makes sure a
keyword inside a string, an IRI or a comment is never taken for a keyword.

>>> [t.text for t in keywords('SELECT * WHERE { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')]
['SELECT', 'WHERE']
>>> first_keyword("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b ex:c }")
'INSERT'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Token", "first_keyword", "keywords", "tokens"]

_TOKEN = re.compile(
    r'''
    (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
       |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<comment>\#[^\n\r]*)
    |(?P<var>[?$][^\s{}()\[\].,;'"<>#=!&|+*/^-]+)
    |(?P<pname>[^\W\d][\w\-.]*?:[^\s{}()\[\],;'"<>#]*|:[^\s{}()\[\],;'"<>#]*)
    |(?P<word>[^\W\d]\w*)
    |(?P<punct>[{}()])
    |(?P<other>\S)
    ''',
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind (``string``, ``iri``, ``var``, ``pname``, ``word``, ...) and place."""

    kind: str
    text: str
    start: int


def tokens(query: str) -> Iterator[Token]:
    """Every token of the query, comments left out."""
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind != "comment":
            yield Token(kind, m.group(), m.start())


def keywords(query: str) -> Iterator[Token]:
    """The bare words of the query (keywords and function names), upper-cased."""
    for t in tokens(query):
        if t.kind == "word":
            yield Token("word", t.text.upper(), t.start)


def first_keyword(query: str) -> str | None:
    """The first keyword after the prologue (``SELECT``, ``ASK``, ``INSERT``...), upper-cased."""
    for t in keywords(query):
        if t.text not in ("BASE", "PREFIX"):
            return t.text
    return None
