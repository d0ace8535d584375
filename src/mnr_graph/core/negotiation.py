"""Content negotiation: the one reading of ``Accept`` and the one precedence of ``format``.

Every route that answers in more than one format (``/sparql``, the named queries, the linked-data
paths and the pages) chooses by the same rule:

1. An explicit ``format`` parameter (in the URL, or in the form body of a SPARQL POST) wins over
   ``Accept``. It names a format by its name (``csv``, ``ttl``), an alias or its media type; a
   name the route does not have is a 406 that lists the ones it has.
2. Otherwise ``Accept`` decides. Each media range counts with its q-value (a range whose q-value
   is malformed is ignored); ``q=0`` refuses a type, or a whole family (``text/*;q=0``). The
   best range first (by q; at equal q a type before a wildcard, then the first listed): a type
   we have is the answer; a wildcard gives the route's first choice in its family that no range
   refuses.
3. Without ``Accept`` (or with an empty one) the route's default, its first format. An ``Accept``
   that allows none of the route's formats is a 406.

The SPARQL endpoint adds one leniency for clients that send the same ``Accept`` and ``format``
with every query (:func:`mnr_graph.query.formats.negotiate`): a format of the other kind of query
(a results format for a CONSTRUCT) counts as not given.

>>> offered = {"json": "application/json", "csv": "text/csv"}
>>> negotiate("text/csv", None, offered), negotiate("text/csv", "json", offered)
('csv', 'json')
>>> negotiate(None, None, offered), negotiate("text/*", None, offered)
('json', 'csv')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from mnr_graph.core.errors import NotAcceptableError

__all__ = ["allowed", "choose_media", "negotiate", "parse_accept", "quality", "wildcards"]

_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their q-values, best first.

    At equal q a type comes before a wildcard, then the first listed. A range whose q-value is
    malformed (not 0 to 1 with at most three decimals: ``q=x``, ``q=2``) is ignored, as if it
    were not there. ``Accept-Language`` reads the same way (its ranges are language tags).

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json, */*;q=0.1")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5), ('*/*', 0.1)]
    >>> parse_accept("text/csv;q=x, text/turtle;q=0")
    [('text/turtle', 0.0)]
    """
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate((accept or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q: float | None = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                q = float(value) if _QVALUE.fullmatch(value) else None
        if q is not None:
            ranges.append((pieces[0].lower(), q, position))
    ranges.sort(key=lambda r: (-r[1], r[0].count("*"), r[2]))
    return [(r[0], r[1]) for r in ranges]


def quality(media_type: str, ranges: Sequence[tuple[str, float]]) -> float | None:
    """The q-value ``ranges`` (of :func:`parse_accept`) give a media type.

    That of the most specific range matching it (``type/subtype``, then ``type/*``, then
    ``*/*``); ``None`` when none matches. So ``text/turtle;q=0, */*`` refuses Turtle and allows
    the rest.

    >>> ranges = parse_accept("text/turtle;q=0, */*")
    >>> quality("text/turtle", ranges), quality("application/n-triples", ranges)
    (0.0, 1.0)
    >>> quality("text/csv", parse_accept("application/*")) is None
    True
    """
    media_type = media_type.lower()
    family = media_type.split("/")[0] + "/*"
    for wanted in (media_type, family, "*/*"):
        for media_range, q in ranges:
            if media_range == wanted:
                return q
    return None


def allowed(media_type: str, ranges: Sequence[tuple[str, float]]) -> bool:
    """Not refused: no range names it, or the most specific one that does has q > 0."""
    q = quality(media_type, ranges)
    return q is None or q > 0


def wildcards(media_types: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """What each wildcard range gives, first choice first.

    ``*/*`` every type, ``text/*`` the ``text/`` ones ..., in the order given (a route's order
    of preference).

    >>> wildcards(["application/json", "text/csv"])
    {'*/*': ('application/json', 'text/csv'), 'application/*': ('application/json',),
     'text/*': ('text/csv',)}
    """
    ordered = list(dict.fromkeys(media_types))
    out: dict[str, tuple[str, ...]] = {"*/*": tuple(ordered)}
    for media in ordered:
        family = media.split("/")[0] + "/*"
        out[family] = (*out.get(family, ()), media)
    return out


def choose_media(
    ranges: Sequence[tuple[str, float]],
    offered: Iterable[str],
    by_wildcard: Mapping[str, Sequence[str]],
) -> str | None:
    """The media type to answer with, of those ``offered``.

    The first the best range names, or for a wildcard range the first of its ``by_wildcard``
    entry that no range refuses; ``None`` when the ranges (of :func:`parse_accept`) allow none.

    >>> table = ["text/csv", "application/json"]
    >>> choose_media(parse_accept("text/csv;q=0, */*"), table, {"*/*": table})
    'application/json'
    """
    offers = set(offered)
    for media, q in ranges:
        if q <= 0:
            continue
        if media in offers:
            return media
        for candidate in by_wildcard.get(media, ()):
            if allowed(candidate, ranges):
                return candidate
    return None


def negotiate(
    accept: str | None,
    format_param: str | None,
    offered: Mapping[str, str],
    *,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """The name of the format to answer in, by the rule of this module.

    ``offered`` maps each format's name to its media type, in the route's order of preference
    (the first is the default, and each wildcard gives the first of its family). ``aliases`` maps
    other names and media types to a format's name (``application/json`` to ``json``). A
    :class:`~mnr_graph.core.errors.NotAcceptableError` (406) says ``where``: ``format`` for an
    unknown format, ``Accept`` when it allows none of the formats.

    >>> rdf = {"ttl": "text/turtle", "jsonld": "application/ld+json", "html": "text/html"}
    >>> negotiate("text/html", "ttl", rdf), negotiate("text/turtle;q=0, */*", None, rdf)
    ('ttl', 'jsonld')
    >>> negotiate("image/png", None, rdf)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.NotAcceptableError: Accept: cannot answer in 'image/png'; available ...
    >>> negotiate(None, "yaml", rdf)
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.NotAcceptableError: format: unknown format 'yaml'; use one of ttl,
    jsonld, html
    """
    names = {name.lower(): name for name in offered}
    names.update({media.lower(): name for name, media in offered.items()})
    names.update({alias.lower(): name for alias, name in (aliases or {}).items()})
    if format_param:
        chosen = names.get(format_param.strip().lower())
        if chosen is None:
            raise NotAcceptableError(
                f"unknown format {format_param!r}; use one of {', '.join(offered)}",
                where="format",
            )
        return chosen
    ranges = parse_accept(accept)
    if not ranges:
        return next(iter(offered))
    by_media = {k: v for k, v in names.items() if "/" in k}
    media = choose_media(ranges, by_media, wildcards(offered.values()))
    if media is not None:
        return by_media[media]
    available = ", ".join(offered.values())
    refused = all(quality(media, ranges) == 0 for media in offered.values())
    because = ": it refuses every format" if refused else ""
    raise NotAcceptableError(
        f"cannot answer in {accept!r}{because}; available as {available}", where="Accept"
    )
