"""Validation of whole submissions: the examples, the Python rules, inputs and the CLI."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import re
import socket
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from mnr_graph.cli import main
from mnr_graph.core import resources
from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.submissions import rules
from mnr_graph.submissions.rdf_input import CONTEXT_IRI, parse_rdf
from mnr_graph.submissions.shapes import shapes_graph
from mnr_graph.submissions.validation import validate_bytes, validate_graph

SHAPE_EXAMPLES = Path(__file__).parent / "data" / "shapes"
DATA = Path(__file__).parent / "data" / "validation"
EXPECTED = re.compile(r"-invalid-(S[0-9]{2})(?:-row([0-9]+))?\.")


def _examples(kind: str) -> list[Path]:
    return [p for p in resources.files("examples") if f"-{kind}" in p.name]


@pytest.mark.slow
@pytest.mark.parametrize("example", _examples("valid"), ids=lambda p: p.name)
def test_valid_example_conforms(example: Path) -> None:
    report = validate_bytes(example.read_bytes(), filename=example.name)
    assert report.conforms, report.to_text()


@pytest.mark.slow
@pytest.mark.parametrize("example", _examples("invalid"), ids=lambda p: p.name)
def test_invalid_example_fails_on_expected_shape_and_row(example: Path) -> None:
    match = EXPECTED.search(example.name)
    assert match, f"{example.name} must name its shape: NAME-invalid-Snn[-rowN].ext"
    report = validate_bytes(example.read_bytes(), filename=example.name)
    assert report.has_violations
    found = {(r.shape, r.row) for r in report.results if r.severity == "Violation"}
    row = int(match.group(2)) if match.group(2) else None
    assert (match.group(1), row) in found, report.to_text()


def _sparql_shapes() -> dict[str, URIRef]:
    graph = shapes_graph()
    return {
        str(ident): shape
        for shape, ident in graph.subject_objects(DCTERMS.identifier)
        if isinstance(shape, URIRef) and (shape, SH.sparql, None) in graph
    }


def test_every_sparql_shape_has_a_python_rule() -> None:
    assert set(_sparql_shapes()) == set(rules.RULES)


def _rule_cases() -> list[tuple[str, Path]]:
    return [
        (ident, path)
        for ident in sorted(rules.RULES)
        for path in sorted(SHAPE_EXAMPLES.glob(f"{ident}-*.ttl"))
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("ident", "example"), _rule_cases(), ids=lambda v: getattr(v, "name", v))
def test_python_rule_gives_what_pyshacl_sparql_gives(
    ident: str, example: Path, shipped_graph: Graph
) -> None:
    data = Graph().parse(example, format="turtle")
    combined = Graph()
    combined += shipped_graph
    combined += data
    shape = _sparql_shapes()[ident]
    _c, report, _t = validate(
        combined, shacl_graph=shapes_graph(), use_shapes=[shape], inplace=True
    )
    assert isinstance(report, Graph)
    raw = {
        (
            str(report.value(r, SH.focusNode)),
            str(report.value(r, SH.value)),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    ours = {(r.focus, r.value, r.message) for r in validate_graph(data).results if r.shape == ident}
    if ident == "S26":
        raw = _leftmost_longest(raw)
    assert ours == raw


def _words(term: str, text: str) -> list[tuple[int, int]]:
    """Where ``term`` occurs in ``text`` as whole words (ignoring case), as S26 matches."""
    pattern = r"(?<!\w)" + re.escape(term.lower()) + r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text.lower())]


def _leftmost_longest(raw: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """PySHACL's S26 results without those the Python rule documents it does not give.

    A label whose every occurrence in the text lies inside an occurrence of a longer label
    reported on the same text (``child pornography`` inside ``virtual child pornography``).
    """
    term_of: dict[tuple[str, str, str], str] = {}
    for key in raw:
        found = re.search(r"the term '(.+?)', which", key[2])
        assert found, key
        term_of[key] = found.group(1)
    kept = set()
    for key, term in term_of.items():
        focus, value, _message = key
        longer = [
            span
            for other, other_term in term_of.items()
            if other[:2] == (focus, value) and len(other_term) > len(term)
            for span in _words(other_term, value)
        ]
        spans = _words(term, value)
        assert spans, f"pySHACL found {term!r} in {value!r}: not as whole words"
        if not all(any(a <= s and e <= b for a, b in longer) for s, e in spans):
            kept.add(key)
    return kept


def test_json_report_has_the_contract_keys() -> None:
    example = next(p for p in _examples("invalid") if p.suffix == ".csv")
    report = validate_bytes(example.read_bytes(), filename=example.name).to_json()
    assert report["conforms"] is False
    keys = {"severity", "shape", "message", "focus", "path", "value", "row", "column"}
    assert all(keys <= set(r) for r in report["results"])
    assert all(isinstance(r["row"], int) for r in report["results"] if r["shape"] != "S09")


def test_rdf_input_has_no_row() -> None:
    example = next(p for p in _examples("invalid") if p.suffix == ".ttl")
    report = validate_bytes(example.read_bytes(), filename=example.name).to_json()
    assert all(r["row"] is None and r["column"] is None for r in report["results"])


def test_turtle_parse_error_says_line_and_column() -> None:
    with pytest.raises(InputError, match=r"line 3, column \d+"):
        parse_rdf(b"<urn:a> <urn:b> <urn:c> .\n\n<urn:a> <urn:b> 'x .\n", filename="x", fmt="ttl")


def test_json_parse_error_says_line_and_column() -> None:
    with pytest.raises(InputError, match=r"line 2, column \d+"):
        parse_rdf(b'{"@id": "urn:a",\n  oops}', filename="x.jsonld", fmt="jsonld")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(UnsupportedMediaTypeError):
        validate_bytes(b"x", filename="data.doc")


@pytest.mark.slow
def test_remote_context_is_refused_without_connecting() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(1.0)
    port = server.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            connections.append(server.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    document = {"@context": f"http://127.0.0.1:{port}/context.jsonld", "@id": "urn:a"}
    try:
        with pytest.raises(InputError, match="remote JSON-LD context"):
            validate_bytes(json.dumps(document).encode(), filename="remote.jsonld")
        nested = {"@context": {"@import": f"http://127.0.0.1:{port}/c"}, "@id": "urn:a"}
        with pytest.raises(InputError):
            validate_bytes(json.dumps(nested).encode(), filename="remote.jsonld")
    finally:
        thread.join()
        server.close()
    assert connections == []


def test_shipped_context_iri_is_used_locally() -> None:
    document = {
        "@context": CONTEXT_IRI,
        "@id": "data:submission/XA/2024/v1",
        "@type": "mnr:Submission",
        "mnr:country": {"@id": "data:country/XA", "@type": "mnr:Country", "mnr:countryCode": "XA"},
    }
    report = validate_bytes(json.dumps(document).encode(), filename="c.jsonld")
    shapes = {r.shape for r in report.results}
    assert "S01" not in shapes, report.to_text()
    assert "S12" not in shapes, report.to_text()
    assert "S02" in shapes, "the context's terms were read: only the year is missing"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("garbage.ttl", b"\x00\xff\xfe not turtle"),
        ("garbage.jsonld", b"\xff\xfe\x00"),
        ("garbage.xlsx", b"PK not a zip"),
        ("garbage.csv", b"a,b\x00,c"),
        ("empty.csv", b""),
    ],
)
def test_cli_unusable_input_exits_2_without_traceback(
    name: str, data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / name
    file.write_bytes(data)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(file)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert name in err


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text", "json", "ttl"])
def test_cli_exit_codes_and_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    valid = next(p for p in _examples("valid") if p.suffix == ".ttl")
    invalid = next(p for p in _examples("invalid") if p.suffix == ".csv")
    for path, code in ((valid, 0), (invalid, 1)):
        with pytest.raises(SystemExit) as exit_info:
            main(["validate", "--format", fmt, str(path)])
        assert exit_info.value.code == code
        out = capsys.readouterr().out
        if fmt == "json":
            assert json.loads(out)["conforms"] is (code == 0)
        elif fmt == "ttl":
            report = Graph().parse(data=out, format="turtle")
            assert (None, RDF.type, SH.ValidationReport) in report
        else:
            assert ("does NOT conform" in out) is (code == 1)


@pytest.mark.slow
def test_a_submission_in_the_contexts_own_terms_validates_and_round_trips() -> None:
    """A data team can write JSON-LD with the shipped context's short terms (no prefixes)."""
    source = Graph().parse(resources.path("examples", "XA-2024-valid.ttl"), format="turtle")
    context = json.loads(resources.read_text("ontology", "context.jsonld"))["@context"]
    compacted = json.loads(source.serialize(format="json-ld", context=context))
    compacted["@context"] = CONTEXT_IRI
    text = json.dumps(compacted)
    assert '"assessedCapability"' in text, "the context's short terms are used"
    report = validate_bytes(text.encode(), filename="XA-2024.jsonld")
    assert report.conforms, report.to_text()
    compacted["@context"] = context
    reparsed = list(ox.parse(json.dumps(compacted), format=ox.RdfFormat.JSON_LD))
    assert len(reparsed) == len(source)


