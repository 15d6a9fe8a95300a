"""Resolving the request's space from the URL (/t/<tenant>/…, /n/<network>/…, /admin/…)
and checking the signed-in user's roles in it. Anything outside the user's spaces is a 404."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user

from app.core import tenancy
from app.core.tenancy import Space
from app.extensions import db


@dataclass(frozen=True)
class SpaceLink:
    kind: str  # tenant | network | admin
    slug: str
    name: str
    roles: tuple[str, ...]

    @property
    def url(self) -> str:
        if self.kind == "tenant":
            return url_for("tenants.home", tenant_slug=self.slug)
        if self.kind == "network":
            return url_for("networks.home", network_slug=self.slug)
        return url_for("platform.home")


def init_app(app) -> None:
    @app.teardown_request
    def _clear_space(exc=None):
        tenancy.clear_space()


def login_redirect():
    return redirect(url_for("core.login", next=request.full_path.rstrip("?")))


def enter_tenant(slug: str):
    """Resolve /t/<slug>/: returns a response to send instead, or None."""
    from app.networks.models import NetworkTenant
    from app.tenants.models import Tenant, TenantRole

    if not current_user.is_authenticated:
        return login_redirect()
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug, Tenant.is_active))
    if tenant is None:
        abort(404)
    tenancy.set_space(Space.for_tenant(tenant.id, label=tenant.name), db.session)
    roles = db.session.scalars(
        sa.select(TenantRole).where(TenantRole.user_id == current_user.id)
    ).all()
    if not roles and not current_user.is_platform_admin:
        abort(404)
    network_ids = db.session.scalars(sa.select(NetworkTenant.network_id)).all()
    tenancy.set_space(
        Space.for_tenant(tenant.id, network_ids, user_id=current_user.id, label=tenant.name),
        db.session,
    )
    g.tenant = tenant
    g.role_rows = roles
    g.roles = {r.role for r in roles}
    if current_user.is_platform_admin:
        g.roles.add("tenant_admin")
    g.space_kind = "tenant"
    return None


def enter_network(slug: str):
    from app.networks.models import Network, NetworkRole, NetworkTenant

    if not current_user.is_authenticated:
        return login_redirect()
    network = db.session.scalar(sa.select(Network).where(Network.slug == slug))
    if network is None:
        abort(404)
    tenancy.set_space(Space.for_network(network.id, label=network.name), db.session)
    roles = db.session.scalars(
        sa.select(NetworkRole).where(NetworkRole.user_id == current_user.id)
    ).all()
    if not roles and not current_user.is_platform_admin:
        abort(404)
    members = db.session.scalars(sa.select(NetworkTenant.tenant_id)).all()
    tenancy.set_space(
        Space.for_network(network.id, members, user_id=current_user.id, label=network.name),
        db.session,
    )
    g.network = network
    g.role_rows = roles
    g.roles = {r.role for r in roles}
    if current_user.is_platform_admin:
        g.roles.add("network_coordinator")
    g.space_kind = "network"
    return None


def enter_platform():
    if not current_user.is_authenticated:
        return login_redirect()
    if not current_user.is_platform_admin:
        abort(404)
    tenancy.set_space(Space.unscoped("platform administration"), db.session)
    g.space_kind = "admin"
    g.roles = {"platform_admin"}
    return None


def require_role(*allowed: str):
    """Allow the view to users holding one of `allowed` in the current space (else 403)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not (g.get("roles", set()) & set(allowed)):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def has_role(*names: str) -> bool:
    return bool(g.get("roles", set()) & set(names))


def user_spaces(user) -> list[SpaceLink]:
    """Every space the user may enter, read in the personal space (own role rows only)."""
    from app.networks.models import Network, NetworkRole
    from app.tenants.models import Tenant, TenantRole

    links: list[SpaceLink] = []
    with tenancy.use_space(Space.personal(user.id), db.session):
        tenant_rows = db.session.execute(
            sa.select(Tenant.slug, Tenant.name, TenantRole.role)
            .join(TenantRole, TenantRole.tenant_id == Tenant.id)
            .where(TenantRole.user_id == user.id, Tenant.is_active)
            .order_by(Tenant.name)
        ).all()
        network_rows = db.session.execute(
            sa.select(Network.slug, Network.name, NetworkRole.role)
            .join(NetworkRole, NetworkRole.network_id == Network.id)
            .where(NetworkRole.user_id == user.id)
            .order_by(Network.name)
        ).all()
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for slug, name, role in network_rows:
        grouped.setdefault(("network", slug, name), []).append(role)
    for slug, name, role in tenant_rows:
        grouped.setdefault(("tenant", slug, name), []).append(role)
    if user.is_platform_admin:
        links.append(SpaceLink("admin", "", "Administration de la plateforme", ("platform_admin",)))
    links += [SpaceLink(k, s, n, tuple(sorted(r))) for (k, s, n), r in grouped.items()]
    return links


def remember_spaces(user) -> list[SpaceLink]:
    links = user_spaces(user)
    session["spaces"] = [[link.kind, link.slug, link.name, list(link.roles)] for link in links]
    return links


def remembered_spaces() -> list[SpaceLink]:
    return [SpaceLink(k, s, n, tuple(r)) for k, s, n, r in session.get("spaces", [])]


def _space_blueprint(kind: str, name: str, import_name: str, url_prefix: str, **options):
    """A blueprint whose every route acts in one space: the slug is taken out of the URL
    values, put back when building URLs, and the space entered before each request."""
    from flask import Blueprint

    key = f"{kind}_slug"
    enter = enter_tenant if kind == "tenant" else enter_network
    bp = Blueprint(name, import_name, url_prefix=url_prefix, **options)

    @bp.url_value_preprocessor
    def _pull_slug(endpoint, values):
        setattr(g, key, values.pop(key, None))

    @bp.url_defaults
    def _add_slug(endpoint, values):
        current = g.get(kind)
        if key not in values and current is not None:
            values[key] = current.slug

    @bp.before_request
    def _enter():
        return enter(g.get(key))

    return bp


def tenant_blueprint(name: str, import_name: str, url_prefix: str, **options):
    """Routes under /t/<tenant_slug>/…"""
    return _space_blueprint("tenant", name, import_name, url_prefix, **options)


def network_blueprint(name: str, import_name: str, url_prefix: str, **options):
    """Routes under /n/<network_slug>/…"""
    return _space_blueprint("network", name, import_name, url_prefix, **options)


def route_in_both(tenant_bp, network_bp):
    """A `route(rule, **options)` decorator for views that serve a tenant's and a network's
    own rows alike: the view is registered on both blueprints, under the same endpoint."""

    def route(rule: str, **options):
        def decorate(view):
            for bp in (tenant_bp, network_bp):
                bp.add_url_rule(rule, view_func=view, **options)
            return view

        return decorate

    return route
