"""Markup blanked out of a text to check, every offset kept.

HTML tags, comments, scripts, styles and ``<pre>`` blocks, Markdown link targets, reference
definitions and fenced code blocks, URLs, ``www.`` addresses, @handles and e-mail domains become
spaces of the same length (line breaks kept), so every position of the result still points into
the input. Block-level HTML tags start with ``|`` so that no term is matched across them; an
HTML entity becomes its character padded with soft hyphens (skipped by the matcher); underscores
inside a word (a snake_case name) become a middle dot, so no term spans them.

>>> blank_markup('<p>See https://example.org/x</p>')
'|  See                      |   '
>>> blank_markup('Use child_porn_filter.')
'Use child\u00b7porn\u00b7filter.'
"""

from __future__ import annotations

import html
import re

__all__ = ["SKIP", "SKIPPED", "blank_markup"]

_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
#: Characters the matcher skips (soft hyphen, zero-width joiners, word joiner, BOM); also pads a
#: decoded HTML entity to the entity's length, so that offsets stay those of the input.
SKIP = "\u00ad"
SKIPPED = "\u00ad\u180e\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"

#: A fenced Markdown code block, to its closing fence or the end of the text (group 1: the
#: fence, so that the block ends a run of words as a block element does).
_FENCED_CODE = re.compile(
    r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n(?:.*?\n[ ]{0,3}\1[`~]*[ \t\r]*(?=\n|\Z)|.*\Z)",
    re.MULTILINE | re.DOTALL,
)
#: Underscores inside a word: a name (child_porn_filter), not Markdown emphasis (_word_).
#: (It starts with the literal, for speed; :func:`_blank` checks the character before.)
_INTRAWORD_UNDERSCORE = re.compile(r"_+(?=[^\W_])")
#: What an underscore inside a word becomes: neither a space nor a letter, so no term spans it.
_NAME_JOINER = "\u00b7"

# Each pattern starts with a literal, so the regular expression engine skips ahead quickly; each
# runs only when its hint (tested first by one character) occurs in the text at all.
_MARKUP = [
    (
        "<",
        "<",
        re.compile(
            r"<(?:!--.*?-->"  # HTML comments
            r"|(script|style|pre)\b.*?</\1\s*>"  # scripts, styles, code blocks, with content
            r"|/?([A-Za-z][A-Za-z0-9]*)[^<>]*>"  # tags (group 2: the name), <https://...> links
            r"|[!?][^<>]*>)",  # doctype, processing instructions
            re.DOTALL | re.IGNORECASE,
        ),
    ),
    ("&", "&", _ENTITY),
    ("]", "](", re.compile(r"\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")),  # Markdown link targets
    (
        "]",
        "]:",
        re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*\S+", re.MULTILINE),
    ),  # reference definitions
    ("/", "://", re.compile(r"\b(?:https?|ftp)://[^\s<>()\"'|]+", re.IGNORECASE)),  # bare URLs
    ("w", "www.", re.compile(r"\bwww\.[^\s<>()\"'|]+")),  # addresses without a scheme
    ("@", "@", re.compile(r"@[\w.-]+")),  # handles and the domain of an e-mail address
    ("`", "```", _FENCED_CODE),  # Markdown code blocks, with their content
    ("~", "~~~", _FENCED_CODE),
    ("_", "_", _INTRAWORD_UNDERSCORE),  # snake_case names are no words: child_porn_filter
]
_NOT_NEWLINE = re.compile(r"[^\n]")


# HTML elements that end a run of words: a term never spans two cells, items or paragraphs. A
# ``<br>`` is a line break inside a paragraph, like a newline in plain text: a term may span it.
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
_BREAK = "|"  # not a space: the matcher does not match across it


def _decode(match: re.Match[str]) -> str:
    """An HTML entity as its character, padded with skipped characters to the same length."""
    entity = match.group()
    decoded = html.unescape(entity)
    if decoded == entity:  # not an entity HTML knows: text as written
        return entity
    if len(decoded) > len(entity):
        return " " * len(entity)
    if not decoded.isprintable() and not decoded.isspace():  # &shy; and the like: skipped
        return SKIP * len(entity)
    return decoded + SKIP * (len(entity) - len(decoded))


def _blank(match: re.Match[str]) -> str:
    if match.re is _ENTITY:
        return _decode(match)
    if match.re is _INTRAWORD_UNDERSCORE:
        start = match.start()
        before = match.string[start - 1 : start]
        inside = before.isalnum()
        return _NAME_JOINER * len(match.group()) if inside else match.group()
    blanked = _NOT_NEWLINE.sub(" ", match.group())
    if match.lastindex and blanked[0] == " ":
        name = match.group(match.lastindex)
        if match.lastindex == 1 or name.lower() in _BLOCK_TAGS:
            return _BREAK + blanked[1:]
        if name.lower() == "wbr":  # a line-break opportunity inside a word: por<wbr>nography
            return SKIP * len(blanked)
    return blanked


def blank_markup(text: str) -> str:
    """The text with markup replaced by spaces (line breaks kept), the same length as the input.

    Block-level HTML tags (paragraphs, cells, list items) start with ``|`` so that no term is
    matched across them. An HTML entity becomes its character, padded with soft hyphens (which
    the matcher skips) to the entity's length.

    >>> blank_markup('<p>a <b>child</b></p>')
    '|  a    child    |   '
    >>> blank_markup('p&eacute;do') == 'p\u00e9' + '\u00ad' * 7 + 'do'
    True
    """
    for first, hint, pattern in _MARKUP:
        # a one-character test first: "in" with one character is much faster on long texts
        if first in text and hint in text:
            text = pattern.sub(_blank, text)
    return text
