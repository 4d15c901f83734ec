"""Statewright's own execution conformance cases (conformance-tests/cases/<area>/<topic>.json).

The format and how to write a runner for it are in conformance-tests/README.md. This runner makes one pytest
test per entry of a file's ``tests``, registers the file's declarative ``resources`` as Python callables, and
runs every definition with ``statewright.run(..., virtual_time=True)`` (``False`` where the case says
``"virtual_time": false``). Three more tests keep the suite honest: every case file is well formed, every
``spec`` link names an existing page and anchor of ``spec/``, and every page that states run-time behaviour
has at least one case pointing at it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from _compare import compare_result, history_sequence
from test_shared_executions import issue7_reason

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
SPEC_DIR = HERE.parent / "spec"
# Pages that state no run-time behaviour: conventions, and lint (whose cases are conformance-tests/lint/).
PAGES_WITHOUT_EXECUTIONS = {"README.md", "lint.md", "lint-rules.md"}
SPEC_LINK = re.compile(r"^spec/(?P<page>[a-z0-9-]+\.md)(#(?P<anchor>.+))?$")


@dataclass(frozen=True, slots=True)
class OwnTest:
    """One entry of a case file's ``tests``, with the file it belongs to."""

    id: str
    area: str
    case: dict[str, Any]
    test: dict[str, Any]


def load_case_files() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(CASES_DIR.rglob("*.json"))]


def load_own_tests() -> list[OwnTest]:
    tests = []
    for path, case in load_case_files():
        area = path.parent.name
        for index, test in enumerate(case["tests"]):
            tests.append(OwnTest(f"{area}/{path.stem}[{index}] {test['description']}", area, case, test))
    return tests


# ------------------------------------------------------------------------------------------- resources


class ResourceFailure(Exception):
    """What a declarative resource raises: the engine takes ``error`` as the error name, str() as cause."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.error = error


def make_resource(spec: Mapping[str, Any]) -> Callable[[Any], Any]:
    """An async callable behaving as a case's ``resources`` entry says (README, *Resources*).

    Each callable keeps its own call count (a fresh one per test), so ``fails_times`` and ``sequence``
    count the calls of one execution.
    """
    calls = 0

    async def resource(payload: Any) -> Any:
        nonlocal calls
        calls += 1
        step = spec
        if "sequence" in spec:
            step = spec["sequence"][min(calls, len(spec["sequence"])) - 1]
        return await _behave(step, payload, calls)

    return resource


async def _behave(spec: Mapping[str, Any], payload: Any, calls: int) -> Any:
    if spec.get("sleep"):
        await asyncio.sleep(spec["sleep"])
    if "raises" in spec:
        raise ResourceFailure(spec["raises"]["error"], spec["raises"].get("cause", ""))
    if "fails_times" in spec and calls <= spec["fails_times"]:
        failure = spec.get("error", {"error": "Resource.Failed", "cause": f"attempt {calls} failed"})
        raise ResourceFailure(failure["error"], failure.get("cause", ""))
    if spec.get("echo") or spec.get("then_echo"):
        return payload
    for field in ("returns", "then_returns"):
        if field in spec:
            return spec[field]
    raise ValueError(f"resource entry with no behaviour: {dict(spec)!r}")


def run_own_test(own: OwnTest) -> tuple[list[str], list[str]]:
    """Run one test entry; returns (result problems, history problems)."""
    import statewright

    case, test = own.case, own.test
    source = case["definition"] if "definition" in case else case["definition_yaml"]
    resources = {name: make_resource(spec) for name, spec in (case.get("resources") or {}).items()}
    try:
        result = statewright.run(source, test.get("input", {}), resources=resources,
                                 virtual_time=case.get("virtual_time", True))
    except Exception as exc:  # a crash is a failure of both comparisons, reported in one line
        problem = f"run raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return [problem], [problem]
    expect = test["expect"]
    wildcards = test.get("wildcards") or case.get("wildcards") or []
    result_problems = compare_result(expect, result, wildcards)
    history_problems = []
    if "history_types" in expect:
        history_problems = _compare_types(expect["history_types"], history_sequence(list(result.history or [])))
    return result_problems, history_problems


def _compare_types(expected: list[Any], actual: list[tuple[str, str | None]]) -> list[str]:
    """``history_types`` items: ``"Type"`` compares the type, ``["Type", "Name"]`` type and state name."""
    got = [list(key) if isinstance(want, list) else key[0]
           for want, key in zip(expected, actual, strict=False)]
    if len(actual) != len(expected) or got != expected:
        shown = [t if n is None else f"{t}:{n}" for t, n in actual]
        return [f"history {shown}, expected {expected}"]
    return []


def own_issue7_reason(own: OwnTest) -> str | None:
    """The issue-7 xfail reason for an own case (the shared runner's rule; YAML text is searched)."""
    if "definition" in own.case:
        return issue7_reason(own.case["definition"])
    text = own.case["definition_yaml"]
    return issue7_reason({"Assign": True}) if re.search(r"\bAssign\s*:|JSONata|\{%", text) else None


def _params() -> list[Any]:
    params = []
    for own in load_own_tests():
        params.append(pytest.param(own, id=own.id))
    return params


@pytest.mark.parametrize("own", _params())
def test_execution_case(own: OwnTest) -> None:
    result_problems, history_problems = run_own_test(own)
    problems = result_problems + [p for p in history_problems if p not in result_problems]
    assert not problems, "; ".join(problems)


# ----------------------------------------------------------------------------------------- spec links


def anchors(page: Path) -> set[str]:
    """What a ``#anchor`` may name on a spec page: a heading's GitHub slug, or a rule number (``7.``)."""
    text = page.read_text(encoding="utf-8")
    found = {m[1] for m in re.finditer(r"^\s*(\d+)\.\s", text, re.MULTILINE)}
    for m in re.finditer(r"^#+\s+(.*)$", text, re.MULTILINE):
        found.add(re.sub(r"[^\w\- ]", "", m[1].strip().lower()).replace(" ", "-"))
    return found


def test_every_case_links_an_existing_spec_page() -> None:
    bad = []
    for path, case in load_case_files():
        for link in [case.get("spec", ""), *case.get("also_spec", [])]:
            match = SPEC_LINK.match(link)
            page = SPEC_DIR / match["page"] if match else None
            if page is None or not page.is_file() or (match["anchor"] and match["anchor"] not in anchors(page)):
                bad.append(f"{path.relative_to(HERE)}: {link!r}")
    assert not bad, bad


def test_every_spec_page_has_a_case() -> None:
    linked = set()
    for _path, case in load_case_files():
        match = SPEC_LINK.match(case.get("spec", ""))
        if match:
            linked.add(match["page"])
        for extra in case.get("also_spec", []):
            extra_match = SPEC_LINK.match(extra)
            if extra_match:
                linked.add(extra_match["page"])
    pages = {p.name for p in SPEC_DIR.glob("*.md")} - PAGES_WITHOUT_EXECUTIONS
    assert not sorted(pages - linked), f"spec pages without an execution case: {sorted(pages - linked)}"


def test_case_files_are_well_formed() -> None:
    bad = []
    for path, case in load_case_files():
        if not {"description", "spec", "tests"} <= case.keys() or ("definition" in case) == ("definition_yaml" in case):
            bad.append(f"{path.name}: needs description, spec, tests and one of definition/definition_yaml")
        for index, test in enumerate(case.get("tests", [])):
            if not {"description", "expect"} <= test.keys() or "status" not in test["expect"]:
                bad.append(f"{path.name}[{index}]: needs description and expect.status")
    assert not bad, bad
