"""The text checker: generated from the shipped vocabulary, plus exact cases on a fixture."""

from __future__ import annotations

import html
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from mnr_graph.cli import cli, main
from mnr_graph.core.namespaces import MNR
from mnr_graph.terminology.checker import avoided_terms_in, check_text
from mnr_graph.terminology.findings import PRIMARY_TEXT
from mnr_graph.terminology.folding import fold
from mnr_graph.terminology.inflection import label_variants
from mnr_graph.terminology.markup import blank_markup
from mnr_graph.terminology.model import TermLabel
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

TESTS = Path(__file__).parent
DATA = TESTS / "data" / "terminology"
TERM = "https://w3id.org/mnr-graph/term/"
# A news-style frame with no legal wording, so legal-context-only terms count as avoided here.
FRAME = "Editors discussed how the phrase {term} appeared in the weekend coverage."
FINDING_KEYS = {
    "start",
    "end",
    "line",
    "column",
    "text",
    "band",
    "legal_context_only",
    "use_instead",
    "concept",
    "message",
}


@pytest.fixture(scope="module")
def fixture_vocabulary() -> Vocabulary:
    return Vocabulary.from_files([DATA / "fixture-vocabulary.ttl"])


def _lead(label: TermLabel) -> str:
    """What goes before a term that is also an everyday word, so that it reads in its sense.

    The rules are in ontology/term-sense-cues.csv; the sense is the vocabulary's ("un
    mineur"): the first word its rules say marks that sense, or nothing.
    """
    import csv

    from mnr_graph.core import resources

    rows = csv.DictReader(resources.read_text("ontology", "term-sense-cues.csv").splitlines())
    for row in rows:
        if (row["lang"], row["label"], row["where"], row["sense"]) == (
            label.lang,
            label.text,
            "before",
            "term",
        ):
            return row["cue"] + " "
    return ""


def _framed(label: TermLabel, written: str | None = None) -> str:
    """The label (as ``written``) in the news-style FRAME, in its sense."""
    return FRAME.format(term=_lead(label) + (label.text if written is None else written))


def _flagged() -> list[TermLabel]:
    return [label for label in load_vocabulary().labels if label.band != "use"]


def _ids(label: TermLabel) -> str:
    return f"{label.lang}:{label.text}"


def _spellings(label: TermLabel) -> set[str]:
    """The label as written in the wild: variants of number, case, hyphens and line breaks."""
    forms = label_variants(label.text, label.lang, is_acronym=label.is_acronym)
    out = set(forms)
    for form in forms:
        out.add(form.upper())
        out.add(form.title().replace(" ", "-"))
        out.add(form.replace(" ", "\n", 1))
        out.add(form.replace(" ", "  \n   "))
    return out


# --- generated from the shipped vocabulary ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("label", _flagged(), ids=_ids)
def test_every_flagged_label_is_found_in_every_spelling(label: TermLabel) -> None:
    for spelling in _spellings(label):
        text = _framed(label, spelling)
        for lang in (None, label.lang):
            findings = check_text(text, lang=lang)
            assert len(findings) == 1, (spelling, lang, [f.text for f in findings])
            finding = findings[0]
            assert text[finding.start : finding.end] == spelling == finding.text
            assert finding.concept == label.concept
            assert finding.band == label.band
            assert finding.legal_context_only is label.legal_context_only
            offered = [u["concept"] for u in finding.use_instead]
            assert list(dict.fromkeys(offered)) == list(label.use_instead)
            assert finding.message


@pytest.mark.parametrize("label", [lab for lab in _flagged() if lab.band == "avoid"], ids=_ids)
def test_avoided_terms_are_reported_to_validation(label: TermLabel) -> None:
    found = avoided_terms_in(_framed(label), lang=label.lang)
    assert [f.concept for f in found] == [label.concept]


@pytest.mark.parametrize("label", [lab for lab in _flagged() if lab.legal_context_only], ids=_ids)
def test_legal_context_only_terms_are_a_caution_where_a_law_is_named(label: TermLabel) -> None:
    vocabulary = load_vocabulary()
    # a sentence that names each instrument of the vocabulary in turn
    for instrument in vocabulary.instruments.values():
        name = instrument["labels"][0]
        text = f"The {name} uses the expression {label.text} in its title."
        at = text.rindex(label.text)
        # instrument titles may themselves contain legal terms: look at the one we placed
        (finding,) = [f for f in check_text(text, lang=label.lang) if f.start == at]
        assert finding.band == "caution", (name, label.text)
        assert "legal" in finding.message


