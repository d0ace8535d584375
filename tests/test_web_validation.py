"""Validation over HTTP (web.routes.validation): the library's report, uploads refused cleanly."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from appfactory import VALID_EXAMPLE, make_app, shape_example
from mnr_graph.core import resources
from mnr_graph.core.settings import Settings
from mnr_graph.submissions import validation

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


TESTS = Path(__file__).parent


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_validate_returns_the_library_report(client: TestClient, kind: str) -> None:
    path = VALID_EXAMPLE if kind == "valid" else shape_example("invalid")
    data = path.read_bytes()
    response = client.post("/validate", files={"file": (path.name, data, "text/turtle")})
    assert response.status_code == 200, response.text
    expected = validation.validate_bytes(data, filename=path.name, media_type="text/turtle")
    assert response.json() == json.loads(json.dumps(expected.to_json()))
    assert response.json()["conforms"] is (kind == "valid")


@pytest.mark.slow
@pytest.mark.parametrize("path", resources.files("examples", "*.*"), ids=lambda p: p.name)
def test_every_example_validates_over_http_as_in_the_library(
    client: TestClient, path: Path
) -> None:
    data = path.read_bytes()
    response = client.post("/validate", files={"file": (path.name, data)})
    expected = validation.validate_bytes(data, filename=path.name)
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(json.dumps(expected.to_json()))


def test_validate_unusable_input_is_400(client: TestClient) -> None:
    response = client.post("/validate", files={"file": ("bad.ttl", b"<a> <b> .", "text/turtle")})
    assert response.status_code == 400
    assert "bad.ttl" in response.json()["detail"]


def test_validate_without_a_file_is_refused(client: TestClient) -> None:
    response = client.post("/validate", files={"other": ("x.ttl", b"<a:b> <a:c> <a:d> .")})
    assert response.status_code == 400
    body = response.json()
    assert body["where"] == "field 'file'"
    assert "'file'" in body["message"]
    assert body["detail"] == f"field 'file': {body['message']}"  # the location said once


@pytest.mark.parametrize(
    "media_type", ["text/turtle", "application/json", "application/x-www-form-urlencoded", None]
)
def test_validate_of_a_body_that_is_not_multipart_is_415(
    client: TestClient, media_type: str | None
) -> None:
    headers = {"Content-Type": media_type} if media_type else {}
    response = client.post("/validate", content=VALID_EXAMPLE.read_bytes(), headers=headers)
    assert response.status_code == 415, response.text
    body = response.json()
    assert "multipart/form-data" in body["message"]
    assert "'file'" in body["message"]
    assert body["where"] == "Content-Type"


@pytest.mark.slow
def test_upload_size_is_limited() -> None:
    app = make_app(Settings(max_upload_bytes=10))
    with TestClient(app) as c:
        response = c.post("/validate", files={"file": ("x.ttl", b"x" * 11, "text/turtle")})
    assert response.status_code == 413
