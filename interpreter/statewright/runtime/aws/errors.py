"""SDK errors named as Step Functions names them, so Retry and Catch written for AWS match.

AWS SDK integrations (``aws-sdk:<service>:<action>``) report ``<Service>.<ErrorName>``, both in
PascalCase, the error name always ending in ``Exception`` (``S3.NoSuchKeyException``,
``DynamoDb.ConditionalCheckFailedException``, ``AcmPca.ResourceNotFoundException``). The optimised
integrations keep the older prefixes of their documentation (``DynamoDB.ConditionalCheckFailedException``,
``SQS.QueueDoesNotExistException``, ``Lambda.ResourceNotFoundException``).
"""

from __future__ import annotations

import re
from typing import Any

from statewright.runtime.resources import TaskError

# The optimised integrations' prefixes (their pages in AWS's Step Functions guide).
OPTIMISED_PREFIXES = {"lambda": "Lambda", "sqs": "SQS", "sns": "SNS", "dynamodb": "DynamoDB",
                      "events": "EventBridge", "states": "StepFunctions", "s3": "S3"}

# aws-sdk service names whose SDK class name the word rule below does not give.
_SDK_NAMES = {"dynamodb": "DynamoDb", "sfn": "Sfn", "eventbridge": "EventBridge", "s3": "S3",
              "acmpca": "AcmPca", "cloudwatchlogs": "CloudWatchLogs", "secretsmanager": "SecretsManager",
              "apigateway": "ApiGateway", "cloudformation": "CloudFormation", "cloudwatch": "CloudWatch",
              "elasticloadbalancingv2": "ElasticLoadBalancingV2", "eks": "Eks", "ecs": "Ecs", "ec2": "Ec2",
              "iam": "Iam", "kms": "Kms", "sts": "Sts", "ssm": "Ssm", "sqs": "Sqs", "sns": "Sns",
              "lambda": "Lambda", "glue": "Glue", "athena": "Athena", "kinesis": "Kinesis",
              "firehose": "Firehose", "bedrockruntime": "BedrockRuntime", "textract": "Textract"}

_UPPER_RUN = re.compile(r"([A-Z])([A-Z]+)(?=[A-Z][a-z]|$)")


def sdk_service_name(service: str, service_id: str | None = None) -> str:
    """The PascalCase service name of an ``aws-sdk:<service>`` error (``dynamodb`` -> ``DynamoDb``)."""
    known = _SDK_NAMES.get(service)
    if known is not None:
        return known
    if not service_id:
        return service[:1].upper() + service[1:]
    # As the SDK's class names: words joined, a run of capitals kept as one capital ("ACM PCA" -> "AcmPca").
    words = re.split(r"[^A-Za-z0-9]+", service_id)
    return "".join(_UPPER_RUN.sub(lambda m: m.group(1) + m.group(2).lower(), word[:1].upper() + word[1:])
                   for word in words if word)


def exception_name(code: str) -> str:
    """An SDK error code as a Step Functions error name ends: ``NoSuchKey`` -> ``NoSuchKeyException``."""
    code = code.rsplit(".", 1)[-1] or "Unknown"  # "AWS.SimpleQueueService.NonExistentQueue"
    return code if code.endswith("Exception") else code + "Exception"


def task_error(prefix: str, exc: BaseException, client: Any = None) -> TaskError:
    """The TaskError of a failed SDK call: ``<prefix>.<Name>Exception`` and the service's message.

    The name is the error's shape in the service model when the client knows the code (SQS's wire code
    ``AWS.SimpleQueueService.NonExistentQueue`` is the shape ``QueueDoesNotExist``), else the code.
    """
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        error = response["Error"]
        code = str(error.get("Code") or "Unknown")
        message = str(error.get("Message") or exc)
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        request = response.get("ResponseMetadata", {}).get("RequestId")
        cause = f"{message} (Service: {prefix}, Status Code: {status}, Request ID: {request})"
        modeled = type(exc).__name__  # botocore raises a modeled error as a class named after its shape
        name = modeled if modeled != "ClientError" else str(error.get("QueryErrorCode") or _shape_name(client, code))
        return TaskError(f"{prefix}.{exception_name(name)}", cause)
    # No answer from the service (no credentials, no connection): AWS's SDK client error.
    return TaskError(f"{prefix}.SdkClientException", f"{type(exc).__name__}: {exc}")


def _shape_name(client: Any, code: str) -> str:
    exceptions = getattr(client, "exceptions", None)
    if exceptions is None:
        return code
    try:
        found = exceptions.from_code(code)
    except Exception:
        return code
    name = getattr(found, "__name__", "")
    return name if name and name != "ClientError" else code
