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
    "capability_names",
    "capability_notation",
    "coded",
    "country_key",
    "date_suggestion",
    "date_text",
    "day_month_dates",
    "known_language",
    "language_tag",
    "suggest_capabilities",
    "year_text",
]

#: A number typed into a number cell comes back as "7.0", or "7,0" from a spreadsheet program
#: set to a language that writes a decimal comma (French, Spanish).
_CAPABILITY = re.compile(r"^(?:(?:c|capability)[\s_\-]*)?0*([0-9]{1,2})(?:[.,]0+)?$", re.IGNORECASE)
#: A hyphen against a digit in a coded value is a sign or a slip ("-1", "P-4", "4-"): the value
#: is kept as written, for the shapes to refuse, never read as the number.
_GARBLED_NUMBER = re.compile(r"-\s*[0-9]|[0-9]\s*-")
_NUMBERED = re.compile(r"^([a-z]*)0*([0-9]+)(?:[.,]0+)?$")
#: A date column may hold YYYY-M-D, YYYY/MM/DD or a date with a midnight time (a spreadsheet date).
_DATE = re.compile(
    r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?Z?)?$"
)
DATE_COLUMNS = ("source_date",)
#: A number in a date column of a workbook is a serial date when it gives a date in these years
#: (any other number, such as a year alone typed into a number cell, is kept as written: S31).
_SERIAL_YEARS = (1950, 2099)
_YEAR = re.compile(r"^([0-9]{4})[.,]0+$")
#: A date as a spreadsheet program set to another language writes it: day and month in either
#: order, a four-digit year (20/03/2024, 3/20/2024, 20.03.2024), maybe with a midnight time.
_DAY_MONTH = re.compile(r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})(?:[T ]0?0:00(?::00)?)?$")
#: The same with a two-digit year (20/03/24): never read, only suggested.
_DAY_MONTH_SHORT = re.compile(r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2})$")
#: A serial date (the days since 1899-12-30 a spreadsheet counts) saved as a number in a CSV file.
_SERIAL = re.compile(r"^[0-9]{5}(?:[.,]0+)?$")


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.strip().lower()).replace("\u2019", "'")


def _folded(text: str) -> str:
    """A name as compared loosely.

    No accents, apostrophes, "&" or plural ``s`` on any word ("Programme d’éducation", "Access
    to image database", "Notice & takedown procedure").
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", text.casefold().replace("&", " and "))
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


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
                    # without accents, as typed on a keyboard without them ("pas de donnees")
                    spellings.setdefault(_folded(str(value)).replace(" ", ""), individual)
            for notation in graph.objects(individual, SKOS.notation):
                numbered = _NUMBERED.match(_key(str(notation)))
                if numbered and numbered.group(1):
                    prefixes.add(numbered.group(1))
        # a label made of a word and a number ("Fase 2") gives the word for every number
        for spelling in list(spellings):
            numbered = _NUMBERED.match(spelling)
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


@cache
def _capability_folded() -> dict[str, str]:
    """The capabilities' labels in every language, folded (:func:`_folded`) -> notation."""
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()
    out: dict[str, str] = {}
    for capability in sorted(graph.subjects(RDF.type, MNR.Capability), key=str):
        notation = graph.value(capability, SKOS.notation)
        for prop in (SKOS.prefLabel, SKOS.altLabel, RDFS.label):
            for label in graph.objects(capability, prop):
                if notation is not None:
                    out.setdefault(_folded(str(label)), str(notation))
    return out


