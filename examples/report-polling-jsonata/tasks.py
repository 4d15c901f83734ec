"""Task implementations for the report-polling-jsonata example (deterministic, no network).

The job reports READY on the third status check (the workflow passes the poll number), so a run waits
3 x 10 seconds (instantly with --virtual-time) and always ends with the same output.
"""


def start_report(payload):
    return {"jobId": f"job-{payload['reportType']}-{payload['month']}", "status": "RUNNING"}


def check_report_status(payload):
    status = "READY" if payload["poll"] >= 3 else "RUNNING"
    return {"jobId": payload["jobId"], "status": status}


def fetch_report(payload):
    return {
        "jobId": payload["jobId"],
        "rows": [
            {"region": "EU", "amount": 1200},
            {"region": "US", "amount": 800.5},
        ],
    }
