"""Term look-up and listing: on a small fixture vocabulary, and generated from the shipped one."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from mnr_graph.cli import main
from mnr_graph.core.errors import InputError
from mnr_graph.terminology import model
from mnr_graph.terminology.inflection import label_variants
from mnr_graph.terminology.model import TermLabel
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary, terms_to_csv

DATA = Path(__file__).parent / "data" / "terminology"
TERM = "https://w3id.org/mnr-graph/term/"
MATCH_KEYS = {
    "label",
    "lang",
    "band",
    "legal_context_only",
    "concept",
    "preferred",
    "use_instead",
    "definition",
    "sources",
    "review_status",
    "review",
}


@pytest.fixture(scope="module")
def fixture_vocabulary() -> Vocabulary:
    return Vocabulary.from_files([DATA / "fixture-vocabulary.ttl"])


# --- the fixture: exact behaviour ------------------------------------------------------------


def test_reads_only_concepts_of_the_scheme(fixture_vocabulary: Vocabulary) -> None:
    assert set(fixture_vocabulary.concepts) == {TERM + "child", TERM + "csam", TERM + "sectt"}
    assert all(label.text != "stray concept" for label in fixture_vocabulary.labels)


@pytest.mark.parametrize(
    "query",
    [
        "child pornography",
        "Child Pornography",
        "CHILD-PORNOGRAPHY",
        "child  pornographies",
        "childpornography",
        " child\npornography ",
    ],
)
def test_lookup_ignores_case_hyphens_spaces_and_number(
    fixture_vocabulary: Vocabulary, query: str
) -> None:
    match = fixture_vocabulary.lookup(query).matches[0].to_json()
    assert match["label"] == "child pornography"
    assert match["band"] == "avoid"
    assert match["legal_context_only"] is True
    assert match["concept"] == TERM + "csam"
    assert match["use_instead"] == [
        {"label": "child sexual abuse material", "concept": TERM + "csam"}
    ]


def test_lookup_ignores_accents_and_finds_other_languages(fixture_vocabulary: Vocabulary) -> None:
    result = fixture_vocabulary.lookup("PEDOPORNOGRAPHIE", lang="en")
    match = result.to_json()["matches"][0]
    assert (match["label"], match["lang"], match["band"]) == ("pédopornographie", "fr", "avoid")
    # the answer is in the asked language
    assert match["preferred"] == "child sexual abuse material"
    assert (
        fixture_vocabulary.lookup("pédopornographie", lang="fr").to_json()["matches"][0][
            "preferred"
        ]
        == "matériel d'abus sexuels sur enfants"
    )


def test_lookup_json_has_exactly_the_documented_keys(fixture_vocabulary: Vocabulary) -> None:
    data = fixture_vocabulary.lookup("kiddie porn").to_json()
    assert set(data["matches"][0]) == MATCH_KEYS
    assert data["matches"][0]["sources"] == ["https://w3id.org/mnr-graph/source/test"]
    assert data["suggestions"] == []


def test_review_status_of_the_label_wins(fixture_vocabulary: Vocabulary) -> None:
    status = "https://w3id.org/mnr-graph/id/review-"
    kiddie = fixture_vocabulary.lookup("kiddie porn").to_json()["matches"][0]
    assert kiddie["review_status"] == status + "unchecked"
    assert kiddie["review"] == {
        "status": "unchecked",
        "status_label": "not yet checked",
        "sources": [],
    }
    csam = fixture_vocabulary.lookup("child pornography").to_json()["matches"][0]
    assert csam["review_status"] == status + "secondary-source"


def test_lookup_shows_what_the_band_was_checked_against(fixture_vocabulary: Vocabulary) -> None:
    """A journalist sees the status in words and the source: title, publisher, date, address."""
    match = fixture_vocabulary.lookup("child pornography").to_json()["matches"][0]
    assert match["review"] == {
        "status": "secondary-source",
        "status_label": "checked against a secondary source",
        "sources": [
            {
                "iri": "https://w3id.org/mnr-graph/source/test-guide",
                "title": "A test guide",
                "publisher": "Test publisher",
                "date": "2024",
                "url": "https://example.org/test-guide",
            }
        ],
    }
    (label,) = [lab for lab in fixture_vocabulary.labels if lab.text == "child pornography"]
    assert label.review_sources == ("https://w3id.org/mnr-graph/source/test-guide",)
    assert fixture_vocabulary.basis_text(label) == "basis: secondary source (Test publisher (2024))"
    text = fixture_vocabulary.lookup("child pornography").to_text()
    assert "review:      checked against a secondary source (secondary-source)" in text
    assert "Test publisher: A test guide <https://example.org/test-guide>" in text


def test_unchecked_labels_say_so_in_the_basis(fixture_vocabulary: Vocabulary) -> None:
    (label,) = [lab for lab in fixture_vocabulary.labels if lab.text == "kiddie porn"]
    assert label.review_sources == ()
    assert "not yet checked" in fixture_vocabulary.basis_text(label)


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("kiddie porn(s)", "kiddie porn"),
        ("child sexual abuse material (CSAM)", "child sexual abuse material"),
        ("(CSAM)", "CSAM"),
        ("The child sex tourism", "child sex tourism"),
        ("la pédopornographie", "pédopornographie"),
    ],
)
def test_lookup_as_term_lists_write_terms(
    fixture_vocabulary: Vocabulary, query: str, label: str
) -> None:
    assert fixture_vocabulary.lookup(query).matches[0].label.text == label


def test_lookup_acronym_plural(fixture_vocabulary: Vocabulary) -> None:
    assert fixture_vocabulary.lookup("CSAMs").matches[0].label.text == "CSAM"


def test_lookup_ranks_asked_language_then_exact_then_preferred(
    fixture_vocabulary: Vocabulary,
) -> None:
    # "child" (en, use) and "children" (plural form): the exact literal comes first
    result = fixture_vocabulary.lookup("child", lang="en")
    assert result.matches[0].label.text == "child"
    ranked = [m.label.lang for m in fixture_vocabulary.lookup("enfant", lang="en").matches]
    assert ranked == ["fr"]


def test_did_you_mean(fixture_vocabulary: Vocabulary) -> None:
    result = fixture_vocabulary.lookup("child pornograhy")
    assert not result.matches
    assert not result
    assert result.suggestions[0]["label"] == "child pornography"
    assert result.to_json()["suggestions"][0]["concept"] == TERM + "csam"
    assert "did you mean" in result.to_text()


def test_nothing_at_all_has_no_suggestions(fixture_vocabulary: Vocabulary) -> None:
    result = fixture_vocabulary.lookup("zzzz qqqq")
    assert not result.matches
    assert result.suggestions == ()


def test_list_terms_filters(fixture_vocabulary: Vocabulary) -> None:
    avoid = fixture_vocabulary.list_terms(band="avoid")
    assert {t["label"] for t in avoid} == {
        "child pornography",
        "pédopornographie",
        "kiddie porn",
        "child sex tourism",
    }
    assert [t["label"] for t in fixture_vocabulary.list_terms(band="avoid", lang="fr")] == [
        "pédopornographie"
    ]
    travel = fixture_vocabulary.list_terms(group="travel")
    assert travel
    assert all(t["concept"] == TERM + "sectt" for t in travel)
    assert fixture_vocabulary.list_terms(group="group-travel") == travel
    assert fixture_vocabulary.list_terms(group="Matériel d'abus")[0]["groups"] == ["material"]


@pytest.mark.parametrize(("band", "group"), [("never", None), (None, "no-such-group")])
def test_list_terms_rejects_unknown_filters(
    fixture_vocabulary: Vocabulary, band: str | None, group: str | None
) -> None:
    with pytest.raises(InputError):
        fixture_vocabulary.list_terms(band=band, group=group)


def test_terms_csv_has_one_row_per_label(fixture_vocabulary: Vocabulary) -> None:
    rows = fixture_vocabulary.list_terms()
    assert (
        len(terms_to_csv(rows).splitlines()) == len(rows) + 1 == len(fixture_vocabulary.labels) + 1
    )


# --- generated from the shipped vocabulary ---------------------------------------------------


def _labels() -> list[TermLabel]:
    return load_vocabulary().labels


def _ids(label: TermLabel) -> str:
    return f"{label.lang}:{label.text}"


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_shipped_vocabulary_is_loaded() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary is load_vocabulary()  # cached
    assert vocabulary.concepts
    assert vocabulary.labels
    assert vocabulary.groups


@pytest.mark.parametrize("label", _labels(), ids=_ids)
def test_every_label_is_found_in_every_spelling(label: TermLabel) -> None:
    vocabulary = load_vocabulary()
    spellings = {
        label.text,
        label.text.upper(),
        label.text.title().replace(" ", "-"),
        _strip_accents(label.text),
        *label_variants(label.text, label.lang, is_acronym=label.is_acronym),
    }
    for spelling in spellings:
        # one match per concept, language and band: another label of the same three may stand
        # for this one ("sexualized" for "sexualised images of children", -ise/-ize)
        found = {
            (m.label.concept, m.label.lang, m.label.band)
            for m in vocabulary.lookup(spelling).matches
        }
        assert (label.concept, label.lang, label.band) in found, spelling
    best = vocabulary.lookup(label.text, lang=label.lang).matches[0].label
    assert best == label  # as written, the label itself comes first


@pytest.mark.parametrize("label", _labels(), ids=_ids)
def test_lookup_gives_one_match_per_concept_language_and_band(label: TermLabel) -> None:
    matches = load_vocabulary().lookup(label.text).matches
    keys = [(m.label.concept, m.label.lang, m.label.band) for m in matches]
    assert len(keys) == len(set(keys)), [m.label.text for m in matches]
    assert label in [m.label for m in matches]  # the exact label wins over its look-alikes


@pytest.mark.parametrize("label", [lab for lab in _labels() if lab.band != "use"], ids=_ids)
def test_every_flagged_label_has_a_usable_alternative(label: TermLabel) -> None:
    vocabulary = load_vocabulary()
    if label.band == "avoid":
        assert label.use_instead, f"{label.text} is avoided but has no alternative"
    for iri in label.use_instead:
        concept = vocabulary.concepts.get(iri)
        assert concept is not None, f"{label.text}: use_instead {iri} is not a concept"
        preferred = [lab for lab in concept.labels if lab.kind == "pref"]
        assert preferred
        assert all(lab.band != "avoid" for lab in preferred)


def test_lookup_review_status_is_the_labels_own_where_it_has_one() -> None:
    vocabulary = load_vocabulary()
    own = [label for label in vocabulary.labels if label.review_status]
    assert own
    for label in vocabulary.labels:
        concept = vocabulary.concepts[label.concept]
        status = vocabulary.describe(label)["review_status"]
        assert status == (label.review_status or concept.review_status), label.text
        match = vocabulary.lookup(label.text, lang=label.lang).to_json()["matches"][0]
        assert match["review_status"] == status, label.text


@pytest.mark.parametrize(
    "label", [lab for lab in _labels() if lab.band != "use" and len(lab.text) >= 6], ids=_ids
)
def test_did_you_mean_finds_flagged_labels_with_a_typo(label: TermLabel) -> None:
    typo = label.text[:-2] + label.text[-1]  # drop the second-to-last character
    result = load_vocabulary().lookup(typo)
    names = [m.label.text for m in result.matches] + [s["label"] for s in result.suggestions]
    if label.text not in names:  # the typo is another form of the concept ("enfant prostitue")
        assert label.concept in {m.label.concept for m in result.matches}, names


@pytest.mark.slow
@pytest.mark.parametrize("name", ["BAND_USE", "BAND_CAUTION", "BAND_AVOID"])
def test_band_constants_are_notations_of_the_shipped_bands(name: str) -> None:
    """The band values code compares against are the vocabulary's own ``skos:notation``s."""
    from rdflib import Literal

    from mnr_graph.core.namespaces import MNR, SKOS
    from mnr_graph.framework import ontology

    graph = ontology.load_graph()
    notation = getattr(model, name)
    bands = set(graph.objects(None, MNR.usageBand))
    assert any(graph.value(b, SKOS.notation) == Literal(notation) for b in bands)


