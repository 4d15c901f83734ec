"""A Distributed Map waiting on its ItemReader survives SIGKILL: ``statewright resume`` reads the items again and
finishes, with the ResultWriter's files written once (spec/map.md 15, 16; docs/durability.md)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "interpreter")}


def _definition() -> dict:
    return {"StartAt": "Each", "States": {"Each": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"},
                       "Parameters": {"Bucket": "file:.", "Key": "rows.csv"}},
        "ItemBatcher": {"MaxItemsPerBatch": 2},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Count", "States": {"Count": {
                              "Type": "Pass", "Parameters": {"n.$": "States.ArrayLength($.Items)"}, "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "file:out"}},
        "End": True}}}


def _running(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        with sqlite3.connect(db) as connection:
            tables = [row[0] for row in connection.execute("select name from sqlite_master where type='table'")]
            return any(connection.execute(f"select count(*) from {table}").fetchone()[0]
                       for table in tables if "execution" in table)
    except sqlite3.Error:
        return False


def test_a_map_killed_while_its_reader_waits_resumes_and_finishes(tmp_path: Path) -> None:
    (tmp_path / "w.json").write_text(json.dumps(_definition()))
    os.mkfifo(tmp_path / "rows.csv")  # the reader blocks opening it until a writer comes: a read in flight
    db = tmp_path / "s.db"
    first = subprocess.Popen([sys.executable, "-m", "statewright", "run", "w.json", "--db", str(db), "--quiet"],
                             cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not _running(db):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the execution was never recorded"
        time.sleep(0.1)
    time.sleep(0.5)  # the reader's command is recorded with the execution's first decision
    first.send_signal(signal.SIGKILL)
    first.wait(10)

    def write_rows() -> None:
        with (tmp_path / "rows.csv").open("w") as fifo:
            fifo.write("id\na\nb\nc\n")

    writer = threading.Thread(target=write_rows, daemon=True)
    writer.start()
    resumed = subprocess.run([sys.executable, "-m", "statewright", "resume", "--db", str(db), "--json", "--quiet"],
                             cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=60)
    writer.join(5)
    assert resumed.returncode == 0, resumed.stderr + resumed.stdout
    document = json.loads(resumed.stdout)
    assert document["status"] == "SUCCEEDED", document
    key = document["output"]["ResultWriterDetails"]["Key"]
    manifest = json.loads((tmp_path / "out" / key).read_text())
    [entry] = manifest["ResultFiles"]["SUCCEEDED"]
    records = json.loads((tmp_path / "out" / entry["Key"]).read_text())
    assert [json.loads(record["Output"]) for record in records] == [{"n": 2}, {"n": 1}]
