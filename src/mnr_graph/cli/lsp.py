"""``mnr-graph lsp``: the text checker as a language server (LSP over stdio, pygls).

An editor opens a Markdown, HTML or text document; the server publishes a diagnostic per finding
(``Error`` for a term to avoid, ``Warning`` for one needing care; the code is the concept's id,
the message names the band and what to use instead), re-checked on every change. A quick fix
(code action) replaces the term with each recommended one; a hover on a finding shows the
concept's preferred term and definition. Suppression comments and the nearest
``.mnr-graph.toml`` apply as in ``mnr-graph check``; a broken configuration is shown as one
diagnostic at the top of the document rather than silently ignored.

Positions are sent in UTF-16 code units, as LSP counts them by default.

>>> _utf16_column("a\U0001f600b", 2)
3
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

__all__ = ["COMMANDS", "make_server"]


def _utf16_column(line: str, column: int) -> int:
    """The UTF-16 offset of the 0-based code-point ``column`` of ``line``."""
    return len(line[:column].encode("utf-16-le")) // 2


def _code_point_column(line: str, units: int) -> int:
    """The 0-based code-point column of the UTF-16 offset ``units`` of ``line``."""
    count = 0
    for index, char in enumerate(line):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def make_server() -> Any:
    """The language server (a pygls ``LanguageServer``), its features registered."""
    from lsprotocol import types as lsp
    from pygls.server import LanguageServer
    from pygls.uris import to_fs_path

    from mnr_graph import __version__
    from mnr_graph.core.errors import MnrGraphError
    from mnr_graph.terminology.config import check_document, find_config, load_config
    from mnr_graph.terminology.findings import Finding
    from mnr_graph.terminology.model import BAND_AVOID
    from mnr_graph.terminology.reports import end_position, rule_id
    from mnr_graph.terminology.vocabulary import load_vocabulary

    server = LanguageServer("mnr-graph", __version__)
    vocabulary = load_vocabulary()
    checked: dict[str, tuple[str, list[Finding]]] = {}

    def position(lines: list[str], line: int, column: int) -> Any:
        """An LSP position from a 1-based line and code-point column."""
        text = lines[line - 1] if line - 1 < len(lines) else ""
        return lsp.Position(line=line - 1, character=_utf16_column(text, column - 1))

    def diagnose(uri: str, text: str) -> None:
        path = to_fs_path(uri)
        diagnostics: list[Any] = []
        config = None
        try:
            found = find_config(Path(path)) if path else None
            config = load_config(found) if found else None
        except MnrGraphError as exc:
            diagnostics.append(
                lsp.Diagnostic(
                    range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(0, 0)),
                    message=str(exc),
                    severity=lsp.DiagnosticSeverity.Error,
                    source="mnr-graph",
                    code="configuration",
                )
            )
        findings = check_document(text, config=config, vocabulary=vocabulary)
        checked[uri] = (text, findings)
        lines = text.split("\n")
        for finding in findings:
            end_line, end_column = end_position(text, finding)
            alternatives = [u["label"] for u in finding.use_instead if u.get("label")]
            diagnostics.append(
                lsp.Diagnostic(
                    range=lsp.Range(
                        start=position(lines, finding.line, finding.column),
                        end=position(lines, end_line, end_column),
                    ),
                    message=f"{finding.band}: {finding.message}",
                    severity=lsp.DiagnosticSeverity.Error
                    if finding.band == BAND_AVOID
                    else lsp.DiagnosticSeverity.Warning,
                    source="mnr-graph",
                    code=rule_id(finding),
                    data={"alternatives": alternatives, "band": finding.band},
                )
            )
        server.publish_diagnostics(uri, diagnostics)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        diagnose(params.text_document.uri, params.text_document.text)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        document = server.workspace.get_text_document(params.text_document.uri)
        diagnose(document.uri, document.source)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        document = server.workspace.get_text_document(params.text_document.uri)
        diagnose(document.uri, document.source)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        checked.pop(params.text_document.uri, None)
        server.publish_diagnostics(params.text_document.uri, [])

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        actions: list[lsp.CodeAction] = []
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            if diagnostic.source != "mnr-graph":
                continue
            for alternative in data.get("alternatives", []):
                edit = lsp.TextEdit(range=diagnostic.range, new_text=alternative)
                actions.append(
                    lsp.CodeAction(
                        title=f'Replace with "{alternative}"',
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=lsp.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
                    )
                )
        return actions

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        text, findings = checked.get(params.text_document.uri, ("", []))
        lines = text.split("\n")
        line = params.position.line
        if line >= len(lines):
            return None
        column = _code_point_column(lines[line], params.position.character) + 1
        for finding in findings:
            end_line, end_column = end_position(text, finding)
            starts = (finding.line - 1, finding.column) <= (line, column)
            if starts and (line, column) < (end_line - 1, end_column):
                return lsp.Hover(
                    contents=lsp.MarkupContent(
                        kind=lsp.MarkupKind.Markdown, value=_hover_text(finding)
                    )
                )
        return None

    def _hover_text(finding: Finding) -> str:
        concept = vocabulary.concepts.get(finding.concept)
        parts = [f"**{finding.text}**: {finding.band}"]
        if concept is not None:
            lang = finding.lang or None
            parts.append(f"Concept: **{concept.preferred(lang)}**")
            definition = concept.definition(lang)
            if definition:
                parts.append(definition)
            parts.append(f"<{concept.iri}>")
        parts.append(finding.message)
        return "\n\n".join(parts)

    return server


@click.command("lsp")
def lsp_command() -> None:
    """Run the checker as a language server on stdin/stdout (for editors: see the docs)."""
    make_server().start_io()


COMMANDS = (lsp_command,)
