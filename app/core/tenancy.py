"""Tenant and network isolation: the one place where it is enforced.

Two layers, kept in step:

1. ORM: every SELECT/UPDATE/DELETE touching a scoped model gets `with_loader_criteria`
   for the current *space*; every flush stamps and validates `tenant_id`/`network_id`.
   A scoped query with no space raises `NoSpaceError` instead of returning all rows.
2. PostgreSQL row-level security: the same rules as policies (written in the migrations)
   that read the `app.*` settings this module sets at the start of each transaction.

A space is one of:
- tenant:   the tenant's own rows + rows of its networks that are shared with tenants;
- network:  the network's own rows + rows tenants addressed to it;
- personal: only what is the signed-in user's own: role rows (space picker, login), and
            rows addressed to them (`personal_criteria`: invitations, minutes, decisions);
- unscoped: explicit opt-out (platform administration, imports, token look-ups).
Views never filter by tenant by hand.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql.util import find_tables


class NoSpaceError(RuntimeError):
    """A scoped model was queried or written outside any space."""


class SpaceViolation(PermissionError):
    """A write would put a row outside the current space."""


@dataclass(frozen=True)
class Space:
    kind: str  # "tenant" | "network" | "personal" | "unscoped"
    tenant_id: int | None = None
    network_id: int | None = None
    network_ids: tuple[int, ...] = ()
    member_tenant_ids: tuple[int, ...] = ()
    user_id: int | None = None
    reason: str = ""
    label: str = field(default="", compare=False)

    @classmethod
    def for_tenant(cls, tenant_id: int, network_ids=(), user_id=None, label="") -> Space:
        return cls("tenant", tenant_id=tenant_id, network_ids=tuple(network_ids),
                   user_id=user_id, label=label)

    @classmethod
    def for_network(cls, network_id: int, member_tenant_ids=(), user_id=None, label="") -> Space:
        return cls("network", network_id=network_id, network_ids=(network_id,),
                   member_tenant_ids=tuple(member_tenant_ids), user_id=user_id, label=label)

    @classmethod
    def personal(cls, user_id: int) -> Space:
        return cls("personal", user_id=user_id)

    @classmethod
    def unscoped(cls, reason: str) -> Space:
        if not reason:
            raise ValueError("an unscoped space must say why")
        return cls("unscoped", reason=reason)

    def to_job_arg(self) -> dict:
        """Jobs carry the space they act for (JSON-serialisable)."""
        return {
            "kind": self.kind, "tenant_id": self.tenant_id, "network_id": self.network_id,
            "network_ids": list(self.network_ids),
            "member_tenant_ids": list(self.member_tenant_ids), "user_id": self.user_id,
            "reason": self.reason,
        }

    @classmethod
    def from_job_arg(cls, data: dict) -> Space:
        return cls(data["kind"], tenant_id=data.get("tenant_id"),
                   network_id=data.get("network_id"),
                   network_ids=tuple(data.get("network_ids") or ()),
                   member_tenant_ids=tuple(data.get("member_tenant_ids") or ()),
                   user_id=data.get("user_id"), reason=data.get("reason") or "")


_current: ContextVar[Space | None] = ContextVar("maillage_space", default=None)


def current_space() -> Space | None:
    return _current.get()


def require_space() -> Space:
    space = _current.get()
    if space is None:
        raise NoSpaceError("no space is set: refusing to touch scoped data")
    return space


# --------------------------------------------------------------------------- mixins

class TenantScoped:
    """Rows that belong to one tenant (agglomeration)."""

    __scope__ = "tenant"
    # Visible read-only in the space of a network the tenant belongs to.
    __network_readable__ = False
    # Visible in the personal space when user_id is the signed-in user.
    __personal_readable__ = False

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"), index=True)


class NetworkScoped:
    """Rows that belong to one network (shared content of the CAF's network)."""

    __scope__ = "network"
    __personal_readable__ = False

    @declared_attr
    def network_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)

    @classmethod
    def tenant_visible_criteria(cls):
        """Which of the network's rows its member tenants see (e.g. only published ones)."""
        return sa.true()


class TenantToNetwork:
    """Rows a tenant addresses to a network: seen by that tenant and by that network only."""

    __scope__ = "tenant+network"
    __personal_readable__ = False

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def network_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)


