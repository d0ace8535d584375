"""Reading the values of a table's cells: coded values, capabilities, dates, languages, countries.

Values of the maturity phase, implementation status and assessor type columns are read against
the shipped ontology (``skos:notation``, ``skos:prefLabel``, ``mnr:number``), a capability by its
number, notation or label in any language; anything else is kept as text, so that validation
reports it.

>>> str(coded("maturity_phase", "Phase 2")).rsplit("/", 1)[-1], capability_notation("c7")
('P02', 'C07')
>>> date_text("2024/3/1", xlsx=False), date_text("2024-02-30", xlsx=False)
('2024-03-01', '2024-02-30')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from functools import cache
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.errors import InputError, NotFoundError
from mnr_graph.core.namespaces import MNR, RDF, RDFS, SKOS
from mnr_graph.framework.countries import lookup_country
from mnr_graph.submissions.table import cell_text

__all__ = [
    "DATE_COLUMNS",
    "allowed_values",
    "capability_notation",
    "coded",
    "country_key",
    "date_text",
    "known_language",
    "language_tag",
    "year_text",
]

_CAPABILITY = re.compile(r"^(?:(?:c|capability)[\s_\-]*)?0*([0-9]{1,2})(?:\.0+)?$", re.IGNORECASE)
#: A hyphen against a digit in a coded value is a sign or a slip ("-1", "P-4", "4-"): the value
#: is kept as written, for the shapes to refuse, never read as the number.
_GARBLED_NUMBER = re.compile(r"-\s*[0-9]|[0-9]\s*-")
_NUMBERED = re.compile(r"^([a-z]*)0*([0-9]+)(?:\.0+)?$")
#: A date column may hold YYYY-M-D, YYYY/MM/DD or a date with a midnight time (a spreadsheet date).
_DATE = re.compile(
    r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?Z?)?$"
)
DATE_COLUMNS = ("source_date",)
#: A number in a date column of a workbook is a serial date when it gives a date in these years
#: (any other number, such as a year alone typed into a number cell, is kept as written: S31).
_SERIAL_YEARS = (1950, 2099)
_YEAR = re.compile(r"^([0-9]{4})\.0+$")


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.strip().lower())


#: The coded columns and the ontology class whose individuals (notations, labels) they take.
_CODED_COLUMNS = {
    "maturity_phase": MNR.MaturityPhase,
    "implementation_status": MNR.ImplementationStatus,
    "assessor_type": MNR.AssessorType,
}


@cache
def _value_lookup() -> dict[str, dict[str, URIRef]]:
    """For each coded column, the accepted spellings (normalised) of each individual."""
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()
    lookup: dict[str, dict[str, URIRef]] = {}
    for column, cls in _CODED_COLUMNS.items():
        spellings: dict[str, URIRef] = {}
        prefixes = {_key(w) for label in graph.objects(cls, RDFS.label) for w in str(label).split()}
        for individual in graph.subjects(RDF.type, cls):
            if not isinstance(individual, URIRef):
                continue
            for prop in (SKOS.notation, MNR.number, SKOS.prefLabel, SKOS.altLabel):
                for value in graph.objects(individual, prop):
                    spellings.setdefault(_key(str(value)), individual)
            for notation in graph.objects(individual, SKOS.notation):
                numbered = _NUMBERED.match(_key(str(notation)))
                if numbered and numbered.group(1):
                    prefixes.add(numbered.group(1))
        # numbered individuals (phases): "P1", "p01", "04", "3.0", "Phase 4" name the number
        numbers = {k: v for k, v in spellings.items() if k.isdigit()}
        for prefix in sorted(prefixes | {""}):
            for number, individual in numbers.items():
                spellings.setdefault(f"{prefix}{int(number)}", individual)
        lookup[column] = spellings
    return lookup


@cache
def _capability_labels() -> dict[str, str]:
    """The capabilities' labels in every language -> notation, from the shipped ontology.

    The labels are normalised as :func:`_key`: "Leadership", "access to image databases",
    "Liderazgo".
    """
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()
    out: dict[str, str] = {}
    for capability in sorted(graph.subjects(RDF.type, MNR.Capability), key=str):
        notation = graph.value(capability, SKOS.notation)
        if notation is None:
            continue
        for prop in (SKOS.prefLabel, SKOS.altLabel, RDFS.label):
            for label in graph.objects(capability, prop):
                out.setdefault(_key(str(label)), str(notation))
    return out


def allowed_values() -> dict[str, list[str]]:
    """The notations accepted in each coded column, from the shipped ontology.

    >>> allowed_values()["maturity_phase"]
    ['P01', 'P02', 'P03', 'P04']
    """
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()
    out: dict[str, list[str]] = {}
    for column, cls in _CODED_COLUMNS.items():
        individuals = sorted(graph.subjects(RDF.type, cls), key=str)
        ordered = sorted(individuals, key=lambda i: int(str(graph.value(i, MNR.number) or 0)))
        out[column] = [str(graph.value(i, SKOS.notation)) for i in ordered]
    return out


def coded(column: str, text: str) -> Node:
    """The individual a coded column's text names, else the text as a literal."""
    if _GARBLED_NUMBER.search(text):
        return Literal(text)
    key = _key(text)
    lookup = _value_lookup()[column]
    found = lookup.get(key)
    if found is None:
        numbered = _NUMBERED.match(key)
        if numbered:
            found = lookup.get(f"{numbered.group(1)}{int(numbered.group(2))}")
    return found if found is not None else Literal(text)


