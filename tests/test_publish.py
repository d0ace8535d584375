"""The Vale style and the printable glossary, checked against the shipped vocabulary."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mnr_graph.cli import cli
from mnr_graph.core.errors import InputError
from mnr_graph.terminology.publish import STYLE_NAME, glossary, vale_rules, write_vale_style
from mnr_graph.terminology.vocabulary import load_vocabulary


@pytest.mark.slow
def test_vale_style_files_parse_as_yaml(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export-vale", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rule_files = sorted((tmp_path / STYLE_NAME).glob("*.yml"))
    assert rule_files
    assert (tmp_path / "vale.ini").is_file()
    assert (tmp_path / "README.md").is_file()
    assert f"BasedOnStyles = {STYLE_NAME}" in (tmp_path / "vale.ini").read_text(encoding="utf-8")
    assert {p.name for p in rule_files} == set(vale_rules())
    for path in rule_files:
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert rule["extends"] in {"substitution", "existence"}
        assert rule["ignorecase"] is True
        assert rule["level"] in {"error", "warning"}
        # Vale formats the message like Go's Sprintf: one %s per matched part, any other % doubled
        placeholders = 2 if rule["extends"] == "substitution" else 1
        assert rule["message"].replace("%%", "").count("%") == placeholders
        assert rule["message"].count("%s") == placeholders
        if rule["extends"] == "substitution":
            for pattern, replacement in rule["swap"].items():
                re.compile(pattern)
                assert replacement
        else:
            assert rule["tokens"]
            for pattern in rule["tokens"]:
                re.compile(pattern)


def _vale_patterns(rules: dict[str, dict[str, Any]]) -> list[re.Pattern[str]]:
    return [
        re.compile(p, re.IGNORECASE)
        for r in rules.values()
        for p in (r["swap"] if r["extends"] == "substitution" else r["tokens"])
    ]


@pytest.mark.slow
def test_vale_rules_cover_every_avoided_and_cautioned_label() -> None:
    vocabulary = load_vocabulary()
    rules = vale_rules(vocabulary)
    patterns = _vale_patterns(rules)
    flagged = [label for label in vocabulary.labels if label.band != "use"]
    assert any(not label.use_instead for label in flagged)  # the existence rules are exercised
    for label in flagged:
        written = label.text.replace(" ", "-", 1)
        assert any(p.fullmatch(written) for p in patterns), label.text
    # the level follows the band: an avoided term that is not legal-context-only is an error
    for label in flagged:
        strict = label.band == "avoid" and not label.legal_context_only
        levels = {
            r["level"]
            for r in rules.values()
            for p in (r["swap"] if r["extends"] == "substitution" else r["tokens"])
            if re.fullmatch(p, label.text, re.IGNORECASE)
        }
        assert levels == ({"error"} if strict else {"warning"}), label.text


def test_vale_replacements_are_usable_labels() -> None:
    vocabulary = load_vocabulary()
    usable = {label.text for label in vocabulary.labels if label.band == "use"}
    for rule in vale_rules(vocabulary).values():
        for value in rule.get("swap", {}).values():
            assert set(value.split("|")) <= usable, value


def test_vale_existence_rules_say_why_from_the_vocabulary() -> None:
    vocabulary = load_vocabulary()
    notes = {note for c in vocabulary.concepts.values() for note in c.scope_notes.values()}
    existence = [r for r in vale_rules(vocabulary).values() if r["extends"] == "existence"]
    assert existence
    for rule in existence:
        assert rule["level"] == "warning"
        why = rule["message"].replace("%%", "%").split(": ", 1)[1]
        assert any(why.startswith(note + " (basis: ") for note in notes), why


def test_vale_messages_say_what_each_band_rests_on() -> None:
    """One rule per flagged label; its message ends with the label's basis.

    It links its first source, so an editor sees why Vale flags the word.
    """
    vocabulary = load_vocabulary()
    rules = vale_rules(vocabulary)
    flagged = [label for label in vocabulary.labels if label.band != "use"]
    assert len(rules) == len(flagged)
    for label in flagged:
        basis = vocabulary.basis_text(label).replace("%", "%%")
        local = label.iri.rsplit("/", 1)[-1]
        camel = "".join(part.capitalize() for part in local.split("-")) + ".yml"
        (rule,) = [r for name, r in rules.items() if name.endswith(camel)]
        assert basis in rule["message"], label.text
        urls = [s["url"] for s in vocabulary.review(label)["sources"] if s["url"]]
        assert rule.get("link") == (urls[0] if urls else None), label.text


def test_write_vale_style_refuses_a_file_as_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError):
        write_vale_style(blocker)


def test_glossary_markdown_has_every_group_and_concept() -> None:
    text = glossary("md")
    vocabulary = load_vocabulary()
    for group, concepts in vocabulary.concepts_by_group():
        if group is not None:
            assert f"\n## {group.label('en')}\n" in text
        for concept in concepts:
            assert f"\n### {concept.preferred('en')}\n" in text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h3: list[str] = []
        self._in_h3 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_h3 = tag == "h3"

    def handle_data(self, data: str) -> None:
        if self._in_h3:
            self.h3.append(data)
            self._in_h3 = False


def test_glossary_html_parses_and_lists_every_concept() -> None:
    parser = _Collector()
    parser.feed(glossary("html"))
    assert sorted(parser.h3) == sorted(
        c.preferred("en") for c in load_vocabulary().concepts.values()
    )


def test_glossary_csv_has_every_label_once() -> None:
    rows = list(csv.DictReader(io.StringIO(glossary("csv"))))
    assert len(rows) == len(load_vocabulary().labels)
    assert {r["band"] for r in rows} <= {"use", "caution", "avoid"}
    french = list(csv.DictReader(io.StringIO(glossary("csv", lang="fr"))))
    assert french
    assert all(r["lang"] == "fr" for r in french)


def test_glossary_cli_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "glossary.html"
    result = runner.invoke(cli, ["export-glossary", "--format", "html", "--output", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert runner.invoke(cli, ["export-glossary", "--format", "csv"]).output.startswith("group,")
    assert runner.invoke(cli, ["export-glossary", "--format", "pdf"]).exit_code != 0
    with pytest.raises(InputError):
        glossary("pdf")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_vale_rules_match_labels_as_journalists_write_them() -> None:
    """Accents dropped, en dashes and non-breaking spaces between words, curly apostrophes."""
    vocabulary = load_vocabulary()
    patterns = _vale_patterns(vale_rules(vocabulary))
    for label in vocabulary.labels:
        if label.band != "use":
            for written in (
                _strip_accents(label.text).upper(),
                label.text.replace(" ", "\u2013"),
                label.text.replace(" ", "\u00a0").replace("'", "\u2019"),
            ):
                assert any(p.fullmatch(written) for p in patterns), written


def test_glossary_refuses_a_language_without_labels() -> None:
    with pytest.raises(InputError, match="languages: en"):
        glossary("md", lang="zz")