class EitherScoped:
    """Rows owned by a tenant *or* a network (exactly one of the two columns is set)."""

    __scope__ = "either"
    __personal_readable__ = False

    @declared_attr
    def tenant_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def network_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), index=True)


class SharedContent(EitherScoped):
    """Content written by a network for its tenants, or by a tenant for itself only.

    A tenant sees its own rows and the rows of its networks that pass
    `tenant_visible_criteria` (e.g. published); a network sees only its own rows."""

    __shared_with_tenants__ = True

    @classmethod
    def tenant_visible_criteria(cls):
        return sa.true()


class TenantToNetworkOptional(TenantScoped):
    """Tenant rows that may be addressed to one of its networks (network_id may be null)."""

    __scope__ = "tenant+network"

    @declared_attr
    def network_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("network.id", ondelete="SET NULL"), index=True)


SCOPED_MIXINS = (TenantScoped, NetworkScoped, TenantToNetwork, EitherScoped)


def is_scoped(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, SCOPED_MIXINS)


def criteria_for(cls, space: Space):
    """The SQL condition that restricts `cls` to what `space` may see."""
    scope = cls.__scope__
    if space.kind == "unscoped":
        return sa.true()
    if space.kind == "personal":
        personal = getattr(cls, "personal_criteria", None)
        if personal is not None:
            return personal(space.user_id)
        if cls.__personal_readable__:
            return cls.user_id == space.user_id
        return sa.false()
    if space.kind == "tenant":
        if scope == "network":
            if not space.network_ids:
                return sa.false()
            return sa.and_(cls.network_id.in_(space.network_ids), cls.tenant_visible_criteria())
        if getattr(cls, "__shared_with_tenants__", False) and space.network_ids:
            return sa.or_(
                cls.tenant_id == space.tenant_id,
                sa.and_(cls.network_id.in_(space.network_ids), cls.tenant_visible_criteria()),
            )
        return cls.tenant_id == space.tenant_id
    if space.kind == "network":
        if scope == "tenant":
            if cls.__network_readable__ and space.member_tenant_ids:
                return cls.tenant_id.in_(space.member_tenant_ids)
            return sa.false()
        return cls.network_id == space.network_id
    raise NoSpaceError(f"unknown space kind {space.kind!r}")


# --------------------------------------------------------------------------- context

@contextlib.contextmanager
def use_space(space: Space, session: Session | None = None) -> Iterator[Space]:
    """Act in `space` for the duration of the block (jobs, CLI, tests)."""
    token = _current.set(space)
    try:
        if session is not None:
            apply_to_session(session)
        yield space
    finally:
        _current.reset(token)
        if session is not None and _real(session).in_transaction():
            apply_to_session(session)


def unscoped(reason: str, session: Session | None = None):
    """Explicit, rare opt-out: platform administration, imports, token look-ups."""
    return use_space(Space.unscoped(reason), session)


def set_space(space: Space | None, session: Session | None = None) -> None:
    """Set the request's space (cleared by `clear_space` at teardown)."""
    _current.set(space)
    if session is not None and _real(session).in_transaction():
        apply_to_session(session)


def clear_space() -> None:
    _current.set(None)


# --------------------------------------------------------------------------- PostgreSQL

def _settings(space: Space | None) -> dict[str, str]:
    if space is None:
        return {k: "" for k in ("tenant_id", "network_id", "network_ids",
                                "member_tenant_ids", "user_id", "unscoped")}
    return {
        "tenant_id": str(space.tenant_id or "") if space.kind == "tenant" else "",
        "network_id": str(space.network_id or "") if space.kind == "network" else "",
        "network_ids": ",".join(map(str, space.network_ids)),
        "member_tenant_ids": ",".join(map(str, space.member_tenant_ids)),
        "user_id": str(space.user_id or "") if space.kind == "personal" else "",
        "unscoped": "on" if space.kind == "unscoped" else "",
    }


_SET_SQL = sa.text(
    "select set_config('app.tenant_id', :tenant_id, true),"
    " set_config('app.network_id', :network_id, true),"
    " set_config('app.network_ids', :network_ids, true),"
    " set_config('app.member_tenant_ids', :member_tenant_ids, true),"
    " set_config('app.user_id', :user_id, true),"
    " set_config('app.unscoped', :unscoped, true)"
)


def apply_to_connection(connection, space: Space | None) -> None:
    connection.execute(_SET_SQL, _settings(space))


