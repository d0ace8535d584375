"""Named bearer tokens: who may write (for which countries) and who may read, hashed at rest.

Tokens come from a file of lines ``NAME<TAB>sha256:HEX<TAB>SCOPE`` (``#`` starts a comment),
where ``SCOPE`` is ``*`` (write for every country), country codes ``XA,XB`` (write for these
only) or ``read`` (read only), and from the variable ``MNR_GRAPH_WRITE_TOKEN`` (the name
``operator``, every country). The file holds only the SHA-256 of each token (a token is >= 32
random characters, so a hash cannot be reversed by trying); it is read again when it changes, so a
token is added, rotated or revoked without a restart. :func:`add_token` writes a line and returns
the new token, the only time it is shown.

>>> line = format_line("Data team XA", hash_token("x" * 32), frozenset({"XA"}), read_only=False)
>>> parse_line(line, 1)
Token(name='Data team XA', countries=frozenset({'XA'}), read_only=False)
>>> delay_after(0), delay_after(1) < delay_after(4) <= MAX_DELAY == delay_after(99)
(0.0, True)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from mnr_graph.core.errors import InputError

__all__ = [
    "MAX_DELAY",
    "Token",
    "TokenRegistry",
    "add_token",
    "delay_after",
    "format_line",
    "hash_token",
    "parse_line",
    "remove_token",
]

#: The longest a refused attempt is held back, in seconds.
MAX_DELAY = 5.0
#: The name of the token of ``MNR_GRAPH_WRITE_TOKEN``.
VARIABLE_TOKEN_NAME = "operator"  # noqa: S105 - a name, not a secret
_HASH = "sha256:"


@dataclass(frozen=True)
class Token:
    """Who a token stands for: its name, the countries it may write for (None: all), read only."""

    name: str
    countries: frozenset[str] | None
    read_only: bool

    def may_write(self, country: str) -> bool:
        """True when this token may write (submit, withdraw) for ``country`` (a code)."""
        if self.read_only:
            return False
        return self.countries is None or country.upper() in self.countries


def hash_token(token: str) -> str:
    """What the file keeps of a token."""
    return _HASH + hashlib.sha256(token.encode("utf-8")).hexdigest()


def delay_after(failures: int) -> float:
    """Seconds a refused attempt waits, after ``failures`` refused ones from the same client.

    None for the first, then doubling from 0.25 s up to :data:`MAX_DELAY`.
    """
    if failures <= 0:
        return 0.0
    return float(min(MAX_DELAY, 0.25 * 2 ** (failures - 1)))


def format_line(
    name: str, digest: str, countries: frozenset[str] | None, *, read_only: bool
) -> str:
    """One line of the tokens file."""
    scope = "read" if read_only else ("*" if countries is None else ",".join(sorted(countries)))
    return f"{name}\t{digest}\t{scope}"


def parse_line(line: str, number: int) -> Token:
    """The token a line of the file describes (its hash is read by :func:`_entries`)."""
    parts = line.rstrip("\n").split("\t")
    where = f"line {number}"
    if len(parts) != 3:
        raise InputError("a token line is NAME<TAB>sha256:HEX<TAB>SCOPE", where=where)
    name, digest, scope = (p.strip() for p in parts)
    if not name:
        raise InputError("the token has no name", where=where)
    if not (digest.startswith(_HASH) and len(digest) == len(_HASH) + 64):
        raise InputError(
            "the second field is not sha256: and 64 hex digits (the file keeps hashes only; "
            "`mnr-graph token add` writes a line)",
            where=where,
        )
    if scope == "read":
        return Token(name, frozenset(), read_only=True)
    if scope == "*":
        return Token(name, None, read_only=False)
    codes = frozenset(c.strip().upper() for c in scope.split(",") if c.strip())
    if not codes:
        raise InputError("the scope is *, read, or country codes such as XA,XB", where=where)
    return Token(name, codes, read_only=False)


def _entries(text: str, source: str) -> list[tuple[str, Token]]:
    entries: list[tuple[str, Token]] = []
    names: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            token = parse_line(raw, number)
        except InputError as exc:
            raise InputError(exc.message, where=f"{source}: {exc.where}") from None
        if token.name in names:
            raise InputError(
                f"the name {token.name!r} is given twice", where=f"{source}: line {number}"
            )
        names.add(token.name)
        entries.append((raw.split("\t")[1].strip(), token))
    return entries


class TokenRegistry:
    """The tokens the service accepts.

    The variable's and the file's, the file re-read when it changes (a file made bad meanwhile
    keeps the last good tokens, and :attr:`problem` says why).
    """

    def __init__(self, *, variable_token: str | None = None, file: Path | None = None) -> None:
        self.file = file
        self._fixed: list[tuple[str, Token]] = []
        if variable_token:
            self._fixed.append(
                (hash_token(variable_token), Token(VARIABLE_TOKEN_NAME, None, read_only=False))
            )
        self._loaded: list[tuple[str, Token]] = []
        self._stamp: tuple[int, int, int] | None = None
        self._lock = threading.Lock()
        #: Why the file's last change was not taken (None: it was).
        self.problem: str | None = None
        if file is not None:
            self._loaded = _entries(file.read_text(encoding="utf-8"), str(file))
            self._stamp = _stamp(file)

    @property
    def configured(self) -> bool:
        """True when any token can be accepted."""
        return bool(self._fixed) or self.file is not None

    def _current(self) -> list[tuple[str, Token]]:
        if self.file is not None:
            with self._lock:
                try:
                    stamp = _stamp(self.file)
                    if stamp != self._stamp:
                        self._loaded = _entries(
                            self.file.read_text(encoding="utf-8"), str(self.file)
                        )
                        self._stamp = stamp
                        self.problem = None
                except (OSError, InputError) as exc:
                    self.problem = str(exc)
        return self._fixed + self._loaded

    def identify(self, presented: str) -> Token | None:
        """The token ``presented`` is, or None. Every entry is compared in constant time."""
        digest = hash_token(presented).encode("ascii")
        found: Token | None = None
        for stored, token in self._current():
            if hmac.compare_digest(stored.encode("ascii"), digest):
                found = token
        return found

    def names(self) -> list[str]:
        """The names of the tokens accepted now."""
        return [token.name for _, token in self._current()]


def _stamp(file: Path) -> tuple[int, int, int]:
    info = file.stat()  # the inode too: a file replaced within one clock tick is seen
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _read_lines(file: Path) -> list[str]:
    return file.read_text(encoding="utf-8").splitlines() if file.exists() else []


def _write_lines(file: Path, lines: list[str]) -> None:
    """Replace the file atomically (a reader sees the old or the new one).

    A new file readable by its owner only, an existing one keeping its mode (the service's user
    may have been let read it).
    """
    mode = (file.stat().st_mode & 0o777) if file.exists() else 0o600
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))
    os.replace(tmp, file)


def add_token(
    file: Path,
    name: str,
    *,
    countries: frozenset[str] | None = None,
    read_only: bool = False,
    rotate: bool = False,
) -> str:
    """Write a new token for ``name`` into ``file`` and return it (shown this once).

    ``rotate``: replace the token of an existing name (the old one stops working when the service
    sees the file change); without it an existing name is refused.
    """
    name = " ".join(name.split())
    if not name or "\t" in name:
        raise InputError("a token needs a name (no tabs)", where="name")
    lines = _read_lines(file)
    _entries("\n".join(lines), str(file))  # the file is well formed before it is changed
    kept = [line for line in lines if line.split("\t")[0].strip() != name]
    if len(kept) == len(lines) and rotate:
        raise InputError(f"no token is named {name!r}", where=str(file))
    if len(kept) != len(lines) and not rotate:
        raise InputError(
            f"a token is already named {name!r}: rotate it, or choose another name",
            where=str(file),
        )
    token = secrets.token_urlsafe(32)  # 43 characters, 256 bits
    scope = None if countries is None else frozenset(c.upper() for c in countries)
    kept.append(format_line(name, hash_token(token), scope, read_only=read_only))
    _write_lines(file, kept)
    return token


def remove_token(file: Path, name: str) -> None:
    """Revoke the token named ``name``."""
    lines = _read_lines(file)
    kept = [line for line in lines if line.split("\t")[0].strip() != " ".join(name.split())]
    if len(kept) == len(lines):
        raise InputError(f"no token is named {name!r}", where=str(file))
    _write_lines(file, kept)
