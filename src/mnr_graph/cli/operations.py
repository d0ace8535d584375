"""``mnr-graph backup``, ``restore``, ``upgrade`` and ``token``.

What an operator runs beside the server.

>>> sorted(command.name for command in COMMANDS)
['backup', 'restore', 'token', 'upgrade']
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from mnr_graph.core.errors import InputError, StoreError

__all__ = ["COMMANDS"]

_STORE = click.Path(file_okay=False, path_type=Path)


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--store", "store_path", type=_STORE, default=None, help="A store no server holds.")
@click.option("--url", default=None, help="A running server's base URL (a consistent snapshot).")
@click.option(
    "--token-env",
    metavar="VAR",
    default="MNR_GRAPH_TOKEN",
    show_default=True,
    help="Variable holding a write token for every country (with --url).",
)
def backup(folder: Path, store_path: Path | None, url: str | None, token_env: str) -> None:
    """Back a store up into FOLDER (new or empty): store.nq and manifest.json.

    With --url it asks the running server (GET /backup), which reads one snapshot while writes go
    on; with --store it opens a store no server is running on.
    """
    from mnr_graph.query import backup as backups

    if (url is None) == (store_path is None):
        raise InputError("give --url (a running server) or --store (a stopped one)")
    if store_path is not None:
        from mnr_graph.query.store import EmbeddedStore

        if not store_path.is_dir():
            raise InputError("no such store folder", where=str(store_path))
        try:
            store = EmbeddedStore(store_path)
        except StoreError as exc:
            raise StoreError(
                f"{exc.message} (a running server holds it: use --url)", where=exc.where
            ) from None
        manifest = backups.backup(store, folder)
    else:
        import httpx

        token = os.environ.get(token_env)
        if not token:
            raise InputError(f"the environment variable {token_env} is not set")
        backups.empty_folder(folder)
        target = str(url).rstrip("/") + "/backup"
        with (
            httpx.stream(
                "GET", target, headers={"Authorization": f"Bearer {token}"}, timeout=600
            ) as response,
        ):
            if response.status_code != 200:
                response.read()
                raise StoreError(
                    f"the server answered {response.status_code}: {response.text[:300]}",
                    where=target,
                )
            version = response.headers.get("X-MNR-Graph-Version", "unknown")
            with (folder / backups.DUMP).open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
        manifest = backups.write_manifest(folder, version=version)
    click.echo(f"{folder}: {manifest['quads']} quads in {len(manifest['graphs'])} graphs")


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--store", "store_path", type=_STORE, required=True, help="New or empty folder.")
def restore(folder: Path, store_path: Path) -> None:
    """Restore the backup in FOLDER into a new store at --store.

    Every graph's quads are checked against the manifest. Start the server on it (the shipped graphs
    are reloaded and the store upgraded as at every start).
    """
    from mnr_graph.query.backup import restore as restore_backup

    graphs = restore_backup(folder, store_path)
    click.echo(f"{store_path}: {sum(graphs.values())} quads in {len(graphs)} graphs restored")


@click.command()
@click.option("--store", "store_path", type=_STORE, required=True, help="The store (stopped).")
@click.option("--force", is_flag=True, help="Also a store written by a newer version.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def upgrade(store_path: Path, force: bool, as_json: bool) -> None:
    """Upgrade a store to this version.

    Refuse a newer one's store unless --force, reload the shipped graphs and drop those no
    longer shipped, record this version, and validate every current submission again with this
    version's shapes (exit 1 when any fails).
    """
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.store import EmbeddedStore, build_store
    from mnr_graph.submissions import upgrade as upgrades

    if not store_path.is_dir():
        raise InputError("no such store folder", where=str(store_path))
    settings = Settings(store_path=store_path, examples=False, allow_downgrade=force)
    probe = EmbeddedStore(store_path)  # the version it holds, before anything is loaded
    before = upgrades.stored_version(probe)
    del probe  # closes the store: build_store opens it again
    store = build_store(settings)
    report = upgrades.revalidate(store)
    body = {"from": before, "to": upgrades.stored_version(store), **report.to_json()}
    if as_json:
        click.echo(json.dumps(body, indent=2))
    else:
        click.echo(f"{store_path}: {before or 'no version recorded'} -> {body['to']}")
        click.echo(f"{report.checked} current submissions validated again")
        for item in report.failing:
            click.echo(f"  fails now: {item['graph']} ({item['violations']} violations)")
    if report.failing:
        raise SystemExit(1)


@click.command()
@click.argument("action", type=click.Choice(["add", "rotate", "remove", "list"]))
@click.argument("name", required=False)
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The tokens file the server reads (--tokens-file).",
)
@click.option("--country", "countries", multiple=True, help="Write for this country only.")
@click.option("--read", "read_only", is_flag=True, help="A token that may only read.")
def token(
    action: str, name: str | None, file: Path, countries: tuple[str, ...], read_only: bool
) -> None:
    """Add, rotate, remove or list the named tokens of a tokens file.

    `add` and `rotate` print the new token once (on stdout); the file keeps its SHA-256 only. A
    running server sees the change at the next request.
    """
    from mnr_graph.core import tokens
    from mnr_graph.framework.countries import lookup_country

    if action == "list":
        for token_name in tokens.TokenRegistry(file=file).names():
            click.echo(token_name)
        return
    if not name:
        raise InputError(f"`token {action}` needs a NAME")
    if action == "remove":
        tokens.remove_token(file, name)
        click.echo(f"{name}: removed", err=True)
        return
    scope = frozenset(lookup_country(c).code for c in countries) if countries else None
    new = tokens.add_token(
        file, name, countries=scope, read_only=read_only, rotate=action == "rotate"
    )
    click.echo(new)
    click.echo(f"{name}: {'rotated' if action == 'rotate' else 'added'} in {file}", err=True)


COMMANDS = (backup, restore, upgrade, token)
