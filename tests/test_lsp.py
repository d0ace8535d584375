"""``mnr-graph lsp``, driven over stdio by pytest-lsp as an editor drives it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from mnr_graph.terminology.config import CONFIG_NAME

pytestmark = pytest.mark.slow  # servers, subprocesses or whole-store runs

TEXT = (
    "# Coverage review\n\n"
    "The \U0001f4f0 story used child prostitute in a headline.\n"
    "<!-- mnr-graph: off -->\nA quoted child prostitute stays.\n<!-- mnr-graph: on -->\n"
)


@pytest_lsp.fixture(  # type: ignore[untyped-decorator]
    config=ClientServerConfig(server_command=[sys.executable, "-m", "mnr_graph", "lsp"])
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        lsp.InitializeParams(capabilities=pytest_lsp.client_capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, uri: str, text: str) -> list[lsp.Diagnostic]:
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=uri, language_id="markdown", version=1, text=text
            )
        )
    )
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


@pytest.mark.asyncio
async def test_diagnostics_quick_fix_and_hover(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "review.md").as_uri()
    (diagnostic,) = await _open(client, uri, TEXT)
    # the newspaper emoji is two UTF-16 code units: the term starts at unit 18 (code point 17)
    assert diagnostic.range == lsp.Range(start=lsp.Position(2, 18), end=lsp.Position(2, 34))
    assert diagnostic.severity == lsp.DiagnosticSeverity.Error
    assert diagnostic.code == "child-exploited-in-prostitution"
    assert diagnostic.message.startswith('avoid: "child prostitute" is a term to avoid')

    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=lsp.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions
    (fix, *_) = actions
    assert isinstance(fix, lsp.CodeAction)
    assert fix.kind == lsp.CodeActionKind.QuickFix
    assert fix.edit is not None
    assert fix.edit.changes is not None
    (edit,) = fix.edit.changes[uri]
    assert (edit.range, edit.new_text) == (diagnostic.range, "child exploited in prostitution")

    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(2, 25)
        )
    )
    assert hover is not None
    assert isinstance(hover.contents, lsp.MarkupContent)
    assert "**child exploited in prostitution**" in hover.contents.value
    outside = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(2, 3)
        )
    )
    assert outside is None


@pytest.mark.asyncio
async def test_diagnostics_follow_changes(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "notes.md").as_uri()
    assert await _open(client, uri, "Nothing to report here.\n") == []
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                lsp.TextDocumentContentChangeEvent_Type2(text="A child prostitute, it said.\n")
            ],
        )
    )
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[uri]] == ["child-exploited-in-prostitution"]


@pytest.mark.asyncio
async def test_project_configuration_and_its_errors(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / CONFIG_NAME).write_text('[check]\nallow = ["child prostitute"]\n')
    uri = (tmp_path / "a.md").as_uri()
    assert await _open(client, uri, "A child prostitute, it said.\n") == []
    (tmp_path / CONFIG_NAME).write_text("[check]\nalow = []\n")
    diagnostics = await _open(client, (tmp_path / "b.md").as_uri(), "Fine.\n")
    assert [d.code for d in diagnostics] == ["configuration"]
    assert "unknown key(s) in [check]: alow" in diagnostics[0].message
