"""Test data, written unscoped (as the platform administrator or an import would)."""

from __future__ import annotations

import itertools

from app.core import tenancy
from app.core.models import User
from app.core.passwords import hash_password
from app.extensions import db
from app.networks.models import Network, NetworkRole, NetworkTenant, Organisation
from app.tenants.models import Commune, ReceptionPoint, Relais, RelaisCommune, Tenant, TenantRole

PASSWORD = "motdepasse-test"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def _unscoped():
    return tenancy.unscoped("test factory", db.session)


def tenant(name: str | None = None, slug: str | None = None, siren: str | None = None) -> Tenant:
    n = _n()
    with _unscoped():
        t = Tenant(name=name or f"CA Test {n}", slug=slug or f"test-{n}",
                   siren=siren or f"9{n:08d}", kind="CA")
        db.session.add(t)
        db.session.flush()
    return t


def network(name: str | None = None, slug: str | None = None, tenants=()) -> Network:
    n = _n()
    with _unscoped():
        net = Network(name=name or f"Réseau test {n}", slug=slug or f"reseau-{n}",
                      coordinator_org="CAF test")
        db.session.add(net)
        db.session.flush()
        for t in tenants:
            db.session.add(NetworkTenant(network_id=net.id, tenant_id=t.id))
        db.session.flush()
    return net


def commune(tenant: Tenant, name: str | None = None, insee: str | None = None) -> Commune:
    n = _n()
    with _unscoped():
        c = Commune(tenant_id=tenant.id, name=name or f"Commune {n}",
                    insee=insee or f"9{n:04d}"[-5:], postal_codes=["22000"], population=1000)
        db.session.add(c)
        db.session.flush()
    return c


def relais(tenant: Tenant, communes=(), name: str | None = None) -> Relais:
    n = _n()
    with _unscoped():
        r = Relais(tenant_id=tenant.id, name=name or f"RPE {n}", phone="02 96 00 00 00",
                   email=f"rpe{n}@example.org", opening_hours="Lundi 9 h – 12 h")
        db.session.add(r)
        db.session.flush()
        for c in communes:
            db.session.add(RelaisCommune(tenant_id=tenant.id, relais_id=r.id, commune_id=c.id))
        db.session.flush()
    return r


def reception_point(tenant: Tenant, commune: Commune | None = None,
                    name: str | None = None) -> ReceptionPoint:
    n = _n()
    with _unscoped():
        p = ReceptionPoint(tenant_id=tenant.id, name=name or f"Mairie {n}", kind="mairie",
                           commune_id=commune.id if commune else None)
        db.session.add(p)
        db.session.flush()
    return p


def user(email: str | None = None, name: str | None = None, *, password: str = PASSWORD,
         platform_admin: bool = False, active: bool = True) -> User:
    n = _n()
    with _unscoped():
        u = User(email=(email or f"personne{n}@example.org").lower(),
                 full_name=name or f"Personne {n}", password_hash=hash_password(password),
                 is_platform_admin=platform_admin, is_active=active)
        db.session.add(u)
        db.session.flush()
    return u


def tenant_role(u: User, t: Tenant, role: str = "tenant_admin", **attach) -> TenantRole:
    with _unscoped():
        r = TenantRole(tenant_id=t.id, user_id=u.id, role=role, **attach)
        db.session.add(r)
        db.session.flush()
    return r


def network_role(u: User, net: Network, role: str = "network_coordinator") -> NetworkRole:
    with _unscoped():
        r = NetworkRole(network_id=net.id, user_id=u.id, role=role)
        db.session.add(r)
        db.session.flush()
    return r


def organisation(net: Network, name: str | None = None, kind: str = "caf") -> Organisation:
    n = _n()
    with _unscoped():
        o = Organisation(network_id=net.id, name=name or f"Organisation {n}", kind=kind,
                         email=f"contact{n}@example.org")
        db.session.add(o)
        db.session.flush()
    return o


def two_tenants_world():
    """Two tenants in one network, each with an admin, communes, relais, desks."""
    a = tenant("CA Alpha", "alpha")
    b = tenant("CA Bêta", "beta")
    net = network("Réseau Test", "reseau-test", tenants=[a, b])
    world = {"a": a, "b": b, "network": net}
    for key, t in (("a", a), ("b", b)):
        c1, c2 = commune(t), commune(t)
        world[f"{key}_communes"] = [c1, c2]
        world[f"{key}_relais"] = relais(t, [c1, c2])
        world[f"{key}_point"] = reception_point(t, c1)
        admin = user(f"admin.{key}@example.org")
        tenant_role(admin, t, "tenant_admin")
        world[f"{key}_admin"] = admin
    coord = user("coord@example.org")
    network_role(coord, net)
    world["coordinator"] = coord
    world["organisation"] = organisation(net)
    return world