def test_a_legal_use_is_told_to_quote_the_charge_and_use_the_recommended_words() -> None:
    text = "He was charged with possession of child pornography under section 160."
    (finding,) = check_text(text, lang="en")
    assert (finding.band, finding.in_legal_context) == ("caution", True)
    assert "formal charge" in finding.message
    assert "recommended words" in finding.message
    assert finding.use_instead
    for alternative in finding.use_instead:
        assert f'"{alternative["label"]}"' in finding.message


@pytest.mark.parametrize("label", _flagged(), ids=_ids)
def test_a_message_names_the_basis_of_a_band_not_read_in_the_guidelines(label: TermLabel) -> None:
    """A band that rests on anything but the guidelines' own text says so in the message."""
    vocabulary = load_vocabulary()
    (finding,) = check_text(_framed(label), lang=label.lang)
    status = label.review_status or vocabulary.concepts[label.concept].review_status
    assert ("Basis:" in finding.message) is (status != PRIMARY_TEXT), finding.message


@pytest.mark.slow
def test_the_guidelines_text_status_is_defined_in_the_ontology() -> None:
    import rdflib

    from mnr_graph.core import resources

    graph = rdflib.Graph()
    for path in resources.files("ontology", "*.ttl"):
        graph.parse(path)
    statuses = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(MNR + "ReviewStatus")))
    assert rdflib.URIRef(PRIMARY_TEXT) in statuses


def _clean_sentences() -> list[str]:
    lines = (DATA / "clean-sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("sentence", _clean_sentences())
def test_clean_sentences_have_no_finding(sentence: str) -> None:
    assert check_text(sentence) == []


def _adult_usages() -> list[str]:
    """Adult usages that share words with avoided terms (kept with the vocabulary's own tests)."""
    path = TESTS / "data" / "vocabulary" / "adult-usages.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[-1] for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("phrase", _adult_usages())
def test_adult_usages_have_no_finding(phrase: str) -> None:
    text = FRAME.format(term=phrase) + f" {phrase.capitalize()}s were also mentioned."
    assert check_text(text) == []


def test_preferred_labels_never_yield_a_finding() -> None:
    """A preferred label is never reported because it contains a shorter flagged one."""
    for label in load_vocabulary().labels:
        if label.kind == "pref" and label.band == "use":
            assert check_text(FRAME.format(term=label.text)) == [], label.text


# --- exact behaviour on the fixture ----------------------------------------------------------


@pytest.mark.slow
def test_finding_json(fixture_vocabulary: Vocabulary) -> None:
    (finding,) = check_text("Police seized kiddie porn.", vocabulary=fixture_vocabulary)
    data = finding.to_json()
    assert set(data) >= FINDING_KEYS
    assert (data["start"], data["end"], data["line"], data["column"]) == (14, 25, 1, 15)
    assert data["use_instead"] == [
        {"label": "child sexual abuse material", "concept": TERM + "csam"}
    ]
    assert json.loads(json.dumps(data)) == data


def test_line_and_column_across_lines(fixture_vocabulary: Vocabulary) -> None:
    text = "First line.\nSecond line about\nchild sex\ntourism and kiddie porn.\n"
    findings = check_text(text, vocabulary=fixture_vocabulary)
    assert [(f.line, f.column, f.text) for f in findings] == [
        (3, 1, "child sex\ntourism"),
        (4, 13, "kiddie porn"),
    ]


def test_runs_of_spaces_keep_offsets(fixture_vocabulary: Vocabulary) -> None:
    text = "Reports.    Child  sex\t tourism rose;   kiddie   porn.  Kiddie porn  x"
    findings = check_text(text, vocabulary=fixture_vocabulary)
    assert [f.text for f in findings] == ["Child  sex\t tourism", "kiddie   porn", "Kiddie porn"]
    assert [text[f.start : f.end] for f in findings] == [f.text for f in findings]
    assert [f.column for f in findings] == [text.index(w) + 1 for w in ("Child", "kid", "Kid")]


def test_longest_match_wins_and_partial_words_do_not_match(fixture_vocabulary: Vocabulary) -> None:
    text = (
        "The sexual exploitation of children in the context of travel and tourism; "
        "grandchild sex tourism; child sex tourisms; paediatric kiddie pornographers."
    )
    findings = check_text(text, vocabulary=fixture_vocabulary)
    assert [f.text for f in findings] == ["child sex tourisms"]


def test_caution_band(fixture_vocabulary: Vocabulary) -> None:
    (finding,) = check_text("A travel offender was named.", vocabulary=fixture_vocabulary)
    assert finding.band == "caution"
    assert "care" in finding.message


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("The OPSC defines child pornography.", "caution"),
        ("The offence of child pornography carries a long sentence.", "caution"),
        ("Under national law, child pornography is a crime. Police said so.", "caution"),
        ("The Child Pornography Prevention Act was amended.", "caution"),
        ("An act of sharing child pornography was reported.", "avoid"),
        ("Police found child pornography on the laptop.", "avoid"),
        ("A new law passed. Police found child pornography on the laptop.", "avoid"),
    ],
)
def test_legal_context_decides_the_band(
    fixture_vocabulary: Vocabulary, text: str, band: str
) -> None:
    (finding,) = check_text(text, vocabulary=fixture_vocabulary)
    assert finding.band == band
    assert finding.legal_context_only
    assert "legal contexts only" in finding.message


