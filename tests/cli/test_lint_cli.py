"""`statewright lint` as users run it: a real process, real files, exit codes and every output format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_SCHEMA = json.loads((ROOT / "schemas" / "lint-output.schema.json").read_text())

VALID = """\
# A small but complete workflow.
StartAt: Greet
States:
  Greet:
    Type: Pass
    Parameters:
      message.$: States.Format('Hello, {}!', $.name)
    Next: Done
  Done:
    Type: Succeed
"""

# Line 6 names a state that does not exist; line 9 misspells Next.
BROKEN = """\
StartAt: Greet
States:
  Greet:
    Type: Pass
    Result: {}
    Next: Missing
  Done:
    Type: Succeed
    Nxt: Greet
"""


def statewright(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statewright", *args],
        capture_output=True, text=True, check=False, cwd=cwd, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "good.asl.yaml").write_text(VALID)
    (tmp_path / "broken.asl.yaml").write_text(BROKEN)
    (tmp_path / "notes.yaml").write_text("not: a definition\n")  # not picked from a directory
    return tmp_path


def test_clean_file_exits_0(files: Path) -> None:
    done = statewright("lint", str(files / "good.asl.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed (1 file)." in done.stdout
    assert done.stderr == ""


def test_errors_exit_1_with_positions(files: Path) -> None:
    done = statewright("lint", "--format", "concise", str(files / "broken.asl.yaml"))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    missing = [line for line in lines if line.startswith(f"{files / 'broken.asl.yaml'}:6:11: ")]
    assert missing, done.stdout
    assert "Missing" in missing[0] and "state 'Greet'" in missing[0]
    assert any(line.startswith(f"{files / 'broken.asl.yaml'}:9:5: SW102 ") for line in lines), done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_full_format_shows_the_source_line_with_a_caret(files: Path) -> None:
    done = statewright("lint", str(files / "broken.asl.yaml"))
    assert "6 |     Next: Missing" in done.stdout
    assert "  |           ^^^^^^^" in done.stdout


def test_directory_picks_definition_files_only(files: Path) -> None:
    done = statewright("lint", "--format", "json", str(files))
    reported = {Path(d["file"]).name for d in json.loads(done.stdout)}
    assert reported == {"broken.asl.yaml"}
    assert done.returncode == 1


def test_json_output_matches_its_schema(files: Path) -> None:
    done = statewright("lint", "--format", "json", str(files / "broken.asl.yaml"), str(files / "good.asl.yaml"))
    payload = json.loads(done.stdout)
    jsonschema.validate(payload, OUTPUT_SCHEMA)
    assert payload, "the broken file must produce diagnostics"
    first = payload[0]
    assert first["file"].endswith("broken.asl.yaml") and first["pointer"].startswith("/States/")


def test_json_output_schema_rejects_a_wrong_shape() -> None:
    """The output schema itself can fail: a diagnostic without a line is refused."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"code": "SW201", "severity": "error", "message": "m"}], OUTPUT_SCHEMA)


def test_github_format(files: Path) -> None:
    done = statewright("lint", "--format", "github", str(files / "broken.asl.yaml"))
    assert done.returncode == 1
    assert any(line.startswith("::error file=") and ",line=6,col=11," in line for line in done.stdout.splitlines())


def test_select_and_ignore(files: Path) -> None:
    only_schema = statewright("lint", "--format", "json", "--select", "SW1", str(files / "broken.asl.yaml"))
    codes = {d["code"] for d in json.loads(only_schema.stdout)}
    assert codes and all(code.startswith("SW1") for code in codes)
    ignored = statewright("lint", "--format", "json", "--ignore", "SW1,SW2", str(files / "broken.asl.yaml"))
    assert all(not d["code"].startswith(("SW1", "SW2")) for d in json.loads(ignored.stdout))


