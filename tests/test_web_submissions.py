"""Submissions over HTTP (web.routes.submissions).

The token first, stored, listed, paged, replaced, withdrawn.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import starlette.requests

from appfactory import TOKEN, VALID_EXAMPLE, make_app, multipart_body, shape_example
from mnr_graph.core import resources
from mnr_graph.core.settings import Settings

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


TESTS = Path(__file__).parent


@pytest.mark.slow
@pytest.mark.parametrize(
    ("token", "header"),
    [(None, None), (None, f"Bearer {TOKEN}"), (TOKEN, None), (TOKEN, "Bearer wrong")],
)
@pytest.mark.parametrize("body", ["none", "large", "malformed multipart"])
def test_a_write_is_refused_before_its_body_is_read(
    monkeypatch: pytest.MonkeyPatch, token: str | None, header: str | None, body: str
) -> None:
    """No token (or writes off): 403 whatever the body, and the body is never parsed."""

    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the body of an unauthorised write was parsed")

    monkeypatch.setattr(starlette.requests.Request, "form", no_parsing)
    monkeypatch.setattr(starlette.requests.Request, "body", no_parsing)
    limit = 200_000
    headers = {"Authorization": header} if header else {}
    content: bytes | None = None
    if body == "large":
        content, multipart = multipart_body(b"<a:b> <a:c> <a:d> .\n" * (limit // 25))
        headers |= multipart
        assert limit // 2 < len(content) < limit
    elif body == "malformed multipart":
        content = b"not multipart at all" * 1000
        headers["Content-Type"] = "multipart/form-data; boundary=x"
    app = make_app(Settings(write_token=token, max_upload_bytes=limit))
    with TestClient(app) as c:
        response = c.post("/submissions", content=content, headers=headers)
    assert response.status_code == 403, response.text
    words = "writes are off" if token is None else "a valid bearer token"
    assert words in response.json()["message"]


@pytest.mark.slow
def test_writes_are_off_without_a_configured_token() -> None:
    app = make_app(Settings())
    with TestClient(app) as c:
        response = c.post(
            "/submissions",
            files={"file": ("x.ttl", b"<a:b> <a:c> <a:d> .", "text/turtle")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 403
    assert "writes are off" in response.json()["detail"]


@pytest.mark.slow
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_writes_need_the_token(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post(
        "/submissions",
        files={"file": ("x.ttl", b"<a:b> <a:c> <a:d> .", "text/turtle")},
        headers=headers,
    )
    assert response.status_code == 403
    assert TOKEN not in response.text


@pytest.mark.slow
def test_submission_is_stored_listed_and_queryable() -> None:
    path = VALID_EXAMPLE
    app = make_app(Settings(write_token=TOKEN))
    with TestClient(app) as c:
        before = c.get("/submissions").json()
        response = c.post(
            "/submissions",
            files={"file": (path.name, path.read_bytes(), "text/turtle")},
            data={"submitter": "test"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 201, response.text
        stored = response.json()
        listed = c.get("/submissions").json()["items"]
        assert len(listed) == before["total"] + 1
        assert stored["graph"] in {s["graph"] for s in listed}
        profile = c.get("/queries/country-profile", params={"country": stored["country"]})
        assert {r["submission"] for r in profile.json()["rows"]} == {stored["submission"]}


@pytest.mark.slow
def test_invalid_submission_is_refused_with_its_report() -> None:
    path = shape_example("invalid")
    app = make_app(Settings(write_token=TOKEN))
    with TestClient(app) as c:
        response = c.post(
            "/submissions",
            files={"file": (path.name, path.read_bytes(), "text/turtle")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 422
        assert response.json()["report"]["conforms"] is False
        assert response.json()["error"] == "ValidationFailedError"
        assert c.get("/submissions").json()["items"] == []


def _version(n: int) -> dict[str, Any]:
    """The Turtle example with other content (revision ``n`` in an evidence text)."""
    text = VALID_EXAMPLE.read_text().replace(
        "meets every quarter with the sectors concerned.",
        f"meets every quarter with the sectors concerned (revision {n}).",
        1,
    )
    return {"file": (VALID_EXAMPLE.name, text.encode(), "text/turtle")}


@pytest.mark.slow
def test_the_submissions_list_pages_and_says_so_in_its_body() -> None:
    """GET /submissions can grow.

    Past a page it says so in the body (truncated, next, total) and in the Link header, and the
    next page gives the rest.
    """
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(make_app(Settings(write_token=TOKEN, result_limit=2))) as c:
        for n in range(3):
            assert c.post("/submissions", files=_version(n), headers=auth).status_code == 201
        first = c.get("/submissions")
        body = first.json()
        assert (body["total"], body["limit"], len(body["items"]), body["truncated"]) == (
            3,
            2,
            2,
            True,
        )
        assert body["next"] == "/submissions?limit=2&offset=2"
        assert first.headers["Link"] == '</submissions?limit=2&offset=2>; rel="next"'
        rest_ = c.get(body["next"]).json()
        assert (len(rest_["items"]), rest_["truncated"], rest_["next"]) == (1, False, None)
        versions = [e["version"] for e in body["items"] + rest_["items"]]
        # after the versions the test data holds (data/submission/XA/2024/v1, v2)
        assert versions == [3, 4, 5]
        too_many = c.get("/submissions", params={"limit": 3})
        assert too_many.status_code == 400
        assert too_many.json()["where"] == "parameter 'limit'"


@pytest.mark.slow
def test_the_submissions_list_filters_by_country_and_year() -> None:
    """Country (any code or name of it) and year filter.

    An unknown parameter is a 400 (it was ignored: the whole list came back), a country with no
    submission a 404.
    """
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        assert c.post("/submissions", files=_version(1), headers=auth).status_code == 201
        xc = resources.path("examples", "XC-2024-valid.csv")
        upload = {"file": (xc.name, xc.read_bytes(), "text/csv")}
        assert c.post("/submissions", files=upload, headers=auth).status_code == 201
        only = c.get("/submissions", params={"country": "xc"}).json()
        assert [e["countryCode"] for e in only["items"]] == ["XC"]
        assert only["total"] == 1
        assert c.get("/submissions", params={"country": "XA", "year": "2024"}).json()["total"] == 1
        assert c.get("/submissions", params={"country": "XA", "year": "2023"}).json()["total"] == 0
        unknown = c.get("/submissions", params={"countryy": "XA"})
        assert unknown.status_code == 400
        assert unknown.json()["where"] == "parameter 'countryy'"
        nothing = c.get("/submissions", params={"country": "XQ"})
        assert nothing.status_code == 404
        assert "XQ" in nothing.json()["message"]
        assert c.get("/submissions", params={"year": "24"}).status_code == 400
        assert c.get("/submissions", params={"country": "X1"}).status_code == 400


@pytest.mark.slow
def test_an_identical_resubmission_is_200_unchanged() -> None:
    """The same bytes again store nothing: 200 with ``unchanged`` true, not a 201 and a version."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    upload = {"file": (VALID_EXAMPLE.name, VALID_EXAMPLE.read_bytes(), "text/turtle")}
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        first = c.post("/submissions", files=upload, headers=auth)
        again = c.post("/submissions", files=upload, headers=auth)
        listed = c.get("/submissions").json()
    assert (first.status_code, first.json()["unchanged"]) == (201, False), first.text
    assert (again.status_code, again.json()["unchanged"]) == (200, True), again.text
    assert again.json()["graph"] == first.json()["graph"]
    assert listed["total"] == 1


