"""Runs one workload file on moto's Step Functions with real execution switched on (LocalStack's ASL
interpreter, which moto embeds) and prints times, outputs and peak RSS as JSON (see suite.py).

Runs in the peers' venv: ``benchmarks/.peers/venv/bin/python moto_runner.py WORKLOAD.json --warmup 0 --runs 1``.
Execution is switched on with ``mock_aws(config={"stepfunctions": {"execute_state_machine": True}})``
(moto's StepFunctionBackend docstring); without it moto returns canned data and runs nothing. The time
counted runs from the first StartExecution until ListExecutions shows none RUNNING (polled every 1 ms)
and each execution's output has been read.
moto has no virtual clock: its Wait states wait for real.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
import uuid
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3
from moto import mock_aws

ROLE = "arn:aws:iam::123456789012:role/bench"
POLL_SECONDS = 0.001


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


# moto runs each execution in a thread; when one dies (W3-mc10: RecursionError in LocalStack's Map worker) the
# execution stays RUNNING forever. Note the death and stop, instead of polling ListExecutions forever.
_THREAD_DEATHS: list[str] = []


def _record_thread_death(args: threading.ExceptHookArgs) -> None:
    # Name the function seen most often in the traceback: for a RecursionError, the one that recursed.
    names: list[str] = []
    trace = args.exc_traceback
    while trace is not None:
        names.append(trace.tb_frame.f_code.co_name)
        trace = trace.tb_next
    where = f" in {max(set(names), key=names.count)}" if names else ""
    _THREAD_DEATHS.append(f"{args.exc_type.__name__}{where}")


threading.excepthook = _record_thread_death


def run_once(client: Any, machine_arn: str, workload: dict[str, Any]) -> Any:
    inputs = [workload["input"]] if workload["executions"] == 1 else workload["input"]
    arns = [client.start_execution(stateMachineArn=machine_arn, name=str(uuid.uuid4()),
                                   input=json.dumps(item))["executionArn"] for item in inputs]
    # Wait with ListExecutions(RUNNING), which is cheap: DescribeExecution echoes the whole input, and
    # polling it would take the GIL from moto's execution threads and slow moto down unfairly.
    while client.list_executions(stateMachineArn=machine_arn, statusFilter="RUNNING", maxResults=1)["executions"]:
        if _THREAD_DEATHS:
            raise SystemExit(f"moto: {workload['name']}: moto's execution thread died ({_THREAD_DEATHS[0]}); "
                             "the execution stays RUNNING and never ends")
        time.sleep(POLL_SECONDS)
    outputs = []
    for arn in arns:
        described = client.describe_execution(executionArn=arn)
        # moto sets SUCCEEDED a moment before it stores a large output: wait for the output too.
        while described["status"] == "SUCCEEDED" and "output" not in described:
            time.sleep(POLL_SECONDS)
            described = client.describe_execution(executionArn=arn)
        if described["status"] != "SUCCEEDED":
            raise SystemExit(f"moto: {workload['name']} ended {described['status']}: {described.get('error')}: "
                             f"{described.get('cause')}")
        outputs.append(json.loads(described["output"]))
    return outputs[0] if workload["executions"] == 1 else outputs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload")
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with open(args.workload) as file:
        workload = json.load(file)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions")
        machine_arn = client.create_state_machine(name="bench", definition=json.dumps(workload["definition"]),
                                                  roleArn=ROLE)["stateMachineArn"]
        for _ in range(args.warmup):
            run_once(client, machine_arn, workload)
        base = rss_bytes()
        times, output = [], None
        for _ in range(args.runs):
            start = time.perf_counter()
            output = run_once(client, machine_arn, workload)
            times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    json.dump({"times_s": times, "output": output, "base_rss_bytes": base, "peak_rss_bytes": peak}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
