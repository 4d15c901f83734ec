"""Execution names and seeds come from a pool of OS random bytes: each pair once, never shared by a fork."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from statewright.runtime import engine
from statewright.runtime.engine import _name_and_seed


def test_every_pair_is_handed_out_once_across_refills_and_threads() -> None:
    seen: list[tuple[str, int]] = []

    def draw() -> None:
        for _ in range(3 * engine._BATCH):
            seen.append(_name_and_seed())

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 12 * engine._BATCH
    assert len({name for name, _ in seen}) == len(seen)
    assert len({seed for _, seed in seen}) == len(seen)
    for name, seed in seen:
        parsed = uuid.UUID(name)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, name)
        assert 0 <= seed < 2 ** 63


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_reuse_the_parents_pairs() -> None:
    _name_and_seed()  # the pool now holds unused pairs
    assert engine._PAIRS
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(writer, _name_and_seed()[0].encode())
        finally:
            os._exit(0)
    os.close(writer)
    child_name = os.read(reader, 100).decode()
    os.close(reader)
    os.waitpid(pid, 0)
    parent_name = _name_and_seed()[0]
    assert uuid.UUID(child_name).version == 4
    assert child_name != parent_name
