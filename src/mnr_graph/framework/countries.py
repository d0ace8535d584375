"""ISO 3166-1 country codes: one key per country, and the generated shape S13 that checks them.

The codes come from :mod:`pycountry` (the ISO 3166-1 alpha-2, alpha-3 and numeric codes it
maintains) plus the user-assigned ranges of ISO 3166-1, which the project uses for illustrative
data. ``shapes/iso3166.ttl`` is written by :func:`country_shape_text` (``mnr-graph
export-country-shape``) and a test regenerates and compares it.

**One key per country.** A country is stored, queried and shown under one code: its ISO 3166-1
alpha-2 code, or, for a user-assigned alpha-3 code (``XAA``..``XZZ``), which has no alpha-2 form,
that code. :func:`lookup_country` turns what a person or a file writes (``FR``, ``fra``, ``250``,
``France``) into that key, the same in every input (a CSV cell, a submission's RDF, a named query's
parameter, a page's address), so FR and FRA are one country.

>>> codes = country_codes()
>>> "XA" in codes and "ZZ" in codes and "XAB" in codes and "XA1" not in codes
True
>>> user_assigned_codes()[:3]
['AA', 'QM', 'QN']
>>> [lookup_country(t).code for t in ("FRA", "fr", "250", "France", "xab")]
['FR', 'FR', 'FR', 'FR', 'XAB']
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache

import pycountry

from mnr_graph.core.errors import InputError, NotFoundError
from mnr_graph.core.namespaces import DATA

__all__ = [
    "Country",
    "country_codes",
    "country_iri",
    "country_shape_text",
    "is_user_assigned",
    "lookup_country",
    "suggest_countries",
    "user_assigned_alpha3_codes",
    "user_assigned_codes",
]


_MESSAGE = (
    "The country code is not an ISO 3166-1 code: use the country's official alpha-2 code (or "
    "alpha-3), or a user-assigned code (XA..XZ, XAA..XZZ) for illustrative data."
)


def user_assigned_codes() -> list[str]:
    """The alpha-2 codes ISO 3166-1 leaves to users: AA, QM..QZ, XA..XZ and ZZ."""
    letters = string.ascii_uppercase
    return (
        ["AA"]
        + [f"Q{c}" for c in letters[letters.index("M") :]]
        + [f"X{c}" for c in letters]
        + ["ZZ"]
    )


def user_assigned_alpha3_codes() -> list[str]:
    """The alpha-3 codes ISO 3166-1 leaves to users: AAA..AAZ, QMA..QZZ, XAA..XZZ, ZZA..ZZZ."""
    return [c + d for c in user_assigned_codes() for d in string.ascii_uppercase]


def country_codes() -> list[str]:
    """Every valid code: officially assigned alpha-2 and alpha-3, and the user-assigned ranges."""
    official = {c.alpha_2 for c in pycountry.countries} | {c.alpha_3 for c in pycountry.countries}
    return sorted(official | set(user_assigned_codes()) | set(user_assigned_alpha3_codes()))


@cache
def _user_assigned() -> frozenset[str]:
    return frozenset(user_assigned_codes()) | frozenset(user_assigned_alpha3_codes())


def is_user_assigned(code: str) -> bool:
    """Whether a code is one ISO 3166-1 leaves to users (illustrative here): XA, QM, XAB, ZZZ...

    >>> is_user_assigned("XAB"), is_user_assigned("xa"), is_user_assigned("FR")
    (True, True, False)
    """
    return code.strip().upper() in _user_assigned()


@dataclass(frozen=True)
class Country:
    """A country as stored: its key ``code``, its English name (none for a user-assigned code)."""

    code: str
    name: str | None

    @property
    def user_assigned(self) -> bool:
        """True for a user-assigned code: an illustrative country, not a real one."""
        return is_user_assigned(self.code)

    @property
    def iri(self) -> str:
        """The country's IRI, ``https://w3id.org/mnr-graph/data/country/<code>``."""
        return country_iri(self.code)

    @property
    def label(self) -> str:
        """``France (FR)``, or the code alone for a user-assigned one."""
        return f"{self.name} ({self.code})" if self.name else self.code


def country_iri(code: str) -> str:
    """The IRI of the country whose key is ``code``.

    >>> country_iri("FR")
    'https://w3id.org/mnr-graph/data/country/FR'
    """
    return str(DATA[f"country/{code}"])


#: What a country may be written as: letters, digits, spaces and the punctuation of names.
_WRITTEN = re.compile(r"[^\W_](?:[\w .,'’()&-]{0,98}[\w.)])?")


