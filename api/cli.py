"""The `entrelieux` command: serve, migrate, demo, import, token, network."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from api.logs import configure_logging, logging_config
from api.relays import Relays, RelaysThread
from api.reuseport import WorkerSocket
from api.search_runtime import SearchRuntime
from api.setup import load_demo, migrate
from core.db import Database
from core.error_codes import AccountErrorCode, OrganizationErrorCode
from core.errors import DomainError
from core.importers.directory import import_source
from core.importers.listings import import_listings
from core.importers.report import ImportReport
from core.importers.sources import DEFAULT_SOURCE, SOURCES
from core.models import AreaLevel, Organization, OrganizationKind, Role
from core.services.network_areas import add_area, list_areas, remove_area
from core.services.organizations import (
    OrganizationDraft,
    add_organization,
    organization_by_siret_or_name,
)
from core.services.tokens import ensure_member, issue_token
from core.services.validation import normalize_siret, parse
from core.settings import Settings
from core.transactions import begin_writing
from search.indexing import reindex

# uvicorn kills a worker that does not answer its supervisor's ping within this; its default (5 s)
# is shorter than a worker's imports on a busy machine, which then died in a loop at start.
WORKER_ANSWER_SECONDS = 60


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    handler = {
        "serve": _serve,
        "migrate": _migrate,
        "demo": _demo,
        "import": _import,
        "token": _token,
        "worker": _worker,
        "reindex": _reindex,
        "network": _network,
    }[args.command]
    return handler(settings, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="entrelieux", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate, load demo data on first start, serve HTTP")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers",
        type=int,
        help="HTTP processes (default WEB_CONCURRENCY, else 1); the relays run once, in the "
        "parent. More than one needs PostgreSQL",
    )
    commands.add_parser("migrate", help="apply migrations and load the communes table")
    commands.add_parser(
        "demo", help="load (or refresh) the demo: places, listings, exchanges (data/demo/README.md)"
    )

    imports = commands.add_parser("import", help="import places or listings from a file")
    what = imports.add_subparsers(dest="what", required=True)
    spaces = what.add_parser(
        "spaces",
        help="places from an open list (a Mission Coworking CSV unless --source says otherwise)",
        description="Import or update places; rows of other sources describing the same place "
        "are merged by the rules of core/importers/dedupe.py.",
    )
    spaces.add_argument(
        "--source",
        choices=sorted(SOURCES),
        default=DEFAULT_SOURCE,
        help="the file's format and origin (adapters: core/importers/sources/)",
    )
    spaces.add_argument(
        "--date",
        type=date.fromisoformat,
        help="when the source said it (YYYY-MM-DD, the file's date); default: now",
    )
    spaces.add_argument("file", type=Path)
    listings = what.add_parser("listings", help="listings in JSON Lines (.jsonl) or CSV (.csv)")
    listings.add_argument("file", type=Path)
    listings.add_argument("--organization", help="SIRET or name of the publishing organization")

    commands.add_parser(
        "worker", help="drain the outbox into Meilisearch and send notification e-mails"
    )
    commands.add_parser("reindex", help="rebuild the search index from the database, then swap")

    token = commands.add_parser("token", help="personal access tokens")
    token_commands = token.add_subparsers(dest="action", required=True)
    create = token_commands.add_parser("create", help="print a new token for a person")
    create.add_argument("--email", required=True)
    create.add_argument("--organization", required=True, help="SIRET or exact name")
    create.add_argument("--role", choices=["ADMIN", "MEMBER"], default="MEMBER")
    create.add_argument("--name", default="", help="what the token is for")
    create.add_argument(
        "--kind",
        choices=[kind.value for kind in OrganizationKind],
        default=OrganizationKind.TIERS_LIEU.value,
        help="the kind of the organization, when it is created here",
    )
    network = commands.add_parser("network", help="the territory each network covers")
    network_what = network.add_subparsers(dest="what", required=True)
    area = network_what.add_parser("area", help="a network's areas: communes, EPCI, ... or FR")
    area_commands = area.add_subparsers(dest="action", required=True)
    for action in ("add", "remove"):
        change = area_commands.add_parser(action, help=f"{action} an area of a network")
        change.add_argument("--network", required=True, help="SIRET or exact name (a RESEAU)")
        change.add_argument("--level", required=True, choices=[level.value for level in AreaLevel])
        change.add_argument(
            "--code",
            required=True,
            help="INSEE code, EPCI SIREN, department or region code, or FR for COUNTRY",
        )
    listing = area_commands.add_parser("list", help="print the areas, one a line")
    listing.add_argument("--network", help="SIRET or exact name; every network without it")
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    workers = args.workers if args.workers is not None else settings.web_concurrency
    if workers < 1:
        print(f"--workers must be at least 1, not {workers}", file=sys.stderr)
        return 2
    if workers > 1 and settings.is_sqlite:
        print(
            f"--workers {workers} needs PostgreSQL: SQLite takes one writer at a time, so "
            "several processes would wait on each other's locks. Serve one process "
            "(--workers 1, or WEB_CONCURRENCY unset) or set DATABASE_URL to PostgreSQL.",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    asyncio.run(migrate(settings))
    if settings.load_demo_data and (demo := asyncio.run(load_demo(settings))) is not None:
        places = demo.places.imported + sum(r.imported for r in demo.directory.values())
        merged = sum(r.merged for r in demo.directory.values())
        loaded = f"{places} places ({merged} source records merged), "
        loaded += f"{demo.listings.imported} listings"
        loaded += f", {sum(demo.exchanges.values())} exchanges"
        print(f"demo data: {loaded} loaded ({time.monotonic() - started:.1f} s)", file=sys.stderr)
    host, port = args.host or settings.host, args.port or settings.port
    if workers == 1:
        uvicorn.run("api.app:app_from_environment", **_uvicorn_options(settings, host, port))
        return 0
    relays = RelaysThread(settings)
    os.environ.update(relays.start())  # read by each worker's Settings (spawned, not forked)
    try:
        return _serve_workers(settings, host, port, workers)
    finally:
        relays.stop()


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> int:
    """uvicorn's supervisor (a dead worker replaced, SIGTERM/SIGINT stop them all), each worker
    on a socket of its own (api/reuseport.py) so that the kernel spreads the connections."""
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config(
        "api.app:worker_from_environment",
        workers=workers,
        timeout_worker_healthcheck=WORKER_ANSWER_SECONDS,
        **_uvicorn_options(settings, host, port),
    )
    try:
        sock = WorkerSocket.bind_to(host, port)
    except OSError as error:
        print(f"cannot listen on {host}:{port}: {error}", file=sys.stderr)
        return 2
    with sock:
        bound_host, bound_port = sock.getsockname()[:2]
        logging.getLogger("uvicorn.error").info(
            "Uvicorn running on http://%s:%d, %d workers with a socket each (Press CTRL+C to quit)",
            bound_host,
            bound_port,
            workers,
        )
        with contextlib.suppress(KeyboardInterrupt):
            Multiprocess(config, sockets=[sock]).run()
    return 0


def _uvicorn_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    return {
        "factory": True,
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        "log_config": logging_config(settings),  # JSON lines in production (api/logs.py)
        # The client's address (rate limits) from X-Forwarded-For only behind TRUSTED_PROXIES.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    communes = asyncio.run(migrate(settings))
    print(f"database at head; {communes} communes", file=sys.stderr)
    return 0


def _demo(settings: Settings, _args: argparse.Namespace) -> int:
    demo = asyncio.run(load_demo(settings, only_if_empty=False))
    if demo is None:
        return 0
    places, listings = _print_report(demo.places), _print_report(demo.listings)
    for name, report in demo.directory.items():
        print(f"{name}: ", end="")
        places = _print_report(report) or places
    return places or listings


def _import(settings: Settings, args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2

    async def run() -> ImportReport:
        database = Database.from_settings(settings)
        try:
            async with database.session() as session:
                await begin_writing(session)
                report: ImportReport
                if args.what == "spaces":
                    source = SOURCES[args.source]
                    report = await import_source(session, source, args.file, args.date)
                else:
                    report = await import_listings(session, args.file, args.organization)
                await session.commit()
                return report
        finally:
            await database.dispose()

    try:
        report = asyncio.run(run())
    except DBAPIError as error:
        print(
            f"database error: {error.orig}; is it migrated (entrelieux migrate)?", file=sys.stderr
        )
        return 2
    if report.refused is not None:  # one line, nothing written
        print(f"{args.file}:{report.refused.line}: {report.refused.reason}", file=sys.stderr)
        return 2
    return _print_report(report)


def _print_report(report: ImportReport) -> int:
    *rejections, summary = report.lines()
    for line in rejections:
        print(line, file=sys.stderr)
    print(summary)
    return 0 if report.ok else 1


def _worker(settings: Settings, _args: argparse.Namespace) -> int:
    """A separate relay process: the outbox into Meilisearch, and notification e-mails
    (production runs several; they share work via SKIP LOCKED)."""
    configure_logging(settings)

    async def run() -> None:
        database = Database.from_settings(settings)
        relays = Relays(settings.model_copy(update={"run_relay": True}), database)
        await relays.start()
        try:
            await asyncio.Event().wait()
        finally:
            await relays.stop()
            await database.dispose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


def _reindex(settings: Settings, _args: argparse.Namespace) -> int:
    configure_logging(settings)

    async def run() -> int:
        runtime = SearchRuntime(
            settings.model_copy(update={"run_relay": False}), Database.from_settings(settings)
        )
        await runtime.start()
        try:
            assert runtime.client is not None
            return await reindex(runtime.database, runtime.client)
        finally:
            await runtime.stop()
            await runtime.database.dispose()

    print(f"{asyncio.run(run())} listings indexed")
    return 0


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


async def _new_organization(session: AsyncSession, key: str, kind: str) -> Organization:
    """The first token of an organization brings it in, unverified; a SIRET must be known."""
    siret = normalize_siret(key)
    if siret.isdigit() and len(siret) == 14:
        message = f"organization: no organization with SIRET {siret}; give its name"
        raise DomainError(OrganizationErrorCode.UNKNOWN_SIRET, message, value=siret)
    draft = parse(OrganizationDraft, {"name": key, "kind": kind})
    print(f"organization {key!r} created (unverified)", file=sys.stderr)
    return await add_organization(session, draft)


def _token(settings: Settings, args: argparse.Namespace) -> int:
    async def run() -> str:
        database = Database.from_settings(settings)
        try:
            async with database.session() as session:
                if not EMAIL.fullmatch(args.email):
                    message = f"email: {args.email!r} is not an e-mail address"
                    code = AccountErrorCode.NOT_AN_EMAIL
                    raise DomainError(code, message, value=args.email)
                organization = await organization_by_siret_or_name(session, args.organization)
                if organization is None:
                    organization = await _new_organization(session, args.organization, args.kind)
                person = await ensure_member(session, args.email, organization, Role(args.role))
                issued = await issue_token(session, person, organization, name=args.name)
                await session.commit()
                return issued.secret
        finally:
            await database.dispose()

    try:
        print(asyncio.run(run()))
    except DomainError as error:
        print(error.message, file=sys.stderr)
        return 1
    return 0


def _network(settings: Settings, args: argparse.Namespace) -> int:
    """`network area add|remove|list`: exit 2 on a bad argument, naming it."""

    async def run() -> list[str]:
        database = Database.from_settings(settings)
        try:
            async with database.session() as session:
                if args.action == "list":
                    rows = await list_areas(session, args.network)
                    return [f"{r.network}\t{r.level.value}\t{r.code}\t{r.name}" for r in rows]
                await begin_writing(session)
                level = AreaLevel(args.level)
                change = add_area if args.action == "add" else remove_area
                changed = await change(session, args.network, level, args.code)
                await session.commit()
                what = f"{level.value} {args.code.strip()}"
                if args.action == "add":
                    said = "added" if changed else "already covered: nothing to add"
                else:
                    said = "removed" if changed else "not covered: nothing to remove"
                return [f"{args.network}: {what} {said}"]
        finally:
            await database.dispose()

    try:
        lines = asyncio.run(run())
    except DomainError as error:
        print(error.message, file=sys.stderr)
        return 2
    except DBAPIError as error:
        print(
            f"database error: {error.orig}; is it migrated (entrelieux migrate)?", file=sys.stderr
        )
        return 2
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
