"""The evidence table (``ontology/evidence.csv``) and the review statuses generated from it.

Every case is found in the data: every label of the shipped vocabulary, every row of the table,
every edition a concept claims. A label's band and flags must rest on a row; a row must name a
label, a source and concepts that exist; ``ontology/review.ttl`` must be what the table gives.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import (
    DCTERMS,
    LABEL,
    MNR,
    MNRID,
    OWL,
    RDF,
    SKOS,
    SKOSXL,
    SOURCE,
    TERM,
)
from mnr_graph.terminology import evidence
from mnr_graph.terminology.evidence import (
    BAND_ORDER,
    EDITION_SOURCES,
    PROJECT,
    EvidenceRow,
    label_reviews,
    load_evidence,
    parse_evidence,
    review_turtle,
)
from mnr_graph.terminology.model import TermLabel
from mnr_graph.terminology.vocabulary import load_vocabulary

ROWS = load_evidence()
LABELS = load_vocabulary().labels
HEADER = ",".join(evidence.COLUMNS) + "\n"


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _rows_of(label: TermLabel) -> list[EvidenceRow]:
    return [row for row in ROWS if row.label == _local(label.iri)]


# --- every label has its evidence -----------------------------------------------------------


@pytest.mark.parametrize("label", LABELS, ids=lambda lab: f"{lab.lang}:{lab.text}")
def test_every_label_has_a_row_for_its_band_and_flags(label: TermLabel) -> None:
    """The label's band is the most careful band its named sources give.

    With none, it is the project's reading, recorded as such; its legal-context flag and each
    alternative appear in a row.
    """
    rows = _rows_of(label)
    assert rows, f"{label.text}@{label.lang}: no row in ontology/evidence.csv"
    review = label_reviews(rows)[_local(label.iri)]
    assert review.band == label.band, (label.text, review)
    assert any(r.legal_context_only is label.legal_context_only for r in rows), label.text
    for target in label.use_instead:
        assert any(_local(target) in r.use_instead for r in rows), (label.text, target)


@pytest.mark.parametrize("label", LABELS, ids=lambda lab: f"{lab.lang}:{lab.text}")
def test_every_label_shows_the_status_the_evidence_gives(label: TermLabel) -> None:
    review = label_reviews(_rows_of(label))[_local(label.iri)]
    assert label.review_status == str(MNRID[f"review-{review.status}"]), label.text
    assert tuple(_local(s) for s in label.review_sources) == review.sources, label.text


def test_every_row_names_a_label_sources_and_concepts_that_exist(shipped_graph: Graph) -> None:
    g = shipped_graph
    problems = []
    for row in ROWS:
        where = f"line {row.line} ({row.label})"
        if (LABEL[row.label], SKOSXL.literalForm, None) not in g:
            problems.append(f"{where}: no label {row.label}")
        if (
            row.source != PROJECT
            and (
                SOURCE[row.source],
                RDF.type,
                DCTERMS.BibliographicResource,
            )
            not in g
        ):
            problems.append(f"{where}: source {row.source} is not described in ontology/")
        for concept in row.use_instead:
            if (TERM[concept], SKOS.inScheme, TERM.vocabulary) not in g:
                problems.append(f"{where}: use_instead {concept} is not a vocabulary concept")
    assert not problems, "\n".join(problems)


def test_every_source_of_the_table_has_a_title_and_an_address(shipped_graph: Graph) -> None:
    g = shipped_graph
    for source in {row.source for row in ROWS if row.named}:
        iri = SOURCE[source]
        assert g.value(iri, DCTERMS.title) is not None, source
        assert g.value(iri, DCTERMS.publisher) is not None, source


def test_project_rows_say_they_are_the_projects_reading() -> None:
    for row in ROWS:
        if not row.named:
            assert row.paraphrase.startswith("Project's reading"), row.line


def test_edition_claims_rest_on_a_named_source(shipped_graph: Graph) -> None:
    """A concept is in an edition of the guidelines only where a source read says so."""
    g = shipped_graph
    said: dict[str, set[str]] = defaultdict(set)
    owner = {
        _local(str(label)): _local(str(concept))
        for concept in g.subjects(SKOS.inScheme, TERM.vocabulary)
        for prop in (SKOSXL.prefLabel, SKOSXL.altLabel, SKOSXL.hiddenLabel)
        for label in g.objects(concept, prop)
    }
    for row in ROWS:
        if row.named:
            said[owner[row.label]].update(row.editions)
    claimed = {
        _local(str(concept)): {_local(str(e)) for e in g.objects(concept, MNR.edition)}
        for concept in g.subjects(SKOS.inScheme, TERM.vocabulary)
    }
    assert claimed == {concept: said.get(concept, set()) for concept in claimed}


def test_edition_sources_are_the_editions_own(shipped_graph: Graph) -> None:
    for edition, source in EDITION_SOURCES.items():
        assert (MNRID[edition], RDF.type, MNR.Edition) in shipped_graph
        assert (MNRID[edition], DCTERMS.source, SOURCE[source]) in shipped_graph


def test_review_ttl_is_generated_from_the_table() -> None:
    """``ontology/review.ttl`` is generated from the table.

    It is what ``python -m mnr_graph.terminology.evidence --write`` writes.
    """
    shipped = resources.read_text("ontology", "review.ttl")
    assert shipped == review_turtle(ROWS), "run: python -m mnr_graph.terminology.evidence --write"
    assert evidence.main(["--check"]) == 0


def test_sources_that_disagree_make_the_label_contested_and_strict() -> None:
    contested = [label for label in LABELS if label.review_status == str(MNRID["review-contested"])]
    assert contested, "the table records disagreements"
    for label in contested:
        bands = {r.band for r in _rows_of(label) if r.named and r.band}
        assert len(bands) > 1, label.text
        assert label.band == max(bands, key=BAND_ORDER.__getitem__), label.text
        assert len(label.review_sources) >= 2, label.text


# --- the rules on small tables ----------------------------------------------------------------


def _table(*lines: str) -> tuple[EvidenceRow, ...]:
    return parse_evidence(HEADER + "".join(line + "\n" for line in lines))


def test_a_label_with_only_the_projects_reading_is_unchecked() -> None:
    rows = _table("en-x,caution,false,,,project,,Project's reading: to be used with care.")
    review = label_reviews(rows)["en-x"]
    assert (review.status, review.band, review.sources) == ("unchecked", "caution", ())


def test_agreeing_secondary_sources_give_a_secondary_status() -> None:
    rows = _table(
        "en-x,avoid,false,y,,interpol-terminology,,INTERPOL says avoid.",
        "en-x,avoid,,,,napac-2016-report,,NAPAC says avoid.",
        "en-x,use,false,,,project,,Project's reading (overruled by the sources).",
    )
    review = label_reviews(rows)["en-x"]
    assert review.status == "secondary-source"
    assert review.band == "avoid"
    assert review.sources == ("interpol-terminology", "napac-2016-report")


def test_a_page_of_an_edition_gives_the_primary_text_status() -> None:
    rows = _table("en-x,use,false,,LG-2016,luxembourg-guidelines-2016,p. 23,The text says use.")
    review = label_reviews(rows)["en-x"]
    assert review.status == "primary-text"
    assert review.sources == ("luxembourg-guidelines-2016-p-23",)
    turtle = review_turtle(rows)
    assert "source:luxembourg-guidelines-2016-p-23 a dcterms:BibliographicResource" in turtle
    assert 'bibo:pages "p. 23"' in turtle


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("EN-X,use,,,,project,,Reading.", "line 2: label 'EN-X' is not a label IRI local name"),
        ("en-x,maybe,,,,project,,Reading.", "line 2: band 'maybe' is not one of use, caution"),
        ("en-x,use,yes,,,project,,Reading.", "line 2: legal_context_only 'yes' is not true"),
        ("en-x,use,,,LG-2030,project,,Reading.", "line 2: edition 'LG-2030' is not one of"),
        ("en-x,use,,,,Some Site,,Reading.", "line 2: source 'Some Site' is not a source IRI"),
        ("en-x,use,,,,project,,", "line 2: the paraphrase is empty"),
        (
            "en-x,use,,,,luxembourg-guidelines-2016,,The text says so.",
            "line 2: a row citing the guidelines' own text (luxembourg-guidelines-2016) needs",
        ),
        ("en-x,use,,,,project,,Reading.,extra", "line 2: more cells than columns"),
    ],
)
def test_a_wrong_row_is_an_input_error_naming_its_line(line: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        _table(line)
    assert message in str(caught.value)
    assert str(caught.value).startswith("ontology/evidence.csv: ")


def test_wrong_columns_are_an_input_error() -> None:
    with pytest.raises(InputError, match="line 1: the columns must be label, band"):
        parse_evidence("label,band,source\nen-x,use,project\n")


# --- the check query on broken graphs -----------------------------------------------------------

CHECK = resources.read_text("sparql", "check-review-basis.rq")


def _check(extra: str) -> list[str]:
    store = ox.Store()
    for file in resources.files("ontology", "*.ttl"):
        store.load(path=file, format=ox.RdfFormat.TURTLE)
    store.load(
        (
            "@prefix mnr: <https://w3id.org/mnr-graph/def/> .\n"
            "@prefix mnrid: <https://w3id.org/mnr-graph/id/> .\n"
            "@prefix label: <https://w3id.org/mnr-graph/label/> .\n"
            "@prefix source: <https://w3id.org/mnr-graph/source/> .\n"
            "@prefix dcterms: <http://purl.org/dc/terms/> .\n" + extra
        ).encode(),
        format=ox.RdfFormat.TURTLE,
    )
    result = store.query(CHECK)
    assert isinstance(result, ox.QuerySolutions)
    return [f"{row['focus'].value} {row['detail'].value}" for row in result]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "label:test-x mnr:reviewStatus mnrid:review-primary-text ;"
            " mnr:reviewSource source:luxembourg-guidelines-2016 .",
            "no mnr:reviewSource is a page (bibo:pages) of an edition's source",
        ),
        (
            "label:test-x mnr:reviewStatus mnrid:review-secondary-source .",
            "checked against a secondary source, but names none",
        ),
        (
            "label:test-x mnr:reviewStatus mnrid:review-contested ;"
            " mnr:reviewSource source:interpol-terminology .",
            "sources disagree, but fewer than two are named",
        ),
        (
            "label:test-x mnr:reviewStatus mnrid:review-unchecked ;"
            " mnr:reviewSource source:interpol-terminology .",
            "not yet checked, yet it names the review source",
        ),
        (
            "label:test-x mnr:reviewStatus mnrid:review-secondary-source ;"
            " mnr:reviewSource source:a-blog-nobody-described .",
            "is not a dcterms:BibliographicResource",
        ),
        ("label:test-x mnr:reviewStatus mnrid:review-confirmed .", "uses the withdrawn"),
    ],
)
def test_check_review_basis_reports_each_missing_basis(extra: str, expected: str) -> None:
    rows = _check(extra)
    assert any(r.startswith(str(LABEL["test-x"])) and expected in r for r in rows), rows


def test_check_review_basis_accepts_a_cited_page_of_an_edition() -> None:
    rows = _check(
        "@prefix bibo: <http://purl.org/ontology/bibo/> .\n"
        "source:lg-p23 a dcterms:BibliographicResource ;"
        ' dcterms:isPartOf source:luxembourg-guidelines-2016 ; bibo:pages "23" .\n'
        "label:test-x mnr:reviewStatus mnrid:review-primary-text ; mnr:reviewSource source:lg-p23 ."
    )
    assert rows == []


def test_withdrawn_status_stays_published(shipped_graph: Graph) -> None:
    """``review-confirmed`` is a published IRI: it stays, deprecated, pointing to its successors."""
    confirmed = URIRef(str(MNRID["review-confirmed"]))
    assert (confirmed, OWL.deprecated, Literal(True)) in shipped_graph
    assert set(shipped_graph.objects(confirmed, DCTERMS.isReplacedBy)) == {
        MNRID["review-primary-text"],
        MNRID["review-secondary-source"],
    }