def lookup_country(text: str) -> Country:
    """The country a code or name stands for, under its key (:class:`Country`).

    Accepted: an ISO 3166-1 alpha-2, alpha-3 or numeric code (any case), a user-assigned code
    (AA, QM..QZ, XA..XZ, ZZ; alpha-3 AAA..AAZ, QMA..QZZ, XAA..XZZ, ZZA..ZZZ), or a country's
    English name (short, official or common). A text that cannot be a code or a name (empty,
    symbols) is :class:`InputError`; one that names no country is :class:`NotFoundError` with
    "did you mean" suggestions.

    >>> lookup_country("Frnace")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.NotFoundError: unknown country 'Frnace'; did you mean France (FR)?
    """
    raw = " ".join(text.split())
    if not _WRITTEN.fullmatch(raw):
        raise InputError(
            f"{text!r} is not a country code or name: give an ISO 3166-1 code such as FR, FRA or "
            "250, a user-assigned code such as XA or XAB, or the country's English name"
        )
    upper = raw.upper()
    if upper in _user_assigned():
        return Country(upper, None)
    found = None
    if re.fullmatch(r"[A-Z]{2}", upper):
        found = pycountry.countries.get(alpha_2=upper)
    elif re.fullmatch(r"[A-Z]{3}", upper):
        found = pycountry.countries.get(alpha_3=upper)
    elif re.fullmatch(r"[0-9]{3}", upper):
        found = pycountry.countries.get(numeric=upper)
        if found is None and upper >= "900":
            raise NotFoundError(
                f"{raw!r} is a user-assigned numeric code, which names no country here: use a "
                "user-assigned letter code such as XA or XAB"
            )
    elif re.fullmatch(r"[A-Z0-9]{1,3}", upper):
        raise InputError(
            f"{text!r} is not a country code: two or three letters (FR, FRA) or three digits (250)"
        )
    else:
        try:
            found = pycountry.countries.lookup(raw)
        except LookupError:
            code = _names().get(raw.strip().casefold())  # a French or Spanish name
            found = pycountry.countries.get(alpha_2=code) if code else None
    if found is None:
        suggestions = suggest_countries(raw) if len(raw) > 3 else []
        hint = f"; did you mean {', '.join(c.label for c in suggestions)}?" if suggestions else ""
        raise NotFoundError(f"unknown country {raw!r}{hint}")
    return Country(str(found.alpha_2), str(getattr(found, "common_name", None) or found.name))


#: The languages whose country names are read and suggested besides English (pycountry's
#: translations of ISO 3166-1): the languages of the template.
NAME_LANGUAGES = ("fr", "es")


@cache
def _names() -> dict[str, str]:
    """Every name of every country, folded, mapped to its alpha-2 code.

    The short, official and common names, in English, French and Spanish.
    """
    import gettext

    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        for language in NAME_LANGUAGES
    ]
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                names.setdefault(name.casefold(), str(country.alpha_2))
                for translation in translations:
                    names.setdefault(translation.gettext(name).casefold(), str(country.alpha_2))
    return names


#: ISO 3166-1 codes exceptionally reserved for a country that has another code (UK: the
#: United Kingdom, whose code is GB; EL: Greece, GR, in the European Union's usage).
_EXCEPTIONALLY_RESERVED = {"UK": "GB", "EL": "GR"}


def suggest_countries(text: str, *, limit: int = 3) -> list[Country]:
    """Countries whose name (English, French or Spanish) is close to ``text``, best first.

    For "did you mean"; for a code exceptionally reserved (UK), the country's code.

    >>> [c.code for c in suggest_countries("Germnay")], [c.code for c in suggest_countries("UK")]
    (['DE'], ['GB'])
    """
    from rapidfuzz import fuzz, process

    reserved = _EXCEPTIONALLY_RESERVED.get(text.strip().upper())
    if reserved is not None:
        return [lookup_country(reserved)]
    if len(text.strip()) <= 3:
        return []
    names = _names()
    found = process.extract(
        text.casefold(), list(names), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=80
    )
    codes = list(dict.fromkeys(names[name] for name, _score, _index in found))[:limit]
    return [lookup_country(code) for code in codes]


def country_shape_text() -> str:
    """The Turtle text of ``shapes/iso3166.ttl``: shape S13 with every valid alpha-2 code."""
    codes = country_codes()
    values = "|".join(codes)
    return f"""# GENERATED, do not edit: `mnr-graph export-country-shape -o shapes/iso3166.ttl`.
# Shape S13: a country code is an ISO 3166-1 code: the alpha-2 and alpha-3 codes of pycountry and
# the user-assigned ranges (alpha-2 AA, QM..QZ, XA..XZ, ZZ; alpha-3 AAA..AAZ, QMA..QZZ, XAA..XZZ,
# ZZA..ZZZ), {len(codes)} codes in all.

@prefix shape:   <https://w3id.org/mnr-graph/shape/> .
@prefix sh:      <http://www.w3.org/ns/shacl#> .
@prefix mnr:     <https://w3id.org/mnr-graph/def/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .

shape:S13 a sh:PropertyShape ;
    dcterms:identifier "S13" ;
    rdfs:label "ISO 3166-1 country code"@en ;
    sh:targetClass mnr:Country ;
    sh:path mnr:countryCode ;
    # one regular expression (one line: pySHACL ignores the x flag); much faster than sh:in
    sh:pattern "^({values})$" ;
    sh:severity sh:Violation ;
    sh:message "{_MESSAGE}"@en .
"""
