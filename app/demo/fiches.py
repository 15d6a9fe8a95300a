"""Demo fiches for the Côtes-d’Armor network: published through the real services, with
revisions spread over the past months, local content for Saint-Brieuc, contacts logged at
the desks, read receipts, missed searches and proposals (so the coordinator's views are
not empty)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.core import tenancy
from app.core.models import User
from app.core.passwords import hash_password
from app.demo import fiches_data as data
from app.networks.fiches import services
from app.networks.fiches.models import (
    ContactLog,
    Fiche,
    FicheProposal,
    FicheRead,
    FicheTheme,
    SearchMiss,
)
from app.networks.models import Network, NetworkTenant
from app.tenants.models import Commune, ReceptionPoint, Tenant, TenantRole

EXTRA_AGENTS = [  # invented people, one per desk, so read receipts and contacts vary
    ("Maëlle Le Goff", "saint-brieuc-armor", "22278"),   # Saint-Brieuc
    ("Yannick Rault", "saint-brieuc-armor", "22106"),    # Langueux
    ("Soizic Hamon", "saint-brieuc-armor", "22360"),     # Trégueux
    ("Gwenaël Morvan", "lannion-tregor", "22113"),       # Lannion
    ("Armelle Quéré", "lannion-tregor", "22168"),        # Perros-Guirec
]
MISSES = [("halte garderie", 7), ("baby sitting", 5), ("cantine scolaire", 4),
          ("place en urgence ce soir", 2), ("aide au permis de conduire", 1)]
PROPOSALS = [
    ("demande-place-creche", "Les familles demandent souvent la date de la prochaine "
                             "commission : pourrait-on l’ajouter dans la réponse ?"),
    ("pajemploi-parent-employeur", "Préciser que l’adhésion à Pajemploi se fait en ligne "
                                   "avant la première déclaration."),
]


def _months(today: date, months: int) -> date:
    month = today.month - 1 + months
    year = today.year + month // 12
    return date(year, month % 12 + 1, min(today.day, 28))


def load(session, coordinator: User, rng: random.Random | None = None) -> None:
    rng = rng or random.Random(22)
    network = session.scalar(sa.select(Network).where(Network.slug == "cotes-d-armor"))
    tenants = {t.slug: t for t in session.scalars(
        sa.select(Tenant).join(NetworkTenant, NetworkTenant.tenant_id == Tenant.id)
        .where(NetworkTenant.network_id == network.id))}
    network_ids = [network.id]
    now = datetime.now(UTC)
    with tenancy.use_space(tenancy.Space.for_network(network.id), session):
        themes = {}
        for position, theme in enumerate(data.THEMES):
            themes[theme["slug"]] = FicheTheme(slug=theme["slug"], name=theme["name"],
                                               position=position)
            session.add(themes[theme["slug"]])
        session.flush()
        fiches = [_publish(session, entry, themes, coordinator, now, rng, i)
                  for i, entry in enumerate(data.NETWORK_FICHES)]
    sbaa = tenants["saint-brieuc-armor"]
    sbaa_admin = session.scalar(sa.select(User).where(User.email == "admin.sbaa@demo.maillage.fr"))
    with tenancy.use_space(tenancy.Space.for_tenant(sbaa.id, network_ids), session):
        by_slug = {f.slug: f for f in fiches}
        for complement in data.LOCAL_COMPLEMENTS:
            services.save_complement(by_slug[complement["fiche"]], complement["body_md"],
                                     sbaa_admin)
        for entry in data.LOCAL_FICHES:
            _publish(session, entry, themes, sbaa_admin, now, rng, 3)
    agents = _extra_agents(session, tenants)
    for tenant in tenants.values():
        with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, network_ids), session):
            _activity(session, tenant, network, fiches, agents.get(tenant.slug, []), now, rng)
    session.flush()


def _content(entry: dict, themes: dict, today: date, first_answer: str | None = None) -> dict:
    return {
        "title": entry["title"], "theme_id": themes[entry["theme"]].id,
        "audiences": entry["audiences"], "first_answer": first_answer or entry["first_answer"],
        "details_md": entry["details_md"] + f"\n\n*{data.DEMO_NOTICE}*",
        "phrasings": entry["phrasings"], "referrals": entry["referrals"],
        "cannot_do": entry["cannot_do"], "sources": entry["sources"],
        "review_due": _months(today, entry["review_months"]),
    }


def _publish(session, entry, themes, author, now, rng, index) -> Fiche:
    """Create and publish a fiche once per revision summary, dated over past months."""
    summaries = entry.get("revisions") or ["Création de la fiche"]
    start = now - timedelta(days=200 - index * 9)
    first = _content(entry, themes, now.date(), entry.get("previous_first_answer"))
    fiche = services.create(first, author, slug=entry["slug"])
    for number, summary in enumerate(summaries, start=1):
        if number > 1:
            services.save_draft(fiche, _content(entry, themes, now.date()), author)
        revision = services.publish(fiche, summary, author, notify=False)
        published = start + timedelta(days=(number - 1) * rng.randint(20, 45))
        published = min(published, now - timedelta(hours=number))
        revision.published_at = published
        fiche.published_at = published
    fiche.verified_on = fiche.published_at.date()
    session.flush()
    return fiche


def _extra_agents(session, tenants: dict[str, Tenant]) -> dict[str, list[tuple]]:
    agents: dict[str, list[tuple]] = {}
    password = hash_password("maillage-demo")
    for name, tenant_slug, insee in EXTRA_AGENTS:
        tenant = tenants[tenant_slug]
        commune = session.scalar(sa.select(Commune).where(Commune.insee == insee))
        point = session.scalar(sa.select(ReceptionPoint).where(
            ReceptionPoint.commune_id == commune.id, ReceptionPoint.kind == "mairie"))
        first, last = name.split(" ", 1)
        email = (f"{services.slugify(first)}.{services.slugify(last)}"
                 f"@demo.maillage.fr").replace("-", "")
        user = User(email=email, full_name=name, password_hash=password)
        session.add(user)
        session.flush()
        session.add(TenantRole(tenant_id=tenant.id, user_id=user.id, role="reception_agent",
                               reception_point_id=point.id if point else None,
                               commune_id=commune.id))
        agents.setdefault(tenant_slug, []).append((user.id, point.id if point else None,
                                                   commune.id))
    plerin = session.scalar(sa.select(User).where(User.email == "accueil.plerin@demo.maillage.fr"))
    role = session.scalar(sa.select(TenantRole).where(TenantRole.user_id == plerin.id))
    agents.setdefault("saint-brieuc-armor", []).append(
        (plerin.id, role.reception_point_id, role.commune_id))
    session.flush()
    return agents


def _activity(session, tenant, network, fiches, agents, now, rng) -> None:
    """Contacts over the last six months, read receipts, misses and proposals."""
    communes = session.scalars(sa.select(Commune.id)).all()
    weights = [max(1, 12 - i) for i in range(len(fiches))]
    for _ in range(260 if tenant.slug == "saint-brieuc-armor" else 120):
        fiche = rng.choices(fiches, weights=weights)[0]
        user_id, point_id, commune_id = rng.choice(agents) if agents else (None, None, None)
        session.add(ContactLog(
            network_id=network.id, fiche_id=fiche.id, theme_slug=fiche.theme.slug,
            commune_id=rng.choice(communes) if rng.random() < 0.4 or not commune_id
            else commune_id,
            reception_point_id=point_id, user_id=user_id,
            referral=fiche.referrals[0]["label"] if fiche.referrals else "",
            channel="phone" if rng.random() < 0.35 else "desk",
            at=now - timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 600)),
        ))
    for user_id, point_id, _commune in agents:
        for fiche in rng.sample(fiches, k=min(len(fiches), rng.randint(4, 11))):
            session.add(FicheRead(fiche_id=fiche.id, revision=fiche.revision, user_id=user_id,
                                  reception_point_id=point_id, network_id=network.id,
                                  read_at=now - timedelta(days=rng.randint(0, 20))))
    if tenant.slug == "saint-brieuc-armor":
        for query, count in MISSES:
            session.add(SearchMiss(network_id=network.id, query=query, count=count,
                                   last_at=now - timedelta(days=rng.randint(0, 30))))
        by_slug = {f.slug: f for f in fiches}
        for slug, body in PROPOSALS:
            session.add(FicheProposal(network_id=network.id, fiche_id=by_slug[slug].id,
                                      body=body, author_id=agents[0][0] if agents else None))
    session.flush()

