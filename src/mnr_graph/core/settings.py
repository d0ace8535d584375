"""Operator settings of the service, from options or ``MNR_GRAPH_*`` environment variables.

>>> s = Settings.from_env({"MNR_GRAPH_QUERY_TIMEOUT": "2.5", "MNR_GRAPH_WRITE_TOKEN": "s3cret"})
>>> (s.query_timeout, s.writes_enabled)
(2.5, True)
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from mnr_graph.core.errors import InputError

__all__ = ["MIN_TOKEN_LENGTH", "Settings", "SettingsError"]

ENV_PREFIX = "MNR_GRAPH_"
#: The shortest token accepted: a guess must not be feasible.
MIN_TOKEN_LENGTH = 32
LOG_LEVELS = ("debug", "info", "warning", "error")
#: How the remote store's account is sent: HTTP Basic or Digest authentication.
STORE_AUTHS = ("basic", "digest")


class SettingsError(InputError):
    """The settings cannot be served: the service refuses to start (exit 2)."""


@dataclass(frozen=True)
class Settings:
    """Everything an operator can configure. Defaults are safe: no network, no writes."""

    host: str = "127.0.0.1"
    port: int = 8000
    #: Persistent on-disk store of ingested submissions (embedded mode); None: in memory only.
    store_path: Path | None = None
    #: Extra RDF files served, each in its own named graph.
    data_files: tuple[Path, ...] = ()
    #: Remote SPARQL 1.1 query endpoint; when set, every read and write goes there.
    sparql_endpoint: str | None = None
    #: Remote SPARQL 1.1 update endpoint (defaults to the query endpoint).
    update_endpoint: str | None = None
    #: Remote Graph Store Protocol endpoint (optional).
    gsp_endpoint: str | None = None
    #: The remote store's default graph is the union of its named graphs (Virtuoso): nothing is
    #: written to it.
    union_default_graph: bool = False
    #: The remote store's account, if it asks for one (HTTP Basic or Digest authentication, as
    #: ``store_auth`` says); read from the environment only, like the write token.
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)
    #: ``basic`` or ``digest`` (Virtuoso's ``/sparql-auth``).
    store_auth: str = "basic"
    #: Seconds a query may run before it is stopped.
    query_timeout: float = 5.0
    #: Worker processes that run SPARQL queries (embedded store); 0: one per core plus one.
    query_workers: int = 0
    #: Memory (MB) a query worker may allocate beyond what it shares with the server; 0: no cap.
    #: A query past it is stopped (503), like one past its time limit.
    query_memory_mb: int = 1024
    #: Memory (MB) for the answers of the store's current generation, given again until the next
    #: write (embedded store); 0: every query runs.
    answer_cache_mb: int = 64
    #: Most rows (or triples) a query answers with; the cap is signalled when reached.
    result_limit: int = 10_000
    #: Largest accepted upload or request body, in bytes.
    max_upload_bytes: int = 10 * 1024 * 1024
    #: Bearer token for writes; None turns writes off.
    write_token: str | None = field(default=None, repr=False)
    #: Origins allowed by CORS; empty: CORS off.
    cors_origins: tuple[str, ...] = ()
    #: Let queries follow SERVICE and fetch remote data. Off unless an operator turns it on.
    allow_network: bool = False
    #: Serve the demo (the shipped valid examples, in their own graphs and IRI space): None
    #: means only when no data is given (no data files, store folder or remote store).
    examples: bool | None = None
    #: The path prefix a reverse proxy serves the app under (``/mnr``); empty: the root.
    root_path: str = ""
    #: Addresses (or CIDR networks) of the reverse proxies whose ``X-Forwarded-*`` headers are
    #: believed; empty: none are, whoever sends them.
    trusted_proxies: tuple[str, ...] = ()
    #: A file of named, hashed tokens (:mod:`mnr_graph.core.tokens`), re-read when it changes.
    tokens_file: Path | None = None
    #: Require a valid token to read the submissions (submitter names) and to query /sparql.
    read_token_required: bool = False
    #: Serve /metrics without a token (for a scraper on a private network).
    metrics_open: bool = False
    #: The lowest level logged: debug, info, warning, error.
    log_level: str = "info"
    #: Log lines as JSON objects (one per line) rather than text.
    log_json: bool = False
    #: Serve a store written by a newer version of mnr-graph (refused by default).
    allow_downgrade: bool = False
    #: Log one line per request (method, path, status, time, request id).
    access_log: bool = True

    @property
    def writes_enabled(self) -> bool:
        """Writes need a configured token (the variable, or a tokens file)."""
        return bool(self.write_token) or self.tokens_file is not None

    def validate(self) -> Settings:
        """These settings, or a :class:`SettingsError` naming every bad one (checked at start).

        >>> try:
        ...     Settings(query_timeout=0, port=99999).validate()
        ... except SettingsError as exc:
        ...     print(exc)
        port: 99999 is not in 1..65535; query timeout: 0 is not > 0
        """
        problems: list[str] = []

        def need(ok: bool, what: str) -> None:
            if not ok:
                problems.append(what)

        need(1 <= self.port <= 65535, f"port: {self.port} is not in 1..65535")
        need(self.query_timeout > 0, f"query timeout: {self.query_timeout:g} is not > 0")
        need(
            self.query_workers >= 0,
            f"query workers: {self.query_workers} is not >= 1 (or 0: one per core plus one)",
        )
        need(self.query_memory_mb >= 0, f"query memory: {self.query_memory_mb} MB is not >= 0")
        need(self.answer_cache_mb >= 0, f"answer cache: {self.answer_cache_mb} MB is not >= 0")
        need(self.result_limit >= 1, f"result limit: {self.result_limit} is not >= 1")
        need(
            self.max_upload_bytes >= 1,
            f"largest upload: {self.max_upload_bytes} bytes is not >= 1",
        )
        if self.write_token is not None:
            need(
                len(self.write_token) >= MIN_TOKEN_LENGTH,
                f"write token: {len(self.write_token)} characters, fewer than "
                f"{MIN_TOKEN_LENGTH} (make one with `openssl rand -hex 32`)",
            )
        need(
            self.root_path == "" or (self.root_path.startswith("/") and self.root_path != "/"),
            f"root path: {self.root_path!r} does not start with / (such as /mnr)",
        )
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                problems.append(f"trusted proxy: {proxy!r} is not an IP address or network")
        need(
            self.log_level in LOG_LEVELS,
            f"log level: {self.log_level!r} is not one of {', '.join(LOG_LEVELS)}",
        )
        if self.tokens_file is not None:
            need(self.tokens_file.is_file(), f"tokens file: {self.tokens_file} is not a file")
        need(
            self.store_auth in STORE_AUTHS,
            f"store authentication: {self.store_auth!r} is not one of {', '.join(STORE_AUTHS)}",
        )
        need(
            (self.store_user is None) == (self.store_password is None),
            "store account: give both the user and the password (or neither)",
        )
        if problems:
            raise SettingsError("; ".join(problems))
        return self

    @property
    def store_account(self) -> tuple[str, str] | None:
        """The remote store's user and password, if both are set."""
        if self.store_user is None or self.store_password is None:
            return None
        return (self.store_user, self.store_password)

    @property
    def remote(self) -> bool:
        """True when a remote SPARQL endpoint holds the data."""
        return self.sparql_endpoint is not None

    @property
    def demo(self) -> bool:
        """True when the demo is served: asked for, or no data given at all.

        >>> Settings().demo, Settings(data_files=(Path("x.ttl"),)).demo
        (True, False)
        >>> Settings(store_path=Path("s"), examples=True).demo
        True
        """
        if self.examples is not None:
            return self.examples
        return not (self.data_files or self.store_path or self.sparql_endpoint)

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``MNR_GRAPH_*`` variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return value if value not in (None, "") else None

        def number(name: str, kind: type[int] | type[float]) -> int | float | None:
            raw = get(name)
            if raw is None:
                return None
            try:
                return kind(raw)
            except ValueError as exc:
                raise InputError(f"{ENV_PREFIX}{name}={raw!r} is not a number") from exc

        store = get("STORE")
        data = get("DATA")
        cors = get("CORS_ORIGINS")
        network = get("ALLOW_NETWORK")
        examples = get("EXAMPLES")
        proxies = get("TRUSTED_PROXIES")
        tokens = get("TOKENS_FILE")

        def flag(name: str) -> bool | None:
            raw = get(name)
            return raw.lower() in ("1", "true", "yes") if raw else None

        return cls().with_(
            host=get("HOST"),
            port=number("PORT", int),
            store_path=Path(store) if store else None,
            data_files=tuple(Path(p) for p in data.split(os.pathsep)) if data else None,
            sparql_endpoint=get("SPARQL_ENDPOINT"),
            update_endpoint=get("UPDATE_ENDPOINT"),
            gsp_endpoint=get("GSP_ENDPOINT"),
            union_default_graph=flag("UNION_DEFAULT_GRAPH"),
            store_user=get("STORE_USER"),
            store_password=get("STORE_PASSWORD"),
            store_auth=(get("STORE_AUTH") or "").lower() or None,
            query_timeout=number("QUERY_TIMEOUT", float),
            query_workers=number("QUERY_WORKERS", int),
            query_memory_mb=number("QUERY_MEMORY_MB", int),
            answer_cache_mb=number("ANSWER_CACHE_MB", int),
            result_limit=number("RESULT_LIMIT", int),
            max_upload_bytes=number("MAX_UPLOAD_BYTES", int),
            write_token=get("WRITE_TOKEN"),
            cors_origins=tuple(o.strip() for o in cors.split(",")) if cors else None,
            allow_network=(network.lower() in ("1", "true", "yes")) if network else None,
            examples=(examples.lower() in ("1", "true", "yes")) if examples else None,
            root_path=(get("ROOT_PATH") or "").rstrip("/") or None,
            trusted_proxies=tuple(p.strip() for p in proxies.split(",")) if proxies else None,
            tokens_file=Path(tokens) if tokens else None,
            read_token_required=flag("READ_TOKEN_REQUIRED"),
            metrics_open=flag("METRICS_OPEN"),
            log_level=(get("LOG_LEVEL") or "").lower() or None,
            log_json=flag("LOG_JSON"),
            access_log=flag("ACCESS_LOG"),
            allow_downgrade=flag("ALLOW_DOWNGRADE"),
        )
