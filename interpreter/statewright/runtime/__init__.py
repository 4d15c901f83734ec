"""The asyncio shell around the pure core: drives executions, calls task resources, keeps time.

``statewright.core`` decides; this package acts (STYLE.md, "sans-IO"). Modules:

* ``clock``: :class:`SystemClock` and :class:`VirtualClock` (jumps instead of sleeping).
* ``resources``: the resource registry (a resolver chain) and resource map files.
* ``mock_config``: AWS Step Functions Local's mocked-response configuration.
* ``callbacks``: task tokens waiting for SendTaskSuccess / Failure / Heartbeat.
* ``callback_server``: the 127.0.0.1 listener that answers tokens over HTTP (``statewright run``).
* ``http_client``: the engine's pooled aiohttp client (limits, SSRF guard, error names).
* ``http_tasks``: ``arn:aws:states:::http:invoke`` and URL resources (spec/http-tasks.md).
* ``connections``: named credentials for HTTP Tasks, from the config file; secrets from env or files.
* ``driver``: the loop that runs one execution.
* ``engine``: the embeddable :class:`Engine` and the :class:`Result` of an execution.
"""
