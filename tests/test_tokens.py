"""Tokens.

Named, from a file of hashes and from the variable, per-country scopes, read tokens, rotation
without a restart, refused attempts slowed and logged.
"""

from __future__ import annotations

import asyncio
import logging
import stat
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from appfactory import TOKEN, VALID_EXAMPLE, make_app
from mnr_graph.cli import cli
from mnr_graph.core import tokens
from mnr_graph.core.errors import InputError
from mnr_graph.core.settings import Settings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


def _token(file: Path, action: str, name: str, *options: str) -> str:
    result = CliRunner().invoke(cli, ["token", action, name, "--file", str(file), *options])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _stored_for_xa(client: TestClient) -> int:
    listed = client.get("/submissions", params={"country": "XA"})
    return int(listed.json()["total"]) if listed.status_code == 200 else 0


def _submit(client: TestClient, token: str, **fields: str) -> Any:
    return client.post(
        "/submissions",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (VALID_EXAMPLE.name, VALID_EXAMPLE.read_bytes(), "text/turtle")},
        data=fields,
    )


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays refused attempts wait (recorded, not slept: no test waits on a clock)."""
    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def record(seconds: float, *args: Any) -> Any:
        asked.append(seconds)
        return await real_sleep(0)

    monkeypatch.setattr("mnr_graph.web.access.asyncio.sleep", record)
    return asked


def test_the_file_keeps_hashes_only_and_is_private(tmp_path: Path) -> None:
    file = tmp_path / "tokens"
    secret = _token(file, "add", "Data team XA", "--country", "XA")
    assert len(secret) >= 32
    text = file.read_text()
    assert secret not in text
    assert tokens.hash_token(secret) in text
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert (
        CliRunner().invoke(cli, ["token", "list", "--file", str(file)]).stdout == "Data team XA\n"
    )


@pytest.mark.slow
def test_a_file_token_writes_for_its_country_under_its_own_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, delays: list[float]
) -> None:
    """The token's name, not the client's word, becomes the submitter.

    A token for XB cannot submit for XA, and nothing is stored.
    """
    file = tmp_path / "tokens"
    team_xa = _token(file, "add", "Data team XA", "--country", "XA")
    team_xb = _token(file, "add", "Data team XB", "--country", "XB")
    with TestClient(make_app(Settings(tokens_file=file))) as client:
        before = _stored_for_xa(client)
        refused = _submit(client, team_xb)
        assert refused.status_code == 403
        assert "XA" in refused.json()["message"]
        assert _stored_for_xa(client) == before
        stored = _submit(client, team_xa, submitter="Somebody Else")
        assert stored.status_code == 201, stored.text
        items = client.get("/submissions", params={"country": "XA"}).json()["items"]
        assert items[-1]["submitter"] == "Data team XA"
        gone = client.delete(
            f"/submissions/XA/2024/{stored.json()['version']}",
            headers={"Authorization": f"Bearer {team_xb}"},
        )
        assert gone.status_code == 403
    assert any("may not write for XA" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_rotation_and_removal_take_effect_without_a_restart(
    tmp_path: Path, delays: list[float]
) -> None:
    file = tmp_path / "tokens"
    first = _token(file, "add", "Data team XA", "--country", "XA")
    with TestClient(make_app(Settings(tokens_file=file))) as client:
        assert _submit(client, first).status_code == 201
        second = _token(file, "rotate", "Data team XA")
        assert second != first
        assert _submit(client, first).status_code == 403
        assert _submit(client, second).status_code in (200, 201)
        CliRunner().invoke(cli, ["token", "remove", "Data team XA", "--file", str(file)])
        assert _submit(client, second).status_code == 403


@pytest.mark.slow
def test_refused_attempts_are_slowed_more_each_time_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, delays: list[float]
) -> None:
    caplog.set_level(logging.INFO, logger="mnr_graph")
    with TestClient(make_app(Settings(write_token=TOKEN))) as client:
        for n in range(5):
            assert _submit(client, f"guess-number-{n}").status_code == 403
    assert delays == [tokens.delay_after(n) for n in range(5)]
    assert delays[0] == 0
    assert delays[1] < delays[2] < delays[3] < delays[4]
    refused = [r.getMessage() for r in caplog.records if "token-refused" in r.getMessage()]
    assert len(refused) == 5
    assert "attempt=5" in refused[-1]
    assert not any("guess-number" in line for line in refused)


@pytest.mark.slow
def test_a_read_token_reads_and_cannot_write(tmp_path: Path, delays: list[float]) -> None:
    file = tmp_path / "tokens"
    reader = _token(file, "add", "Research unit", "--read")
    writer = _token(file, "add", "Operator", "--country", "XA")
    settings = Settings(tokens_file=file, read_token_required=True)
    with TestClient(make_app(settings)) as client:
        for path in ("/submissions", "/sparql?query=ASK%7B%7D"):
            assert client.get(path).status_code == 403, path
            for token in (reader, writer):
                response = client.get(path, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 200, (path, response.text)
        assert client.get("/health").status_code == 200  # the rest stays open
        refused = _submit(client, reader)
        assert refused.status_code == 403
        assert "may only read" in refused.json()["message"]


@pytest.mark.slow
def test_reading_stays_open_unless_asked() -> None:
    with TestClient(make_app(Settings(write_token=TOKEN))) as client:
        assert client.get("/submissions").status_code == 200


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("Team\tabc\t*", "sha256:"),
        ("Team\tsha256:" + "0" * 64, "NAME<TAB>"),
        ("\tsha256:" + "0" * 64 + "\t*", "no name"),
        ("Team\tsha256:" + "0" * 64 + "\t,", "country codes"),
    ],
)
def test_a_bad_tokens_file_is_refused_at_start_saying_where(
    tmp_path: Path, line: str, said: str
) -> None:
    file = tmp_path / "tokens"
    file.write_text("# the operator's tokens\n" + line + "\n")
    with pytest.raises(InputError, match=said) as refused:
        make_app(Settings(tokens_file=file))
    assert "line 2" in str(refused.value)


def test_a_file_made_bad_later_keeps_the_last_good_tokens(tmp_path: Path) -> None:
    file = tmp_path / "tokens"
    secret = tokens.add_token(file, "Team")
    registry = tokens.TokenRegistry(file=file)
    file.write_text("broken line\n")
    found = registry.identify(secret)
    assert found is not None
    assert found.name == "Team"
    assert registry.problem is not None
    assert "line 1" in registry.problem