# --- submissions a data team would make (tests/data/validation), each with its expected outcome --

CASES = sorted(p for p in DATA.glob("*") if not p.name.endswith(".expected.json"))


def _expected(case: Path) -> dict[str, Any]:
    sidecar = case.with_name(case.name + ".expected.json")
    assert sidecar.exists(), f"{case.name} needs {sidecar.name}"
    expected: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8"))
    return expected


def _outcome(results: list[dict[str, Any]]) -> list[tuple[str, str, int | None, str | None]]:
    return sorted(
        ((r["severity"], r["shape"], r["row"], r["column"]) for r in results),
        key=lambda t: (t[0], t[1], t[2] or 0, t[3] or ""),
    )


def test_every_case_has_an_expectation() -> None:
    assert len(CASES) >= 30
    names = {p.name for p in CASES}
    for sidecar in DATA.glob("*.expected.json"):
        assert sidecar.name.removesuffix(".expected.json") in names, f"{sidecar.name}: no case"


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_through_the_cli(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _expected(case)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "json", str(case)])
    assert exit_info.value.code == expected["exit"]
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if expected["exit"] == 2:
        assert expected["error"] in captured.err
        assert case.name in captured.err, "the error names the file"
        unusable = json.loads(captured.out)  # --format json: JSON on stdout even then
        assert unusable["conforms"] is False
        assert expected["error"] in unusable["error"]["message"]
        return
    report = json.loads(captured.out)
    assert report["conforms"] is expected["conforms"]
    wanted = [(s, sh, row, col) for s, sh, row, col in expected["results"]]
    assert _outcome(report["results"]) == _outcome(
        [{"severity": s, "shape": sh, "row": row, "column": col} for s, sh, row, col in wanted]
    ), captured.out
    for result in report["results"]:
        if result["row"] is not None:
            assert result["cell"].endswith(str(result["row"])), "the cell is on the row"
    with pytest.raises(SystemExit) as text_exit:
        main(["validate", "--format", "text", str(case)])
    assert text_exit.value.code == expected["exit"]
    text = capsys.readouterr().out
    assert ("does NOT conform" in text) is (not expected["conforms"])
    for message in expected.get("messages", []):  # what the report must say (a did-you-mean)
        assert message in text, text
    assert "blank node [" in text or "node <n" not in text, "blank nodes are described"


