"""Batch validation, the one size limit of the CLI and the API, and ``submit`` into a held store.

Batch validation on the CLI takes several files, a folder or standard input; on the API, several
files in one request. ``submit`` writes into a store a server holds.
"""

from __future__ import annotations

import io
import json
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mnr_graph.cli import main
from mnr_graph.core import resources
from mnr_graph.core.settings import Settings

EXAMPLES = resources.path("examples")
VALID_CSV = EXAMPLES / "XC-2024-valid.csv"
INVALID_XLSX = EXAMPLES / "XD-2024-invalid-S17-row4.xlsx"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


def test_a_folder_gives_a_summary_and_a_report_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "received"
    folder.mkdir()
    for source in (VALID_CSV, INVALID_XLSX):
        shutil.copy(source, folder / source.name)
    (folder / "XQ-2024.xlsx").write_bytes(b"%PDF-1.4 a report saved as a PDF")
    (folder / "notes.docx.txt").write_text("not a submission file", encoding="utf-8")
    reports = tmp_path / "reports"
    code, out, _err = _run(["validate", str(folder), "--report-dir", str(reports)], capsys)
    assert code == 2, "an unusable file makes the batch exit 2"
    lines = {line.split()[0].rsplit("/", 1)[-1]: line for line in out.splitlines() if "/" in line}
    assert lines[VALID_CSV.name].split()[1:6] == ["XC", "2024", "0", "0", "conforms"]
    assert lines[INVALID_XLSX.name].split()[1:4] == ["XD", "2024", "1"]
    assert "unusable: this file is a PDF document" in lines["XQ-2024.xlsx"]
    assert "notes.docx.txt" not in out, "a folder gives its submission files only"
    assert "3 files: 1 conforms, 1 do not conform, 1 unusable" in out
    written = sorted(p.name for p in reports.iterdir())
    assert written == [
        f"{n}.report.txt" for n in sorted([VALID_CSV.name, INVALID_XLSX.name, "XQ-2024.xlsx"])
    ]
    assert "[S17] sheet 'submission', row 4" in (
        reports / f"{INVALID_XLSX.name}.report.txt"
    ).read_text(encoding="utf-8")


def test_several_files_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(
        [
            "validate",
            "--format",
            "json",
            "--report-dir",
            str(tmp_path),
            str(VALID_CSV),
            str(INVALID_XLSX),
        ],
        capsys,
    )
    assert code == 1
    entries = json.loads(out)
    assert [(e["country"], e["violations"], e["status"]) for e in entries] == [
        ("XC", 0, "conforms"),
        ("XD", 1, "does not conform"),
    ]
    assert (
        json.loads((tmp_path / f"{INVALID_XLSX.name}.report.json").read_text())["conforms"] is False
    )


@pytest.mark.parametrize(
    ("name", "source"), [("XC.csv", VALID_CSV), (None, EXAMPLES / "XA-2024-valid.ttl")]
)
def test_standard_input(
    name: str | None,
    source: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(source.read_bytes())))
    argv = ["validate", "-"] + (["--name", name] if name else [])
    code, out, _err = _run(argv, capsys)
    assert code == 0, out
    assert out.startswith(f"{name or '-'}: conforms")


def test_the_cli_has_the_api_size_limit_in_mb(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MNR_GRAPH_MAX_UPLOAD_BYTES", str(1024 * 1024))
    big = VALID_CSV.read_bytes() * 600  # about 2 MB
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(big)))
    code, _out, err = _run(["validate", "-", "--name", "big.csv"], capsys)
    assert code == 2
    assert "big.csv: the file is larger than the limit of 1 MB" in err
    assert "MNR_GRAPH_MAX_UPLOAD_BYTES" in err


def test_a_named_file_over_the_limit_says_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MNR_GRAPH_MAX_UPLOAD_BYTES", str(1024 * 1024))
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (3 * 1024 * 1024))
    code, _out, err = _run(["validate", str(big)], capsys)
    assert code == 2
    assert "the file is 3 MB, larger than the limit of 1 MB" in err


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from mnr_graph.query.store import EmbeddedStore
    from mnr_graph.web import app as api

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from fastapi.testclient import TestClient
    with TestClient(api.get_fastapi_app(Settings(), store=EmbeddedStore())) as test_client:
        yield test_client


def test_the_api_validates_several_files_in_one_request(client: Any) -> None:
    files = [
        ("file", (VALID_CSV.name, VALID_CSV.read_bytes(), "application/octet-stream")),
        ("file", (INVALID_XLSX.name, INVALID_XLSX.read_bytes(), "application/octet-stream")),
        ("file", ("XQ.xlsx", b"%PDF-1.4 a report", "application/octet-stream")),
    ]
    response = client.post("/validate/batch", files=files)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conforms"] is False
    got = [(f["filename"], f["status"], f["country"], f["violations"]) for f in body["files"]]
    assert got == [
        (VALID_CSV.name, "conforms", "XC", 0),
        (INVALID_XLSX.name, "does not conform", "XD", 1),
        ("XQ.xlsx", "unusable", None, None),
    ]
    assert body["files"][1]["report"]["results"][0]["row"] == 4
    assert "PDF document" in body["files"][2]["error"]["message"]


def test_the_api_size_limit_says_mb() -> None:
    from mnr_graph.query.store import EmbeddedStore
    from mnr_graph.web import app as api

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from fastapi.testclient import TestClient
    settings = Settings(max_upload_bytes=1024 * 1024)
    with TestClient(api.get_fastapi_app(settings, store=EmbeddedStore())) as small:
        big = ("big.csv", b"x" * (2 * 1024 * 1024), "text/csv")
        for path, files in (("/validate", {"file": big}), ("/validate/batch", [("file", big)])):
            response = small.post(path, files=files)
            assert response.status_code == 413, response.text
            assert "larger than the limit of 1 MB" in response.json()["message"]


def test_submit_into_a_store_a_server_holds_names_the_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mnr_graph.query.store import EmbeddedStore
    from mnr_graph.submissions.holder import serving_note

    folder = tmp_path / "store"
    held = EmbeddedStore(folder)  # as a running server holds it
    try:
        with serving_note(folder, "http://127.0.0.1:8123/"):
            code, _out, err = _run(["submit", str(VALID_CSV), "--store", str(folder)], capsys)
    finally:
        del held
    assert code != 0
    assert "the store is in use by a running mnr-graph server, http://127.0.0.1:8123/" in err
    assert "POST http://127.0.0.1:8123/submissions" in err
    assert "LOCK" not in err
