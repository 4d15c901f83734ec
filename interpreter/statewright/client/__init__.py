"""A small synchronous client of the AWS Step Functions API (JSON 1.0 protocol), for ``statewright serve``.

It exists so the command line can talk to a server without boto3 as a runtime dependency::

    client = StepFunctionsClient("http://127.0.0.1:8083")
    started = client.call("StartExecution", {"stateMachineArn": arn, "input": "{}"})

Requests are not signed (``statewright serve`` has no authentication yet), so it does not talk to AWS itself.
"""

from statewright.client.json10 import DEFAULT_ENDPOINT, EndpointUnreachable, StepFunctionsClient, StepFunctionsError

__all__ = ["DEFAULT_ENDPOINT", "EndpointUnreachable", "StepFunctionsClient", "StepFunctionsError"]
