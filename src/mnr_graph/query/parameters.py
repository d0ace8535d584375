"""The types of a named query's parameters: how a value is checked, bound and found in the store.

A value that does not have the type's form is an :class:`~mnr_graph.core.errors.InputError`
(400); a well-formed identifier that names nothing here (a capability C22, a country with no
submission) is a :class:`~mnr_graph.core.errors.NotFoundError` (404), found by one query of the
store (:meth:`mnr_graph.query.named.NamedQuery.existence_query`).

>>> parse_value("capability", "7")
<NamedNode value=https://w3id.org/mnr-graph/id/C07>
>>> parse_value("language", "fr-CA")
<Literal value=fr-ca datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import BASE, DATA, DEMO, MNR, MNRID, SKOS, TERM, XSD
from mnr_graph.framework.countries import country_iri, lookup_country

__all__ = ["PARAMETER_TYPES", "ParameterType", "parse_value"]


@dataclass(frozen=True)
class ParameterType:
    """A kind of parameter value: how to check it, turn it into an RDF term, and test it exists.

    A value that does not have the type's form is an :class:`InputError` (400); a well-formed
    identifier that names nothing (a capability C22, a country with no submission) is a
    :class:`NotFoundError` (404).
    """

    name: str
    description: str
    pattern: str
    convert: Callable[[re.Match[str]], ox.NamedNode | ox.Literal]
    #: A graph pattern that matches when the (bound) ``?value`` exists in the store.
    exists: str | None = None
    json_type: str = "string"
    #: Further terms the value may stand for, tried in order when the first is not in the store
    #: (a country code: the user's data first, then the demo).
    alternatives: Callable[[ox.NamedNode | ox.Literal], list[ox.NamedNode]] | None = None
    #: What a value the store does not hold is told (``{raw}``: the value as given).
    missing: str = "unknown {type} {raw!r}"

    def parse(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a raw text value, or :class:`InputError` saying what was expected."""
        match = re.fullmatch(self.pattern, raw.strip())
        if match is None:
            raise InputError(f"{raw!r} is not a valid {self.name}: expected {self.description}")
        return self.convert(match)

    def candidates(self, term: ox.NamedNode | ox.Literal) -> list[ox.NamedNode | ox.Literal]:
        """The term and its alternatives, in the order they are tried."""
        return [term, *(self.alternatives(term) if self.alternatives else [])]


def _notation(prefix: str) -> Callable[[re.Match[str]], ox.NamedNode]:
    def convert(match: re.Match[str]) -> ox.NamedNode:
        return ox.NamedNode(str(MNRID[f"{prefix}{int(match.group(1)):02d}"]))

    return convert


_COUNTRY_IRI = re.escape(BASE) + r"(data|demo)/country/"


def _country(match: re.Match[str]) -> ox.NamedNode:
    """A country code, name or IRI as the IRI of the country's key (FRA -> .../country/FR)."""
    space, code, text = match.group(1), match.group(2), match.group(3)
    country = lookup_country(code if code is not None else text)
    iri = country_iri(country.code)
    return ox.NamedNode(iri.replace("/data/", "/demo/", 1) if space == "demo" else iri)


def _demo_country(term: ox.NamedNode | ox.Literal) -> list[ox.NamedNode]:
    """A country of the user's data also stands for the demo's country of the same code."""
    data = str(DATA) + "country/"
    if isinstance(term, ox.NamedNode) and term.value.startswith(data):
        return [ox.NamedNode(str(DEMO) + "country/" + term.value[len(data) :])]
    return []


#: A country has data when it has a current submission (one the registry has not superseded or
#: withdrawn).
_HAS_SUBMISSION = (
    f"?submission a <{MNR.Submission}> ; <{MNR.country}> ?value . "
    f"FILTER NOT EXISTS {{ ?submission <{MNR.isCurrent}> false }}"
)


_IRI_PATTERN = r"https?://[^\s<>\"{}|\\^`]+"

#: The parameter types a query header may use, by name.
PARAMETER_TYPES: dict[str, ParameterType] = {
    t.name: t
    for t in (
        ParameterType(
            "iri", "an absolute http(s) IRI", _IRI_PATTERN, lambda m: ox.NamedNode(m.group(0))
        ),
        ParameterType(
            "string",
            "a text of 1 to 200 characters",
            r"(?s).{1,200}",
            lambda m: ox.Literal(m.group(0)),
        ),
        ParameterType(
            "integer",
            "a whole number",
            r"[+-]?\d{1,9}",
            lambda m: ox.Literal(str(int(m.group(0))), datatype=ox.NamedNode(str(XSD.integer))),
            json_type="integer",
        ),
        ParameterType(
            "boolean",
            "true or false (also yes, no, 1, 0)",
            r"(?i)(true|yes|1)|false|no|0",
            lambda m: ox.Literal(
                "true" if m.group(1) else "false", datatype=ox.NamedNode(str(XSD.boolean))
            ),
            json_type="boolean",
        ),
        ParameterType(
            "year",
            "a four-digit year such as 2024",
            r"\d{4}",
            lambda m: ox.Literal(m.group(0), datatype=ox.NamedNode(str(XSD.gYear))),
        ),
        ParameterType(
            "language",
            "a language tag such as en, fr or es",
            r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*",
            lambda m: ox.Literal(m.group(0).lower()),
        ),
        ParameterType(
            "capability",
            "a capability notation such as C07 (or its number, 7)",
            r"(?i)C?(\d{1,2})",
            _notation("C"),
            f"?value a <{MNR.Capability}>",
        ),
        ParameterType(
            "domain",
            "a domain notation such as D02 (or its number, 2)",
            r"(?i)D?(\d{1,2})",
            _notation("D"),
            f"?value a <{MNR.Domain}>",
        ),
        ParameterType(
            "phase",
            "a maturity phase notation such as P02 (or its number, 2)",
            r"(?i)P?(\d{1,2})",
            _notation("P"),
            f"?value a <{MNR.MaturityPhase}>",
        ),
        ParameterType(
            "band",
            "a usage band notation (use, caution or avoid)",
            r"(?i)([a-z]+)",
            lambda m: ox.NamedNode(str(MNRID[f"band-{m.group(1).lower()}"])),
            f"?label <{MNR.usageBand}> ?value",
        ),
        ParameterType(
            "country",
            "a country: an ISO 3166-1 code (alpha-2 FR, alpha-3 FRA or numeric 250; "
            "user-assigned XA or XAB), its English name, or its IRI",
            _COUNTRY_IRI + r"([^/\s]{1,100})|(.{1,100})",
            _country,
            _HAS_SUBMISSION,
            alternatives=_demo_country,
            missing="country {raw!r} has no current submission here",
        ),
        ParameterType(
            "term",
            "a term identifier such as child-sexual-abuse-material",
            r"([a-z0-9]+(?:-[a-z0-9]+)*)",
            lambda m: ox.NamedNode(str(TERM[m.group(1)])),
            f"?value a <{SKOS.Concept}>",
        ),
    )
}


def parse_value(type_name: str, raw: str) -> ox.NamedNode | ox.Literal:
    """Check a raw parameter value of the named type and return its RDF term."""
    try:
        kind = PARAMETER_TYPES[type_name]
    except KeyError:
        raise InputError(f"unknown parameter type {type_name!r}") from None
    return kind.parse(raw)
