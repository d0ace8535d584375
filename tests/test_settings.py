"""Operator settings: safe defaults and environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnr_graph.core.errors import InputError
from mnr_graph.core.settings import Settings, SettingsError


def test_defaults_are_safe() -> None:
    s = Settings()
    assert not s.writes_enabled
    assert not s.allow_network
    assert not s.remote
    assert s.cors_origins == ()
    assert s.query_memory_mb > 0  # a runaway query cannot take the machine's memory


def test_environment_variables_are_read() -> None:
    s = Settings.from_env(
        {
            "MNR_GRAPH_PORT": "9001",
            "MNR_GRAPH_STORE": "/tmp/store",
            "MNR_GRAPH_SPARQL_ENDPOINT": "http://127.0.0.1:7878/query",
            "MNR_GRAPH_CORS_ORIGINS": "https://a.example, https://b.example",
            "MNR_GRAPH_ALLOW_NETWORK": "yes",
            "MNR_GRAPH_RESULT_LIMIT": "50",
            "MNR_GRAPH_QUERY_MEMORY_MB": "256",
        }
    )
    assert s.port == 9001
    assert s.store_path == Path("/tmp/store")
    assert s.remote
    assert s.cors_origins == ("https://a.example", "https://b.example")
    assert s.allow_network
    assert s.result_limit == 50
    assert s.query_memory_mb == 256


def test_the_token_is_not_in_the_repr() -> None:
    assert "s3cret" not in repr(Settings.from_env({"MNR_GRAPH_WRITE_TOKEN": "s3cret"}))


def test_the_store_account_is_read_and_its_password_not_shown() -> None:
    s = Settings.from_env(
        {
            "MNR_GRAPH_STORE_USER": "mnr",
            "MNR_GRAPH_STORE_PASSWORD": "pa55word",
            "MNR_GRAPH_STORE_AUTH": "Digest",
            "MNR_GRAPH_UNION_DEFAULT_GRAPH": "true",
        }
    )
    assert s.store_account == ("mnr", "pa55word")
    assert s.store_auth == "digest"
    assert s.union_default_graph
    assert "pa55word" not in repr(s)
    assert s.validate() is s


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MNR_GRAPH_STORE_USER": "mnr"}, "store account"),
        ({"MNR_GRAPH_STORE_PASSWORD": "pa55word"}, "store account"),
        ({"MNR_GRAPH_STORE_AUTH": "ntlm"}, "store authentication"),
    ],
)
def test_a_half_given_store_account_is_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env).validate()


def test_a_bad_number_says_which_variable() -> None:
    with pytest.raises(InputError, match="MNR_GRAPH_QUERY_TIMEOUT"):
        Settings.from_env({"MNR_GRAPH_QUERY_TIMEOUT": "soon"})


def test_the_demo_is_on_only_without_data_unless_asked_for() -> None:
    assert Settings().demo is True
    assert Settings.from_env({"MNR_GRAPH_DATA": "countries.ttl"}).demo is False
    assert Settings.from_env({"MNR_GRAPH_STORE": "store"}).demo is False
    assert (
        Settings.from_env({"MNR_GRAPH_SPARQL_ENDPOINT": "http://127.0.0.1:7878/query"}).demo
        is False
    )
    assert Settings.from_env({"MNR_GRAPH_STORE": "s", "MNR_GRAPH_EXAMPLES": "true"}).demo is True
    assert Settings.from_env({"MNR_GRAPH_EXAMPLES": "0"}).demo is False


def test_the_operations_variables_are_read() -> None:
    s = Settings.from_env(
        {
            "MNR_GRAPH_ROOT_PATH": "/mnr/",
            "MNR_GRAPH_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
            "MNR_GRAPH_TOKENS_FILE": "/etc/mnr-graph/tokens",
            "MNR_GRAPH_READ_TOKEN_REQUIRED": "true",
            "MNR_GRAPH_METRICS_OPEN": "yes",
            "MNR_GRAPH_LOG_LEVEL": "WARNING",
            "MNR_GRAPH_LOG_JSON": "1",
            "MNR_GRAPH_ACCESS_LOG": "false",
            "MNR_GRAPH_ALLOW_DOWNGRADE": "true",
        }
    )
    assert s.root_path == "/mnr"
    assert s.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert s.tokens_file == Path("/etc/mnr-graph/tokens")
    assert (s.read_token_required, s.metrics_open, s.log_json) == (True, True, True)
    assert (s.log_level, s.access_log, s.allow_downgrade) == ("warning", False, True)
    assert s.writes_enabled


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(InputError) as refused:
        Settings(port=0, query_timeout=-1, result_limit=0, max_upload_bytes=0).validate()
    message = str(refused.value)
    for part in ("port", "query timeout", "result limit", "largest upload"):
        assert part in message
