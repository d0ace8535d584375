"""SPARQL that helps: the project's prefixes predeclared, and syntax errors told for people.

:func:`predeclare` puts a ``PREFIX`` line for each of the project's prefixes
(:data:`PREDECLARED`) that a query uses without declaring, on the query's first line, so line
numbers do not move. :func:`explain` turns the query engine's syntax error ("error at 1:38:
expected one of Prefix not found, ['%'], ...") into what a person can act on: the line and
column in the query as written (in ``where``), the token found there, and a hint: the
``PREFIX`` line to add, the ``GROUP BY`` to add, the bracket left open.

>>> text, shift = predeclare("SELECT ?c WHERE { ?c a mnr:Capability }")
>>> text.startswith("PREFIX mnr: <https://w3id.org/mnr-graph/def/> SELECT"), shift
(True, 46)
>>> err = explain("error at 1:38: expected one of Prefix not found, ['%']",
...               "SELECT ?c WHERE { ?c a foaf:Person }")
>>> err.where, err.message
('line 1, column 24', "unknown prefix 'foaf:' in foaf:Person; declare it: PREFIX foaf: <http://xmlns.com/foaf/0.1/>")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import MNR, MNRID, PREFIXES
from mnr_graph.query.lexer import Token, tokens

__all__ = ["PREDECLARED", "explain", "predeclare", "rewrite_error", "unknown_terms"]

#: The prefixes a query may use without declaring them (a query's own PREFIX wins).
PREDECLARED: dict[str, str] = dict(PREFIXES)
#: Well-known prefixes outside the project, for the hint when one is missing.
_WELL_KNOWN = {
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "schema": "https://schema.org/",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}
_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_AGGREGATES = {"COUNT", "SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT", "SAMPLE"}
_UNBOUND = "The SELECT contains a variable that is unbound"
_PREFIX_NOT_FOUND = "Prefix not found"
_USED = re.compile(
    r"(?<![\w<:/#.-])("
    + "|".join(sorted(map(re.escape, PREDECLARED), key=len, reverse=True))
    + r"):"
)
_DECLARED = re.compile(r"(?i)\bPREFIX\s+([^\s:]*):")


def _declared(query: str) -> set[str]:
    items = list(tokens(query))
    return {
        items[i + 1].text.rstrip(":")
        for i, t in enumerate(items[:-1])
        if t.kind == "word" and t.text.upper() == "PREFIX"
    }


def predeclare(query: str) -> tuple[str, int]:
    """The query with the project's prefixes it uses but does not declare put in front.

    The declarations go on its first line; also returned is how many characters were put there
    (columns on line 1 shift by that).

    Two regular-expression scans, linear in the query (it may be large): a prefix name seen in
    a string or comment only adds a declaration the query does not use, which is harmless.
    """
    used = set(_USED.findall(query))
    if not used:
        return query, 0
    declared = set(_DECLARED.findall(query))
    missing = [p for p in PREDECLARED if p in used and p not in declared]
    if not missing:
        return query, 0
    head = "".join(f"PREFIX {p}: <{PREDECLARED[p]}> " for p in missing)
    return head + query, len(head)


@dataclass(frozen=True)
class _Place:
    line: int
    column: int
    offset: int


def _place(query: str, line: int, column: int) -> _Place:
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", query)]
    line = max(1, min(line, len(starts)))
    offset = min(starts[line - 1] + max(column - 1, 0), len(query))
    return _Place(line, column, offset)


def _at(query: str, offset: int) -> _Place:
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return _Place(line, column, offset)


def _where(place: _Place) -> str:
    return f"line {place.line}, column {place.column}"


def _token_at(query: str, offset: int) -> Token | None:
    """The token that holds ``offset``, or the last one that ends before it."""
    before = None
    for t in tokens(query):
        if t.start <= offset < t.start + len(t.text):
            return t
        if t.start >= offset:
            break
        before = t
    return before


def _unknown_prefix(query: str) -> InputError | None:
    declared = _declared(query) | set(PREDECLARED)
    for t in tokens(query):
        if t.kind != "pname":
            continue
        prefix = t.text.split(":", 1)[0]
        if prefix in declared:
            continue
        iri = _WELL_KNOWN.get(prefix)
        hint = (
            f"declare it: PREFIX {prefix}: <{iri}>"
            if iri
            else f"declare it with a line PREFIX {prefix}: <namespace IRI> before SELECT "
            f"(predeclared here: {', '.join(p + ':' for p in PREDECLARED)})"
        )
        return InputError(
            f"unknown prefix '{prefix}:' in {t.text}; {hint}", where=_where(_at(query, t.start))
        )
    return None


def _select_clause(query: str) -> tuple[list[Token], list[Token]]:
    """The tokens between the first SELECT and its WHERE (or ``{``), and those of GROUP BY."""
    items = list(tokens(query))
    start = next(
        (i for i, t in enumerate(items) if t.kind == "word" and t.text.upper() == "SELECT"), None
    )
    if start is None:
        return [], []
    clause: list[Token] = []
    for t in items[start + 1 :]:
        if (t.kind == "word" and t.text.upper() == "WHERE") or t.text == "{":
            break
        clause.append(t)
    group: list[Token] = []
    for i, t in enumerate(items):
        if t.kind == "word" and t.text.upper() == "GROUP":
            for u in items[i + 2 :]:
                if u.kind != "var":
                    break
                group.append(u)
    return clause, group


def _ungrouped(query: str) -> InputError | None:
    clause, group = _select_clause(query)
    aggregates = [
        t.text.upper() for t in clause if t.kind == "word" and t.text.upper() in _AGGREGATES
    ]
    if not aggregates:
        return None
    depth = 0
    plain: list[Token] = []
    for _i, t in enumerate(clause):
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif t.kind == "var" and depth == 0:
            plain.append(t)
    grouped = {t.text[1:] for t in group}
    loose = [t for t in plain if t.text[1:] not in grouped]
    if not loose:
        return None
    names = " ".join(t.text for t in loose)
    if not group:
        hint = f"add GROUP BY {names} after the WHERE clause"
    else:
        hint = f"add {names} to the GROUP BY, or select SAMPLE({loose[0].text}) AS ?any instead"
    return InputError(
        f"{names} {'is' if len(loose) == 1 else 'are'} selected beside an aggregate "
        f"({aggregates[0]}) but not grouped; {hint}",
        where=_where(_at(query, loose[0].start)),
    )


def _expected(text: str) -> list[str]:
    """The readable items of the engine's "expected one of ..." list (keywords and symbols)."""
    items = re.findall(r'"((?:[^"\\]|\\.)+)"|\b([A-Z][A-Za-z_]+)\b', text)
    seen: list[str] = []
    for quoted, word in items:
        item = quoted.replace('\\"', '"').replace("\\\\", "\\") if quoted else word
        if item and item not in seen and item not in ("The", "SELECT", "Prefix"):
            seen.append(item)
    return seen


_KEYWORDS = [
    "SELECT",
    "DISTINCT",
    "REDUCED",
    "WHERE",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "GRAPH",
    "BIND",
    "VALUES",
    "GROUP",
    "BY",
    "ORDER",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "ASC",
    "DESC",
    "PREFIX",
    "BASE",
    "CONSTRUCT",
    "DESCRIBE",
    "ASK",
    "FROM",
    "NAMED",
    "EXISTS",
    "NOT",
    "IN",
    "AS",
    "UNDEF",
]


def _misspelt_keyword(query: str, offset: int) -> str | None:
    """A "did you mean ORDER?" message for a bare word before ``offset`` close to a keyword."""
    for t in reversed([t for t in tokens(query) if t.start < offset and t.kind == "word"]):
        word = t.text.upper()
        if word in _KEYWORDS or word in _AGGREGATES or word in ("A", "TRUE", "FALSE"):
            continue
        close = get_close_matches(word, _KEYWORDS, n=1, cutoff=0.75)
        if close:
            return f"{t.text!r} at {_where(_at(query, t.start))}: did you mean {close[0]}?"
    return None


def _rebound(query: str) -> InputError | None:
    """A ``BIND(... AS ?v)`` whose ``?v`` the query already used before it (not allowed)."""
    items = list(tokens(query))
    for i, t in enumerate(items[:-1]):
        if t.kind == "word" and t.text.upper() == "AS" and items[i + 1].kind == "var":
            var = items[i + 1]
            opener = next(
                (
                    j
                    for j in range(i, -1, -1)
                    if items[j].kind == "word" and items[j].text.upper() == "BIND"
                ),
                None,
            )
            if opener is None:
                continue
            if any(u.kind == "var" and u.text[1:] == var.text[1:] for u in items[:opener]):
                return InputError(
                    f"BIND(... AS {var.text}) binds {var.text}, which the query already binds "
                    f"before it; give the BIND a new variable name",
                    where=_where(_at(query, var.start)),
                )
    return None


def explain(message: str, query: str, *, shift: int = 0) -> InputError:
    """The query engine's syntax error ``message`` about ``query`` as an :class:`InputError`.

    The error is said for people; ``query`` was run with ``shift`` characters put in front of its
    first line.
    """
    match = _ERROR.search(message)
    if match is None:
        return InputError(f"SPARQL syntax error: {message}")
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    if line == 1:
        column = max(1, column - shift)
    place = _place(query, line, column)
    if _PREFIX_NOT_FOUND in detail:
        found = _unknown_prefix(query)
        if found is not None:
            return found
    if _UNBOUND in detail:
        found = _ungrouped(query)
        if found is not None:
            return found
        token = _token_at(query, place.offset)
        return InputError(
            "a variable of the SELECT is not bound where it is used"
            + (f" (near {token.text})" if token else "")
            + "; a BIND may not reuse a variable already bound before it, and a selected "
            "variable must appear in the WHERE clause",
            where=_where(place),
        )
    rebound = _rebound(query)
    if rebound is not None:
        return rebound
    token = _token_at(query, place.offset)
    if token is not None and token.start + len(token.text) > place.offset:
        found_text = f"unexpected {token.text[:40]!r}"
    elif query[place.offset :].strip():
        found_text = f"unexpected {query[place.offset :].split()[0][:40]!r}"
    else:
        found_text = "the query cannot be read to its end"
    hints = []
    misspelt = _misspelt_keyword(query, place.offset)
    if misspelt:
        hints.append(misspelt)
    opened = sum(t.text == "{" for t in tokens(query)) - sum(t.text == "}" for t in tokens(query))
    if opened > 0:
        hints.append(f"{opened} '{{' not closed: add '}}'")
    parens = sum(t.text == "(" for t in tokens(query)) - sum(t.text == ")" for t in tokens(query))
    if parens > 0:
        hints.append(f"{parens} '(' not closed: add ')'")
    if query.count('"') % 2:
        hints.append('a string is not closed: add the closing "')
    expected = _expected(detail)
    text = found_text
    if expected:
        shown = [e if e[0].isalpha() else f"'{e}'" for e in expected[:10]]
        text += "; expected " + ", ".join(shown) + (", ..." if len(expected) > 10 else "")
    if hints:
        text += "; " + "; ".join(hints)
    return InputError(f"SPARQL syntax error: {text}", where=_where(place))


def rewrite_error(exc: InputError, query: str, *, shift: int = 0) -> InputError:
    """``exc`` rewritten by :func:`explain` when it carries the engine's "error at L:C".

    Otherwise ``exc`` itself.
    """
    if _ERROR.search(exc.message) is None:
        return exc
    return explain(exc.message, query, shift=shift)


@cache
def _shipped_names() -> dict[str, frozenset[str]]:
    """The local names the shipped graphs use in the ``mnr:`` and ``mnrid:`` namespaces."""
    import pyoxigraph as ox

    names: dict[str, set[str]] = {str(MNR): set(), str(MNRID): set()}
    for file in resources.files("ontology", "*.ttl"):
        for quad in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE):
            for term in (quad.subject, quad.predicate, quad.object):
                if isinstance(term, ox.NamedNode):
                    for namespace, found in names.items():
                        local = term.value[len(namespace) :]
                        if term.value.startswith(namespace) and "/" not in local and local:
                            found.add(local)
    return {namespace: frozenset(found) for namespace, found in names.items()}


_TERM = re.compile(r"(?<![\w<:/#.-])(mnr|mnrid):([A-Za-z_][\w-]*)")


def unknown_terms(query: str) -> list[str]:
    """What a query names in ``mnr:`` or ``mnrid:`` that the shipped graphs do not have.

    Each comes with the closest name there is. A misspelt class or property matches nothing: the
    answer is quietly empty.

    >>> unknown_terms("SELECT ?c WHERE { ?c a mnr:Capabilty ; mnr:inDomain mnrid:D02 }")
    ['mnr:Capabilty is not in the ontology (did you mean mnr:Capability?)']
    """
    if "mnr" not in query:
        return []
    names = _shipped_names()
    declared = _declared(query)
    found: list[str] = []
    for prefix, local in dict.fromkeys(_TERM.findall(query)):
        namespace = PREDECLARED[prefix]
        if prefix in declared and f"PREFIX {prefix}: <{namespace}>" not in query:
            continue  # the query gave the prefix another meaning
        known = names[namespace]
        if local in known:
            continue
        close = get_close_matches(local, known, n=1, cutoff=0.7)
        hint = f" (did you mean {prefix}:{close[0]}?)" if close else ""
        found.append(f"{prefix}:{local} is not in the ontology{hint}")
    return found
