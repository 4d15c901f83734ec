"""``statewright serve``: the AWS Step Functions API (JSON 1.0 protocol) on the durable engine.

``protocol.py`` reads requests and writes AWS's error shapes; ``actions/`` holds one module per resource;
``context.py`` resolves machines, versions and aliases; ``app.py`` is the aiohttp application; ``serve.py``
runs it until SIGTERM and drains. boto3, the aws CLI and SDK activity workers work against it unchanged.
"""
