"""Print the execution conformance figures for the closing note of issue 4.

Usage::

    python conformance-tests/report.py [--failures N] [--area AREA]

Runs both suites in process (not through pytest): the AWS-recorded cases of ../shared/conformance and
Statewright's own cases under conformance-tests/cases. For each area it prints the number of cases, how
many pass on the result (status, output, error, cause), how many pass on the history (of those that have
one to compare), and how many are marked for issue 7 (JSONata/variables); then every failing case with a
one-line reason, issue-7 cases listed apart. Exit status 0 when every case not marked for issue 7 passes
both comparisons, else 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
for entry in (HERE, HERE.parent):  # this folder for _compare and the runners; the root for tests.shared
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from test_execution_cases import load_own_tests, own_issue7_reason, run_own_test  # noqa: E402
from test_shared_executions import SHARED, issue7_reason, load_shared_cases, run_case  # noqa: E402


@dataclass
class Area:
    """Counts for one area of one suite."""

    total: int = 0
    result_passed: int = 0
    history_total: int = 0
    history_passed: int = 0
    issue7: int = 0
    failures: list[str] = field(default_factory=list)
    issue7_failures: list[str] = field(default_factory=list)

    def add(self, case_id: str, result: list[str], history: list[str] | None, issue7: bool) -> None:
        self.total += 1
        self.issue7 += issue7
        self.result_passed += not result
        if history is not None:
            self.history_total += 1
            self.history_passed += not history
        problems = result + [p for p in (history or []) if p not in result]
        if problems:
            line = f"{case_id}: {'; '.join(problems)}"
            (self.issue7_failures if issue7 else self.failures).append(line[:400])


def shared_areas() -> dict[str, Area]:
    areas: dict[str, Area] = {}
    for case in load_shared_cases():
        outcome = run_case(case.path)
        history = outcome.history_problems if case.has_history else None
        issue7 = issue7_reason(case.data["definition"]) is not None
        areas.setdefault(case.area, Area()).add(case.id, outcome.result_problems, history, issue7)
    return areas


def own_areas() -> dict[str, Area]:
    areas: dict[str, Area] = {}
    for own in load_own_tests():
        result, history = run_own_test(own)
        checks_history = "history_types" in own.test["expect"]
        issue7 = own_issue7_reason(own) is not None
        areas.setdefault(own.area, Area()).add(own.id, result, history if checks_history else None, issue7)
    return areas


def print_table(title: str, areas: dict[str, Area]) -> None:
    print(f"\n## {title}\n")
    print("| area | cases | result passed | history passed | issue-7 marked |")
    print("| --- | ---: | ---: | ---: | ---: |")
    total = Area()
    for name in sorted(areas):
        a = areas[name]
        print(_row(name, a))
        total.total += a.total
        total.result_passed += a.result_passed
        total.history_passed += a.history_passed
        total.history_total += a.history_total
        total.issue7 += a.issue7
    print(_row("**total**", total))
    not7 = sum(a.total - a.issue7 for a in areas.values())
    failing = sum(len(a.failures) for a in areas.values())
    print(f"\nOutside issue 7: {not7 - failing}/{not7} cases pass both comparisons.")


def _row(name: str, a: Area) -> str:
    return f"| {name} | {a.total} | {a.result_passed} | {a.history_passed}/{a.history_total} | {a.issue7} |"


def print_failures(title: str, lines: Iterable[str], limit: int) -> None:
    lines = list(lines)
    print(f"\n### {title} ({len(lines)})\n")
    for line in lines[:limit]:
        print(f"- {line}")
    if len(lines) > limit:
        print(f"- ... and {len(lines) - limit} more (use --failures N)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", type=int, default=1000, help="list at most N failures per list")
    parser.add_argument("--area", help="only this area (in both suites)")
    args = parser.parse_args(argv)
    suites: list[tuple[str, dict[str, Area]]] = []
    if SHARED is None:
        print("AWS-recorded corpus not found (../shared/conformance); set STATEWRIGHT_SHARED_CONFORMANCE")
    else:
        suites.append(("AWS-recorded cases (../shared/conformance)", shared_areas()))
    suites.append(("Statewright's own cases (conformance-tests/cases)", own_areas()))
    clean = True
    for title, areas in suites:
        if args.area:
            areas = {k: v for k, v in areas.items() if k == args.area}
        print_table(title, areas)
        failures = [line for a in areas.values() for line in a.failures]
        print_failures("failing (open items)", failures, args.failures)
        marked = [line for a in areas.values() for line in a.issue7_failures]
        print_failures("failing, marked for issue 7", marked, args.failures)
        clean = clean and not failures
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
