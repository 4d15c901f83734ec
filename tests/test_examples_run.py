"""Every example in examples/*/ runs with its resources.yaml and input.json to its expected-output.json.

The order-processing example pauses for a human approval (a ``.waitForTaskToken`` task). As
examples/README.md says, the expected output assumes the approver answers
``SendTaskSuccess(token, tasks.APPROVAL)``; here the approver answers as soon as the message is "sent",
through the Engine's callback API, with the token the workflow put in ``MessageBody.taskToken``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

import statewright
from statewright.runtime.resources import load_resource_map

try:
    from statewright.core.model import UnsupportedDefinition
except ImportError:  # the core has not landed: the importorskip below skips the module
    UnsupportedDefinition = ValueError  # type: ignore[misc,assignment]

pytest.importorskip("statewright.core.model", reason="the pure core (statewright.core.model) has not landed")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FOLDERS = sorted(p for p in EXAMPLES.iterdir() if (p / "workflow.asl.yaml").is_file())
# Every runnable workflow: a folder's workflow.asl.yaml and, beside it, its JSONata twin where there is one.
WORKFLOWS = sorted(w for folder in FOLDERS for w in folder.glob("workflow*.asl.yaml"))
APPROVAL_RESOURCE = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def _tasks_module(folder: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"_example_tasks_{folder.name.replace('-', '_')}",
                                                  folder / "tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _engine_for(folder: Path) -> statewright.Engine:
    engine = statewright.Engine(load_resource_map(folder / "resources.yaml"))
    tasks = _tasks_module(folder)
    if hasattr(tasks, "APPROVAL"):
        def approve(payload: dict) -> None:
            tasks.request_approval(payload)  # "sends" the message, as the resources.yaml entry would
            # ... and the approver answers at once (from the worker thread this sync function runs in).
            engine.send_task_success(payload["MessageBody"]["taskToken"], tasks.APPROVAL)

        engine.register(APPROVAL_RESOURCE, approve)
    return engine


def test_every_example_folder_is_found() -> None:
    assert {p.name for p in FOLDERS} >= {"order-processing", "etl-pipeline", "fan-out", "parallel-aggregation",
                                         "report-polling-jsonata"}


def test_the_jsonata_twins_are_found() -> None:
    twins = {w.parent.name for w in WORKFLOWS if w.name == "workflow.jsonata.asl.yaml"}
    assert twins >= {"order-processing", "etl-pipeline", "fan-out", "parallel-aggregation"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_runs_to_its_expected_output(workflow: Path) -> None:
    folder = workflow.parent
    machine = statewright.load(workflow)
    value = json.loads((folder / "input.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected-output.json").read_text(encoding="utf-8"))
    engine = _engine_for(folder)
    result = asyncio.run(engine.execute(machine, value, virtual_time=True))
    assert (result.status, result.error, result.cause) == ("SUCCEEDED", None, None)
    assert result.output == expected


def test_order_processing_is_rejected_when_nobody_approves_within_a_day() -> None:
    folder = EXAMPLES / "order-processing"
    machine = statewright.load(folder / "workflow.asl.yaml")
    value = json.loads((folder / "input.json").read_text(encoding="utf-8"))
    result = statewright.run(machine, value, resources=folder / "resources.yaml", virtual_time=True)
    assert result.output == {"orderId": "ord-1001", "status": "REJECTED"}
    assert 86400 <= result.stop_date - result.start_date < 86401
