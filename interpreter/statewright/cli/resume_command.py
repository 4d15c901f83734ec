"""``statewright resume --db URL``: carry on every execution a killed ``statewright run --db`` left running.

It opens the store (which sends open tasks again and fires timers that came due meanwhile, docs/durability.md),
waits for every execution recorded RUNNING, and prints each one's result as ``run`` does: the trace (each
execution named by its ARN), then on stdout its output, or with ``--json`` its document. It takes ``run``'s
options for how tasks run (``--resources``, ``--allow-host``, ``--config``, ``--virtual-time``) and how results
print (``--json``, ``--history``, ``--query``, ``--quiet``). Exit 0 when every execution succeeded (or there was
nothing to resume), 1 when one ended otherwise, 2 when the store cannot be opened or an option is wrong.
"""

from __future__ import annotations

import argparse

from statewright.cli.run_command import add_engine_options

PROG = "statewright resume"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "resume",
        help="carry on the executions a killed `run --db` left in a store",
        description=("Open a store and carry on every execution it holds RUNNING; print each result as "
                     "`statewright run` does. Exit 0 when all succeed, 1 when one ends otherwise, 2 on a usage "
                     "error or a store that cannot be opened."),
    )
    parser.add_argument("--db", metavar="URL", default="statewright.db",
                        help="the store: a SQLite file (default: statewright.db) or sqlite:///path")
    add_engine_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from statewright.cli import run_execution as shared
    from statewright.cli.durable_run import resume_all
    from statewright.runtime.callback_server import bind

    args.name = None
    try:
        query = shared._compile_query(args.query)
        resources = shared._resources(args.resources, args)
        try:  # answers to the tokens of tasks left waiting come here (the trace prints the curl)
            sock = bind("127.0.0.1", args.callback_port or 0)
        except OSError as error:
            raise shared.UsageError(f"--callback-port: cannot listen on 127.0.0.1:{args.callback_port}: "
                                    f"{shared._reason(error)}") from None
        if args.verbose:
            shared._log_task_failures()
    except shared.UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return shared.EXIT_USAGE
    return shared.report_durable(args, query, lambda traces: resume_all(args, resources, sock, traces), sock,
                                 prog=PROG)
