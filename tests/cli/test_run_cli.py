"""``statewright run`` as users call it: real subprocesses, exit codes, stdout/stderr."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FN = "arn:aws:lambda:us-east-1:123456789012:function:"
needs_core = pytest.mark.skipif(
    importlib.util.find_spec("statewright.core.model") is None, reason="the pure core has not landed"
)


def statewright(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "statewright", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120, check=False)


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    (tmp_path / "tasks.py").write_text(
        "class Declined(Exception):\n    pass\n\n"
        "def charge(p):\n    if p['amount'] > 100:\n        raise Declined(f\"{p['amount']} is too much\")\n"
        "    return {'charged': p['amount']}\n"
    )
    (tmp_path / "resources.yaml").write_text(f"resources:\n  {FN}charge: tasks:charge\n")
    path = tmp_path / "pay.asl.yaml"
    path.write_text(
        "StartAt: Charge\nStates:\n"
        f"  Charge:\n    Type: Task\n    Resource: {FN}charge\n    ResultPath: $.payment\n    Next: Hold\n"
        "  Hold:\n    Type: Wait\n    Seconds: 600\n    End: true\n"
    )
    return path


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert result.stdout == ""


def test_non_json_input_is_a_one_line_error(flow: Path) -> None:
    result = statewright("run", str(flow), "--input", "{amount: 5}")
    assert_one_line_error(result, "--input is not valid JSON", "line 1 column 2")


def test_unreadable_and_non_json_input_files(flow: Path, tmp_path: Path) -> None:
    assert_one_line_error(statewright("run", str(flow), "--input-file", str(tmp_path / "absent.json")),
                          "--input-file", "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"amount": 5,\n}')
    assert_one_line_error(statewright("run", str(flow), "--input-file", str(bad)),
                          "is not valid JSON", "line 2 column 1")


def test_a_missing_definition_and_usage_errors(flow: Path, tmp_path: Path) -> None:
    assert_one_line_error(statewright("run", str(tmp_path / "nope.asl.json")), "cannot read", "nope.asl.json")
    assert_one_line_error(statewright("run", str(flow), "--mock-config", "x.json"), "--test-case")
    assert_one_line_error(statewright("run", str(flow), "--query", "status[["), "--query")
    assert_one_line_error(statewright("run", str(flow), "--resources", str(tmp_path / "none.yaml")), "--resources")
    both = statewright("run", str(flow), "--input", "{}", "--input-file", "x.json")
    assert both.returncode == 2 and "not allowed with" in both.stderr and "Traceback" not in both.stderr


def test_an_invalid_definition_prints_lint_diagnostics_and_exits_2() -> None:
    result = statewright("run", "examples/invalid/broken.asl.yaml")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "ChargCard" in result.stderr and "broken.asl.yaml:" in result.stderr
    assert "is not a valid definition" in result.stderr.splitlines()[-1]
    assert result.stdout == ""


@needs_core
def test_success_prints_the_output_and_traces_states(flow: Path) -> None:
    result = statewright("run", str(flow), "--input", '{"amount": 5}', "--resources",
                         str(flow.parent / "resources.yaml"), "--virtual-time")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"amount": 5, "payment": {"charged": 5}}
    assert "-> Charge" in result.stderr and "-> Hold" in result.stderr
    assert result.stderr.strip().splitlines()[-1].split()[-1] == "SUCCEEDED"
    assert "10m 0s" in result.stderr  # the Wait's time is recorded though nothing slept
    assert "\033[" not in result.stderr  # NO_COLOR


@needs_core
def test_failure_exits_1_and_json_reports_it(flow: Path) -> None:
    args = ("run", str(flow), "--input", '{"amount": 500}', "--resources", str(flow.parent / "resources.yaml"))
    plain = statewright(*args)
    assert plain.returncode == 1 and plain.stdout == ""
    assert "Declined" in plain.stderr and "FAILED" in plain.stderr
    as_json = statewright(*args, "--json")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout) == {"status": "FAILED", "output": None, "error": "Declined",
                                          "cause": "500 is too much"}


@needs_core
def test_query_and_history(flow: Path) -> None:
    args = ("run", str(flow), "--input", '{"amount": 7}', "--resources", str(flow.parent / "resources.yaml"),
            "--virtual-time", "--quiet")
    query = statewright(*args, "--query", "output.payment.charged")
    assert (query.returncode, json.loads(query.stdout), query.stderr) == (0, 7, "")
    history = statewright(*args, "--json", "--history", "--query", "history[].type")
    types = json.loads(history.stdout)
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded" and "WaitStateEntered" in types
    document = json.loads(statewright(*args, "--json").stdout)
    assert set(document) == {"status", "output", "error", "cause"}


@needs_core
def test_mock_config_from_the_command_line(flow: Path, tmp_path: Path) -> None:
    mocks = {"StateMachines": {"pay": {"TestCases": {"Declined": {"Charge": "No"}}}},
             "MockedResponses": {"No": {"0": {"Throw": {"Error": "Declined", "Cause": "mocked"}}}}}
    config = tmp_path / "mocks.json"
    config.write_text(json.dumps(mocks))
    result = statewright("run", str(flow), "--mock-config", str(config), "--test-case", "Declined", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["cause"] == "mocked"
    missing = statewright("run", str(flow), "--mock-config", str(config), "--test-case", "Other")
    assert_one_line_error(missing, "no test case 'Other'")


@needs_core
def test_a_definition_the_interpreter_cannot_run_yet_is_a_one_line_error() -> None:
    from statewright import load
    from statewright.core.model import UnsupportedDefinition, compile_machine

    path = ROOT / "examples" / "report-polling-jsonata" / "workflow.asl.yaml"
    try:
        compile_machine(load(path).definition)
    except UnsupportedDefinition:
        assert_one_line_error(statewright("run", str(path)), "cannot run", "JSONata")
    else:
        pytest.skip("the interpreter runs JSONata now; nothing unsupported to check with")


@needs_core
def test_unfilled_placeholders_stop_the_run_and_substitutions_fill_them(flow: Path, tmp_path: Path) -> None:
    templated = tmp_path / "templated.asl.yaml"
    templated.write_text(flow.read_text().replace(f"{FN}charge", "${ChargeFn}"))
    assert_one_line_error(statewright("run", str(templated)), "${ChargeFn} at /States/Charge/Resource")
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"ChargeFn": f"{FN}charge"}))
    filled = statewright("run", str(templated), "--substitutions", str(values), "--input", '{"amount": 1}',
                         "--resources", str(flow.parent / "resources.yaml"), "--virtual-time", "-q")
    assert filled.returncode == 0, filled.stderr
    assert json.loads(filled.stdout)["payment"] == {"charged": 1}


def test_a_run_that_calls_no_http_resource_never_loads_the_http_stack(tmp_path: Path) -> None:
    """aiohttp (and yarl, multidict) cost a process a fifth of a second to import: a run of a workflow with no
    HTTP resource and no callback must not pay it (issue 16, start-up). The same run with a callback port
    loads the listener, so the check can tell the two apart."""
    (tmp_path / "one.asl.yaml").write_text("StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n")
    probe = ("import sys, contextlib, io\nfrom statewright.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n    code = main(sys.argv[1:])\n"
             "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'aiohttp', 'yarl', 'multidict'}))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "interpreter")}
    plain = subprocess.run([sys.executable, "-c", probe, "run", "one.asl.yaml", "--input", "{}"], cwd=tmp_path,
                           capture_output=True, text=True, env=env, check=True)
    assert plain.stdout.strip().splitlines()[-1] == "0 []"
    listening = subprocess.run([sys.executable, "-c", probe, "run", "one.asl.yaml", "--input", "{}",
                                "--callback-port", "0"], cwd=tmp_path, capture_output=True, text=True, env=env,
                               check=True)
    assert listening.stdout.strip().splitlines()[-1] == "0 ['aiohttp', 'multidict', 'yarl']"
