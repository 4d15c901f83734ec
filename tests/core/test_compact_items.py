"""CSV rows kept compact and their batches built lazily cut exactly as lists are (core/states/map_io.py)."""

from __future__ import annotations

import json
from itertools import product

from statewright.core.states.map import ItemBatcher, _lazy_batches
from statewright.core.states.map_io import CsvRows, LazyBatches, plain


def _rows(count: int) -> CsvRows:
    rows = CsvRows(["id", "note"])
    for index in range(count):
        rows.append([f"r{index}", "x" * (index % 7)])
    return rows


def test_rows_read_back_as_dicts_including_short_rows_and_separator_texts() -> None:
    rows = CsvRows(["a", "b", "c"])
    rows.append(["1", "2", "3"])
    rows.append(["only"])
    rows.append(["has\x1fseparator", "y", "z"])
    assert list(rows) == [{"a": "1", "b": "2", "c": "3"}, {"a": "only", "b": "", "c": ""},
                          {"a": "has\x1fseparator", "b": "y", "c": "z"}]
    assert rows[-1] == {"a": "has\x1fseparator", "b": "y", "c": "z"} and rows[0:1] == [{"a": "1", "b": "2", "c": "3"}]
    assert json.loads(json.dumps(rows, default=plain)) == list(rows)


def test_lazy_batches_cut_as_the_list_batcher_cuts() -> None:
    for count, max_items, max_bytes, extra in product((0, 1, 5, 23), (None, 1, 4), (None, 30, 200), (None, {"k": 1})):
        if max_items is None and max_bytes is None:
            continue
        rows = _rows(count)
        batcher = ItemBatcher(max_items=max_items, max_items_path=None, max_bytes=max_bytes, max_bytes_path=None,
                              batch_input=None)
        expected = batcher.batches(list(rows), None, None, None)
        if extra is not None:
            expected = [{"BatchInput": extra, **batch} for batch in expected]
        lazy = _lazy_batches(rows, max_items, max_bytes, extra)
        assert isinstance(lazy, LazyBatches)
        assert list(lazy) == expected, (count, max_items, max_bytes)
        assert len(lazy) == len(expected)
