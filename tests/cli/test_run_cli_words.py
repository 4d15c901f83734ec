"""``statewright run``'s words: option checks, strict JSON, names, the trace, warnings, standard input.

Most run the real command in a subprocess, as users call it (see test_run_cli.py); a few drive the pieces
in-process where a subprocess could not show the case (a Map's iterations, an HTTP body).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import statewright
from statewright.cli import build_parser
from statewright.cli.trace import Trace, elapsed
from statewright.core.names import check_name, name_problem
from statewright.runtime.callback_server import CallbackListener
from statewright.source import SourceError, parse_source, strict_json
from tests.cli.test_run_cli import FN, ROOT, assert_one_line_error

NOT_JSON = ("NaN", "Infinity", "-Infinity", "1e999", '{"amount": -1e999}', '[1, NaN]')


def sw(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "statewright", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, input=stdin, timeout=120, check=False)


def message(line: str) -> str:
    """A trace line without its time column."""
    return line.strip().split("  ", 1)[1]


def assert_usage_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """argparse's refusal: exit 2, its usage, then one ``statewright run: error: ...`` line."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("statewright run: error: "), result.stderr
    for needle in needles:
        assert needle in last, last


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A Choice without Default (one lint warning), a Map of charges, and a long Wait."""
    (tmp_path / "tasks.py").write_text(
        "import asyncio\n\n"
        "class Declined(Exception):\n    pass\n\n"
        "def charge(p):\n    if p['amount'] > 100:\n        raise Declined(f\"{p['amount']} is too much\")\n"
        "    return {'charged': p['amount']}\n\n"
        "async def hang(p):\n    await asyncio.sleep(60)\n"
    )
    (tmp_path / "resources.yaml").write_text(f"resources:\n  {FN}charge: tasks:charge\n  {FN}hang: tasks:hang\n")
    path = tmp_path / "shop.asl.yaml"
    path.write_text(
        "StartAt: Pick\nStates:\n"
        "  Pick:\n    Type: Choice\n    Choices:\n      - Variable: $.go\n        BooleanEquals: true\n"
        "        Next: Items\n"
        "  Items:\n    Type: Map\n    ItemsPath: $.orders\n    MaxConcurrency: 1\n    ItemProcessor:\n"
        f"      StartAt: Charge\n      States:\n        Charge:\n          Type: Task\n          Resource: {FN}charge\n"
        "          End: true\n    ResultPath: $.charges\n    Next: Hold\n"
        "  Hold:\n    Type: Wait\n    SecondsPath: $.hold\n    End: true\n"
    )
    return path


def run_shop(shop: Path, value: dict[str, Any], *extra: str) -> subprocess.CompletedProcess[str]:
    return sw("run", str(shop), "--input", json.dumps({"go": True, "hold": 0, **value}), "--resources",
              str(shop.parent / "resources.yaml"), "--virtual-time", *extra)


# --- 5. numeric options ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999", "65536", "-1", "http", "8080.5"])
def test_a_port_out_of_range_is_argparses_one_line_error(shop: Path, value: str) -> None:
    assert_usage_error(sw("run", str(shop), "--callback-port", value),
                       "argument --callback-port", "from 0 to 65535", repr(value))


def test_no_option_of_run_takes_a_bare_int_or_float() -> None:
    """A bare ``type=int`` lets 99999 through to a socket call (OverflowError): every number has a range."""
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    run = commands.choices["run"]
    unchecked = [action.dest for action in run._actions if action.type in (int, float)]
    assert unchecked == []


# --- 6. one strict JSON rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", NOT_JSON)
def test_nan_infinity_and_overflowing_numbers_are_not_json_for_any_reader(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        strict_json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        strict_json.loads(text.encode())
    with pytest.raises(SourceError):  # the definitions' reader shares the hooks
        parse_source(f'{{"StartAt": "A", "x": {text}}}', format="json")


def test_strict_json_places_the_problem_and_keeps_what_json_allows() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        strict_json.loads('{\n  "a": 1,\n  "b": 1e999\n}')
    assert (caught.value.lineno, caught.value.colno) == (3, 8)
    assert "too large" in caught.value.msg
    for text, what in (("9" * 5000, "invalid number"), ("[" * 100_000, "nested too deeply")):
        with pytest.raises(json.JSONDecodeError) as caught:
            strict_json.loads(text)
        assert what in caught.value.msg
    assert strict_json.loads('{"big": 1e308, "tiny": 1e-999, "n": -0.5, "s": "NaN"}') == {
        "big": 1e308, "tiny": 0.0, "n": -0.5, "s": "NaN"}


@pytest.mark.parametrize("text", ["NaN", "1e999", "[1, -Infinity]"])
def test_non_finite_input_is_refused_from_every_source(shop: Path, tmp_path: Path, text: str) -> None:
    assert_one_line_error(sw("run", str(shop), "--input", text), "--input is not valid JSON", "line 1")
    file = tmp_path / "input.json"
    file.write_text(text)
    assert_one_line_error(sw("run", str(shop), "--input-file", str(file)), "--input-file", "is not valid JSON")
    assert_one_line_error(sw("run", str(shop), "--input-file", "-", stdin=text), "standard input",
                          "is not valid JSON")


async def _serve_and_run(body: bytes, definition: dict[str, Any]) -> tuple[statewright.Result, int]:
    """A URL resource answering ``body`` as JSON, then a callback answered with the same body."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        text = json.dumps(definition).replace("BASE", f"http://127.0.0.1:{sock.getsockname()[1]}")
        async with statewright.Engine() as engine, CallbackListener(engine) as listener:
            result = await engine.execute(statewright.load(json.loads(text)), {}, virtual_time=True)
            async with aiohttp.ClientSession() as client, \
                    client.post(f"{listener.url}/task/some-token/success", data=body) as response:
                status = response.status
        return result, status
    finally:
        await runner.cleanup()


