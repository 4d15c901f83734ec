"""AWS resource strings served with the AWS SDK for Python (the ``statewright[aws]`` extra; docs/aws.md).

With the extra installed and AWS turned on (``statewright run --aws`` or ``--aws-endpoint``, ``serve --aws``,
or :meth:`AwsTasks.install` on a registry), a Task whose ``Resource`` no registered callable serves calls AWS,
or the AWS-compatible endpoint configured for its service:

- a Lambda function ARN, and ``arn:aws:states:::lambda:invoke``;
- ``sqs:sendMessage``, ``sns:publish``, ``dynamodb:getItem/putItem/updateItem/deleteItem``,
  ``events:putEvents``, ``states:startExecution`` (with ``.sync``, ``.sync:2``);
- ``arn:aws:states:::aws-sdk:<service>:<action>``, any action of any service the SDK knows.

``.waitForTaskToken`` works with each: the request goes out carrying the token, and the task waits for
``SendTaskSuccess``/``SendTaskFailure``. A resource mapped in the resource map is served by its callable,
as without the extra.

Why boto3 on worker threads rather than aiobotocore: aiobotocore pins botocore to a window of a few patch
releases (3.10.0: ``>=1.43.115,<1.43.118``), which would hold back, or conflict with, the boto3 users
already have; boto3 clients are thread-safe, and a call's thread hop is small next to its network round
trip (benchmarks/aws_calls.py measures both).
"""

from __future__ import annotations

from typing import Any

from statewright.runtime.aws.config import AwsConfig, AwsConfigError, Clients
from statewright.runtime.item_reader import on_local_bucket
from statewright.runtime.resources import Handler, Invocation, ResourceRegistry, TaskError, strip_pattern_suffix

__all__ = ["AwsConfig", "AwsConfigError", "AwsTasks", "available"]

_STATES = "arn:aws:states:::"
_SDK = "arn:aws:states:::aws-sdk:"
_GET_OBJECT = "arn:aws:states:::s3:getObject"
_LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
_PUT_OBJECT = "arn:aws:states:::s3:putObject"


def available() -> bool:
    """Whether the extra (boto3) is installed."""
    import importlib.util

    return importlib.util.find_spec("boto3") is not None


class AwsTasks:
    """Serves AWS resource strings through boto3 clients made from ``config``."""

    def __init__(self, config: AwsConfig | None = None) -> None:
        self.config = config or AwsConfig()
        self.clients = Clients(self.config)

    def install(self, registry: ResourceRegistry) -> ResourceRegistry:
        """Add this as the registry's last resolver (registered callables still win); returns ``registry``."""
        registry.add_resolver(self.resolve)
        return registry

    def resolve(self, invocation: Invocation) -> Handler | None:
        """The handler of an AWS resource string, else None (the chain goes on)."""
        resource = invocation.resource
        if resource.startswith("arn:aws:lambda:"):
            from statewright.runtime.aws.lambda_ import is_function_arn

            return self._function_arn if is_function_arn(resource) else None
        if not resource.startswith(_STATES):
            return None
        if resource in (_GET_OBJECT, _LIST_OBJECTS):  # a Distributed Map's ItemReader on S3
            return None if on_local_bucket(invocation) else self._read_items
        if resource == _PUT_OBJECT:  # its ResultWriter
            return None if on_local_bucket(invocation) else self._write_results
        bare = strip_pattern_suffix(resource)
        if bare.startswith(_SDK):
            return self._sdk
        name = bare[len(_STATES):]
        if name == "lambda:invoke":
            return self._lambda_invoke
        from statewright.runtime.aws.services import OPTIMISED

        return self._optimised if name in OPTIMISED else None

    async def _read_items(self, invocation: Invocation) -> Any:
        from statewright.runtime.aws.s3_items import read_items

        return await read_items(self.clients, invocation)

    async def _write_results(self, invocation: Invocation) -> Any:
        from statewright.runtime.aws.calls import call
        from statewright.runtime.result_writer import failed, write_with

        client = self.clients.get("s3")

        async def put(bucket: str, key: str, body: Any) -> None:
            try:
                await call("S3", client.put_object, {"Bucket": bucket, "Key": key, "Body": body,
                                                    "ContentType": "application/json"})
            except TaskError as error:
                raise failed(f"{error.error}: {error.cause}") from None

        return await write_with(put, invocation)

    async def _function_arn(self, invocation: Invocation) -> Any:
        from statewright.runtime.aws.lambda_ import invoke_function_arn

        return await invoke_function_arn(self.clients, invocation)

    async def _lambda_invoke(self, invocation: Invocation) -> Any:
        from statewright.runtime.aws.lambda_ import invoke

        _refuse_sync(invocation.resource, ())
        return await invoke(self.clients, invocation)

    async def _optimised(self, invocation: Invocation) -> Any:
        from statewright.runtime.aws.calls import parameters_of
        from statewright.runtime.aws.services import OPTIMISED, PATTERNS

        bare = strip_pattern_suffix(invocation.resource)
        name = bare[len(_STATES):]
        pattern = invocation.resource[len(bare):]
        _refuse_sync(invocation.resource, PATTERNS.get(name, ()))
        parameters = parameters_of(invocation.payload, invocation.state, invocation.resource)
        return await OPTIMISED[name](self.clients, parameters, pattern)

    async def _sdk(self, invocation: Invocation) -> Any:
        from statewright.runtime.aws.sdk import sdk_call

        bare = strip_pattern_suffix(invocation.resource)
        _refuse_sync(invocation.resource, ())
        service, _, action = bare[len(_SDK):].partition(":")
        return await sdk_call(self.clients, invocation, service, action)


def _refuse_sync(resource: str, supported: tuple[str, ...]) -> None:
    # .sync needs the integration to know how to wait for the job it started; only those that do take it.
    for pattern in (".sync:2", ".sync"):
        if resource.endswith(pattern):
            if pattern not in supported:
                raise TaskError("States.TaskFailed", f"Statewright's AWS integrations do not run the {pattern} "
                                f"pattern of {strip_pattern_suffix(resource)} (docs/aws.md lists those they do)")
            return