def test_legal_context_cues_file_is_well_formed() -> None:
    """``ontology/legal-context-cues.csv``.

    Lang, cue, context; title cues are single words (their case counts: "Act", "bill"), the
    others lower case (they ignore case); "…" only in charges, between words; no row is listed
    twice; every language of the vocabulary has cues of every kind that names a law or a charge.
    """
    import csv

    from mnr_graph.core import resources
    from mnr_graph.terminology.legal import CONTEXTS

    path = resources.path("ontology", "legal-context-cues.csv")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert rows
    assert set(rows[0]) == {"lang", "cue", "context"}
    languages = set(load_vocabulary().languages)
    seen: set[tuple[str, str, str]] = set()
    for row in rows:
        cue, context = row["cue"], row["context"]
        assert row["lang"] in languages, row
        assert context in CONTEXTS, row
        assert cue, row
        assert cue == cue.strip(), row
        if context == "title":
            assert re.fullmatch(r"\w+", cue), row
        else:
            assert cue == cue.lower(), row
        if "…" in cue:
            assert context == "charge", row
            assert re.fullmatch(r"[\w' ]+ … [\w' ]+", cue), row
        assert (row["lang"], cue, context) not in seen, row
        seen.add((row["lang"], cue, context))
    for lang in languages:
        kinds = {context for (lang_, _, context) in seen if lang_ == lang}
        assert {"", "title", "citation", "charge", "charge-word", "determiner"} <= kinds, lang


def test_language_filter(fixture_vocabulary: Vocabulary) -> None:
    text = "La pédopornographie et la child pornography."
    assert [f.lang for f in check_text(text, vocabulary=fixture_vocabulary)] == ["fr", "en"]
    assert [f.lang for f in check_text(text, lang="fr", vocabulary=fixture_vocabulary)] == ["fr"]
    (accentless,) = check_text("la pedopornographie", lang="fr", vocabulary=fixture_vocabulary)
    assert accentless.text == "pedopornographie"


# --- markup: positions stay in the original text ---------------------------------------------


def test_blank_markup_keeps_length_and_lines() -> None:
    html = '<p class="x">A\n<b>word</b></p><!-- a\ncomment --><script>var x = "<b>";</script>&amp;'
    blanked = blank_markup(html)
    assert len(blanked) == len(html)
    assert blanked.count("\n") == html.count("\n")
    # an entity is its character, padded with soft hyphens (skipped by the matcher)
    assert blanked.replace("|", " ").replace("\u00ad", "").split() == ["A", "word", "&"]
    assert len(fold("Ä-\u2014x")) == 4


def test_html_offsets(fixture_vocabulary: Vocabulary) -> None:
    html = (
        '<html><body>\n<h1 title="kiddie porn">News</h1>\n'
        "<p>Reports of <em>child</em> sex <b>tourism</b>&nbsp;rose.</p>\n</body></html>"
    )
    (finding,) = check_text(html, vocabulary=fixture_vocabulary)
    assert html[finding.start : finding.end] == "child</em> sex <b>tourism"
    assert (finding.line, finding.column) == (3, 19)
    assert '"child sex tourism"' in finding.message


