"""A Distributed Map over a 1,000,000-line CSV object in a local S3 (issue 17, "Must show").

Usage::

    python benchmarks/distributed_map.py [--lines N] [--batch B]

Starts moto's server on 127.0.0.1, uploads a CSV of N rows (``id,customer,amount``) to it, then runs, in a
fresh process of its own (so its peak RSS is the run's alone), a definition whose Map reads the object with
``ItemReader`` (CSV, header row), batches the rows with ``ItemBatcher`` (``MaxItemsPerBatch`` B), sums each
batch in a child execution and writes the results with ``ResultWriter`` to the same S3. It prints the
items per second, the run's peak RSS, and checks the result files against what AWS's documentation
describes (the manifest lists one SUCCEEDED file whose records carry each batch's output).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "interpreter"))

ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
       "AWS_EC2_METADATA_DISABLED": "true"}


def definition(batch: int) -> dict:
    return {"StartAt": "Orders", "States": {"Orders": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"},
                       "Parameters": {"Bucket": "input", "Key": "orders.csv"}},
        "ItemBatcher": {"MaxItemsPerBatch": batch},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Count", "States": {"Count": {
                              "Type": "Pass", "Parameters": {"rows.$": "States.ArrayLength($.Items)",
                                                             "first.$": "$.Items[0].id"}, "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "results", "Prefix": "bench"}},
        "End": True}}}


def child(url: str, batch: int) -> None:
    """The measured run: one execution, then its peak RSS and wall time as JSON on stdout."""
    import statewright
    from statewright.runtime.aws import AwsConfig, AwsTasks
    from statewright.runtime.resources import ResourceRegistry

    registry = AwsTasks(AwsConfig({"s3": url}, "us-east-1")).install(ResourceRegistry())
    started = time.perf_counter()
    result = statewright.run(definition(batch), {}, resources=registry)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"status": result.status, "cause": result.cause, "output": result.output, "wall": wall,
                      "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.batch)
    import boto3

    os.environ.update(ENV)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("moto's server did not start") from None
                time.sleep(0.1)
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
        s3.create_bucket(Bucket="input")
        s3.create_bucket(Bucket="results")
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
            handle.write("id,customer,amount\n")
            for index in range(args.lines):
                handle.write(f"o-{index},c-{index % 977},{index % 1000}.{index % 100:02}\n")
        size = os.path.getsize(handle.name)
        s3.upload_file(handle.name, "input", "orders.csv")
        os.unlink(handle.name)
        print(f"object: {args.lines:,} rows, {size / 1e6:.1f} MB")
        completed = subprocess.run([sys.executable, __file__, "--child", url, "--batch", str(args.batch)],
                                   capture_output=True, text=True, env={**os.environ, **ENV})
        if completed.returncode:
            raise SystemExit(completed.stderr[-3000:])
        report = json.loads(completed.stdout)
        if report["status"] != "SUCCEEDED":
            raise SystemExit(f"the run failed: {report['cause']}")
        details = report["output"]["ResultWriterDetails"]
        manifest = json.loads(s3.get_object(Bucket=details["Bucket"], Key=details["Key"])["Body"].read())
        [entry] = manifest["ResultFiles"]["SUCCEEDED"]
        records = json.loads(s3.get_object(Bucket="results", Key=entry["Key"])["Body"].read())
        batches = -(-args.lines // args.batch)
        assert manifest["ResultFiles"]["FAILED"] == [] and manifest["MapRunArn"] == report["output"]["MapRunArn"]
        assert len(records) == batches and all(record["Status"] == "SUCCEEDED" for record in records)
        assert sum(json.loads(record["Output"])["rows"] for record in records) == args.lines
        assert json.loads(records[-1]["Output"])["first"] == f"o-{(batches - 1) * args.batch}"
        print(f"result files: manifest.json and {entry['Key'].rsplit('/', 1)[1]} ({entry['Size'] / 1e6:.1f} MB, "
              f"{len(records)} records, as AWS's ResultWriter documentation describes)")
        print(f"run: {report['wall']:.1f} s, {args.lines / report['wall']:,.0f} items/s, "
              f"peak RSS {report['peak_mb']:.0f} MB (target < 300 MB)")
    finally:
        moto.terminate()
        moto.wait(10)


if __name__ == "__main__":
    main()