def test_task_results_read_from_text_follow_the_same_rule() -> None:
    definition = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "BASE/price", "End": True}}}
    result, callback_status = asyncio.run(_serve_and_run(b'{"price": NaN}', definition))
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "not JSON" in (result.cause or "")
    assert callback_status == 400  # refused before the token is even looked up
    ok, _ = asyncio.run(_serve_and_run(b'{"price": 1.5}', definition))
    assert (ok.status, ok.output) == ("SUCCEEDED", {"price": 1.5})


def test_a_python_task_returning_nan_fails_the_task() -> None:
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": f"{FN}nan", "End": True}}}
    result = statewright.run(definition, {}, resources={f"{FN}nan": lambda _: {"x": float("nan")}})
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")


# --- 10. --query over history ----------------------------------------------------------------------------


def test_a_query_that_reads_history_gets_it_without_history(shop: Path) -> None:
    types = run_shop(shop, {"orders": []}, "-q", "--query", "history[].type")
    assert types.returncode == 0, types.stderr
    listed = json.loads(types.stdout)
    assert listed[0] == "ExecutionStarted" and listed[-1] == "ExecutionSucceeded"
    counted = run_shop(shop, {"orders": []}, "-q", "--query", "{n: length(history), s: status}")
    assert json.loads(counted.stdout) == {"n": len(listed), "s": "SUCCEEDED"}
    keys = run_shop(shop, {"orders": []}, "-q", "--query", "keys(@)")
    assert sorted(json.loads(keys.stdout)) == ["cause", "error", "output", "status"]  # not read: not added


# --- 11. execution names ---------------------------------------------------------------------------------

BAD_NAMES = {
    "with space": "whitespace", "a/b": "'/'", "a:b": "':'", "x" * 81: "1 to 80 characters", "": "1 to 80",
    "tab\there": "control characters", "brace{": "'{'", "star*": "'*'", "amp&": "'&'", "nbsp\u00a0": "whitespace",
    "c1\u0085": "control characters",
}


@pytest.mark.parametrize("name", list(BAD_NAMES))
def test_names_aws_refuses_are_refused(name: str) -> None:
    problem = name_problem(name)
    assert problem is not None and BAD_NAMES[name] in problem
    with pytest.raises(ValueError, match="execution name"):
        check_name(name)


def test_run_name_is_checked_by_argparse_and_a_good_name_reaches_the_context(shop: Path, tmp_path: Path) -> None:
    for name in ("with space", "a/b", "arn:x", "x" * 81):
        assert_usage_error(sw("run", str(shop), "--name", name), "argument --name", "execution name")
    named = tmp_path / "named.asl.json"
    named.write_text(json.dumps({"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Parameters": {"name.$": "$$.Execution.Name"}, "End": True}}}))
    good = "order-7_é" + "x" * 71  # 80 characters; letters beyond ASCII are allowed
    result = sw("run", str(named), "--name", good, "-q")
    assert (result.returncode, json.loads(result.stdout)) == (0, {"name": good}), result.stderr


