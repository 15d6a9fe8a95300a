"""Sentry, only when SENTRY_DSN is set; tagged with the space, without personal data."""

from __future__ import annotations

from flask import Flask


def _scrub(event, hint):
    event.pop("user", None)
    request = event.get("request") or {}
    for key in ("cookies", "data", "query_string"):
        request.pop(key, None)
    headers = request.get("headers") or {}
    for name in list(headers):
        if name.lower() in {"cookie", "authorization", "x-csrftoken", "referer"}:
            headers.pop(name)
    return event


def init_sentry(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn, environment=app.config.get("SENTRY_ENVIRONMENT"),
        integrations=[FlaskIntegration()], send_default_pii=False, before_send=_scrub,
        traces_sample_rate=0.0,
    )

    @app.before_request
    def _tag_space():
        from flask import request

        parts = request.path.split("/")
        if len(parts) > 2 and parts[1] in {"t", "n"}:
            sentry_sdk.set_tag("space", f"{parts[1]}/{parts[2]}")
        elif len(parts) > 1 and parts[1] == "admin":
            sentry_sdk.set_tag("space", "admin")
