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


def statewright(*args: str, cwd: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statewright", *args], input=stdin,
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
    # 'Missing' is columns 11-17: GitHub's endColumn is the last character's (inclusive), not one past it.
    assert any(line.startswith("::error file=") and ",line=6,endLine=6,col=11,endColumn=17," in line
               for line in done.stdout.splitlines()), done.stdout


def test_github_format_multi_line_node_has_lines_only_and_ends_inside_it(tmp_path: Path) -> None:
    source = tmp_path / "choice.asl.yaml"
    source.write_text(
        "StartAt: C\n"
        "States:\n"
        "  C:\n"
        "    Type: Choice\n"
        "    Choices:\n"
        "      - Variable: $.n\n"            # line 6: the rule starts here
        "        NumericEquals: 1\n"
        "        NumericLessThan: 2\n"
        "        Next: D    # two operators\n"  # line 9: its last line
        "\n"
        "      # a comment between the rules\n"
        "    Default: D\n"
        "  D: {Type: Succeed}\n"
    )
    done = statewright("lint", "--format", "github", "--select", "SW301", str(source))
    [annotation] = done.stdout.splitlines()
    # GitHub takes columns only on one line; the end line is the rule's last, not the next key's line.
    assert ",line=6,endLine=9,title=SW301::" in annotation, annotation
    assert "col=" not in annotation.split("::")[1]


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


# --- summary, standard input, rule listing, suppression comments, pyproject.toml ---------------------------


def test_summary_counts_the_files_with_findings(files: Path) -> None:
    (files / "also-good.asl.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    done = statewright("lint", "--format", "concise", str(files))
    # broken.asl.yaml has every finding; good.asl.yaml and also-good.asl.json have none.
    assert done.stdout.splitlines()[-1] == "Found 3 errors in 1 of 3 files.", done.stdout
    done = statewright("lint", "--format", "concise", str(files / "broken.asl.yaml"))
    assert done.stdout.splitlines()[-1] == "Found 3 errors in 1 file."


def test_dash_reads_standard_input_and_names_it_dash(files: Path) -> None:
    done = statewright("lint", "--format", "concise", "-", stdin=BROKEN)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0].startswith("-:6:11: SW202 ")
    assert done.stdout.splitlines()[-1] == "Found 3 errors in 1 file."
    # JSON is told from the content; a clean definition passes; '-' mixes with files.
    clean = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    done = statewright("lint", "-", str(files / "good.asl.yaml"), stdin=clean)
    assert done.returncode == 0 and "All checks passed (2 files)." in done.stdout, done.stdout + done.stderr


def test_full_format_shows_standard_input_source(files: Path) -> None:
    done = statewright("lint", "-", stdin=BROKEN)
    assert "6 |     Next: Missing" in done.stdout and "  |           ^^^^^^^" in done.stdout


def test_stdin_filename_names_standard_input_and_picks_the_format(files: Path) -> None:
    # With a .json name the text is read as JSON: this YAML is then a syntax error.
    done = statewright("lint", "--format", "json", "--stdin-filename", "flows/order.asl.json", stdin=VALID)
    [diagnostic] = json.loads(done.stdout)
    assert diagnostic["file"] == "flows/order.asl.json" and diagnostic["code"] == "SW001"
    done = statewright("lint", "--format", "json", "--stdin-filename", "flows/order.asl.yaml", "-", stdin=BROKEN)
    assert {d["file"] for d in json.loads(done.stdout)} == {"flows/order.asl.yaml"}


def test_list_rules_prints_code_name_severity_and_summary() -> None:
    done = statewright("lint", "--list-rules")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    by_code = {row.split()[0]: row.split(None, 3) for row in rows}
    assert by_code["SW203"][1:3] == ["unreachable-state", "error"]
    assert by_code["SW203"][3] == "A state cannot be reached from its scope's `StartAt`."
    assert "SW001" in by_code and all(code.startswith("SW") for code in by_code)
    as_json = json.loads(statewright("lint", "--list-rules", "--format", "json").stdout)
    assert [r["code"] for r in as_json] == list(by_code)
    assert {"code", "name", "severity", "summary"} == set(as_json[0])


def test_help_and_errors_point_at_the_shipped_docs_not_the_repository() -> None:
    """A pip user has no spec/lint-rules.md: help and errors name --list-rules and --explain."""
    help_text = statewright("lint", "--help").stdout
    unknown = statewright("lint", "--select", "XX9", "-", stdin=VALID)
    explain = statewright("lint", "--explain", "SW999")
    for text in (help_text, unknown.stderr, explain.stderr):
        assert "lint-rules.md" not in text and "spec/" not in text
    assert "--list-rules" in help_text and "--explain" in help_text and "-" in help_text
    assert unknown.returncode == 2 and "statewright lint --list-rules" in unknown.stderr
    assert explain.returncode == 2 and "--list-rules" in explain.stderr


SUPPRESSED = """\
StartAt: A
States:
  A:
    Type: Pass
    Next: Gone            # statewright: ignore[SW202]
  B: {Type: Pass, End: true}  # statewright: ignore
  C:
    Type: Pass
    Nxt: A                # statewright: ignore[sw999, SW203]
    End: true
"""


def test_inline_suppression_comments(tmp_path: Path) -> None:
    source = tmp_path / "s.asl.yaml"
    source.write_text(SUPPRESSED)
    done = statewright("lint", "--format", "json", str(source))
    # Line 5's SW202 and everything on line 6 are suppressed; line 9 names SW203, not its SW102; C's
    # SW203 is reported on line 7 (the line of C's key), which has no comment.
    found = sorted((d["line"], d["code"]) for d in json.loads(done.stdout))
    assert found == [(7, "SW203"), (9, "SW102")], done.stdout
    source.write_text("# statewright: ignore-file[SW203, SW102]\n" + SUPPRESSED)
    assert json.loads(statewright("lint", "--format", "json", str(source)).stdout) == []


def test_suppression_comments_never_hide_an_unreadable_file(tmp_path: Path) -> None:
    source = tmp_path / "s.asl.yaml"
    source.write_text("# statewright: ignore-file\nStartAt: A\nStartAt: B\n")
    done = statewright("lint", "--format", "json", str(source))
    assert done.returncode == 1 and [d["code"] for d in json.loads(done.stdout)] == ["SW002"]


def test_pyproject_selects_and_ignores_from_a_parent_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.statewright.lint]\nignore = ["SW2"]\n')
    work = tmp_path / "flows" / "deep"
    work.mkdir(parents=True)
    (work / "broken.asl.yaml").write_text(BROKEN)
    codes = lambda *flags: [d["code"] for d in json.loads(  # noqa: E731
        statewright("lint", "--format", "json", *flags, "broken.asl.yaml", cwd=work).stdout)]
    assert codes() == ["SW102"]
    # --ignore adds to the file's ignore; --select replaces the file's select and ignore (as ruff's do).
    assert codes("--ignore", "SW102") == []
    assert sorted(codes("--select", "SW2")) == ["SW202", "SW203"]
    # A nearer pyproject.toml without the table does not stop the search.
    (tmp_path / "flows" / "pyproject.toml").write_text('[project]\nname = "statewright-flows"\n')
    assert codes() == ["SW102"]


