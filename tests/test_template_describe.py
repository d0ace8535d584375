"""The template's CSVW metadata and Frictionless data package, checked by those libraries.

A filled template (the shipped valid CSV example) passes both; each invalid CSV example, named
``*-invalid-Snn-rowN.csv`` after the shape and row it breaks, fails in both at that row when the
shape is one the descriptions carry (generated from the shapes, :mod:`describe`).
"""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

from mnr_graph.cli import main
from mnr_graph.core import resources
from mnr_graph.submissions.describe import column_rules, csvw_metadata, frictionless_package
from mnr_graph.submissions.table import COLUMNS
from mnr_graph.submissions.template import template_bytes

VALID = resources.files("examples", "*-valid*.csv")
INVALID = resources.files("examples", "*-invalid-S*-row*.csv")


def _described(tmp_path: Path, source: Path | bytes, name: str) -> tuple[Path, Path]:
    """The file with its CSVW metadata and data package beside it."""
    target = tmp_path / name
    if isinstance(source, Path):
        shutil.copy(source, target)
    else:
        target.write_bytes(source)
    metadata = tmp_path / f"{name}-metadata.json"
    metadata.write_text(json.dumps(csvw_metadata(url=name)), encoding="utf-8")
    package = tmp_path / f"{name}.datapackage.json"
    package.write_text(json.dumps(frictionless_package(path=name)), encoding="utf-8")
    return metadata, package


def _csvw_errors(metadata: Path) -> list[str]:
    """The csvw library's complaints about the described file (one per bad cell)."""
    import csvw

    table = csvw.Table.from_file(metadata)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = list(table.iterdicts(strict=False))
    assert rows is not None
    return [str(w.message) for w in caught]


def _frictionless_errors(package: Path) -> list[tuple[int | None, str | None]]:
    import frictionless

    report = frictionless.Package(str(package)).validate()
    return [(e[0], e[1]) for e in report.flatten(["rowNumber", "fieldName"])]


def test_descriptions_come_from_the_shapes() -> None:
    """Every column is described; a shape's datatype, pattern and class reach the columns."""
    rules = {rule.name: rule for rule in column_rules()}
    assert list(rules) == list(COLUMNS)
    assert {"S02"} <= set(rules["reporting_year"].shapes)
    assert "S31" in rules["source_date"].shapes
    assert "P04" in rules["maturity_phase"].values
    assert "external review" in rules["assessor_type"].values
    assert rules["capability"].required
    assert not rules["source_title"].required


@pytest.mark.slow
@pytest.mark.parametrize("example", VALID, ids=lambda p: p.name)
def test_a_valid_example_passes_csvw_and_frictionless(example: Path, tmp_path: Path) -> None:
    text = example.read_text(encoding="utf-8")
    if not text.startswith(",".join(COLUMNS)):
        pytest.skip("the descriptions are of the template's own CSV dialect (comma, UTF-8)")
    metadata, package = _described(tmp_path, example, example.name)
    assert _csvw_errors(metadata) == []
    assert _frictionless_errors(package) == []


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.name)
def test_an_invalid_example_fails_at_its_row(example: Path, tmp_path: Path) -> None:
    shape, row = re.search(r"-invalid-(S[0-9]+)-row([0-9]+)", example.name).groups()  # type: ignore[union-attr]
    described = [rule for rule in column_rules() if shape in rule.shapes]
    if not described:
        pytest.skip(f"{shape} is not a rule of one cell (checked by mnr-graph validate)")
    metadata, package = _described(tmp_path, example, example.name)
    csvw_errors = _csvw_errors(metadata)
    assert csvw_errors, "csvw finds the broken cell"
    errors = _frictionless_errors(package)
    assert (int(row), described[0].name) in errors, errors


def test_the_template_and_its_filled_copy_pass(tmp_path: Path) -> None:
    """The CSV template itself is valid, and so is the template with the example's rows added.

    In the template the instructions and example rows are # comments.
    """
    template = template_bytes("csv", lang="fr")
    metadata, package = _described(tmp_path, template, "template.csv")
    assert _csvw_errors(metadata) == []
    assert _frictionless_errors(package) == []
    rows = VALID[0].read_text(encoding="utf-8").split("\n", 1)[1]
    metadata, package = _described(tmp_path, template + rows.encode(), "filled.csv")
    assert _csvw_errors(metadata) == []
    assert _frictionless_errors(package) == []


@pytest.mark.parametrize("fmt", ["csvw", "frictionless"])
def test_template_command_writes_the_descriptions(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"described.{fmt}.json"
    with pytest.raises(SystemExit) as exit_info:
        main(["template", "--format", fmt, "--output", str(out)])
    assert exit_info.value.code == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == (csvw_metadata() if fmt == "csvw" else frictionless_package())