def _as_written(label: TermLabel) -> set[str]:
    """The label as reviewers and journalists type it (punctuation, dashes, invisible marks)."""
    text = label.text
    longest = max(text.split(" "), key=len)
    middle = len(longest) // 2
    out = {
        text.replace(" ", "\u2013"),  # en dash
        text.replace(" ", " \u2014 "),  # em dash with spaces
        text.replace(" ", "\u00a0"),  # non-breaking spaces
        text.replace(" ", "  \n "),  # a line break and extra spaces
        text.replace(longest, longest[:middle] + "\u00ad" + longest[middle:], 1),  # soft hyphen
        text.replace(longest, longest[:middle] + "\u200d" + longest[middle:], 1),  # zero-width
        f"\u201c{text}\u201d",  # curly quotes
        f'"{text}".',
        f"({text})",
        f"  {text.upper()}!  ",
        f"{text}\u2019s",  # curly possessive
        f"{text}'s",
    }
    if label.lang == "en":
        out.add(f"the {text}")
    if label.is_acronym:
        out.add(".".join(text) + ".")
        out.add(text.lower())
    return out


@pytest.mark.parametrize("label", _labels(), ids=_ids)
def test_every_label_is_found_as_reviewers_write_it(label: TermLabel) -> None:
    vocabulary = load_vocabulary()
    for spelling in _as_written(label):
        matches = vocabulary.lookup(spelling, lang=label.lang).matches
        assert matches, repr(spelling)
        assert label.concept in {m.label.concept for m in matches}, repr(spelling)


