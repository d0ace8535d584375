"""Errors over HTTP (web.errors).

One shape, a 400 for FastAPI's 422, 405s that name every method, and the OpenAPI document saying the
errors as answered.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

from mnr_graph.web import linked_data

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


@pytest.mark.slow
def test_a_mistyped_parameter_is_a_400_that_names_it(client: TestClient) -> None:
    response = client.get("/terms", params={"limit": "many"})
    assert response.status_code == 400
    assert response.json()["where"] == "parameter 'limit'"
    assert "query.limit" not in response.text
    several = client.get("/terms", params={"limit": "many", "offset": "x"}).json()
    assert several["where"] == "parameter 'limit'"
    assert "parameter 'offset'" in several["message"]
    assert several["detail"].count("parameter 'limit'") == 1


def _operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    paths = client.get("/openapi.json").json()["paths"]
    return [(path, method, op) for path, ops in paths.items() for method, op in ops.items()]


@pytest.mark.slow
def test_openapi_documents_the_errors_as_answered(client: TestClient) -> None:
    """No FastAPI 422 anywhere.

    A 400 in the project's error shape on every operation with parameters or a body, a 413 on
    every operation with a body, and every error response with a JSON schema.
    """
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(document)
    assert set(document["components"]["schemas"]["ErrorModel"]["required"]) >= {
        "error",
        "message",
        "detail",
    }
    operations = _operations(client)
    assert len(operations) > 10
    for path, method, op in operations:
        responses = op["responses"]
        where = f"{method.upper()} {path}"
        if op.get("parameters") or op.get("requestBody"):
            assert "400" in responses, where
            schema = responses["400"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorModel"}, where
        if op.get("requestBody"):
            assert "413" in responses, where
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                assert "application/json" in response["content"], (where, code)
        if "422" in responses:  # only a refused submission, with its report
            schema = responses["422"]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/SubmissionRefused"), where


@pytest.mark.slow
def test_a_missing_required_parameter_is_the_documented_400(client: TestClient) -> None:
    checked = 0
    for path, method, op in _operations(client):
        required = [p for p in op.get("parameters", []) if p.get("required")]
        if method != "get" or not required or "{" in path:
            continue
        response = client.get(path)
        assert response.status_code == 400, path
        assert set(response.json()) == {"error", "message", "where", "detail"}, path
        assert required[0]["name"] in response.json()["detail"], path
        checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/sparql", "GET, HEAD, POST"),
        ("PUT", "/sparql", "GET, HEAD, POST"),
        ("DELETE", "/submissions", "GET, HEAD, POST"),
        ("PUT", "/terms", "GET, HEAD"),
        ("DELETE", "/validate", "GET, HEAD, POST"),  # GET: the upload page
        ("GET", "/validate/report", "POST"),
    ],
)
def test_405_names_every_method_of_the_path(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    body = response.json()
    assert set(body) == {"error", "message", "where", "detail"}
    assert allowed in body["message"]


@pytest.mark.parametrize("space", [s for s in linked_data.SPACES if s != "def"])
def test_a_bare_iri_space_is_404_not_a_redirect(client: TestClient, space: str) -> None:
    for path in (f"/{space}", f"/{space}/"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 404, path
        assert response.json()["error"] == "NotFoundError", path
        page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html"), path


def test_openapi_documents_the_sparql_502_and_the_503_retry_after(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for method in ("get", "post"):
        responses = paths["/sparql"][method]["responses"]
        assert "502" in responses, method
        assert "Retry-After" in responses["503"]["headers"], method
    assert "Retry-After" in paths["/capabilities"]["get"]["responses"]["503"]["headers"]


def test_openapi_documents_the_linked_data_and_the_pages(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    rdf = {"text/html", "text/turtle", "application/ld+json", "application/n-triples"}
    for space in linked_data.SPACES:
        operation = paths[f"/{space}/{{rest_of_path}}"]["get"]
        assert operation["tags"] == ["linked data"], space
        assert rdf <= set(operation["responses"]["200"]["content"]), space
        assert {"404", "406", "503"} <= set(operation["responses"]), space
        assert "text/html" in operation["responses"]["404"]["content"], space
    assert rdf <= set(paths["/def"]["get"]["responses"]["200"]["content"])
    download = paths["/download/mnr-graph.{ext}"]["get"]["responses"]["200"]["content"]
    assert {"text/turtle", "application/rdf+xml"} <= set(download)
    assert (
        "application/ld+json"
        in paths["/download/context.jsonld"]["get"]["responses"]["200"]["content"]
    )
    for page in ("/", "/framework", "/vocabulary", "/questions", "/questions/{name}"):
        operation = paths[page]["get"]
        assert operation["tags"] == ["pages"], page
        assert "text/html" in operation["responses"]["200"]["content"], page
    assert "requestBody" in paths["/vocabulary/check"]["post"]


def test_openapi_is_complete(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for route in ("/queries", "/terms", "/terms/{id}", "/check", "/validate", "/submissions"):
        assert route in paths
    assert "requestBody" in paths["/check"]["post"]
    assert "text/plain" in paths["/check"]["post"]["requestBody"]["content"]
