"""The documents the checker reads (terminology.readers), by the library and ``mnr-graph check``."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from odf.opendocument import OpenDocumentText  # type: ignore[import-untyped]
from odf.text import H, P  # type: ignore[import-untyped]

from mnr_graph.cli import cli
from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.terminology import readers
from mnr_graph.terminology.checker import check_text

SENTENCE = "Police said the files were child pornography, the report says."


def _docx(*paragraphs: str, cell: str | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if cell is not None:
        document.add_table(rows=1, cols=1).cell(0, 0).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _odt(*paragraphs: str) -> bytes:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="A heading"))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def test_a_word_document_gives_its_paragraphs_and_table_cells() -> None:
    text = readers.read_document(_docx("First line.", SENTENCE, cell="In a table."), "a.docx")
    assert text.splitlines() == ["First line.", SENTENCE, "In a table."]
    assert [f.band for f in check_text(text)] == ["avoid"]


def test_an_opendocument_text_gives_its_headings_and_paragraphs() -> None:
    text = readers.read_document(_odt(SENTENCE), "a.odt")
    assert text.splitlines() == ["A heading", SENTENCE]


def test_text_files_are_decoded_as_they_are() -> None:
    for name in ("a.txt", "a.md", "a.html"):
        assert readers.read_document(SENTENCE.encode(), name) == SENTENCE


@pytest.mark.parametrize("name", ["a.pdf", "a.doc", "a.rtf"])
def test_other_files_are_refused_saying_what_is_read(name: str) -> None:
    with pytest.raises(UnsupportedMediaTypeError, match=r"\.docx"):
        readers.read_document(b"x", name)


def test_a_damaged_document_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not a valid document"):
        readers.read_document(b"not a zip", "a.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(InputError, match="cannot read the Word document"):
        readers.read_document(out.getvalue(), "a.docx")


def test_a_document_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MOST_UNPACKED", 1000)
    with pytest.raises(InputError, match="unpacks to"):
        readers.read_document(_docx("x" * 5000), "a.docx")


def test_the_cli_checks_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "article.docx"
    path.write_bytes(_docx(SENTENCE))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1:28: avoid:" in result.output