def test_pyproject_more_specific_entry_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.statewright.lint]\nselect = ["SW203"]\nignore = ["SW2"]\n')
    (tmp_path / "broken.asl.yaml").write_text(BROKEN)
    done = statewright("lint", "--format", "json", "broken.asl.yaml", cwd=tmp_path)
    assert [d["code"] for d in json.loads(done.stdout)] == ["SW203"]


@pytest.mark.parametrize(("toml", "says"), [
    ("[tool.statewright.lint\n", "not valid TOML"),
    ('[tool.statewright.lint]\nselct = ["SW2"]\n', "unknown key 'selct'"),
    ('[tool.statewright.lint]\nignore = "SW2"\n', "must be a list"),
    ('[tool.statewright.lint]\nignore = ["XX1"]\n', "XX1 in [tool.statewright.lint] matches no rule code"),
])
def test_bad_pyproject_is_a_one_line_usage_error_naming_the_file(tmp_path: Path, toml: str, says: str) -> None:
    (tmp_path / "pyproject.toml").write_text(toml)
    (tmp_path / "good.asl.yaml").write_text(VALID)
    done = statewright("lint", "good.asl.yaml", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"statewright lint: error: {tmp_path / 'pyproject.toml'}: ") and says in line, line


def test_readme_lint_output_is_what_the_command_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- lint-output:start -->\n```\n", 1)[1].split("```\n<!-- lint-output:end -->", 1)[0]
    command, _, shown = block.partition("\n")
    assert command.startswith("$ statewright lint ")
    done = statewright(*command.removeprefix("$ statewright ").split(), cwd=ROOT)
    assert done.stdout == shown, "README.md's lint output is stale: run the command and paste its output"


CALLBACK = """\
StartAt: Approve
States:
  Approve:
    Type: Task
    Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken
    Parameters: {QueueUrl: q, MessageBody: {Token.$: $$.Task.Token}}
    End: true
"""


def test_type_express_adds_the_checks_aws_makes_for_express_machines(tmp_path: Path) -> None:
    (tmp_path / "approve.asl.yaml").write_text(CALLBACK)
    assert statewright("lint", "approve.asl.yaml", cwd=tmp_path).returncode == 0  # STANDARD, the default
    done = statewright("lint", "--type", "EXPRESS", "--format", "concise", "approve.asl.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert "approve.asl.yaml:5:15: SW901 Express state machine does not support '.waitForTaskToken'" in done.stdout
    wrong = statewright("lint", "--type", "express", "approve.asl.yaml", cwd=tmp_path)
    assert wrong.returncode == 2 and "invalid choice: 'express'" in wrong.stderr
