"""The recorded history and output of every benchmark workload, as one digest each: what a change made for
speed must leave exactly as it was (issue 19). ``benchmarks/histories.json`` holds the digests the code gave
before such work began; tests/test_benchmarks.py checks the code still gives them.

    python benchmarks/histories.py            # print each workload's digest, and whether it matches
    python benchmarks/histories.py --write    # record the current digests (only for a deliberate change)

Each execution runs on virtual time with a fixed name; times are taken relative to the execution's start
(the virtual clock starts at the real time), everything else is hashed as the API would give it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = Path(__file__).resolve().parent / "histories.json"


def _event_rows(result: Any) -> list[Any]:
    start = result.start_date
    rows = []
    for event in result.events:
        shaped = event.to_aws()
        shaped["timestamp"] = round(event.timestamp - start, 6)
        rows.append(shaped)
    return rows


async def _run(workload: Any) -> list[Any]:
    import statewright

    machine = statewright.load(workload.definition)
    if workload.executions == 1:
        results = [await machine.execute(workload.input, virtual_time=True, name="history")]
    else:
        started = [machine.start(item, virtual_time=True, name=f"history-{index}")
                   for index, item in enumerate(workload.input)]
        results = [await execution for execution in started]
    return [{"status": result.status, "output": result.output, "error": result.error, "cause": result.cause,
             "events": _event_rows(result)} for result in results]


def digests() -> dict[str, str]:
    from benchmarks import workloads

    found = {}
    for workload in workloads.all_workloads():
        record = asyncio.run(_run(workload))
        text = json.dumps(record, sort_keys=True, separators=(",", ":"))
        found[workload.name] = hashlib.sha256(text.encode()).hexdigest()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="record the current digests in histories.json")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "interpreter"), str(ROOT)]
    found = digests()
    if args.write:
        DIGESTS.write_text(json.dumps(found, indent=2) + "\n")
    expected = json.loads(DIGESTS.read_text()) if DIGESTS.exists() else {}
    for name, digest in found.items():
        print(f"{name:8} {digest}  {'same' if expected.get(name) == digest else 'DIFFERENT'}")
    return 0 if found == expected else 1


if __name__ == "__main__":
    sys.exit(main())
