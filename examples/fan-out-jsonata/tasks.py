"""Task implementations for the fan-out example (deterministic, no network)."""

_SUBJECTS = {
    "de": "Unsere Angebote zum {campaign}",
    "en": "Our {campaign} offers",
    "fr": "Nos offres {campaign}",
}


class MailServerBusy(Exception):
    """The mail server asked us to come back later; worth retrying."""


def render_email(payload):
    recipient = payload["recipient"]
    template = _SUBJECTS.get(recipient["locale"], _SUBJECTS["en"])
    return {
        "to": recipient["email"],
        "subject": template.format(campaign=payload["campaign"]),
        "campaign": payload["campaign"],
        "position": payload["position"],
    }


def send_email(payload):
    return {"messageId": f"msg-{payload['campaign']}-{payload['position']}", "to": payload["to"]}
