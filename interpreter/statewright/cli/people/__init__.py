"""The commands for people that talk to a ``statewright serve`` server through the Step Functions API:
``machines``, ``start``, ``executions``, ``describe``, ``history``, ``send-success`` and ``send-failure``.

Each prints text for people, or with ``--json`` the API's JSON (``--query`` filters it with JMESPath, as the
aws CLI's does). They use :mod:`statewright.client`, not boto3.
"""

from __future__ import annotations

import argparse

from statewright.cli.people import callbacks, executions, history, listing


def register(commands: argparse._SubParsersAction) -> None:
    """Add every command to the ``statewright`` parser, in the order a person meets them."""
    listing.register(commands)
    executions.register(commands)
    history.register(commands)
    callbacks.register(commands)
