"""Task implementations for the order-processing example (deterministic, no network).

The approval step is a callback: ``request_approval`` only "sends" the message; the execution then waits
until the token is answered. The example's expected output assumes the answer is
``SendTaskSuccess(token, {"approved": true})`` (see APPROVAL below and examples/README.md).
"""

APPROVAL = {"approved": True}


class PaymentDeclined(Exception):
    """The card was declined; the workflow catches this and rejects the order."""


def validate_order(payload):
    items = payload["items"]
    valid = bool(items) and all(item["qty"] > 0 and item["price"] >= 0 for item in items)
    total = sum(item["qty"] * item["price"] for item in items)
    return {"valid": valid, "total": total, "itemCount": len(items)}


def request_approval(payload):
    # A real implementation would put payload["MessageBody"] (which carries the task token) on the queue.
    # The return value of a .waitForTaskToken resource is ignored.
    return None


def charge_card(payload):
    if payload["amount"] > 10_000:
        raise PaymentDeclined(f"amount {payload['amount']} is over the card limit")
    return {
        "chargeId": f"ch_{payload['orderId']}",
        "status": "CAPTURED",
        "amount": payload["amount"],
        "currency": payload["currency"],
        "gatewayLatencyMs": 42,
    }


def ship_order(payload):
    return {
        "trackingNumber": f"TRK-{payload['orderId'].upper()}",
        "parcels": len(payload["items"]),
    }
