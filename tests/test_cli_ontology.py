"""The ontology commands: info, export, export-context, check-ontology."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import owlready2
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal

from mnr_graph.cli import cli
from mnr_graph.core import resources
from mnr_graph.core.namespaces import MNR, MNRID, RDF, SKOS
from typed import literal

FACTS = Path(__file__).parent / "data" / "ontology" / "framework-facts.csv"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.slow
def test_info(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["info", "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["capabilities"] == 21
    assert facts["version"] == facts["package_version"]
    text = runner.invoke(cli, ["info"]).output
    assert "capabilities" in text
    assert "triples" in text


def _facts() -> list[dict[str, str]]:
    with FACTS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def exported_ttl() -> Graph:
    """What the installed console script ``mnr-graph export --format ttl`` prints, parsed."""
    script = Path(sys.executable).parent / "mnr-graph"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "mnr_graph"]
    done = subprocess.run(
        [*command, "export", "--format", "ttl"], capture_output=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    return Graph().parse(data=done.stdout, format="turtle")


@pytest.mark.slow
def test_export_ttl_holds_the_capabilities_in_their_domains(exported_ttl: Graph) -> None:
    capabilities = [row for row in _facts() if row["kind"] == "capability"]
    assert len(capabilities) == 21
    assert set(exported_ttl.subjects(RDF.type, MNR.Capability)) == {
        MNRID[row["notation"]] for row in capabilities
    }
    per_domain: dict[str, int] = {}
    for row in capabilities:
        per_domain[row["domain"]] = per_domain.get(row["domain"], 0) + 1
    for domain, count in per_domain.items():
        held = set(exported_ttl.objects(MNRID[domain], MNR.hasCapability))
        assert len(held) == count, domain


@pytest.mark.parametrize("row", _facts(), ids=lambda r: r["notation"])
def test_export_ttl_matches_the_reference_facts(exported_ttl: Graph, row: dict[str, str]) -> None:
    """Number, notation, English label, domain (capabilities, outcomes) and fr/es labels."""
    node = MNRID[row["notation"]]
    kinds = {"domain": MNR.Domain, "capability": MNR.Capability, "outcome": MNR.Outcome}
    assert (node, RDF.type, kinds[row["kind"]]) in exported_ttl, row
    assert [int(literal(n).toPython()) for n in exported_ttl.objects(node, MNR.number)] == [
        int(row["number"])
    ], row
    assert list(exported_ttl.objects(node, SKOS.notation)) == [Literal(row["notation"])], row
    labels = list(exported_ttl.objects(node, SKOS.prefLabel))
    english = [lbl for lbl in labels if isinstance(lbl, Literal) and lbl.language == "en"]
    assert english == [Literal(row["label_en"], lang="en")], row
    langs = {lbl.language for lbl in labels if isinstance(lbl, Literal)}
    assert {"en", "fr", "es"} <= langs, row
    if row["kind"] == "capability":
        assert list(exported_ttl.objects(node, MNR.inDomain)) == [MNRID[row["domain"]]], row
        assert (node, SKOS.broader, MNRID[row["domain"]]) in exported_ttl, row
    if row["kind"] == "outcome":
        assert list(exported_ttl.subjects(MNR.hasOutcome, node)) == [MNRID[row["domain"]]], row


@pytest.mark.slow
def test_export_owl_loads_in_owlready2_and_is_consistent(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "mnr.owl"
    result = runner.invoke(cli, ["export", "--format", "owl", "--output", str(out)])
    assert result.exit_code == 0, result.output
    world = owlready2.World()
    try:
        onto = world.get_ontology(out.as_uri()).load()
        assert onto.base_iri.startswith("https://w3id.org/mnr-graph/def")
        capability = world["https://w3id.org/mnr-graph/def/Capability"]
        assert len(list(capability.instances(world=world))) == 21
        c07 = world["https://w3id.org/mnr-graph/id/C07"]
        assert "Access to Image Databases" in c07.label.en  # what Protégé shows by default
        owlready2.sync_reasoner_hermit(world, debug=0)  # strict: no datatype is ignored
        assert not list(world.inconsistent_classes())
    finally:
        world.close()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["nt", "jsonld"])
def test_export_other_formats(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"mnr.{fmt}"
    result = runner.invoke(cli, ["export", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000


def test_export_rejects_an_unknown_format(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export", "--format", "csv"])
    assert result.exit_code == 2


@pytest.mark.slow
def test_export_context_is_the_shipped_context(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export-context"])
    assert result.exit_code == 0
    assert result.output == resources.read_text("ontology", "context.jsonld")


@pytest.mark.slow
def test_check_ontology_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check-ontology"])
    assert result.exit_code == 0, result.output
    assert "HermiT" in result.output
    assert "all checks passed" in result.output


@pytest.mark.slow
def test_check_ontology_passes_from_a_folder_it_cannot_write(tmp_path: Path) -> None:
    """From ``/`` (a container's usual working folder) HermiT still runs: it works in its own."""
    result = subprocess.run(
        [sys.executable, "-m", "mnr_graph", "check-ontology"],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout


def test_check_ontology_exits_1_when_a_check_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from mnr_graph import cli as cli_module
    from mnr_graph.framework import ontology, quality

    failing = quality.OntologyReport(
        (quality.CheckResult("check-example.rq", "sparql", False, "1 row(s)", ("<urn:x> bad",)),)
    )
    monkeypatch.setattr(ontology, "check_ontology", lambda **_: failing)
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main(["check-ontology", "--json"])
    assert exit_info.value.code == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["export", "--format", "owl", "--output"], ["export-context", "--output"]],
    ids=lambda a: a[0],
)
def test_an_output_file_that_cannot_be_written_is_exit_2_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    from mnr_graph import cli as cli_module

    target = tmp_path / "no-such-folder" / "out.file"
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main([*args, str(target)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert str(target) in err
    assert "No such file or directory" in err
    assert "Traceback" not in err
