"""``statewright serve``: the AWS Step Functions API on the durable engine (SQLite by default).

Prints one line when it listens (the URL, and where executions are recorded); SIGTERM or Ctrl-C drains
and exits 0. A store that cannot be opened, a port that is taken or a bad resource map: one line, exit 2.
"""

from __future__ import annotations

import argparse
import sys

from statewright.cli.aws_options import add_aws_options
from statewright.cli.run_command import port

EXIT_OK, EXIT_USAGE = 0, 2


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the AWS Step Functions API on the durable engine (boto3 and the aws CLI work unchanged)",
        description="Serve the AWS Step Functions API (JSON 1.0 protocol) on the durable engine: point "
                    "endpoint_url at it. Executions are recorded in the store and resumed after a restart.",
    )
    parser.add_argument("--db", metavar="URL", default=None,
                        help="the store: a SQLite file path, sqlite:///relative.db, sqlite:////absolute.db, or "
                             "postgresql://user@host/db for several nodes (default: statewright.db)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; the API has no authentication yet)")
    parser.add_argument("--port", type=port, default=8083, help="TCP port (default 8083; 0: any free port)")
    parser.add_argument("--resources", metavar="FILE",
                        help='a resource map: "resources: {<resource string>: module:function}" for Task states')
    parser.add_argument("--allow-host", action="append", default=None, metavar="HOST",
                        help="let HTTP tasks call HOST (or *.DOMAIN); repeatable")
    add_aws_options(parser)
    parser.add_argument("--config", "--connections", metavar="FILE", dest="config",
                        help="a Statewright config file (HTTP task connections and client limits)")
    parser.add_argument("--virtual-time", action="store_true",
                        help="virtual time, for tests: when no task is running the clock jumps to the next timer, "
                             "so Waits and retry back-offs take no real time (recorded times still advance)")
    parser.add_argument("--lease-seconds", type=lease, default=10.0, metavar="S",
                        help="on PostgreSQL: how long a node's lease lasts unrenewed; the other nodes take a dead "
                             "node's executions over within about 1.25 times this (default 10)")
    parser.add_argument("--node-id", metavar="NAME",
                        help="this node's name on a shared store (default: host name, process id, random suffix)")
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"),
                        help="log level (info: one line per request)")
    parser.set_defaults(handler=run)


def lease(text: str) -> float:
    """--lease-seconds: from 1 second to a day."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds from 1 to 86400")
    return value


def run(args: argparse.Namespace) -> int:
    import logging  # here: the other commands do not log, and logging costs ~4 ms of their start-up

    from statewright.cli.aws_options import with_aws
    from statewright.runtime.resources import ResourceMapError, load_resource_map
    from statewright.server.serve import ServeOptions, is_loopback, run_until_signalled
    from statewright.store import StoreError, store_for

    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        resources = with_aws(args, load_resource_map(args.resources) if args.resources else None)
    except (ResourceMapError, ValueError) as error:
        print(f"statewright serve: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        url = store_for(args.db).url
    except StoreError as error:
        print(f"statewright serve: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not is_loopback(args.host):
        print(f"statewright serve: warning: listening on {args.host}: the API has no authentication yet; "
              "anyone who can reach this port can start, stop and read executions", file=sys.stderr)
    options = ServeOptions(db=args.db, host=args.host, port=args.port, resources=resources,
                           allow_hosts=args.allow_host, config=args.config, virtual_time=args.virtual_time,
                           lease_seconds=args.lease_seconds, node_id=args.node_id)

    def announce(address: str) -> None:
        print(f"statewright serve: listening on {address} (executions recorded in {url})", flush=True)

    try:
        return run_until_signalled(options, announce)
    except StoreError as error:
        print(f"statewright serve: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # the port is taken, the address is not ours
        print(f"statewright serve: error: cannot listen on {args.host}:{args.port}: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_USAGE
