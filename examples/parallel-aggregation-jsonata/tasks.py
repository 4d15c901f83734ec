"""Task implementations for the parallel-aggregation example (deterministic, no network).

Each function gets the Parallel state's input ({"customerId", "region"}) and returns an object with one key,
so the three results merge without clashes.
"""

_PROFILES = {"c-42": {"name": "Ana Silva", "tier": "gold"}}
_ORDERS = {"c-42": [{"id": "o-1", "total": 20.5}, {"id": "o-2", "total": 35}]}
_TICKETS = {"c-42": ["t-9"]}


def get_profile(payload):
    return {"profile": _PROFILES[payload["customerId"]]}


def list_orders(payload):
    return {"orders": _ORDERS.get(payload["customerId"], [])}


def list_tickets(payload):
    return {"openTickets": _TICKETS.get(payload["customerId"], [])}
