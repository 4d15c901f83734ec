"""``--aws``, ``--aws-endpoint``, ``--aws-region``: AWS resource strings called with the SDK (docs/aws.md)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from statewright.runtime.resources import ResourceRegistry


def add_aws_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--aws", action="store_true",
                        help="call AWS for AWS resource strings no --resources entry serves (Lambda, SQS, SNS, "
                             "DynamoDB, EventBridge, Step Functions, aws-sdk:*), with the SDK's credentials and "
                             "endpoints; needs the statewright[aws] extra")
    parser.add_argument("--aws-endpoint", action="append", default=[], metavar="SERVICE=URL",
                        help="send SERVICE's calls to URL (an AWS-compatible endpoint such as LocalStack or moto); "
                             "repeatable; implies --aws. AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> work too")
    parser.add_argument("--aws-region", metavar="REGION",
                        help="the region of AWS calls (default: the SDK's, from AWS_REGION or the config files)")


def with_aws(args: argparse.Namespace, registry: ResourceRegistry | None) -> ResourceRegistry | None:
    """``registry`` (made if None) with the AWS integrations installed, when the options ask for them.

    Raises:
        ValueError: a bad ``--aws-endpoint``, or the extra is not installed (the message says what to do).
    """
    endpoints = getattr(args, "aws_endpoint", None) or []
    if not (getattr(args, "aws", False) or endpoints):
        return registry
    from statewright.runtime.aws import AwsConfig, AwsTasks, available
    from statewright.runtime.resources import ResourceRegistry

    if not available():
        raise ValueError("--aws needs the AWS SDK for Python: pip install 'statewright[aws]'")
    config = AwsConfig.from_options(endpoints, getattr(args, "aws_region", None))
    return AwsTasks(config).install(registry if registry is not None else ResourceRegistry())