def _real(session):
    """Accept a scoped_session as well as a Session."""
    return session.registry() if hasattr(session, "registry") else session


def apply_to_session(session: Session) -> None:
    apply_to_connection(_real(session).connection(), _current.get())


# --------------------------------------------------------------------------- ORM hooks

def _scoped_classes(registry) -> list[type]:
    return [m.class_ for m in registry.mappers if is_scoped(m.class_)]


_installed: set[type] = set()


def install(session_cls, registry) -> None:
    """Wire the ORM layer on a session class (idempotent; called by create_app)."""
    if session_cls in _installed:
        return
    _installed.add(session_cls)
    scoped = _scoped_classes(registry)
    scoped_tables = {cls.__table__.name: cls.__name__ for cls in scoped}

    @event.listens_for(session_cls, "after_begin")
    def _set_pg_settings(session, transaction, connection):
        apply_to_connection(connection, _current.get())

    @event.listens_for(session_cls, "do_orm_execute")
    def _restrict(state: ORMExecuteState):
        if not (state.is_select or state.is_update or state.is_delete):
            return
        if state.execution_options.get("tenancy_checked"):
            return
        space = _current.get()
        if space is None:
            touched = {m.class_.__name__ for m in state.all_mappers if is_scoped(m.class_)}
            # Joined tables are not among the selected mappers: look at every table too.
            touched |= {scoped_tables[t.name] for t in find_tables(state.statement,
                                                                   include_joins=True)
                        if t.name in scoped_tables}
            if touched:
                raise NoSpaceError("scoped query outside any space: " + ", ".join(sorted(touched)))
            return
        if space.kind == "unscoped":
            return
        options = [
            with_loader_criteria(cls, criteria_for(cls, space), include_aliases=True)
            for cls in scoped
        ]
        state.statement = state.statement.options(*options)

    @event.listens_for(session_cls, "before_flush")
    def _stamp_and_check(session, flush_context, instances):
        space = _current.get()
        for obj in list(session.new) + list(session.dirty) + list(session.deleted):
            cls = type(obj)
            if not is_scoped(cls) or getattr(cls, "__audit__", False):
                continue  # the audit log is written from every space, even none
            if space is None:
                raise NoSpaceError(f"writing {cls.__name__} outside any space")
            if space.kind == "unscoped":
                continue
            if obj in session.new:
                _stamp(obj, space)
            _check_write(obj, space)


def _stamp(obj, space: Space) -> None:
    scope = obj.__scope__
    if space.kind == "tenant" and scope in ("tenant", "tenant+network", "either"):
        if obj.tenant_id is None and (scope != "either" or obj.network_id is None):
            obj.tenant_id = space.tenant_id
    if space.kind == "network" and scope in ("network", "either"):
        if obj.network_id is None and (scope != "either" or obj.tenant_id is None):
            obj.network_id = space.network_id


def _check_write(obj, space: Space) -> None:
    scope = obj.__scope__
    name = type(obj).__name__
    if getattr(obj, "__audit__", False):
        return  # the audit log is written from every space; policies restrict reading
    if getattr(obj, "__platform_managed__", False):
        raise SpaceViolation(f"{name}: managed by the platform administrator only")
    if space.kind == "personal":
        raise SpaceViolation(f"{name}: the personal space is read-only")
    if space.kind == "tenant":
        if scope == "network":
            raise SpaceViolation(f"{name}: network content cannot be written from a tenant")
        if obj.tenant_id != space.tenant_id:
            raise SpaceViolation(f"{name}: row of another tenant")
        if (scope == "tenant+network" and obj.network_id is not None
                and obj.network_id not in space.network_ids):
            raise SpaceViolation(f"{name}: addressed to a network the tenant is not in")
        if scope == "either" and obj.network_id is not None:
            raise SpaceViolation(f"{name}: network row written from a tenant")
    elif space.kind == "network":
        if scope == "tenant":
            raise SpaceViolation(f"{name}: tenant rows cannot be written from a network")
        if obj.network_id != space.network_id:
            raise SpaceViolation(f"{name}: row of another network")
        if scope == "tenant+network" and obj.tenant_id not in space.member_tenant_ids:
            raise SpaceViolation(f"{name}: addressed by a tenant outside the network")
        if scope == "either" and obj.tenant_id is not None:
            raise SpaceViolation(f"{name}: tenant row written from a network")