@pytest.fixture(scope="module")
def api_client() -> Iterator[Any]:
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.store import EmbeddedStore
    from mnr_graph.web import app as api

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from fastapi.testclient import TestClient
    with TestClient(api.get_fastapi_app(Settings(), store=EmbeddedStore())) as client:
        yield client


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_through_post_validate(case: Path, api_client: Any) -> None:
    expected = _expected(case)
    media_type = expected.get("media_type", "application/octet-stream")
    response = api_client.post(
        "/validate", files={"file": (case.name, case.read_bytes(), media_type)}
    )
    if expected["exit"] == 2:
        assert response.status_code in (400, 415), response.text
        assert expected["error"] in response.text
        return
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conforms"] is expected["conforms"]
    assert _outcome(body["results"]) == _outcome(
        [
            {"severity": s, "shape": sh, "row": row, "column": col}
            for s, sh, row, col in expected["results"]
        ]
    )


def test_an_ill_typed_date_in_rdf_is_reported_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Rdflib logs a traceback for "2024-02-30"^^xsd:date; the report says it, nothing else."""
    data = (DATA / "ttl-typed-by-the-ontology-broken.ttl").read_bytes()
    with caplog.at_level(logging.DEBUG):
        report = validate_bytes(data, filename="broken.ttl")
    assert "S31" in {r.shape for r in report.results}
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(
    ("name", "shape", "value"),
    [("csv-two-countries.csv", "S01", "XD"), ("csv-two-years.csv", "S02", "2023")],
)
def test_a_mixed_country_or_year_shows_the_value_that_differs(
    name: str, shape: str, value: str
) -> None:
    report = validate_bytes((DATA / name).read_bytes(), filename=name)
    (result,) = [r for r in report.results if r.shape == shape]
    assert result.value == value, report.to_text()


def test_validation_on_a_worker_thread_leaves_the_garbage_collector_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The API validates on worker threads.

    Switching the collector off for a validation would switch it off for every thread of the
    process.
    """
    import pyshacl  # validation imports it when it first validates (not at a server's start)

    seen: list[bool] = []
    shacl = pyshacl.validate

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return shacl(*args, **kwargs)

    monkeypatch.setattr(pyshacl, "validate", watched)
    example = resources.path("examples", "XA-2024-valid.ttl")
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(validate_bytes, example.read_bytes(), filename=example.name).result()
    assert report.conforms
    assert seen == [True]
    assert gc.isenabled()