def test_the_library_refuses_the_same_names() -> None:
    machine = statewright.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})

    async def scenario() -> None:
        async with statewright.Engine() as engine:
            with pytest.raises(ValueError, match="must not contain"):
                await engine.execute(machine, {}, name="a b")
            with pytest.raises(ValueError, match="1 to 80"):
                engine.start(machine, {}, name="n" * 81)
            assert (await engine.execute(machine, {}, name="fine-name")).status == "SUCCEEDED"

    asyncio.run(scenario())


# --- 12. the trace ---------------------------------------------------------------------------------------


def test_a_failure_line_names_the_state_and_the_map_item(shop: Path) -> None:
    orders = [{"amount": 1}, {"amount": 2}, {"amount": 3}, {"amount": 120}]
    result = run_shop(shop, {"orders": orders})
    assert result.returncode == 1
    failures = [message(line) for line in result.stderr.splitlines() if "!!" in line]
    assert failures == ["!! LambdaFunctionFailed in 'Charge' (Map 'Items' item 3): Declined: 120 is too much"]
    assert result.stderr.rstrip().endswith("FAILED Declined: 120 is too much")


NESTED = {
    "StartAt": "Outer", "States": {
        "Outer": {"Type": "Map", "MaxConcurrency": 1, "ItemsPath": "$.xs", "ItemProcessor": {
            "StartAt": "Inner", "States": {
                "Inner": {"Type": "Map", "ItemsPath": "$.ys", "ResultPath": None, "ItemProcessor": {
                    "StartAt": "Check", "States": {"Check": {"Type": "Task", "Resource": f"{FN}check",
                                                             "End": True}}}, "Next": "After"},
                "After": {"Type": "Task", "Resource": f"{FN}after", "End": True}}},
            "ResultPath": None, "Next": "Last"},
        "Last": {"Type": "Task", "Resource": f"{FN}last", "End": True}}}


def _failures(definition: dict[str, Any], value: Any, resources: dict[str, Any]) -> list[str]:
    """The trace's failure lines for a run, fed the recorded events as the CLI feeds them live."""
    result = statewright.run(definition, value, resources=resources, virtual_time=True)
    stream = io.StringIO()
    trace = Trace(stream, color=False)
    for event in result.events:
        trace.event(event)
    return [message(line) for line in stream.getvalue().splitlines() if "!!" in line]


def _fail_on(bad: Any) -> Any:
    def task(value: Any) -> Any:
        if value == bad:
            raise ValueError(f"bad {value}")
        return value
    return task


def test_nested_map_failures_name_every_iteration_and_the_map_exits_restore_the_level() -> None:
    ok = _fail_on("never")
    inner = _failures(NESTED, {"xs": [{"ys": [1, 2]}, {"ys": [2, 3]}]},
                      {f"{FN}check": _fail_on(3), f"{FN}after": ok, f"{FN}last": ok})
    assert inner == ["!! LambdaFunctionFailed in 'Check' (Map 'Outer' item 1, Map 'Inner' item 1): ValueError: bad 3"]
    # A state after the inner Map is back in the outer iteration only; after the outer Map, in none.
    after = _failures(NESTED, {"xs": [{"ys": [1]}, {"ys": [2], "stop": 1}]},
                      {f"{FN}check": ok, f"{FN}after": _fail_on({"ys": [2], "stop": 1}), f"{FN}last": ok})
    assert after == ["!! LambdaFunctionFailed in 'After' (Map 'Outer' item 1): ValueError: bad {'ys': [2], 'stop': 1}"]
    last = _failures(NESTED, {"xs": [{"ys": [1]}, {"ys": [2]}]},
                     {f"{FN}check": ok, f"{FN}after": ok, f"{FN}last": _fail_on({"xs": [{"ys": [1]}, {"ys": [2]}]})})
    assert last == ["!! LambdaFunctionFailed in 'Last': ValueError: bad {'xs': [{'ys': [1]}, {'ys': [2]}]}"]


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0.000s"), (12.3456, "12.346s"), (59.9994, "59.999s"), (59.9996, "1m 0s"), (65, "1m 5s"),
    (3599, "59m 59s"), (7380, "2h 3m"), (93784, "1d 2h 3m"), (97062907.566, "1123d 9h 55m"),
])
def test_durations_read_as_people_write_them(seconds: float, shown: str) -> None:
    assert elapsed(seconds) == shown


