"""The one error body (core.errors.error_body).

The same keys and texts from the library, the API, the linked-data paths, FastAPI's own errors and
the CLI's JSON.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from mnr_graph.cli import main
from mnr_graph.core import errors
from mnr_graph.core.errors import ConflictError, InputError, MnrGraphError, error_body
from mnr_graph.submissions.validation import validate_bytes

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

KEYS = {"error", "message", "where", "detail"}
#: Every error class of the tree, found in the module (not listed by hand).
ERROR_CLASSES = [
    value
    for value in vars(errors).values()
    if isinstance(value, type) and issubclass(value, MnrGraphError)
]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("where", [None, "parameter 'year'"])
def test_every_error_has_the_one_body(cls: type[MnrGraphError], where: str | None) -> None:
    body = error_body(cls("not a year", where=where))
    assert set(body) == KEYS
    assert body["error"] == cls.__name__
    assert (body["message"], body["where"]) == ("not a year", where)
    assert body["detail"] == (f"{where}: not a year" if where else "not a year")


def test_details_are_in_the_body_only_when_the_error_has_them() -> None:
    details = {"reason": "older", "current": 3}
    body = error_body(ConflictError("an older version", details=details))
    assert body["details"] == details
    assert "details" not in error_body(InputError("bad"))
    assert error_body(InputError("bad"), kind="HTTPError")["error"] == "HTTPError"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/queries/capability?capability=C99", 404),  # a route's library error
        ("GET", "/id/C99", 404),  # a linked-data path, for a tool
        ("GET", "/no/such/path", 404),  # FastAPI's own: no route
        ("DELETE", "/sparql", 405),  # FastAPI's own: the method
        ("GET", "/terms?limit=many", 400),  # FastAPI's own: a mistyped parameter
        ("GET", "/sparql?query=SELECT", 400),  # the protocol
    ],
)
def test_the_api_answers_every_error_with_the_one_body(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path, headers={"Accept": "application/json"})
    assert response.status_code == status
    body = response.json()
    assert set(body) == KEYS
    where = f"{body['where']}: " if body["where"] else ""
    assert body["detail"] == where + body["message"]


def test_the_cli_json_of_an_unusable_file_is_the_library_error_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(b"<a> <b> .")
    with pytest.raises(InputError) as raised:
        validate_bytes(bad.read_bytes(), filename=str(bad))
    with pytest.raises(SystemExit) as exited:
        main(["validate", str(bad), "--format", "json"])
    assert exited.value.code == 2
    assert json.loads(capsys.readouterr().out)["error"] == error_body(raised.value)
