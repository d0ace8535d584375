"""What an operator runs the service by.

Settings refused at start, /health and /ready, logs with request ids, audit lines, /metrics,
security headers, error bodies without internal addresses.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from appfactory import TOKEN, VALID_EXAMPLE, make_app
from mnr_graph.cli import main
from mnr_graph.core.settings import Settings, SettingsError
from mnr_graph.query.store import RemoteStore
from mnr_graph.web import app as api
from mnr_graph.web.observability import JsonFormatter
from servers import free_port

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (["--port", "99999"], {}, "port: 99999 is not in 1..65535"),
        (["--query-timeout", "0"], {}, "query timeout: 0 is not > 0"),
        (["--workers", "-1"], {}, "query workers: -1 is not >= 1"),
        (["--result-limit", "0"], {}, "result limit: 0 is not >= 1"),
        (["--root-path", "mnr"], {}, "root path: 'mnr' does not start with /"),
        (["--trusted-proxy", "nginx"], {}, "trusted proxy: 'nginx' is not an IP address"),
        ([], {"MNR_GRAPH_WRITE_TOKEN": "a"}, "write token: 1 characters, fewer than 32"),
        ([], {"MNR_GRAPH_LOG_LEVEL": "loud"}, "log level: 'loud' is not one of"),
    ],
)
def test_bad_settings_stop_the_server_with_exit_2_and_say_which(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env: dict[str, str],
    said: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        main(["serve", *args])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert said in err
    assert "serving" not in err
    assert "Traceback" not in err


def test_the_app_factory_validates_too() -> None:
    with pytest.raises(SettingsError, match="result limit"):
        api.get_fastapi_app(Settings(result_limit=0))


@pytest.mark.slow
def test_health_and_ready_on_a_working_store() -> None:
    with TestClient(make_app(Settings(write_token=TOKEN))) as client:
        assert client.get("/health").json()["status"] == "ok"
        ready = client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {
            "store": {"ok": True},
            "queryWorkers": {"ok": True},
            "writes": {"ok": True},
        }


def test_ready_says_503_and_why_when_the_remote_store_is_down() -> None:
    """The store does not answer.

    /health still says alive, /ready says 503 and which check failed, and neither it nor a
    query's 502 shows the store's internal address.
    """
    endpoint = f"http://127.0.0.1:{free_port()}/internal-store/query"
    settings = Settings(sparql_endpoint=endpoint, query_timeout=2)
    store = RemoteStore(endpoint, timeout=2)
    with TestClient(api.get_fastapi_app(settings, store=store)) as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503
        checks = ready.json()["checks"]
        assert checks["store"]["ok"] is False
        assert checks["queryWorkers"]["ok"] is False
        assert ready.headers["x-request-id"] in checks["store"]["reason"]
        failed = client.get("/sparql", params={"query": "ASK {}"})
        assert failed.status_code == 502
        for body in (ready.text, failed.text):
            assert "internal-store" not in body
            assert "127.0.0.1" not in body
        assert failed.headers["x-request-id"] in failed.json()["message"]


@pytest.mark.slow
def test_every_response_has_a_request_id_and_the_security_headers() -> None:
    with TestClient(make_app()) as client:
        page = client.get("/", headers={"Accept": "text/html"})
        given = client.get("/health", headers={"X-Request-ID": "lb-1234"})
        hostile = client.get("/health", headers={"X-Request-ID": "a b\x7f" * 50})
        missing = client.get("/no/such/path")
    assert given.headers["x-request-id"] == "lb-1234"
    assert hostile.headers["x-request-id"] != "a b\x7f" * 50
    for response in (page, given, missing):
        csp = response.headers["content-security-policy"]
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-request-id"]


@pytest.mark.slow
def test_the_api_explorers_load_nothing_from_another_origin_and_no_inline_script() -> None:
    with TestClient(make_app()) as client:
        for path in ("/docs", "/redoc"):
            response = client.get(path)
            assert response.status_code == 200, path
            policy = response.headers["content-security-policy"]
            directives = {
                name: value
                for name, _, value in (d.strip().partition(" ") for d in policy.split(";"))
            }
            assert directives["script-src"] == "'self'", path
            assert "http" not in response.headers["content-security-policy"], path
            assert "<script>" not in response.text, path
            assert "cdn." not in response.text, path


@pytest.mark.slow
def test_access_and_audit_lines_carry_the_request_id_never_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="mnr_graph")
    with TestClient(make_app(Settings(write_token=TOKEN))) as client:
        stored = client.post(
            "/submissions",
            headers=AUTH | {"X-Request-ID": "write-1"},
            files={"file": (VALID_EXAMPLE.name, VALID_EXAMPLE.read_bytes(), "text/turtle")},
        )
        refused = client.post(
            "/submissions", headers={"Authorization": "Bearer not-the-token-but-a-guess"}
        )
    assert stored.status_code == 201, stored.text
    assert refused.status_code == 403
    access = [r for r in caplog.records if r.name == "mnr_graph.access"]
    audit = [r for r in caplog.records if r.name == "mnr_graph.audit"]
    assert any('"POST /submissions" 201' in r.getMessage() for r in access)
    submit = next(r for r in audit if r.getMessage().startswith("submit "))
    assert 'country="XA"' in submit.getMessage()
    assert 'token="operator"' in submit.getMessage()
    line = json.loads(JsonFormatter().format(submit))
    assert line["event"] == "submit"
    assert line["facts"]["version"] == stored.json()["version"]
    assert line["request_id"] == "write-1"
    assert any(getattr(r, "request_id", None) == "write-1" for r in access)
    assert any(r.getMessage().startswith("token-refused ") for r in audit)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert TOKEN not in text
    assert "not-the-token-but-a-guess" not in text


@pytest.mark.slow
def test_request_ids_are_in_the_log_lines(tmp_path: Path) -> None:
    """configure_logging's lines (text and JSON) carry the id the response header gives."""
    from mnr_graph.web.observability import configure_logging

    for json_lines in (False, True):
        log = tmp_path / f"log-{json_lines}.txt"
        with log.open("w") as stream:
            configure_logging("info", json_lines=json_lines, stream=stream)
            try:
                with TestClient(make_app()) as client:
                    rid = client.get("/health").headers["x-request-id"]
            finally:
                logging.getLogger("mnr_graph").handlers = []
                logging.getLogger("mnr_graph").propagate = True
        lines = [line for line in log.read_text().splitlines() if "/health" in line]
        assert lines, log.read_text()
        if json_lines:
            assert json.loads(lines[0])["request_id"] == rid
        else:
            assert f"[{rid}]" in lines[0]


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