def test_long_waits_print_days_hours_and_minutes(shop: Path) -> None:
    result = run_shop(shop, {"orders": [], "hold": 97062907})
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].split() == ["1123d", "9h", "55m", "SUCCEEDED"]
    assert "97062907" not in result.stderr


def test_a_null_cause_prints_no_trailing_colon(tmp_path: Path, shop: Path) -> None:
    slow = tmp_path / "slow.asl.yaml"
    slow.write_text(f"StartAt: Slow\nStates:\n  Slow:\n    Type: Task\n    Resource: {FN}hang\n"
                    "    TimeoutSeconds: 1\n    End: true\n")
    result = sw("run", str(slow), "--resources", str(shop.parent / "resources.yaml"))
    assert result.returncode == 1
    lines = [message(line) for line in result.stderr.strip().splitlines()]
    assert lines[-2:] == ["!! LambdaFunctionTimedOut in 'Slow': States.Timeout", "FAILED States.Timeout"]


def test_verbose_prints_the_task_functions_traceback(shop: Path) -> None:
    orders = {"orders": [{"amount": 500}]}
    plain = run_shop(shop, orders)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    verbose = run_shop(shop, orders, "--verbose", "--quiet")
    assert verbose.returncode == 1
    assert "Task state 'Charge' failed" in verbose.stderr and "Traceback (most recent call last)" in verbose.stderr
    assert 'raise Declined(f"{p[\'amount\']} is too much")' in verbose.stderr
    assert verbose.stderr.rstrip().endswith("Declined: 500 is too much")
    assert "->" not in verbose.stderr  # --quiet still hides the trace


# --- 13. lint warnings before running --------------------------------------------------------------------


def test_lint_warnings_come_first_one_line_each_and_quiet_hides_them(shop: Path) -> None:
    result = run_shop(shop, {"orders": []})
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{shop}:3:3: SW306 [warning] Choice state 'Pick' has no 'Default'")
    assert lines[1].split()[1:] == ["->", "Pick", "(Choice)"]
    assert sum("SW" in line for line in lines) == 1
    quiet = run_shop(shop, {"orders": []}, "--quiet")
    assert (quiet.returncode, quiet.stderr) == (0, "")


# --- 14. standard input ----------------------------------------------------------------------------------


def test_the_definition_and_the_input_can_come_from_standard_input(shop: Path) -> None:
    text = shop.read_text()
    resources = str(shop.parent / "resources.yaml")
    result = sw("run", "-", "--input", '{"go": true, "hold": 0, "orders": [{"amount": 4}]}', "--resources",
                resources, stdin=text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["charges"] == [{"charged": 4}]
    assert result.stderr.startswith("<stdin>:3:3: SW306 [warning]")
    piped = sw("run", str(shop), "--input-file", "-", "--resources", resources, "-q",
               stdin='{"go": true, "hold": 0, "orders": [{"amount": 6}]}')
    assert (piped.returncode, json.loads(piped.stdout)["charges"]) == (0, [{"charged": 6}])


def test_both_from_standard_input_is_a_usage_error_and_bad_text_is_named_stdin(shop: Path) -> None:
    assert_one_line_error(sw("run", "-", "--input-file", "-", stdin=shop.read_text()),
                          "cannot both be -", "standard input")
    broken = sw("run", "-", stdin='{"StartAt": "X", "States": {"X": {"Type": "Pass"}}}')
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert broken.stderr.startswith("<stdin>:1:") and "SW206" in broken.stderr
    assert broken.stderr.strip().splitlines()[-1] == (
        "statewright run: error: <stdin> is not a valid definition (1 error)")


def test_the_cli_starts_without_the_runtime() -> None:
    """``statewright lint`` and ``schema`` stay quick: the run options add no import of the runtime."""
    code = ("import sys, statewright.cli\n"
            "print([m for m in ('aiohttp', 'jmespath', 'statewright.runtime', 'statewright.cli.run_execution') "
            "if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