@pytest.mark.slow
def test_a_submission_with_less_data_is_a_409_until_replace_is_given() -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    xc = resources.path("examples", "XC-2024-valid.csv")
    lines = xc.read_text().splitlines()
    partial = [lines[0], *lines[1:6]] + [
        ",".join([*line.split(",")[:3], "", "no data", "", "", "", "", "", ""])
        for line in lines[6:]
    ]
    data = ("\n".join(partial) + "\n").encode()
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        upload = {"file": (xc.name, xc.read_bytes(), "text/csv")}
        assert c.post("/submissions", files=upload, headers=auth).status_code == 201
        refused = c.post("/submissions", files={"file": ("p.csv", data)}, headers=auth)
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["error"] == "ConflictError"
        assert body["details"]["reason"] == "less-data"
        assert (body["details"]["current"]["assessed"], body["details"]["new"]["assessed"]) == (
            20,
            5,
        )
        assert c.get("/submissions").json()["total"] == 1, "nothing stored"
        bad = c.post(
            "/submissions", files={"file": ("p.csv", data)}, data={"replace": "maybe"}, headers=auth
        )
        assert (bad.status_code, bad.json()["where"]) == (400, "field 'replace'")
        stored = c.post(
            "/submissions", files={"file": ("p.csv", data)}, data={"replace": "true"}, headers=auth
        )
        assert stored.status_code == 201, stored.text
        assert "less data" in stored.json()["notice"]


@pytest.mark.slow
def test_a_workbook_sheet_is_chosen_with_the_form_field() -> None:
    workbook = TESTS / "data" / "validation" / "xlsx-two-submission-sheets.xlsx"
    files = {"file": (workbook.name, workbook.read_bytes())}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        refused = c.post("/validate", files=files)
        assert refused.status_code == 400
        assert "'2023 copy', '2024'" in refused.json()["message"]
        chosen = c.post("/validate", files=files, data={"sheet": "2024"})
        assert (chosen.status_code, chosen.json()["sheet"]) == (200, "2024"), chosen.text
        assert c.post("/submissions", files=files, headers=auth).status_code == 400
        stored = c.post("/submissions", files=files, data={"sheet": "2024"}, headers=auth)
        assert stored.status_code == 201, stored.text
        assert stored.json()["sheet"] == "2024"
        (entry,) = c.get("/submissions", params={"country": "XD"}).json()["items"]
        assert entry["sheet"] == "2024"


@pytest.mark.slow
def test_a_version_is_withdrawn_with_the_token() -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        first = c.post("/submissions", files=_version(1), headers=auth).json()
        second = c.post("/submissions", files=_version(2), headers=auth).json()
        path = f"/submissions/XA/2024/{second['version']}"
        assert c.delete(path).status_code == 403
        assert c.delete(path, params={"colour": "red"}, headers=auth).status_code == 400
        assert c.delete("/submissions/XA/2024/99", headers=auth).status_code == 404
        assert c.delete("/submissions/ZQ/2024/1", headers=auth).status_code == 404
        done = c.delete(path, params={"reason": "wrong file", "by": "Data team"}, headers=auth)
        assert done.status_code == 200, done.text
        assert done.json()["current"] == first["graph"]
        assert c.delete(path, headers=auth).status_code == 409
        listed = {e["version"]: e for e in c.get("/submissions").json()["items"]}
        assert listed[second["version"]]["withdrawn"]["reason"] == "wrong file"
        assert listed[first["version"]]["isCurrent"] is True
        rows = c.get("/queries/country-profile", params={"country": "XA"}).json()["rows"]
        assert {r["submission"] for r in rows} == {first["submission"]}
