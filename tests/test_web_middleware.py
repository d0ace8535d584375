"""The app's middleware (web.middleware): the body limit for every route."""

from __future__ import annotations

import warnings

import pytest

from appfactory import TOKEN, make_app, multipart_body
from mnr_graph.core.settings import Settings

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


#: Routes that take a body, each with a request over the limit of 1000 bytes.
BODY_ROUTES = [
    ("/validate", "multipart"),
    ("/submissions", "multipart"),
    ("/check", "text/plain"),
    ("/sparql", "application/sparql-query"),
    ("/vocabulary/check", "application/x-www-form-urlencoded"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "kind"), BODY_ROUTES)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_oversized_body_is_413_with_or_without_a_length(
    path: str, kind: str, declared: bool
) -> None:
    """A body over the limit is a 413 in the error shape.

    Also when it comes in chunks with no Content-Length (it is counted as it arrives).
    """
    limit = 1000
    if kind == "multipart":
        content, headers = multipart_body(b"# padding\n" * 300)
    elif kind == "application/x-www-form-urlencoded":
        content, headers = b"text=" + b"a" * 3000, {"Content-Type": kind}
    else:
        content, headers = b"ASK {} #" + b"x" * 3000, {"Content-Type": kind}
    headers["Authorization"] = f"Bearer {TOKEN}"
    assert len(content) > limit
    app = make_app(Settings(write_token=TOKEN, max_upload_bytes=limit))
    with TestClient(app) as c:
        if declared:
            response = c.post(path, content=content, headers=headers)
        else:
            chunks = [content[i : i + 256] for i in range(0, len(content), 256)]
            response = c.post(path, content=iter(chunks), headers=headers)
            assert "content-length" not in response.request.headers
        assert response.status_code == 413, response.text
        body = response.json()
        assert set(body) == {"error", "message", "where", "detail"}
        assert body["error"] == "PayloadTooLargeError"
        assert str(limit) in body["message"]
        assert c.get("/health").status_code == 200
