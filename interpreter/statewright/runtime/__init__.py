"""The asyncio shell around the pure core: drives executions, calls task resources, keeps time.

``statewright.core`` decides; this package acts (STYLE.md, "sans-IO"). Modules:

* ``clock``: :class:`SystemClock` and :class:`VirtualClock` (jumps instead of sleeping).
* ``resources``: the resource registry (a resolver chain) and resource map files.
* ``mock_config``: AWS Step Functions Local's mocked-response configuration.
* ``callbacks``: task tokens waiting for SendTaskSuccess / Failure / Heartbeat.
* ``driver``: the loop that runs one execution.
* ``engine``: the embeddable :class:`Engine` and the :class:`Result` of an execution.
"""
