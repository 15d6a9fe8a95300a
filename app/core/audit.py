"""The audit log: who did what, when, in which space. Never updated, never deleted."""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from app.core.models import AuditLog
from app.core.tenancy import current_space
from app.extensions import db


def client_ip() -> str:
    return (request.remote_addr or "") if has_request_context() else ""


def record(action: str, target: str = "", *, actor=None, tenant_id=None, network_id=None,
           **details) -> None:
    """Add an entry to the current transaction; it commits (or not) with the action itself.

    A plain INSERT without RETURNING: the app role may write entries it is not allowed to
    read back (e.g. a failed sign-in, which belongs to no space)."""
    space = current_space()
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if tenant_id is None and network_id is None and space is not None:
        if space.kind == "tenant":
            tenant_id = space.tenant_id
        elif space.kind == "network":
            network_id = space.network_id
    db.session.execute(sa.insert(AuditLog.__table__).values(
        action=action, target=target[:200], details=details,
        actor_id=getattr(actor, "id", None), actor_email=getattr(actor, "email", "") or "",
        tenant_id=tenant_id, network_id=network_id, ip=client_ip(),
    ))
