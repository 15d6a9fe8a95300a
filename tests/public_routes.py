"""Endpoints an anonymous visitor may open. Every other URL rule of the application must
send an anonymous visitor to the sign-in page (tests/core/test_route_inventory.py).

Adding an endpoint here is a security decision: say why next to it."""

PUBLIC_ENDPOINTS: dict[str, str] = {
    "core.index": "sends a visitor to the sign-in page, or a signed-in user to a space",
    "core.login": "the sign-in form",
    "core.forgot_password": "asking for a reset link (same answer whether the account exists)",
    "core.reset_password": "guarded by a single-use token sent by e-mail",
    "core.accept_invitation": "guarded by a single-use token sent by e-mail",
    "core.healthz": "load-balancer probe; answers only whether the database answers",
    "static": "CSS, JavaScript and images",
    "training_feed.feed": "a person's calendar feed, guarded by a secret token (revocable)",
    "rsvp.answer": "an invitee's answer page, guarded by the HMAC-signed key of that one"
                   " invitation (no login by design); closes when the event ends",
    "rsvp.ics": "the calendar file of the invitee's event, behind the same signed link",
}
