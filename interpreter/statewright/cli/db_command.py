"""``statewright db migrate|info [--db URL]``: the durable store's schema and what it holds.

``migrate`` applies the migrations the database lacks (``statewright run --db`` and the library do this by
themselves when they open a store); ``info`` prints the schema version, the settings that decide
durability, and counts of executions by status, timers and open tasks. Exit 0, or 2 with one line when the
store cannot be opened (a newer schema, another process holds it, not a Statewright database).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_USAGE = 0, 2


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "db",
        help="migrate or inspect the durable store (SQLite by default)",
        description="Migrate or inspect the store that durable runs record executions in.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    for name, help_text in (("migrate", "apply the schema migrations the database lacks"),
                            ("info", "schema version, durability settings, and what the store holds")):
        action = actions.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        action.add_argument("--db", metavar="URL", default=None,
                            help="the store: a SQLite file path, sqlite:///relative.db, "
                                 "sqlite:////absolute.db or postgresql://user@host/db (default: statewright.db)")
        if name == "info":
            action.add_argument("--json", action="store_true", help="print the facts as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import asyncio  # here, not at start-up: `statewright lint` never needs the event loop or the store

    from statewright.store import StoreError, store_for

    try:
        store = store_for(args.db)
        return asyncio.run(_migrate(store) if args.action == "migrate" else _info(store, args.json))
    except StoreError as error:
        print(f"statewright db {args.action}: error: {error}", file=sys.stderr)
        return EXIT_USAGE


async def _migrate(store: Any) -> int:
    await store.open(migrate=True)
    try:
        before, after = store.opened_at_version, (await store.info()).version
    finally:
        await store.close()
    if before == after:
        print(f"{store.url}: schema version {after}, up to date")
    else:
        print(f"{store.url}: migrated from schema version {before} to {after}")
    return EXIT_OK


async def _info(store: Any, as_json: bool) -> int:
    path = getattr(store, "path", None)
    if path is not None and not Path(path).exists():
        from statewright.store import StoreError

        raise StoreError(f"there is no database at {path} (`statewright db migrate --db {path}` creates one)")
    await store.open(migrate=False)
    try:
        info = await store.info()
    finally:
        await store.close()
    facts = {"url": info.url, "dialect": info.dialect, "schema_version": info.version,
             "code_schema_version": info.code_version, "executions": info.executions, "timers": info.timers,
             "open_tasks": info.tasks, "definitions": info.definitions, "settings": info.settings}
    if as_json:
        print(json.dumps(facts, indent=2))
        return EXIT_OK
    total = sum(info.executions.values())
    by_status = ", ".join(f"{count} {status}" for status, count in sorted(info.executions.items())) or "none"
    print(f"store:       {info.url} ({info.dialect})")
    print(f"schema:      version {info.version} (this Statewright writes {info.code_version})")
    print("durability:  " + ", ".join(f"{key}={value}" for key, value in info.settings.items()))
    print(f"executions:  {total} ({by_status})")
    print(f"waiting on:  {info.timers} timers, {info.tasks} open tasks; {info.definitions} definitions kept")
    return EXIT_OK
