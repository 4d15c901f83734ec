"""Statewright's benchmarks: lint speed, interpreter speed, and the suite against peer engines (issue 5).

``python -m benchmarks`` runs the suite (see :mod:`benchmarks.suite`); ``benchmarks/install-peers``
installs the peers it compares against into ``benchmarks/.peers``.
"""
