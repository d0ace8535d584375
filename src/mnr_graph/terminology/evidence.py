r"""The evidence behind the vocabulary's usage bands, and the review status it gives each label.

``ontology/evidence.csv`` has one row per fact about a term label: the band, legal-context flag,
alternatives and edition that a source supports (a row may state none of them and only record,
in ``paraphrase``, what a source says that bears on the term), the source (an IRI local name under
``https://w3id.org/mnr-graph/source/``, described in ``ontology/sources.ttl``, or ``project`` for
the project's own reading), where in the source (``locator``) and a one-line paraphrase in our
words. The rows decide each label's review status:

- no named source speaks to the label's band: ``unchecked`` (the band is the project's reading);
- named sources give different bands: ``contested``, with every one of them as a source;
- named sources agree, and each is a page of an edition of the guidelines (the edition's source
  with a ``locator``): ``primary-text``;
- otherwise: ``secondary-source``, with the named sources.

``ontology/review.ttl`` holds those statuses as RDF (``mnr:reviewStatus`` and ``mnr:reviewSource``
on each label) and is generated from the CSV: ``python -m mnr_graph.terminology.evidence --write``;
``--check`` says whether it is current.

>>> rows = parse_evidence(
...     "label,band,legal_context_only,use_instead,edition,source,locator,paraphrase\n"
...     "en-x,avoid,false,y,,interpol-terminology,,INTERPOL says avoid.\n"
...     "en-x,caution,false,y,,nspcc-sextortion-2025,,NSPCC says take care.\n")
>>> review = label_reviews(rows)["en-x"]
>>> (review.status, review.band, review.sources)
('contested', 'avoid', ('interpol-terminology', 'nspcc-sextortion-2025'))
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError

__all__ = [
    "BAND_ORDER",
    "COLUMNS",
    "EDITION_SOURCES",
    "PROJECT",
    "EvidenceRow",
    "LabelReview",
    "label_reviews",
    "load_evidence",
    "main",
    "page_source",
    "parse_evidence",
    "review_turtle",
]

#: The columns of ``ontology/evidence.csv``, in order.
COLUMNS = (
    "label",
    "band",
    "legal_context_only",
    "use_instead",
    "edition",
    "source",
    "locator",
    "paraphrase",
)
#: The ``source`` value of a row that records the project's own reading.
PROJECT = "project"
#: The usage bands from least to most careful (their ``skos:notation`` values).
BAND_ORDER = {"use": 0, "caution": 1, "avoid": 2}
#: The sources that are editions of the guidelines themselves: a row citing one of them with a
#: page (``locator``) is a check against the primary text. A test checks them against the
#: ``dcterms:source`` of the ``mnr:Edition`` individuals.
EDITION_SOURCES = {
    "LG-2016": "luxembourg-guidelines-2016",
    "LG-2025": "terminology-guidelines-2025",
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LABEL_ID = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]+)+$")


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One fact about a label and the source that supports it (a row of the CSV)."""

    label: str
    band: str | None
    legal_context_only: bool | None
    use_instead: tuple[str, ...]
    editions: tuple[str, ...]
    source: str
    locator: str
    paraphrase: str
    line: int

    @property
    def named(self) -> bool:
        """True when the row cites a source rather than the project's own reading."""
        return self.source != PROJECT

    @property
    def primary(self) -> bool:
        """True when the row cites a page of an edition of the guidelines."""
        return self.source in EDITION_SOURCES.values() and bool(self.locator)


@dataclass(frozen=True, slots=True)
class LabelReview:
    """What the evidence says about one label: its status, band and the sources behind them."""

    label: str
    status: str  # "primary-text", "secondary-source", "contested" or "unchecked"
    band: str | None  # the most careful band of the named sources, else the project's
    sources: tuple[str, ...]  # source local names; a page of an edition is page_source(row)


def _cell(row: dict[str, str | None], column: str) -> str:
    return (row.get(column) or "").strip()