def test_markdown_offsets(fixture_vocabulary: Vocabulary) -> None:
    md = (
        "# Child Sex Tourism\n\n"
        'See [the report](https://example.org/kiddie-porn "kiddie porn") and\n'
        "*kiddie*\n  **porn** <https://example.org/child-sex-tourism>.\n"
    )
    findings = check_text(md, vocabulary=fixture_vocabulary)
    assert [(f.line, f.column, f.label) for f in findings] == [
        (1, 3, "child sex tourism"),
        (4, 2, "kiddie porn"),
    ]
    assert md[findings[1].start : findings[1].end] == "kiddie*\n  **porn"


def test_block_elements_separate_words(fixture_vocabulary: Vocabulary) -> None:
    html = "<table><tr><td>kiddie</td><td>porn</td></tr></table><p>kiddie <i>porn</i></p>"
    (finding,) = check_text(html, vocabulary=fixture_vocabulary)
    assert finding.text == "kiddie <i>porn"


def test_paragraph_break_separates_words(fixture_vocabulary: Vocabulary) -> None:
    assert check_text("a kiddie\n\nporn b", vocabulary=fixture_vocabulary) == []


# --- CLI ---------------------------------------------------------------------------------------


def _avoided_example() -> str:
    label = next(lab for lab in _flagged() if lab.band == "avoid" and not lab.legal_context_only)
    return _framed(label)