# --- reviewer term lists: tests/data/terminology/lookup/*.tsv --------------------------------

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|n|t)")


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        return {"n": "\n", "t": "\t"}.get(code) or chr(int(code[1:], 16))

    return _ESCAPE.sub(one, text)


def _lookup_rows() -> list[Any]:
    rows = []
    for path in sorted((DATA / "lookup").glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            query, lang, expected, *suggestion = line.split("\t")
            rows.append(
                pytest.param(
                    _unescape(query),
                    lang or None,
                    expected,
                    suggestion[0] if suggestion else None,
                    id=f"{path.stem}:{number}",
                )
            )
    return rows


@pytest.mark.parametrize(("query", "lang", "expected", "suggestion"), _lookup_rows())
def test_reviewer_term_lists(
    query: str, lang: str | None, expected: str, suggestion: str | None
) -> None:
    vocabulary = load_vocabulary()
    if expected == "!":
        with pytest.raises(InputError):
            vocabulary.lookup(query, lang=lang)
        return
    result = vocabulary.lookup(query, lang=lang)
    if expected == "-":
        assert not result.matches, [m.label.text for m in result.matches]
        if suggestion:
            assert result.suggestions[0]["label"] == suggestion
        return
    text, label_lang = expected.rsplit("@", 1)
    (label,) = [lab for lab in vocabulary.labels if (lab.text, lab.lang) == (text, label_lang)]
    match = result.to_json()["matches"][0]
    assert (match["label"], match["lang"]) == (label.text, label.lang)
    assert match["band"] == label.band
    assert match["legal_context_only"] is label.legal_context_only
    assert match["concept"] == label.concept
    # the preferred label and the alternatives are in the asked language where they exist
    answer = (lang or label.lang).lower().split("-")[0]
    concept = vocabulary.concepts[label.concept]
    assert match["preferred"] == concept.pref_labels.get(answer, concept.preferred(answer))
    concepts = [u["concept"] for u in match["use_instead"]]
    assert list(dict.fromkeys(concepts)) == list(label.use_instead)
    for i, alternative in enumerate(match["use_instead"]):
        target = vocabulary.concepts[alternative["concept"]]
        if alternative["concept"] not in concepts[:i]:  # first per concept: its preferred label
            assert alternative["label"] == target.pref_labels.get(answer, target.preferred(answer))
        else:  # then the labels the data names for this term (mnr:useInsteadLabel), in `answer`
            (named,) = [lab for lab in target.labels if lab.text == alternative["label"]]
            assert named.iri in label.use_instead_labels
            assert named.band == "use"
            assert named.lang.split("-")[0] == answer
        assert all(lab.band != "avoid" for lab in target.labels if lab.kind == "pref")


@pytest.mark.parametrize(("query", "lang", "expected", "suggestion"), _lookup_rows())
def test_cli_term_on_reviewer_term_lists(
    query: str,
    lang: str | None,
    expected: str,
    suggestion: str | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["term", query, "--format", "json", *(["--lang", lang] if lang else [])])
    out, err = capsys.readouterr()
    if expected == "!":
        assert exit_.value.code == 2
        assert err.startswith("error: ")
        assert "Traceback" not in err
        assert len(err) < 300  # a huge term is not echoed back whole
        return
    data = json.loads(out)
    assert exit_.value.code == (1 if expected == "-" else 0)
    if expected != "-":
        assert f"{data['matches'][0]['label']}@{data['matches'][0]['lang']}" == expected


def test_list_terms_band_ignores_case_and_unknown_language_is_an_error() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.list_terms(band="AVOID") == vocabulary.list_terms(band="avoid")
    with pytest.raises(InputError, match="no terms in language"):
        vocabulary.list_terms(lang="zz")
