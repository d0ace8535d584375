"""``mnr-graph serve`` and ``load``.

The API over a store, and the shipped graphs pushed to a remote endpoint.

>>> sorted(command.name for command in COMMANDS)
['load', 'serve']
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from mnr_graph import __version__

__all__ = ["COMMANDS"]


@click.command()
@click.option("--host", default=None, help="Interface to listen on [127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [8000].")
@click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="On-disk store of ingested submissions (embedded mode); default: in memory.",
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An RDF file to serve in its own named graph (repeatable).",
)
@click.option("--sparql-endpoint", default=None, help="Remote SPARQL 1.1 query endpoint.")
@click.option("--update-endpoint", default=None, help="Remote SPARQL 1.1 update endpoint.")
@click.option("--gsp-endpoint", default=None, help="Remote Graph Store Protocol endpoint.")
@click.option(
    "--union-default-graph",
    is_flag=True,
    default=None,
    help="The remote store's default graph is the union of its named graphs (Virtuoso; "
    "oxigraph serve --union-default-graph): nothing is written to it.",
)
@click.option("--query-timeout", type=float, default=None, help="Seconds per query [5].")
@click.option("--result-limit", type=int, default=None, help="Most rows per answer [10000].")
@click.option("--workers", "query_workers", type=int, default=None, help="Query processes.")
@click.option(
    "--query-memory",
    "query_memory_mb",
    type=int,
    default=None,
    help="MB a query may allocate before it is stopped [1024; 0: no cap].",
)
@click.option(
    "--answer-cache",
    "answer_cache_mb",
    type=int,
    default=None,
    help="MB of answers kept until the next write [64; 0: none].",
)
@click.option(
    "--write-token-env",
    metavar="VAR",
    default=None,
    help="Environment variable holding the bearer token for writes [MNR_GRAPH_WRITE_TOKEN].",
)
@click.option(
    "--root-path",
    default=None,
    help="The path prefix a reverse proxy serves the app under, such as /mnr [none].",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    help="An address or network whose X-Forwarded-* headers are believed (repeatable) [none].",
)
@click.option(
    "--tokens-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File of named, hashed tokens (`mnr-graph token add`), re-read when it changes.",
)
@click.option(
    "--read-token-required",
    is_flag=True,
    default=None,
    help="Require a token to read /submissions and /sparql.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default=None,
    help="Lowest level logged [info].",
)
@click.option("--log-json", is_flag=True, default=None, help="Log JSON lines.")
@click.option("--access-log/--no-access-log", default=None, help="One log line per request [on].")
@click.option(
    "--allow-downgrade",
    is_flag=True,
    default=None,
    help="Serve a store written by a newer version of mnr-graph.",
)
@click.option(
    "--examples/--no-examples",
    default=None,
    help="Serve the demo (the shipped examples, marked as such) [only without --data, --store "
    "or a remote store].",
)
def serve(
    host: str | None,
    port: int | None,
    store_path: Path | None,
    data_files: tuple[Path, ...],
    sparql_endpoint: str | None,
    update_endpoint: str | None,
    gsp_endpoint: str | None,
    union_default_graph: bool | None,
    query_timeout: float | None,
    result_limit: int | None,
    query_workers: int | None,
    query_memory_mb: int | None,
    answer_cache_mb: int | None,
    write_token_env: str | None,
    root_path: str | None,
    trusted_proxies: tuple[str, ...],
    tokens_file: Path | None,
    read_token_required: bool | None,
    log_level: str | None,
    log_json: bool | None,
    access_log: bool | None,
    allow_downgrade: bool | None,
    examples: bool | None,
) -> None:
    """Serve the API, the SPARQL endpoint and the linked-data pages.

    With no data given (no --data, --store or remote store) it serves the demo: the shipped
    examples, marked as such on every page.
    """
    import os
    import time
    from concurrent.futures import ThreadPoolExecutor

    from mnr_graph.core.errors import InputError
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.store import build_store

    started = time.perf_counter()
    token = None
    if write_token_env:
        token = os.environ.get(write_token_env)
        if not token:
            raise InputError(f"the environment variable {write_token_env} is not set")
    settings = (
        Settings.from_env()
        .with_(
            host=host,
            port=port,
            store_path=store_path,
            data_files=data_files or None,
            sparql_endpoint=sparql_endpoint,
            update_endpoint=update_endpoint,
            gsp_endpoint=gsp_endpoint,
            union_default_graph=union_default_graph,
            query_timeout=query_timeout,
            result_limit=result_limit,
            query_workers=query_workers,
            query_memory_mb=query_memory_mb,
            answer_cache_mb=answer_cache_mb,
            write_token=token,
            examples=examples,
            root_path=root_path.rstrip("/") if root_path else None,
            trusted_proxies=trusted_proxies or None,
            tokens_file=tokens_file,
            read_token_required=read_token_required,
            log_level=log_level,
            log_json=log_json,
            access_log=access_log,
            allow_downgrade=allow_downgrade,
        )
        .validate()
    )  # a bad setting stops here: exit 2 with every problem named
    from mnr_graph.web.observability import configure_logging

    configure_logging(settings.log_level, json_lines=settings.log_json)
    # Load the data while the web modules import: pyoxigraph parses without holding the GIL.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mnr-graph-load") as pool:
        loading = pool.submit(build_store, settings)
        import uvicorn

        from mnr_graph.web.app import get_fastapi_app

        store = loading.result()
    app = get_fastapi_app(settings, store=store, warm=True)
    demo = "; demo: the shipped examples" if settings.demo else ""
    prefix = settings.root_path or ""
    click.echo(
        f"mnr-graph {__version__}: store ready in {time.perf_counter() - started:.2f} s; "
        f"serving http://{settings.host}:{settings.port}{prefix}/ (writes "
        f"{'on' if settings.writes_enabled else 'off'}{demo})",
        err=True,
    )
    with contextlib.ExitStack() as held:
        if settings.store_path is not None:  # `submit` into this folder names this server
            from mnr_graph.submissions.holder import serving_note

            held.enter_context(
                serving_note(Path(settings.store_path), f"http://{settings.host}:{settings.port}/")
            )
        # the app reads the proxies' headers itself (ProxyMiddleware), from the trusted ones only;
        # its own access log (with the request id) replaces uvicorn's
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            access_log=False,
            proxy_headers=False,
            log_config=None,
        )


@click.command()
@click.option("--endpoint", required=True, help="The SPARQL 1.1 query endpoint.")
@click.option("--update-endpoint", default=None, help="The update endpoint [--endpoint].")
@click.option("--gsp", default=None, help="A Graph Store Protocol endpoint (faster for big files).")
@click.option(
    "--union-default-graph",
    is_flag=True,
    help="The remote store's default graph is the union of its named graphs (Virtuoso; "
    "oxigraph serve --union-default-graph): nothing is written to it.",
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also push this RDF file, in its own named graph (repeatable).",
)
@click.option(
    "--examples",
    is_flag=True,
    help="Also push the demo (the shipped examples, in their own graphs and IRI space); "
    "without it, demo graphs on the endpoint are dropped.",
)
def load(
    endpoint: str,
    update_endpoint: str | None,
    gsp: str | None,
    union_default_graph: bool,
    data_files: tuple[Path, ...],
    examples: bool,
) -> None:
    """Push the shipped graphs to a remote endpoint.

    The --data files go too, and with --examples the demo. The store's account, if it asks for
    one, is read from MNR_GRAPH_STORE_USER and MNR_GRAPH_STORE_PASSWORD (MNR_GRAPH_STORE_AUTH:
    basic or digest).
    """
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.store import RemoteStore, data_graph, push_graphs, set_demo, shipped_graphs
    from mnr_graph.submissions import current

    settings = Settings.from_env()  # the store account; the rest is serve's
    store = RemoteStore(
        endpoint,
        update_endpoint=update_endpoint,
        gsp_endpoint=gsp,
        union_default_graph=union_default_graph,
        account=settings.store_account,
        auth=settings.store_auth,
        timeout=60,
    )
    files = [*shipped_graphs(), *((data_graph(f), f) for f in data_files)]
    try:
        for graph in push_graphs(store, files):
            click.echo(graph)
        for graph in set_demo(store, examples):
            click.echo(graph if examples else f"dropped {graph}")
        current.refresh(store)  # each country's current submission, for the named queries
    finally:
        store.close()


COMMANDS = (serve, load)