def test_a_file_that_cannot_be_read_is_reported_whatever_select_says(tmp_path: Path) -> None:
    unreadable = tmp_path / "bad.asl.yaml"
    unreadable.write_text("StartAt: A\nStartAt: B\nStates: {}\n")  # a duplicate key: SW002
    for flags in (["--select", "SW2"], ["--ignore", "SW0"]):
        done = statewright("lint", "--format", "json", *flags, str(unreadable))
        assert done.returncode == 1, flags
        assert [d["code"] for d in json.loads(done.stdout)] == ["SW002"], flags


def test_unknown_code_in_select_is_a_usage_error(files: Path) -> None:
    done = statewright("lint", "--select", "XX9", str(files))
    assert done.returncode == 2 and "matches no rule code" in done.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    done = statewright("lint", str(tmp_path / "nope.asl.yaml"))
    assert done.returncode == 2
    assert "no such file or directory" in done.stderr and "Traceback" not in done.stderr


def test_glob_pattern(files: Path) -> None:
    done = statewright("lint", "--format", "json", str(files / "*.asl.yaml"))
    assert {Path(d["file"]).name for d in json.loads(done.stdout)} == {"broken.asl.yaml"}


def test_explain_prints_the_rule_doc() -> None:
    done = statewright("lint", "--explain", "SW002")
    assert done.returncode == 0
    assert "duplicate-key" in done.stdout and "## Why is this bad?" in done.stdout
    assert statewright("lint", "--explain", "SW999").returncode == 2


def test_substitutions_fill_placeholders(tmp_path: Path) -> None:
    source = tmp_path / "deploy.asl.json"
    source.write_text(json.dumps({
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": "${WorkerArn}", "TimeoutSeconds": "${Timeout}",
                            "End": True}},
    }))
    unfilled = statewright("lint", "--format", "json", str(source))
    assert unfilled.returncode == 0, unfilled.stdout
    assert [d["severity"] for d in json.loads(unfilled.stdout)] == ["warning"]
    filled = statewright("lint", "--format", "json", "--substitute", "Timeout=30", str(source))
    assert json.loads(filled.stdout) == []
    wrong = statewright("lint", "--format", "json", "--substitute", "Timeout=soon", str(source))
    assert wrong.returncode == 1


def test_bad_substitute_argument_is_a_usage_error(files: Path) -> None:
    done = statewright("lint", "--substitute", "novalue", str(files / "good.asl.yaml"))
    assert done.returncode == 2 and "KEY=VALUE" in done.stderr


def test_binary_and_empty_files_are_reported_not_crashed(tmp_path: Path) -> None:
    (tmp_path / "empty.asl.yaml").write_text("")
    (tmp_path / "blob.asl.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "latin1.asl.yaml").write_bytes("Comment: caf\xe9\n".encode("latin-1"))
    done = statewright("lint", "--format", "json", str(tmp_path))
    assert done.returncode == 1
    codes = {Path(d["file"]).name: d["code"] for d in json.loads(done.stdout)}
    assert codes == {"empty.asl.yaml": "SW006", "blob.asl.json": "SW007", "latin1.asl.yaml": "SW003"}


def test_schema_command_prints_the_schema() -> None:
    done = statewright("schema")
    assert done.returncode == 0
    assert json.loads(done.stdout)["$schema"].startswith("https://json-schema.org/draft/2020-12")


def test_jsonata_syntax_error_points_inside_the_expression(tmp_path: Path) -> None:
    source = tmp_path / "j.asl.yaml"
    source.write_text('QueryLanguage: JSONata\nStartAt: A\nStates:\n  A:\n    Type: Pass\n'
                      '    Output: "{% $states.input.x + %}"\n    End: true\n')
    done = statewright("lint", "--format", "json", str(source))
    [diagnostic] = json.loads(done.stdout)
    assert diagnostic["code"] == "SW712"
    # Column 13 is the opening quote; the error is at character 20 of the expression (0-based 19).
    assert (diagnostic["line"], diagnostic["column"]) == (6, 13 + 1 + 19)