def date_text(value: Any, *, xlsx: bool) -> str:
    """A date cell as YYYY-MM-DD when it is unambiguous; else its text (validation reports it)."""
    if xlsx and isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        with contextlib.suppress(ValueError, OverflowError, TypeError):
            converted = from_excel(value)
            if isinstance(converted, dt.datetime):
                converted = converted.date()
            first, last = _SERIAL_YEARS
            if isinstance(converted, dt.date) and first <= converted.year <= last:
                return converted.isoformat()
    if isinstance(value, dt.datetime):  # a date cell with a time of day: the document's date
        return value.date().isoformat()
    text = cell_text(value).strip()
    match = _DATE.match(text)
    if match:
        with contextlib.suppress(ValueError):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day).isoformat()
    return text


def country_key(text: str) -> str:
    """The country's key for a code or name (``FRA``, ``fr``, ``250``, ``France`` -> ``FR``).

    Anything else as written, for the shapes (S12, S13) to refuse.
    """
    if not text:
        return text
    try:
        return lookup_country(text).code
    except (InputError, NotFoundError):
        return text


def known_language(tag: str) -> bool:
    """Whether a language tag's primary subtag is an ISO 639 code (``en``, ``fra``).

    The check of the evidence language, for a CSV cell and an RDF language tag alike.
    Private-use codes (``qaa``..``qtz``, ``x-...``) are not known: a submission is read by
    people who share no private agreement on them.

    >>> known_language("en-GB"), known_language("FR"), known_language("xx"), known_language("qaa")
    (True, True, False, False)
    """
    import pycountry

    primary, _, rest = tag.strip().partition("-")
    if not (re.fullmatch(r"[A-Za-z]{2,3}", primary) and re.fullmatch(r"[A-Za-z0-9\-]*", rest)):
        return False
    code = primary.lower()
    found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    return found is not None


def language_tag(text: str) -> str | None:
    """The BCP 47 tag for a language column: a tag whose language is ISO 639, or a language name.

    >>> language_tag("EN"), language_tag("en-GB"), language_tag("French"), language_tag("e n")
    ('en', 'en-GB', 'fr', None)
    """
    import pycountry

    value = text.strip().replace("_", "-")
    if not value:
        return None
    primary, _, rest = value.partition("-")
    if known_language(value):
        return primary.lower() + (f"-{rest}" if rest else "")
    try:
        language = pycountry.languages.lookup(value)
    except LookupError:
        return None
    return str(getattr(language, "alpha_2", None) or language.alpha_3)


def capability_notation(text: str) -> str | None:
    """The notation (``C07``) of a capability given by number, notation or label; else None."""
    match = _CAPABILITY.match(text)
    if match:
        return f"C{int(match.group(1)):02d}"
    return _capability_labels().get(_key(text))


def year_text(text: str) -> str:
    """A year as typed into a number cell (``2024.0``) as its four digits."""
    return _YEAR.sub(r"\1", text)
