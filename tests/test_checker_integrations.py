"""The checker where people write: SARIF, GitHub annotations, suppressions, .mnr-graph.toml."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from mnr_graph.cli import cli, main
from mnr_graph.core.errors import InputError
from mnr_graph.terminology.checker import check_text
from mnr_graph.terminology.config import (
    CONFIG_NAME,
    check_document,
    find_config,
    load_config,
    parse_config,
)
from mnr_graph.terminology.reports import github_annotations, sarif_log
from mnr_graph.terminology.suppression import apply_suppressions

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"

# Ordinary news-style sentences about terminology.
ARTICLE = (
    "# Coverage review\n\n"
    "The weekend story used child pornography in a headline.\n"
    "An editor changed child prostitute to the recommended wording.\n"
)
QUOTE = (
    "Before.\n<!-- mnr-graph: off -->\n"
    '> The 1996 headline read "child prostitute".\n'
    "<!-- mnr-graph: on -->\nAfter, a child prostitute was mentioned again.\n"
)


def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_sarif_log_is_valid_sarif_2_1_0_with_regions_and_fixes() -> None:
    findings = check_text(ARTICLE)
    log = sarif_log([("docs/review.md", ARTICLE, findings)])
    _validator().validate(log)
    run = log["runs"][0]
    results = run["results"]
    assert len(results) == len(findings) == 2
    first = results[0]
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 24)
    start, length = region["charOffset"], region["charLength"]
    assert ARTICLE[start : start + length] == "child pornography"
    assert region["endColumn"] - region["startColumn"] == len("child pornography")
    assert first["level"] == "error"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    replacement = first["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] == "child sexual abuse material"


def test_sarif_of_a_term_across_a_line_break_ends_on_the_next_line() -> None:
    text = "The story used the words child\nprostitute twice.\n"
    (finding,) = check_text(text)
    log = sarif_log([("a.txt", text, [finding])])
    _validator().validate(log)
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"], region["endColumn"]) == (1, 2, 11)


def test_a_wrong_sarif_log_fails_the_schema() -> None:
    log = sarif_log([("a.md", ARTICLE, check_text(ARTICLE))])
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(log)


def test_github_annotations_escape_and_locate() -> None:
    lines = github_annotations([("docs/a,b.md", ARTICLE, check_text(ARTICLE))])
    assert lines[0].startswith("::error file=docs/a%2Cb.md,line=3,col=24,endLine=3,endColumn=41,")
    message = lines[0].split("::", 2)[2]
    assert message.startswith('"child pornography" is for legal contexts only')
    assert "\n" not in message


def test_suppression_block_silences_only_inside() -> None:
    findings = check_document(QUOTE)
    assert [f.line for f in findings] == [5]
    assert len(check_text(QUOTE)) == 2


def test_suppression_of_one_term_by_label_or_concept_id() -> None:
    text = (
        "<!-- mnr-graph: off child prostitute -->\n"
        "A child prostitute and child pornography were in the headline.\n"
    )
    assert [f.text for f in check_document(text)] == ["child pornography"]
    by_concept = text.replace("child prostitute -->", "child-sexual-abuse-material -->")
    assert [f.text for f in check_document(by_concept)] == ["child prostitute"]
    reopened = text + "<!-- mnr-graph: on child prostitute -->\nLater, child prostitute.\n"
    assert [f.line for f in check_document(reopened)] == [2, 4]


def test_ignore_next_silences_one_finding() -> None:
    text = "<!-- mnr-graph: ignore-next -->Child prostitute, then child prostitute."
    assert [f.column for f in apply_suppressions(text, check_text(text))] == [55]


def test_config_languages_allow_and_own_terms(tmp_path: Path) -> None:
    config = parse_config(
        '[check]\nlanguages = ["fr"]\n[check.avoid]\n"abuse video" = "record of abuse"\n',
        where="cfg.toml",
    )
    text = "Police found child pornography and an abuse video, said the report."
    findings = check_document(text, config=config)
    assert [(f.text, f.band) for f in findings] == [("abuse video", "avoid")]
    assert findings[0].use_instead[0]["label"] == "record of abuse"
    assert "cfg.toml" in findings[0].message
    allowed = parse_config('[check]\nallow = ["child pornography"]', where="c.toml")
    assert check_document(text, config=allowed) == []


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[check]\nalow = []", "unknown key(s) in [check]: alow"),
        ("[check]\nlanguages = 'en'", "languages must be a list of strings"),
        ("[check", "not TOML"),
        ("[other]\n", "unknown table(s): other"),
    ],
)
def test_config_errors_name_the_file_and_the_key(toml: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_config(toml, where="proj/.mnr-graph.toml")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("proj/.mnr-graph.toml: ")


def test_config_is_found_in_a_parent_directory(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text('[check]\nallow = ["child prostitute"]\n')
    nested = tmp_path / "docs" / "news"
    nested.mkdir(parents=True)
    article = nested / "a.md"
    article.write_text("A child prostitute was named in the headline.\n", encoding="utf-8")
    assert find_config(article) == (tmp_path / CONFIG_NAME).resolve()
    assert load_config(tmp_path / CONFIG_NAME).allow == frozenset({"child prostitute"})
    result = CliRunner().invoke(cli, ["check", str(article)])
    assert (result.exit_code, result.output) == (0, "")


def test_cli_check_several_files_in_sarif_and_github(tmp_path: Path) -> None:
    one, two = tmp_path / "one.md", tmp_path / "two.md"
    one.write_text(ARTICLE, encoding="utf-8")
    two.write_text(QUOTE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--format", "sarif", str(one), str(two)])
    assert result.exit_code == 1
    log = json.loads(result.output)
    _validator().validate(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == [str(one), str(one), str(two)]
    result = CliRunner().invoke(cli, ["check", "--format", "github", str(two)])
    assert result.output.startswith(f"::error file={two},line=5,")
    result = CliRunner().invoke(cli, ["check", "--format", "json", str(one), str(two)])
    assert [len(item["findings"]) for item in json.loads(result.output)] == [2, 1]


def test_cli_check_reports_a_bad_config_as_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[check]\nlanguages = 3\n")
    article = tmp_path / "a.md"
    article.write_text("Fine text.\n")
    with pytest.raises(SystemExit) as caught:
        main(["check", "--config", str(bad), str(article)])
    assert caught.value.code == 2
    assert f"error: {bad}: [check] languages must be a list of strings" in capsys.readouterr().err


def test_config_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text('[check]\nallow = ["child prostitute"]\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    article = repo / "a.md"
    article.write_text("A child prostitute was named.\n", encoding="utf-8")
    assert find_config(article) is None
