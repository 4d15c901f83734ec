"""The web console that ``statewright serve`` serves at ``/`` (issue 18).

Plain ES modules and one stylesheet in ``static/``, shipped inside the wheel: no build step, no framework,
nothing to install. Why: the console is a few pages of tables, a graph and buttons; a framework's build
chain (npm, a bundler, a lock file) would be a second toolchain for contributors and a rebuild step before
every release, for little a hundred lines of DOM code cannot do. The pages read everything through the same
Step Functions API boto3 uses (``POST /`` with ``X-Amz-Target``); the one other route, ``POST
/console/graph``, lays a definition out as SVG with the same code as ``statewright graph`` (a picture of
data the API already gives).
"""

from statewright.console.routes import add_console

__all__ = ["add_console"]
