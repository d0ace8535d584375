"""The text of a document to check, read from a file of one of the kinds read.

Plain text, Markdown and HTML are read as they are, Word (.docx) and OpenDocument (.odt) documents
as their paragraphs' text (one paragraph a line, tables cell by cell). The checker page and
``mnr-graph check`` read files through :func:`read_document`.

Text files are decoded by :func:`mnr_graph.terminology.checker.decode_text` (UTF-8 or UTF-16
with a BOM); a document is a zip archive, opened only when its parts together unpack to at most
:data:`MOST_UNPACKED` bytes (a small file that would unpack to gigabytes is refused). Any other
kind of file is an :class:`~mnr_graph.core.errors.UnsupportedMediaTypeError` that says which are
read.

>>> read_document(b"Some <b>text</b>", "notes.html")
'Some <b>text</b>'
>>> read_document(b"x", "notes.pdf")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mnr_graph.core.errors.UnsupportedMediaTypeError: notes.pdf: .pdf files are not read: ...
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.terminology.checker import decode_text

__all__ = ["DOCUMENT_SUFFIXES", "MOST_UNPACKED", "TEXT_SUFFIXES", "read_document"]

#: Files read as text (markup is left to the checker, which skips it).
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")
#: Documents read for their paragraphs' text.
DOCUMENT_SUFFIXES = (".docx", ".odt")
#: The most bytes a document's parts may unpack to.
MOST_UNPACKED = 64 * 1024 * 1024


def _check_archive(data: bytes, filename: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InputError(
            "not a valid document (it is not a zip archive, as .docx and .odt files are)",
            where=filename,
        ) from None
    if unpacked > MOST_UNPACKED:
        raise InputError(
            f"the document unpacks to {unpacked} bytes, more than {MOST_UNPACKED}", where=filename
        )


def _docx_text(data: bytes, filename: str) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise InputError(f"cannot read the Word document: {exc}", where=filename) from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def _odt_blocks(node: Any) -> Iterator[Any]:
    """The paragraphs and headings under ``node``, in document order."""
    for child in getattr(node, "childNodes", []):
        if getattr(child, "qname", (None, None))[1] in ("p", "h"):
            yield child
        else:
            yield from _odt_blocks(child)


def _odt_text(data: bytes, filename: str) -> str:
    from odf import teletype  # type: ignore[import-untyped]
    from odf.opendocument import load  # type: ignore[import-untyped]

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises several kinds for a damaged file
        raise InputError(f"cannot read the OpenDocument text: {exc}", where=filename) from None
    return "\n".join(teletype.extractText(block) for block in _odt_blocks(document.text))


def read_document(data: bytes, filename: str) -> str:
    """The text to check of a file named ``filename`` (its suffix says what it is)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in TEXT_SUFFIXES or not suffix or filename == "-":
        return decode_text(data, where=filename)
    if suffix in DOCUMENT_SUFFIXES:
        _check_archive(data, filename)
        return _docx_text(data, filename) if suffix == ".docx" else _odt_text(data, filename)
    raise UnsupportedMediaTypeError(
        f"{suffix} files are not read: give text, Markdown or HTML "
        f"({', '.join(TEXT_SUFFIXES)}) or a document ({', '.join(DOCUMENT_SUFFIXES)})",
        where=filename,
    )