def test_cli_check_exit_codes_and_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "article.md"
    bad.write_text("Intro.\n\n" + _avoided_example() + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{bad}:3:")
    assert ": avoid: " in result.output
    result = runner.invoke(cli, ["check", str(bad), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["findings"][0]["line"] == 3
    clean = "\n".join(_clean_sentences())
    result = runner.invoke(cli, ["check", "-"], input=clean)
    assert (result.exit_code, result.output) == (0, "")


def test_cli_check_exits_0_with_only_cautions() -> None:
    label = next(lab for lab in _flagged() if lab.band == "caution" and not lab.legal_context_only)
    result = CliRunner().invoke(cli, ["check", "-"], input=_framed(label))
    assert result.exit_code == 0
    assert result.output.startswith("<stdin>:1:")
    assert ": caution: " in result.output


def test_cli_check_rejects_non_utf8(tmp_path: Path) -> None:
    from mnr_graph.cli import main

    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(SystemExit) as exc:
        main(["check", str(bad)])
    assert exc.value.code == 2


def test_cli_check_says_where_the_bad_byte_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("first line\r\nthe caf\xe9 reported child porn".encode("latin-1"))
    with pytest.raises(SystemExit) as exc:
        main(["check", str(bad)])
    assert exc.value.code == 2
    assert f"{bad}: not UTF-8 text: line 2, column 8" in capsys.readouterr().err


def test_cli_check_reads_utf16_with_a_bom(tmp_path: Path) -> None:
    text = "\U0001f600 Police found child porn.\r\n"
    source = tmp_path / "notepad.txt"
    source.write_bytes(text.encode("utf-16"))  # with its BOM, as Windows Notepad saves it
    result = CliRunner().invoke(cli, ["check", str(source), "--format", "json"])
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)["findings"]
    assert text[finding["start"] : finding["end"]] == "child porn"


def test_cli_term_exit_codes() -> None:
    runner = CliRunner()
    label = _flagged()[0]
    result = runner.invoke(cli, ["term", label.text.upper(), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["matches"][0]["concept"] == label.concept
    result = runner.invoke(cli, ["term", label.text[:-2] + label.text[-1]])
    assert result.exit_code == 1
    assert "did you mean" in result.output
    assert label.text in result.output


def test_cli_terms_formats() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["terms", "--band", "avoid", "--lang", "fr", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert rows
    assert all(r["band"] == "avoid" and r["lang"] == "fr" for r in rows)
    csv_out = runner.invoke(cli, ["terms", "--format", "csv"]).output
    assert len(csv_out.splitlines()) == len(load_vocabulary().labels) + 1
    result = runner.invoke(cli, ["terms", "--group", "no-such-group"])
    assert result.exit_code != 0


# --- benchmark ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_benchmark_runs_quick(capsys: pytest.CaptureFixture[str]) -> None:
    path = TESTS.parent / "benchmarks" / "bench_textcheck.py"
    spec = importlib.util.spec_from_file_location("bench_textcheck", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "MB/s" in out
    assert "ratio" in out
    assert "per term" in out
    assert "dense court reporting" in out
    assert "legal-context test per finding" in out
    assert "start-up subtracted" in out


def test_the_legal_context_test_reads_only_the_sentence_around_a_term(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cost of a legal-context-only finding does not grow with the text.

    The cue search reads at most the sentence around the term (bounded by the window), never the
    whole text.
    """
    from mnr_graph.terminology import legal as legalcontext
    from mnr_graph.terminology.automaton import Automaton

    sentence = "The judge said child pornography fuels demand for abuse, the court heard. "
    text = sentence * 2000 + "Under the Act, child pornography is banned. " + sentence * 2000
    read: list[int] = []
    find = Automaton.find

    def counting(self: Automaton, window: str) -> list[tuple[int, int, int]]:
        read.append(len(window))
        return find(self, window)

    monkeypatch.setattr(Automaton, "find", counting)
    findings = check_text(text, lang="en")
    assert len(findings) == 4001
    assert [f.in_legal_context for f in findings].count(True) == 1
    whole, *windows = sorted(read, reverse=True)
    assert whole == len(text)  # the one scan for terms
    assert len(windows) == len(findings)
    assert max(windows) <= 2 * legalcontext.WINDOW + len("child pornography")


# --- reviewer-style documents: tests/data/textcheck/* ----------------------------------------
# Each document marks what the checker must report with ⟦ ⟧ around the text as written
# (``⟦§ ⟧``: a legal-context-only term in a sentence that names a law, so a caution). The markers
# are removed before checking; the expected concept and band come from looking the marked text up
# in the vocabulary, never from a list here. Files named ``*.crlf.*`` are checked with CRLF line
# ends, ``*.cr.*`` with lone CRs. Everything else in a document must yield no finding.

TEXTCHECK = TESTS / "data" / "textcheck"
_MARK = re.compile("⟦(§?)(.*?)⟧", re.DOTALL)


@dataclass(frozen=True)
class Expected:
    start: int
    end: int
    legal: bool


def _document(path: Path) -> tuple[str, list[Expected]]:
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    if ".crlf." in path.name:
        raw = raw.replace("\n", "\r\n")
    if ".cr." in path.name:  # old Mac line ends: a lone CR
        raw = raw.replace("\n", "\r")
    text, expected, last = [], [], 0
    length = 0
    for m in _MARK.finditer(raw):
        text.append(raw[last : m.start()])
        length += m.start() - last
        expected.append(Expected(length, length + len(m.group(2)), bool(m.group(1))))
        text.append(m.group(2))
        length += len(m.group(2))
        last = m.end()
    text.append(raw[last:])
    return "".join(text), expected


def _visible(written: str) -> str:
    """What a reader sees of a marked term: no tags, entities decoded, no Markdown marks."""
    plain = html.unescape(re.sub(r"<[^>]*>", " ", written))
    plain = re.sub(r"[*_`\u00ad\u200c\u200d\u2060]", "", plain).replace("\u200b", " ")
    return " ".join(plain.split())


_HYPHEN_BREAK = re.compile(r"-[ \t]*(?:\r\n?|\n)[ \t]*")


def _label_of(vocabulary: Vocabulary, written: str) -> TermLabel:
    r"""The label a marked term is written as.

    A hyphen at a line end joins the word's halves ("pornog-\nraphy") where that gives a term,
    else it is a hyphen ("child-\nsex tourism").
    """
    forms = [_HYPHEN_BREAK.sub("", written), _HYPHEN_BREAK.sub("-", written)]
    for form in forms:
        matches = vocabulary.lookup(_visible(form)).matches
        if matches:
            return matches[0].label
    raise AssertionError(f"no label for {written!r}")


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """As editors count: a line ends with CRLF, LF or a lone CR."""
    lines = re.split(r"\r\n|\r|\n", text[:offset])
    return len(lines), len(lines[-1]) + 1


@pytest.mark.parametrize("path", sorted(TEXTCHECK.glob("*.*")), ids=lambda p: p.name)
def test_reviewer_documents(path: Path) -> None:
    text, expected = _document(path)
    vocabulary = load_vocabulary()
    findings = check_text(text)
    assert [(f.start, f.end) for f in findings] == [(e.start, e.end) for e in expected], [
        f.text for f in findings
    ]
    for finding, want in zip(findings, expected, strict=True):
        assert text[finding.start : finding.end] == finding.text
        assert (finding.line, finding.column) == _line_column(text, finding.start)
        label = _label_of(vocabulary, finding.text)
        assert finding.concept == label.concept, finding.text
        assert finding.legal_context_only is label.legal_context_only
        assert finding.in_legal_context is want.legal
        assert finding.band == ("caution" if want.legal else label.band), finding.text
        assert finding.label.casefold() in {_visible(finding.text).casefold()} | {
            lab.text.casefold()
            for lab in vocabulary.concepts[label.concept].labels
            if lab.band == finding.band or want.legal
        }
        assert "**" not in finding.message
        assert "\u00ad" not in finding.message


@pytest.mark.parametrize("path", sorted(TEXTCHECK.glob("*.*")), ids=lambda p: p.name)
def test_cli_check_on_reviewer_documents(path: Path, tmp_path: Path) -> None:
    text, _ = _document(path)
    source = tmp_path / path.name
    source.write_bytes(text.encode("utf-8"))
    result = CliRunner().invoke(cli, ["check", str(source), "--format", "json"])
    findings = check_text(text)
    assert result.exit_code == (1 if any(f.band == "avoid" for f in findings) else 0)
    assert json.loads(result.output)["findings"] == [f.to_json() for f in findings]
    lines = CliRunner().invoke(cli, ["check", str(source)]).output.splitlines()
    assert lines == [f.to_text(str(source)) for f in findings]


def _written_in_documents(label: TermLabel) -> list[tuple[str, str]]:
    """(document, the term as written in it): the label in the forms and markup reviewers use."""
    text = label.text
    words = text.split(" ")
    longest = max(words, key=len)
    half = len(longest) // 2
    html_words = [html.escape(w, quote=False) for w in words]
    forms = [
        text.replace(" ", "\u2013"),
        text.replace(" ", "\u00a0"),
        text.replace(" ", " \r\n"),
        text.replace(longest, longest[:half] + "\u00ad" + longest[half:], 1),
        text.replace(longest, longest[:half] + "\u200c" + longest[half:], 1),
        text.replace(" ", "\u200b"),
        # hyphenated at a line end, as text pasted from a PDF is
        text.replace(longest, longest[:half] + "-\n" + longest[half:], 1),
        text.replace(longest, longest[:half] + "-\r\n" + longest[half:], 1),
        text.replace(longest, longest[:half] + "-  \n   " + longest[half:], 1),
    ]
    lead = _lead(label)
    docs = [
        (f"\U0001f600\r\n\U0001f9d2\U0001f3fd \u201c{lead}{form}\u201d\u2019s report.", form)
        for form in forms
    ]
    entity = "&nbsp;".join(html_words).replace("é", "&eacute;").replace("í", "&#237;")
    docs.append((f"<p>\U0001f4f0 The <i>phrase</i> {lead}{entity} &amp; more.</p>", entity))
    if len(words) > 1:
        split = f"{html_words[0]} <em>{' '.join(html_words[1:])}"
        docs.append((f"<p>A story on {lead}{split}</em> ran.</p>", split))
        emphasis = f"{words[0]}** {' '.join(words[1:])}"
        docs.append((f"Write **{lead}{emphasis} carefully.", emphasis))
    return docs


@pytest.mark.parametrize("label", _flagged(), ids=_ids)
def test_every_flagged_label_is_found_as_reviewers_write_it(label: TermLabel) -> None:
    for document, written in _written_in_documents(label):
        findings = check_text(document, lang=label.lang)
        assert len(findings) == 1, (document, [f.text for f in findings])
        (finding,) = findings
        start = document.index(written)
        assert (finding.start, finding.end) == (start, start + len(written)), document
        assert finding.text == written
        assert (finding.line, finding.column) == _line_column(document, start)
        assert finding.concept == label.concept
        assert finding.band == label.band
        assert "**" not in finding.message
        assert "&" not in finding.message


# --- word senses: tests/data/senses/*, on tests/data/terminology/fixture-senses.ttl --------------
# The same ⟦ ⟧ marks as the reviewer documents; "minor" and "mineur" are cautioned labels there.


@pytest.mark.parametrize(
    "path", sorted((TESTS / "data" / "senses").glob("*.txt")), ids=lambda p: p.name
)
def test_a_term_that_is_an_everyday_word_is_reported_only_in_its_sense(path: Path) -> None:
    vocabulary = Vocabulary.from_files([DATA / "fixture-senses.ttl"])
    text, expected = _document(path)
    findings = check_text(text, vocabulary=vocabulary)
    assert [f.text for f in findings] == [text[e.start : e.end] for e in expected]
    assert [(f.start, f.end) for f in findings] == [(e.start, e.end) for e in expected]


def test_sense_cues_file_is_well_formed() -> None:
    """``ontology/term-sense-cues.csv``.

    Every row's kind and sense is known, its label is a label of the shipped vocabulary or of
    the word-sense fixture, and no row is listed twice.
    """
    import csv

    from mnr_graph.core import resources
    from mnr_graph.terminology.senses import WHERE

    rows = list(csv.DictReader(resources.read_text("ontology", "term-sense-cues.csv").splitlines()))
    assert rows
    labels = {
        (label.lang, label.text)
        for vocabulary in (load_vocabulary(), Vocabulary.from_files([DATA / "fixture-senses.ttl"]))
        for label in vocabulary.labels
    }
    seen = set()
    for row in rows:
        assert row["where"] in WHERE, row
        assert row["sense"] in {"term", "other"}, row
        assert (row["lang"], row["label"]) in labels, row
        assert tuple(row.values()) not in seen, row
        seen.add(tuple(row.values()))
        if row["where"] == "phrase":
            forms = label_variants(row["label"], row["lang"])
            assert any(form in row["cue"] for form in forms), row


def test_sentence_boundaries_are_those_finditer_finds() -> None:
    """``boundaries`` tries the sentence-end pattern only where a match can start.

    Over every text of tests/data/textcheck, from many start positions, it finds what
    ``finditer`` finds.
    """
    import random

    from mnr_graph.terminology import legal as legalcontext

    rng = random.Random(7)
    files = sorted((Path(__file__).parent / "data" / "textcheck").glob("*.*"))
    assert files
    for file in files:
        text = file.read_bytes().decode("utf-8", errors="replace")
        for _ in range(60):
            pos = rng.choice([0, rng.randrange(len(text) + 1)])
            endpos = rng.randrange(pos, len(text) + 1)
            fast = [m.span() for m in legalcontext.boundaries(text, pos, endpos)]
            slow = [m.span() for m in legalcontext.SENTENCE_END.finditer(text, pos, endpos)]
            assert fast == slow, (file.name, pos, endpos)


@pytest.mark.slow
def test_the_sentence_found_backwards_is_the_one_a_forward_scan_finds() -> None:
    """``sentence_around`` looks for the last boundary before a term backwards.

    Over every test text, from many positions, its sentence starts where a scan of every boundary
    from the start of the window says, give or take white space and marks between two
    boundaries, and ends at the first boundary after the term (or at the end of a heading line).
    """
    import random

    from mnr_graph.terminology import legal as legalcontext

    def forward(text: str, start: int) -> int:
        begin = max(0, start - legalcontext.WINDOW)
        for boundary in legalcontext.boundaries(text, begin, start):
            begin = boundary.end()
        return begin

    def first_after(text: str, end: int) -> int:
        high = min(len(text), end + legalcontext.WINDOW)
        after = next(legalcontext.boundaries(text, end, high), None)
        return after.start() if after else high

    rng = random.Random(11)
    files = sorted((Path(__file__).parent / "data" / "textcheck").glob("*.*"))
    texts = [file.read_bytes().decode("utf-8", errors="replace") for file in files]
    texts.append(". ".join(f"Sentence {i} of the report" for i in range(400)) + "\n\n# Head\nend")
    for text in texts:
        for _ in range(200):
            start = rng.randrange(len(text) + 1)
            end = min(len(text), start + rng.randrange(20))
            begin, stop = legalcontext.sentence_around(text, start, end)
            expected = forward(text, start)
            between = text[min(begin, expected) : max(begin, expected)]
            assert not any(c.isalnum() for c in between), (text[:40], start, begin, expected)
            after = first_after(text, end)
            assert stop <= after, (text[:40], end)
            if stop < after:  # only a heading line ends a sentence before its next boundary
                assert "#" in text[max(0, start - legalcontext.WINDOW) : stop], (text[:40], end)


def test_a_url_does_not_swallow_the_block_boundary_after_it() -> None:
    blanked = blank_markup("<li>See https://example.org/law</li>www.example.org/a</td>")
    assert len(blanked) == len("<li>See https://example.org/law</li>www.example.org/a</td>")
    assert blanked.count("|") == 3
