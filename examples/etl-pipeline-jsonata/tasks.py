"""Task implementations for the etl-pipeline example (deterministic, no network).

``extract_orders`` simulates a flaky source: it fails with SourceUnavailable on the first two attempts
(it reads the attempt number the workflow passes from $$.State.RetryCount) and succeeds on the third, so a
run shows the Retry at work and always produces the same output.
"""

_RAW_ROWS = [
    {"id": 1, "amount": "19.90", "country": "de"},
    {"id": 2, "amount": "5.00", "country": "fr"},
    {"id": 3, "amount": "n/a", "country": "DE"},
]


class SourceUnavailable(Exception):
    """The source store did not answer; worth retrying."""


class DatabaseBusy(Exception):
    """The warehouse is busy; worth retrying."""


def extract_orders(payload):
    attempt = payload["attempt"]
    if attempt < 2:
        raise SourceUnavailable(f"{payload['source']} did not answer (attempt {attempt + 1})")
    return {"rows": [dict(row) for row in _RAW_ROWS], "attempts": attempt + 1}


def transform_orders(payload):
    clean, rejected = [], 0
    for row in payload["rows"]:
        try:
            amount = float(row["amount"])
        except ValueError:
            rejected += 1
            continue
        clean.append({"id": row["id"], "amount": amount, "country": row["country"].upper()})
    return {"clean": clean, "rejectedCount": rejected}


def load_orders(payload):
    return {"table": payload["table"], "inserted": len(payload["rows"]), "batchId": payload["batchId"]}
