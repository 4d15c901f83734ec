"""A Distributed Map's ``ItemReader`` on S3: objects streamed and parsed as they arrive, listings paged."""

from __future__ import annotations

import io
from typing import Any

from statewright.runtime.aws.calls import call
from statewright.runtime.aws.config import Clients
from statewright.runtime.aws.errors import task_error
from statewright.runtime.aws.shapes import epoch_millis
from statewright.runtime.item_reader import LIST_OBJECTS, failed, items_of, max_items, request_of
from statewright.runtime.resources import Invocation, TaskError
from statewright.runtime.threads import TASK_THREADS


class _Body(io.RawIOBase):
    """botocore's StreamingBody as a raw stream, so io.BufferedReader and TextIOWrapper can read it in pieces."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


async def read_items(clients: Clients, invocation: Invocation) -> list[Any]:
    parameters, config = request_of(invocation)
    client = clients.get("s3")
    if invocation.resource == LIST_OBJECTS:
        return await _listing(client, parameters, max_items(config))
    if not isinstance(parameters.get("Key"), str):
        raise failed(f"The ItemReader of state '{invocation.state}' needs a Key to read an S3 object")
    try:
        response = await call("S3", client.get_object, {"Bucket": parameters["Bucket"], "Key": parameters["Key"],
                                                       **({"VersionId": parameters["VersionId"]}
                                                          if "VersionId" in parameters else {})})
    except TaskError as error:
        raise failed(f"{error.error}: {error.cause}") from None
    name = f"s3://{parameters['Bucket']}/{parameters['Key']}"

    def open_object(bucket: str, key: str) -> Any:
        # The data files of an inventory manifest, fetched on the same task thread as they are needed.
        try:
            body = client.get_object(Bucket=bucket, Key=key)["Body"]
        except Exception as error:
            failure = task_error("S3", error, client)
            raise failed(f"{failure.error}: {failure.cause}") from None
        return io.BufferedReader(_Body(body), buffer_size=1 << 20)

    def parse(_: Any) -> Any:
        with io.BufferedReader(_Body(response["Body"]), buffer_size=1 << 20) as stream:
            return items_of(stream, config, name, open_object)

    return await TASK_THREADS.call(parse, None)


async def _listing(client: Any, parameters: dict[str, Any], limit: int | None) -> list[Any]:
    items: list[Any] = []
    request = {key: parameters[key] for key in ("Bucket", "Prefix", "Delimiter") if key in parameters}
    while True:
        try:
            page = await call("S3", client.list_objects_v2, request)
        except TaskError as error:
            raise failed(f"{error.error}: {error.cause}") from None
        for entry in page.get("Contents", []):
            items.append({"Etag": entry.get("ETag"), "Key": entry["Key"],
                          "LastModified": epoch_millis(entry.get("LastModified")) // 1000,
                          "Size": entry.get("Size"), "StorageClass": entry.get("StorageClass", "STANDARD")})
            if limit is not None and len(items) >= limit:
                return items
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return items
        request["ContinuationToken"] = token
