"""``statewright run --db``, ``statewright resume`` and ``statewright db`` as users call them: real processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from statewright.store.migrations import latest

ROOT = Path(__file__).resolve().parents[2]
FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def statewright(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "statewright", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "NO_COLOR": "1"}, timeout=120, check=False)


def flow(tmp_path: Path, seconds: int) -> Path:
    (tmp_path / "tasks.py").write_text("def double(p):\n    return p['n'] * 2\n")
    (tmp_path / "resources.yaml").write_text(f"resources:\n  {FN}double: tasks:double\n")
    path = tmp_path / "flow.asl.yaml"
    path.write_text(f"StartAt: Hold\nStates:\n  Hold: {{Type: Wait, Seconds: {seconds}, Next: Double}}\n"
                    f"  Double: {{Type: Task, Resource: {FN}double, ResultPath: $.doubled, End: true}}\n")
    return path


def started(tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "statewright", "run", str(flow(tmp_path, 2)), "--input", '{"n": 21}', "--resources",
         str(tmp_path / "resources.yaml"), "--db", "runs.db", "--name", "nightly", *extra],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("recorded in runs.db as arn:aws:states:") and first.rstrip().endswith(":nightly"), first
    assert "-> Hold (Wait)" in process.stderr.readline()
    return process


def test_a_killed_run_is_carried_on_by_resume(tmp_path: Path) -> None:
    process = started(tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(tmp_path / "runs.db") as connection:
        assert connection.execute("SELECT status FROM executions").fetchall() == [("RUNNING",)]
    time.sleep(2)
    resumed = statewright("resume", "--db", "runs.db", "--resources", "resources.yaml", "--json", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout) == {"status": "SUCCEEDED", "output": {"n": 21, "doubled": 42}, "error": None,
                                          "cause": None}
    assert "resuming 1 execution from runs.db" in resumed.stderr and "-> Double (Task)" in resumed.stderr
    again = statewright("resume", "--db", "runs.db", cwd=tmp_path)
    assert again.returncode == 0 and "nothing to resume in runs.db" in again.stderr


def test_ctrl_c_stops_the_process_and_leaves_the_execution_to_resume(tmp_path: Path) -> None:
    process = started(tmp_path)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "SIGINT: stopping; what is running stays recorded in runs.db" in stderr and "Traceback" not in stderr
    with sqlite3.connect(tmp_path / "runs.db") as connection:
        assert connection.execute("SELECT status FROM executions").fetchall() == [("RUNNING",)]
    resumed = statewright("resume", "--db", "runs.db", "--resources", "resources.yaml", "--query", "output.doubled",
                          cwd=tmp_path)
    assert (resumed.returncode, resumed.stdout.strip()) == (0, "42")


def test_a_name_already_used_is_a_usage_error(tmp_path: Path) -> None:
    path = flow(tmp_path, 0)
    arguments = ("run", str(path), "--input", '{"n": 1}', "--resources", "resources.yaml", "--db", "runs.db",
                 "--name", "once")
    assert statewright(*arguments, cwd=tmp_path).returncode == 0
    again = statewright(*arguments, cwd=tmp_path)
    assert again.returncode == 2 and "Execution Already Exists" in again.stderr and "Traceback" not in again.stderr


def test_stores_that_cannot_be_opened_are_one_line_errors(tmp_path: Path) -> None:
    path = flow(tmp_path, 0)
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 50)
    for args in (("run", str(path), "--db", "junk.db"), ("resume", "--db", "junk.db"),
                 ("db", "info", "--db", "junk.db"), ("db", "migrate", "--db", "junk.db"),
                 ("run", str(path), "--db", str(tmp_path))):
        result = statewright(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "error:" in lines[0] and "Traceback" not in result.stderr, lines
    assert (tmp_path / "junk.db").read_bytes() == b"this is not a database" * 50


def test_db_migrate_and_info(tmp_path: Path) -> None:
    created = statewright("db", "migrate", "--db", "sqlite:///new.db", cwd=tmp_path)
    assert created.returncode == 0 and f"migrated from schema version 0 to {latest('sqlite')}" in created.stdout
    assert "up to date" in statewright("db", "migrate", "--db", "new.db", cwd=tmp_path).stdout
    info = json.loads(statewright("db", "info", "--db", "new.db", "--json", cwd=tmp_path).stdout)
    version = latest("sqlite")
    assert info["schema_version"] == version and info["settings"]["synchronous"] == "FULL" and info["executions"] == {}
    missing = statewright("db", "info", "--db", "absent.db", cwd=tmp_path)
    assert missing.returncode == 2 and "there is no database at absent.db" in missing.stderr
    assert not (tmp_path / "absent.db").exists()