@pytest.mark.slow
def test_metrics_need_a_token_and_count_requests_by_route() -> None:
    with TestClient(make_app(Settings(write_token=TOKEN))) as client:
        assert client.get("/metrics").status_code == 403
        for _ in range(5):
            client.get("/health")
        client.get("/id/no-such-thing-here")
        client.post(
            "/submissions",
            headers=AUTH,
            files={"file": (VALID_EXAMPLE.name, VALID_EXAMPLE.read_bytes(), "text/turtle")},
        )
        response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    requests = {
        (labels["route"], labels["status"]): value
        for labels, value in samples["mnr_graph_requests_total"]
    }
    assert requests[("/health", "200")] == 5
    assert requests[("/submissions", "201")] == 1
    assert requests[("/metrics", "403")] == 1
    latency = {
        labels["route"]: v for labels, v in samples["mnr_graph_request_duration_seconds_count"]
    }
    assert latency["/health"] == 5
    assert samples["mnr_graph_submissions"][0][1] >= 1
    assert samples["mnr_graph_store_triples"][0][1] > 1000
    assert samples["mnr_graph_writes_total"] == [({"kind": "submit"}, 1.0)]
    assert samples["mnr_graph_refused_tokens_total"][0][1] == 1
    assert "mnr_graph_query_timeouts_total" in samples
    assert "mnr_graph_query_worker_restarts" in samples


@pytest.mark.slow
def test_metrics_can_be_opened_for_a_scraper() -> None:
    with TestClient(make_app(Settings(metrics_open=True))) as client:
        assert client.get("/metrics").status_code == 200


@pytest.mark.slow
def test_a_remote_store_timeout_does_not_show_its_address() -> None:
    """A remote store that answers too late: 503, and the endpoint's address is not in it."""
    import socket

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/internal-store/query"
        settings = Settings(sparql_endpoint=endpoint, query_timeout=0.5)
        store = RemoteStore(endpoint, timeout=0.5)
        with TestClient(api.get_fastapi_app(settings, store=store)) as client:
            answer = client.get("/sparql", params={"query": "ASK {}"})
    assert answer.status_code == 503
    assert "internal-store" not in answer.text
    assert "the store" in answer.text


@pytest.mark.slow
def test_under_concurrent_load_every_request_is_counted_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sixty requests at once.

    The counter says sixty, each access line has its own id, and each response's id is the one
    its line carries.
    """
    import asyncio

    import httpx

    caplog.set_level(logging.INFO, logger="mnr_graph.access")
    app = make_app(Settings(metrics_open=True))

    async def load() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            paths = ["/health", "/terms/no-such-term", "/ready"] * 20
            return await asyncio.gather(*(client.get(p) for p in paths))

    try:
        responses = asyncio.run(load())
    finally:
        app.state.query_runner.close()  # no lifespan ran: its workers are stopped here
    ids = [r.headers["x-request-id"] for r in responses]
    assert len(set(ids)) == 60
    logged = [getattr(r, "request_id", None) for r in caplog.records if r.name.endswith("access")]
    assert sorted(str(i) for i in logged) == sorted(ids)
    with TestClient(app) as client:
        samples = _samples(client.get("/metrics").text)
    counted = {
        labels["route"]: value
        for labels, value in samples["mnr_graph_requests_total"]
        if labels["route"] in ("/health", "/ready", "/terms/{id}")
    }
    assert sum(counted.values()) == 60