def parse_evidence(text: str, *, where: str = "ontology/evidence.csv") -> tuple[EvidenceRow, ...]:
    r"""The rows of an evidence table, or an :class:`InputError` naming the line that is wrong.

    >>> parse_evidence("label,band\n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: ontology/evidence.csv: line 1: the columns must be ...
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InputError(f"line 1: the columns must be {', '.join(COLUMNS)}", where=where)
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise InputError(f"line {number}: more cells than columns", where=where)
        rows.append(_row(row, number, where))
    return tuple(rows)


def _row(row: dict[str, str | None], number: int, where: str) -> EvidenceRow:
    def fail(message: str) -> InputError:
        return InputError(f"line {number}: {message}", where=where)

    label = _cell(row, "label")
    if not _LABEL_ID.match(label):
        raise fail(f"label {label!r} is not a label IRI local name such as 'en-child'")
    band = _cell(row, "band") or None
    if band is not None and band not in BAND_ORDER:
        raise fail(f"band {band!r} is not one of {', '.join(BAND_ORDER)}")
    legal_text = _cell(row, "legal_context_only")
    if legal_text not in ("", "true", "false"):
        raise fail(f"legal_context_only {legal_text!r} is not true, false or empty")
    use_instead = tuple(u for u in _cell(row, "use_instead").split("|") if u)
    editions = tuple(e for e in _cell(row, "edition").split("|") if e)
    for value in (*use_instead,):
        if not _SLUG.match(value):
            raise fail(f"use_instead {value!r} is not a concept IRI local name")
    for edition in editions:
        if edition not in EDITION_SOURCES:
            raise fail(f"edition {edition!r} is not one of {', '.join(EDITION_SOURCES)}")
    source = _cell(row, "source")
    if not _SLUG.match(source):
        raise fail(f"source {source!r} is not a source IRI local name or {PROJECT!r}")
    locator = _cell(row, "locator")
    if source in EDITION_SOURCES.values() and not locator:
        raise fail(f"a row citing the guidelines' own text ({source}) needs the page (locator)")
    paraphrase = _cell(row, "paraphrase")
    if not paraphrase:
        raise fail("the paraphrase is empty: say in our own words what the source says")
    return EvidenceRow(
        label=label,
        band=band,
        legal_context_only=None if legal_text == "" else legal_text == "true",
        use_instead=use_instead,
        editions=editions,
        source=source,
        locator=locator,
        paraphrase=paraphrase,
        line=number,
    )


@cache
def load_evidence() -> tuple[EvidenceRow, ...]:
    """The shipped evidence table, read once per process."""
    return parse_evidence(resources.read_text("ontology", "evidence.csv"))


def page_source(row: EvidenceRow) -> str:
    """The local name of the resource standing for the cited page of an edition.

    >>> row = EvidenceRow("en-x", "use", None, (), (), "luxembourg-guidelines-2016", "p. 23",
    ...                   "...", 2)
    >>> page_source(row)
    'luxembourg-guidelines-2016-p-23'
    """
    locator = re.sub(r"[^a-z0-9]+", "-", row.locator.casefold()).strip("-")
    return f"{row.source}-{locator}"


def label_reviews(rows: Iterable[EvidenceRow]) -> dict[str, LabelReview]:
    """Each label's review, from the rows that give it a band (see the module's rules)."""
    by_label: dict[str, list[EvidenceRow]] = {}
    for row in rows:
        by_label.setdefault(row.label, []).append(row)
    out = {}
    for label, label_rows in by_label.items():
        banded = [r for r in label_rows if r.band is not None]
        named = [r for r in banded if r.named]
        sources = tuple(dict.fromkeys(page_source(r) if r.primary else r.source for r in named))
        if not named:
            project = [r.band for r in banded if r.band is not None]
            band = max(project, key=BAND_ORDER.__getitem__) if project else None
            out[label] = LabelReview(label, "unchecked", band, ())
            continue
        bands = {r.band for r in named if r.band is not None}
        band = max(bands, key=BAND_ORDER.__getitem__)
        if len(bands) > 1:
            status = "contested"
        elif all(r.primary for r in named):
            status = "primary-text"
        else:
            status = "secondary-source"
        out[label] = LabelReview(label, status, band, sources)
    return out


_HEADER = """\
# GENERATED from ontology/evidence.csv by `python -m mnr_graph.terminology.evidence --write`;
# do not edit. The review status of every term label and the sources it rests on (see
# src/mnr_graph/terminology/evidence.py for the rules). A page of an edition of the guidelines
# appears as its own resource.

@prefix mnr:     <https://w3id.org/mnr-graph/def/> .
@prefix mnrid:   <https://w3id.org/mnr-graph/id/> .
@prefix label:   <https://w3id.org/mnr-graph/label/> .
@prefix source:  <https://w3id.org/mnr-graph/source/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix bibo:    <http://purl.org/ontology/bibo/> .
"""


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def review_turtle(rows: Sequence[EvidenceRow]) -> str:
    """``ontology/review.ttl`` for these rows: deterministic, one block per label."""
    blocks = [_HEADER]
    pages = {page_source(r): r for r in rows if r.primary}
    for key, row in sorted(pages.items()):
        blocks.append(
            f"source:{key} a dcterms:BibliographicResource ;\n"
            f"    dcterms:isPartOf source:{row.source} ;\n"
            f"    bibo:pages {_literal(row.locator)} ."
        )
    for label, review in sorted(label_reviews(rows).items()):
        lines = [f"label:{label} mnr:reviewStatus mnrid:review-{review.status}"]
        if review.sources:
            lines.append(
                "    mnr:reviewSource " + " , ".join(f"source:{s}" for s in review.sources)
            )
        blocks.append(" ;\n".join(lines) + " .")
    return "\n\n".join(block.strip() for block in blocks) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mnr_graph.terminology.evidence [--write | --check]``.

    Regenerate or check review.ttl.
    """
    parser = argparse.ArgumentParser(
        prog="python -m mnr_graph.terminology.evidence",
        description="Generate ontology/review.ttl from ontology/evidence.csv.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write ontology/review.ttl")
    mode.add_argument("--check", action="store_true", help="fail if review.ttl is out of date")
    args = parser.parse_args(argv)
    try:
        text = review_turtle(parse_evidence(resources.read_text("ontology", "evidence.csv")))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    target = resources.path("ontology", "review.ttl")
    if args.write:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
        return 0
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is out of date: run python -m mnr_graph.terminology.evidence --write")
            return 1
        print(f"{target} is up to date")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover - the command line entry point
    sys.exit(main())
