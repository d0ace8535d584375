"""A deterministic, illustrative dataset of country submissions, for tests and benchmarks.

Countries get ISO 3166 user-assigned codes only: XA..XZ, then XAA..XZZ (alpha-3). Every value is
drawn from a seeded random generator, so the same arguments give the same file. The capabilities
and phases are read from the shipped framework, never listed here.

>>> country_codes(28)[-3:]
['XZ', 'XAA', 'XAB']
>>> text = dataset_turtle(countries=1, years=1, seed=1)
>>> text.count("a mnr:Assessment") >= 20
True
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from functools import cache

from rdflib import URIRef
from tqdm import tqdm

from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import MNR, PREFIXES, RDF, SKOS

__all__ = ["country_codes", "dataset_turtle", "submission_file", "submission_turtle"]

#: The last reporting year of a generated dataset (in the past, so that dates validate).
END_YEAR = 2024
_EVIDENCE = (
    "The national plan gives this capability to a lead ministry with a yearly budget line.",
    "An inter-agency working group reviewed progress and published a summary this year.",
    "Training for frontline staff started in two regions and is being extended.",
    "A draft policy is under consultation with civil society organisations.",
    "Data collection began this year; the first results are expected in the next report.",
    "A coordinating office was set up and meets every quarter with the sectors concerned.",
)
_PREFIX_NAMES = ("mnr", "mnrid", "data", "dcterms", "xsd", "qb", "prov")


def country_codes(count: int) -> list[str]:
    """The first ``count`` user-assigned codes: XA..XZ, then XAA..XZZ (702 in all)."""
    letters = string.ascii_uppercase
    codes = [f"X{a}" for a in letters] + [f"X{a}{b}" for a in letters for b in letters]
    if not 0 < count <= len(codes):
        raise InputError(f"--countries must be between 1 and {len(codes)}")
    return codes[:count]


@cache
def _framework() -> tuple[list[str], list[str]]:
    """The notations of the capabilities and of the maturity phases, from the shipped graph."""
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()

    def notations(cls: URIRef) -> list[str]:
        return sorted(str(graph.value(s, SKOS.notation)) for s in graph.subjects(RDF.type, cls))

    return notations(MNR.Capability), notations(MNR.MaturityPhase)


def _prefixes() -> str:
    return "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in _PREFIX_NAMES) + "\n"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def submission_turtle(code: str, year: int, rng: random.Random) -> str:
    """One country's submission for one year, as Turtle statements (without prefixes)."""
    capabilities, phases = _framework()
    submission = f"data:submission/{code}/{year}/v1"
    lines = [
        f"{_iri(f'data:country/{code}')} a mnr:Country ; mnr:countryCode {_literal(code)} .",
        f"{_iri(submission)} a mnr:Submission , qb:DataSet ;",
        f"    mnr:country {_iri(f'data:country/{code}')} ;",
        f'    mnr:reportingYear "{year}"^^xsd:gYear ;',
        f'    dcterms:created "{year + 1}-01-{rng.randint(10, 28)}"^^xsd:date ;',
        "    qb:structure mnrid:indicator-structure .",
    ]
    # now and then a capability the country has nothing on: a 'no data' row (every capability
    # has a row: a submission without one is refused, S09)
    unknown = capabilities[rng.randrange(len(capabilities))] if rng.random() < 0.02 else None
    for notation in capabilities:
        node = _iri(f"{submission}/{notation}")
        lines.append(f"{_iri(submission)} mnr:hasAssessment {node} .")
        body = [f"{node} a mnr:Assessment ;", f"    mnr:assessedCapability mnrid:{notation} ;"]
        if notation == unknown:
            body.append("    mnr:implementationStatus mnrid:status-no-data .")
            lines.extend(body)
            continue
        if rng.random() < 0.05:
            body.append("    mnr:implementationStatus mnrid:status-no-data ;")
        else:
            body.append(f"    mnr:maturityPhase mnrid:{rng.choice(phases)} ;")
            evidence = _literal(rng.choice(_EVIDENCE))
            body.append(f"    mnr:evidence {evidence}@en ;")
            source = _iri(f"{submission}/{notation}/source")
            body.append(f"    mnr:hasSourceDocument {source} ;")
            lines.append(
                f"{source} a mnr:SourceDocument ; dcterms:title "
                f'"Annual report {year}, capability {notation}" ; '
                f'mnr:url "https://example.org/{code}/{year}/{notation}.pdf"^^xsd:anyURI ; '
                f'dcterms:date "{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"'
                "^^xsd:date ."
            )
        assessor = "self-assessment" if rng.random() < 0.8 else "external-review"
        body.append(f"    mnr:assessorType mnrid:{assessor} .")
        lines.extend(body)
    for index in range(2):
        obs = _iri(f"{submission}/observation/{index + 1}")
        source = _iri(f"{submission}/observation/{index + 1}/source")
        lines.append(f"{_iri(submission)} mnr:hasObservation {obs} .")
        lines.append(
            f"{obs} a mnr:IndicatorObservation ; qb:dataSet {_iri(submission)} ; "
            f'mnr:indicator "{index + 1}.{rng.randint(1, 4)}.{rng.randint(1, 3)}" ; '
            f"mnr:refArea {_iri(f'data:country/{code}')} ; "
            f'mnr:refYear "{year}"^^xsd:gYear ; '
            f'mnr:observedValue "{rng.randint(0, 1000) / 10}"^^xsd:decimal ; '
            f'mnr:unit "score out of 100" ; mnr:hasSourceDocument {source} .'
        )
        lines.append(
            f'{source} a mnr:SourceDocument ; dcterms:title "Illustrative index {year}" ; '
            f'dcterms:date "{year}-06-30"^^xsd:date .'
        )
    return "\n".join(lines) + "\n"


def _iri(prefixed: str) -> str:
    return "<" + PREFIXES["data"] + prefixed.removeprefix("data:") + ">"


def _submissions(countries: int, years: int, seed: int, progress: bool) -> Iterator[str]:
    codes = country_codes(countries)
    if not 0 < years <= 50:
        raise InputError("--years must be between 1 and 50")
    rng = random.Random(seed)  # noqa: S311 - illustrative data, not security
    pairs = [(code, year) for code in codes for year in range(END_YEAR - years + 1, END_YEAR + 1)]
    for code, year in tqdm(pairs, disable=not progress, unit="submission", desc="generate"):
        yield submission_turtle(code, year, rng)


def dataset_turtle(*, countries: int, years: int, seed: int = 0, progress: bool = False) -> str:
    """The Turtle text of ``countries`` x ``years`` submissions (years up to :data:`END_YEAR`)."""
    return _prefixes() + "\n".join(_submissions(countries, years, seed, progress))


def submission_file(code: str, year: int, rng: random.Random) -> str:
    """One country's submission for one year as a Turtle file of its own (to submit it)."""
    return _prefixes() + submission_turtle(code, year, rng)
