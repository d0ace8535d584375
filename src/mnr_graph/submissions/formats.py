"""Input formats of a submission: from the media type or file name, or sniffed from the bytes.

Turtle (``ttl``), JSON-LD (``jsonld``), CSV (``csv``) and XLSX (``xlsx``).

>>> input_format("XA.csv"), input_format("upload", "text/turtle; charset=utf-8")
('csv', 'ttl')
>>> sniff(b"@prefix mnr: <https://w3id.org/mnr-graph/def/> ."), sniff(b"country_code,...")
('ttl', None)
"""

from __future__ import annotations

from pathlib import PurePath

from mnr_graph.core.errors import UnsupportedMediaTypeError

__all__ = ["OCTET_STREAM", "OLE_MAGIC", "ZIP_MAGIC", "input_format", "other_document", "sniff"]

#: The first bytes of a zip archive (an XLSX workbook is one).
ZIP_MAGIC = b"PK\x03\x04"
#: The OLE2 container of a legacy .xls workbook or of a password-protected .xlsx.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OCTET_STREAM = "application/octet-stream"

_FORMATS: dict[str, str] = {
    ".ttl": "ttl",
    ".turtle": "ttl",
    ".nt": "ttl",  # N-Triples is a subset of Turtle
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",  # a macro-enabled workbook: the macros are not read
}
_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/n-triples": "ttl",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
#: Spreadsheet files a data team may have at hand that are not read (saved as .xlsx, they are).
_OTHER_SPREADSHEETS = (".xls", ".ods", ".numbers", ".xlsb")


def input_format(filename: str, media_type: str | None = None) -> str:
    """The input format (``ttl``, ``jsonld``, ``csv``, ``xlsx``) from a media type or file name.

    >>> input_format("XA.csv"), input_format("upload", "text/turtle; charset=utf-8")
    ('csv', 'ttl')
    """
    suffix = PurePath(filename).suffix.lower()
    if media_type:
        base = media_type.split(";")[0].strip().lower()
        if base in _MEDIA_TYPES:
            return _MEDIA_TYPES[base]
        # Browsers and mail programs label uploads loosely (a CSV as application/vnd.ms-excel or
        # text/plain): a file name we know decides then.
        if base not in ("application/octet-stream", "") and suffix not in _FORMATS:
            raise UnsupportedMediaTypeError(
                f"unsupported media type {base!r}: use one of {', '.join(sorted(_MEDIA_TYPES))}",
                where=filename,
            )
    if suffix in _FORMATS:
        return _FORMATS[suffix]
    if suffix in _OTHER_SPREADSHEETS:
        raise UnsupportedMediaTypeError(
            f"{suffix} files are not read: save the sheet as .xlsx (or as CSV) and validate that",
            where=filename,
        )
    raise UnsupportedMediaTypeError(
        f"cannot tell the format from the file name: use one of {', '.join(sorted(_FORMATS))}",
        where=filename,
    )


def sniff(data: bytes) -> str | None:
    """The format an unnamed upload evidently has.

    A zip is XLSX, ``{``/``[`` JSON-LD, Turtle's directives or an IRI Turtle; anything else is
    left to the caller to refuse.
    """
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "jsonld"
    if head[:1] == b"<" or head[:7].lower() in (b"@prefix", b"prefix ") or head[:5] == b"@base":
        return "ttl"
    return None


_SAVE_AS = "save the table as .xlsx (Excel workbook) or as CSV and validate that"
#: The parts of a zip archive that tell an OpenDocument file or a Word document.
_ZIP_KINDS = (
    (
        b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
        "an OpenDocument spreadsheet (.ods): .ods files are not read: " + _SAVE_AS,
    ),
    (
        b"mimetypeapplication/vnd.oasis.opendocument.text",
        "an OpenDocument text (.odt), not a "
        "spreadsheet: put the table in the template (mnr-graph template) and " + _SAVE_AS,
    ),
    (
        b"word/document.xml",
        "a Word document (.docx), not a spreadsheet: put the table in the "
        "template (mnr-graph template) and " + _SAVE_AS,
    ),
    (b"ppt/presentation.xml", "a PowerPoint presentation (.pptx), not a spreadsheet: " + _SAVE_AS),
)
#: The streams of an OLE2 container (UTF-16 names) that tell what it holds.
_OLE_KINDS = (
    (
        "EncryptedPackage",
        "a password-protected workbook: remove the password (save it as .xlsx "
        "without one) or save it as CSV",
    ),
    (
        "WordDocument",
        "a Word 97-2003 document (.doc), not a spreadsheet: put the table in the "
        "template (mnr-graph template) and " + _SAVE_AS,
    ),
    (
        "Workbook",
        "an Excel 97-2003 workbook (.xls): .xls files are not read: save it as .xlsx "
        "(Excel workbook) or as CSV",
    ),
    ("Book", "an Excel 5 workbook (.xls): .xls files are not read: save it as .xlsx or as CSV"),
)


def other_document(data: bytes) -> str | None:
    """What a file that cannot be a submission is, and what to do, whatever its name.

    A PDF, an OpenDocument or Word file, an old .xls workbook, a password-protected workbook;
    else None.

    >>> other_document(b"%PDF-1.7 ...")[:30], other_document(b"country_code,reporting_year")
    ('a PDF document, not a spreadsh', None)
    """
    if data.startswith(b"%PDF-"):
        return (
            "a PDF document, not a spreadsheet: a table cannot be read from a PDF; fill in the "
            "template (mnr-graph template) and " + _SAVE_AS
        )
    if data.startswith(b"{\\rtf"):
        return "an RTF document, not a spreadsheet: " + _SAVE_AS
    if data.startswith(ZIP_MAGIC):
        head = data[:4096]
        for marker, advice in _ZIP_KINDS:
            if marker in head or (marker.startswith(b"word/") and marker in data):
                return advice
        return None
    if data.startswith(OLE_MAGIC):
        for name, advice in _OLE_KINDS:
            if name.encode("utf-16-le") in data:
                return advice
        return (
            "a legacy .xls workbook or a password-protected one: save it as .xlsx without a "
            "password (or as CSV)"
        )
    return None
