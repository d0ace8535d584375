"""ISO 3166-1 alpha-2 country codes, and the generated shape S13 that checks them.

The codes come from :mod:`pycountry` (the ISO 3166-1 alpha-2 and alpha-3 codes it maintains) plus
the user-assigned ranges of ISO 3166-1, which the project uses for illustrative data.
``shapes/iso3166.ttl`` is written by :func:`country_shape_text` (``mnr-graph export-country-shape``)
and a test regenerates and compares it.

>>> codes = country_codes()
>>> "XA" in codes and "ZZ" in codes and "XAB" in codes and "XA1" not in codes
True
>>> user_assigned_codes()[:3]
['AA', 'QM', 'QN']
"""

from __future__ import annotations

import string

import pycountry

__all__ = [
    "country_codes",
    "country_shape_text",
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
