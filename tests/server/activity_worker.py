"""An activity worker as users write one: plain boto3, GetActivityTask in a loop, heartbeats, SendTaskSuccess.

Run as a separate process by tests/server/test_activities.py:

    python tests/server/activity_worker.py ENDPOINT ACTIVITY_ARN WORKER_NAME [--tasks N] [--work S]
        [--heartbeat S] [--hang]

For each task it prints ``took <input JSON>`` (flushed), works ``--work`` seconds while sending a heartbeat
every ``--heartbeat`` seconds, and answers ``{"worker": WORKER_NAME, "input": <input>}``; a task whose input
has ``"fail": true`` is answered with SendTaskFailure instead. ``--hang`` takes one task and then does nothing
(the test kills it). It exits after ``--tasks`` tasks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import boto3
from botocore.config import Config


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("activity_arn")
    parser.add_argument("worker_name")
    parser.add_argument("--tasks", type=int, default=1)
    parser.add_argument("--work", type=float, default=0.0)
    parser.add_argument("--heartbeat", type=float, default=0.0)
    parser.add_argument("--hang", action="store_true")
    args = parser.parse_args()
    # AWS's advice: a read timeout longer than the 60 s long poll.
    sfn = boto3.client("stepfunctions", endpoint_url=args.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing",
                       config=Config(read_timeout=70, retries={"max_attempts": 1}))
    done = 0
    while done < args.tasks:
        task = sfn.get_activity_task(activityArn=args.activity_arn, workerName=args.worker_name)
        token = task.get("taskToken")
        if not token:
            continue  # the long poll ended without a task: poll again
        payload = json.loads(task["input"])
        print(f"took {json.dumps(payload)}", flush=True)
        if args.hang:
            while True:
                time.sleep(60)
        work_until = time.monotonic() + args.work
        while time.monotonic() < work_until:
            time.sleep(min(args.heartbeat or args.work, max(0.0, work_until - time.monotonic())))
            if args.heartbeat:
                sfn.send_task_heartbeat(taskToken=token)
        if isinstance(payload, dict) and payload.get("fail"):
            sfn.send_task_failure(taskToken=token, error="Worker.Refused", cause=f"{args.worker_name} refused")
        else:
            sfn.send_task_success(taskToken=token, output=json.dumps({"worker": args.worker_name, "input": payload}))
        done += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