@cache
def capability_names() -> dict[str, dict[str, str]]:
    """Each capability's notation -> its names by language tag, from the shipped ontology.

    >>> capability_names()["C01"]["en"]
    'Leadership'
    """
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()
    out: dict[str, dict[str, str]] = {}
    for capability in graph.subjects(RDF.type, MNR.Capability):
        notation = graph.value(capability, SKOS.notation)
        if notation is None:
            continue
        names = out.setdefault(str(notation), {})
        for label in graph.objects(capability, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language:
                names.setdefault(label.language, str(label))
    return dict(sorted(out.items()))


def suggest_capabilities(text: str, *, limit: int = 3) -> list[str]:
    """Capabilities (notations) a text that names none may mean, best first.

    An abbreviation of a name ("CSR"), a word of one ("Hotline"), or a name spelt nearly right
    in any language.

    >>> suggest_capabilities("CSR"), suggest_capabilities("Hotline")
    (['C19'], ['C12'])
    """
    from rapidfuzz import fuzz, process

    folded = _folded(text)
    if not folded:
        return []
    labels = _capability_folded()
    found: list[str] = []
    compact = folded.replace(" ", "")
    for label, notation in labels.items():
        words = [w for w in label.split() if w not in _SMALL_WORDS]
        initials = "".join(w[0] for w in words)
        abbreviation = len(compact) >= 2 and compact == initials
        if abbreviation or (folded in label.split() and folded not in _SMALL_WORDS):
            found.append(notation)
    for label, _score, _index in process.extract(
        folded, list(labels), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=85
    ):
        found.append(labels[label])
    return list(dict.fromkeys(found))[:limit]


#: Words left out of a capability name's initials ("CSR": corporate social responsibility).
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "to", "for", "de", "des", "du", "la", "le", "les", "l"}
    | {"d", "et", "y", "del", "los", "las", "e", "al"}
)


@cache
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
    found = lookup.get(key) or lookup.get(_folded(text).replace(" ", ""))
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
    if not xlsx and _SERIAL.match(text):  # a date cell saved to CSV as its serial number
        serial = _serial_date(float(text.replace(",", ".")))
        if serial is not None:
            return serial
    match = _DATE.match(text)
    if match:
        with contextlib.suppress(ValueError):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day).isoformat()
    return text


def _serial_date(value: float) -> str | None:
    """A spreadsheet serial date as YYYY-MM-DD, when it is one of a plausible year."""
    from openpyxl.utils.datetime import from_excel

    with contextlib.suppress(ValueError, OverflowError, TypeError):
        converted = from_excel(value)
        if isinstance(converted, dt.datetime):
            converted = converted.date()
        first, last = _SERIAL_YEARS
        if isinstance(converted, dt.date) and first <= converted.year <= last:
            return converted.isoformat()
    return None


def day_month_dates(texts: list[str]) -> dict[str, str]:
    """The dates of one column written day and month in either order, as YYYY-MM-DD.

    The column decides the order: day first (as French, Spanish and British settings write
    dates) unless some date can only be month first (3/20/2024) and none only day first. A
    column with both kinds is left as written, for the report to name each date with what it
    would be read as.

    >>> day_month_dates(["02/03/2024", "20/03/2024"])
    {'02/03/2024': '2024-03-02', '20/03/2024': '2024-03-20'}
    >>> day_month_dates(["02/03/2024", "03/20/2024"])["02/03/2024"]
    '2024-02-03'
    """
    found = {t: m for t in texts if (m := _DAY_MONTH.match(t.strip()))}
    day_first = any(int(m.group(1)) > 12 for m in found.values())
    month_first = any(int(m.group(2)) > 12 for m in found.values())
    if day_first and month_first:
        return {}
    out: dict[str, str] = {}
    for text, match in found.items():
        first, second, year = (int(g) for g in match.groups())
        day, month = (second, first) if month_first else (first, second)
        with contextlib.suppress(ValueError):
            out[text] = dt.date(year, month, day).isoformat()
    return out


def date_suggestion(text: str) -> str | None:
    """What a date written day first would be as YYYY-MM-DD, for a message.

    A two-digit year is taken as 20YY; None when the text is no such date.

    >>> date_suggestion("20/03/24"), date_suggestion("2024")
    ('2024-03-20', None)
    """
    value = text.strip()
    match = _DAY_MONTH.match(value) or _DAY_MONTH_SHORT.match(value)
    if match is None:
        return None
    first, second, year = (int(g) for g in match.groups())
    year += 2000 if year < 100 else 0
    for day, month in ((first, second), (second, first)):
        with contextlib.suppress(ValueError):
            return dt.date(year, month, day).isoformat()
    return None


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
    found = _capability_labels().get(_key(text))
    return found if found is not None else _capability_folded().get(_folded(text))


def year_text(text: str) -> str:
    """A year as typed into a number cell (``2024.0``) as its four digits."""
    return _YEAR.sub(r"\1", text)
