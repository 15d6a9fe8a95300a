"""Demo training programme for the Côtes-d’Armor network: the modules the DOMAIN describes
(legal workshops, practice analysis, plenaries, thematic meetings, initial training), about
sixteen sessions over the past and next six months, animators of the three member
territories registered through the real services (so seats, tickets and the waiting list
are right), attendance and satisfaction answers for past sessions, a few declared needs.

Dates are computed from today, so the demo always has a past and a future.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.core import tenancy
from app.core.models import User
from app.core.passwords import hash_password
from app.networks.models import Network, NetworkTenant, Organisation
from app.tenants.cog_import import slugify
from app.tenants.models import Relais, Tenant, TenantRole
from app.training import services
from app.training.models import (
    Attendance,
    FeedbackAnswer,
    Registration,
    TrainingModule,
    TrainingNeed,
    TrainingSession,
    TrainingSitting,
)

PARIS = ZoneInfo("Europe/Paris")
NETWORK_SLUG = "cotes-d-armor"
ANIMATOR_EMAIL = "animatrice.rpe@demo.maillage.fr"
DEMO_NOTE = "Programme de démonstration : intervenants, lieux et adresses sont fictifs."

SBAA, LANNION, LAMBALLE = "saint-brieuc-armor", "lannion-tregor", "lamballe"

# --------------------------------------------------------------------------- modules

MODULES = {
    "contrat": dict(
        title="Le contrat de travail de l’assistant·e maternel·le", kind="formation_juridique",
        duration_hours=Decimal("3"), provider="CAF des Côtes-d’Armor",
        provider_name="Pierre Le Roux, juriste conventionné par la CAF",
        objectives=("Accompagner les parents employeurs et les assistant·es maternel·les dans "
                    "la rédaction du contrat : mensualisation, congés payés, absences, fin de "
                    "contrat."),
        programme=("1. La convention collective des particuliers employeurs.\n"
                   "2. Année complète ou incomplète : calcul de la mensualisation.\n"
                   "3. Congés payés, absences de l’enfant, heures complémentaires.\n"
                   "4. Rupture du contrat et documents de fin de contrat.\n"
                   "Études de cas apportées par les relais."),
        audience="Animatrices et animateurs de relais petite enfance.",
        prerequisites="Aucun. Apporter, si possible, une question rencontrée en permanence."),
    "pajemploi": dict(
        title="Pajemploi et déclarations", kind="formation_juridique",
        duration_hours=Decimal("3"), provider="MSA d’Armorique",
        provider_name="Catherine Guillou (MSA d’Armorique)",
        objectives=("Savoir expliquer aux familles l’adhésion à Pajemploi, la déclaration "
                    "mensuelle, le complément de libre choix du mode de garde et "
                    "Pajemploi+."),
        programme=("1. Le parcours du parent employeur, de l’adhésion à la première "
                   "déclaration.\n2. Les erreurs fréquentes et leur correction.\n"
                   "3. Pajemploi+ : avance du reste à charge.\n"
                   "4. Démonstration sur un compte fictif."),
        audience="Animatrices et animateurs de relais, agents d’accueil volontaires.",
        prerequisites=""),
    "analyse": dict(
        title="Analyse de la pratique", kind="analyse_pratique",
        duration_hours=Decimal("3"), provider="Association Ti Bugale (assistantes maternelles)",
        provider_name="Morgane Le Corre, psychologue clinicienne",
        objectives=("Prendre du recul sur les situations rencontrées dans l’animation du "
                    "relais, en petit groupe, avec une psychologue extérieure au réseau."),
        programme=("Séance de trois heures, huit fois par an. Chaque participant·e peut "
                   "apporter une situation ; le groupe l’analyse dans la confidentialité."),
        audience="Animatrices et animateurs de relais (groupe de huit personnes au plus).",
        prerequisites="S’engager à respecter la confidentialité des échanges."),
    "pleniere": dict(
        title="Plénière des relais", kind="pleniere",
        duration_hours=Decimal("6"), provider="CAF des Côtes-d’Armor",
        provider_name="Anne-Laure Kerhervé (CAF des Côtes-d’Armor)",
        objectives=("Réunir deux fois par an tous les relais du département : actualités de "
                    "la branche famille, bilan du semestre, projets communs."),
        programme=("Matin : actualités nationales et départementales, chiffres de l’offre "
                   "d’accueil.\nAprès-midi : ateliers d’échange entre relais."),
        audience="Toutes les équipes des relais petite enfance du réseau.",
        prerequisites=""),
    "handicap": dict(
        title="Réunion thématique : accueil de l’enfant en situation de handicap",
        kind="reunion_thematique", duration_hours=Decimal("3"),
        provider="PMI – Conseil départemental des Côtes-d’Armor",
        provider_name="Hélène Cadiou, médecin de PMI",
        objectives=("Connaître les appuis pour accueillir un enfant en situation de handicap "
                    "chez une assistante maternelle : pôle ressources handicap, "
                    "bonus inclusion, lien avec la PMI."),
        programme=("1. Le cadre : droit commun et aides spécifiques.\n"
                   "2. Témoignage d’une assistante maternelle.\n"
                   "3. Qui contacter dans les Côtes-d’Armor."),
        audience="Animatrices et animateurs de relais.",
        prerequisites=""),
    "initiale": dict(
        title="Formation initiale des animateur·rices", kind="formation_initiale",
        duration_hours=Decimal("63"), provider="DREETS Bretagne",
        provider_name="Marc Jaouen (DREETS Bretagne) et intervenants du réseau",
        objectives=("Prendre ses fonctions d’animateur·rice de relais : missions du relais, "
                    "cadre juridique de l’accueil individuel, animation d’ateliers d’éveil, "
                    "accompagnement des familles."),
        programme=("Neuf journées réparties sur six mois :\n"
                   "1–2. Missions et référentiel des relais.\n"
                   "3–4. Droit du travail des assistant·es maternel·les.\n"
                   "5–6. Ateliers d’éveil et développement de l’enfant.\n"
                   "7–8. Accueil des familles et information sur les modes d’accueil.\n"
                   "9. Bilan, projet de relais."),
        audience="Animatrices et animateurs en poste depuis moins de deux ans.",
        prerequisites="Être en poste dans un relais d’un territoire membre."),
}

# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SessionPlan:
    key: str  # stable name, used below for registrations
    module: str
    days: tuple[int, ...]  # offsets from today (one per sitting)
    hours: tuple[int, int]  # local start and end hour (Europe/Paris)
    capacity: int
    place: str = ""
    room: str = ""
    remote: bool = False
    planned: bool = False


SAINT_BRIEUC_PLACE = "Maison de la petite enfance, 12 rue des Lilas, 22000 Saint-Brieuc"
LANNION_PLACE = "Espace Sainte-Anne, 4 rue des Chardons, 22300 Lannion"
LAMBALLE_PLACE = "Pôle enfance, 9 allée des Haras, 22400 Lamballe-Armor"
VISIO_LINK = "https://visio.demo.maillage.fr/reseau-22-pajemploi"

SESSIONS = (
    # Past sessions: done, with attendance and feedback.
    SessionPlan("initiale-passee", "initiale", tuple(-180 + 19 * i for i in range(9)), (9, 17),
                12, SAINT_BRIEUC_PLACE, "Salle Goëlo"),
    SessionPlan("pleniere-passee", "pleniere", (-160,), (9, 16), 20, SAINT_BRIEUC_PLACE,
                "Grande salle"),
    SessionPlan("contrat-passee", "contrat", (-150,), (9, 12), 15, SAINT_BRIEUC_PLACE,
                "Salle Goëlo"),
    SessionPlan("analyse-1", "analyse", (-140,), (9, 12), 8, LAMBALLE_PLACE, "Salle 2"),
    SessionPlan("analyse-2", "analyse", (-100,), (14, 17), 8, SAINT_BRIEUC_PLACE,
                "Salle Goëlo"),
    SessionPlan("pajemploi-passee", "pajemploi", (-95,), (9, 12), 12, LANNION_PLACE,
                "Salle du Léguer"),
    SessionPlan("handicap-passee", "handicap", (-75,), (14, 17), 15, LAMBALLE_PLACE,
                "Salle 1"),
    SessionPlan("analyse-3", "analyse", (-55,), (9, 12), 8, LANNION_PLACE, "Salle du Léguer"),
    # Upcoming sessions.
    SessionPlan("initiale-a-venir", "initiale", tuple(14 + 20 * i for i in range(9)), (9, 17),
                12, LANNION_PLACE, "Salle du Léguer"),
    SessionPlan("analyse-4", "analyse", (15,), (9, 12), 8, SAINT_BRIEUC_PLACE, "Salle Goëlo"),
    SessionPlan("pajemploi-visio", "pajemploi", (20,), (14, 17), 12, remote=True),
    SessionPlan("handicap-complete", "handicap", (25,), (9, 12), 8, LANNION_PLACE,
                "Salle du Léguer"),
    SessionPlan("pleniere-a-venir", "pleniere", (32,), (9, 16), 20, SAINT_BRIEUC_PLACE,
                "Grande salle"),
    SessionPlan("contrat-a-venir", "contrat", (45,), (9, 12), 15, LAMBALLE_PLACE, "Salle 1"),
    SessionPlan("analyse-5", "analyse", (65,), (14, 17), 8, LANNION_PLACE, "Salle du Léguer"),
    SessionPlan("analyse-6", "analyse", (110,), (9, 12), 8, LAMBALLE_PLACE, "Salle 2",
                planned=True),
)
FULL_SESSION = "handicap-complete"

# --------------------------------------------------------------------------- people

ANIMATORS = (  # invented people: (name, tenant slug)
    ("Rozenn Le Meur", SBAA), ("Katell Pérès", SBAA), ("Loïc Briand", SBAA),
    ("Tiphaine Le Gall", SBAA), ("Aurélie Corlay", SBAA), ("Nadège Le Berre", SBAA),
    ("Gwendoline Prigent", LANNION), ("Élodie Le Cam", LANNION),
    ("Mikaël Nicolas", LANNION), ("Anaïs Le Bras", LANNION),
    ("Sterenn Hervé", LAMBALLE), ("Clémence Lucas", LAMBALLE),
    ("Cécile Rouxel", LAMBALLE), ("Fanny Gicquel", LAMBALLE),
)

# Who registers to which session, in order of arrival (indexes in ANIMATORS, "me" for the
# demo animator). The full session gets 8 confirmed (its capacity) then 3 on the waiting list.
REGISTRATIONS = {
    "initiale-passee": (3, 7, 11, 12, 5),
    "pleniere-passee": (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13),
    "contrat-passee": ("me", 0, 2, 6, 8, 10, 13),
    "analyse-1": (10, 11, 12, 13, 1),
    "analyse-2": (0, 1, 2, 4, 5, 9),
    "pajemploi-passee": (6, 7, 8, 9, 3, 12),
    "handicap-passee": (10, 11, 13, 0, 4, 6, 8),
    "analyse-3": (6, 7, 8, 9, 5),
    "initiale-a-venir": (9, 13),
    "analyse-4": ("me", 0, 1, 2),
    "pajemploi-visio": (3, 4, 10, 11, 12),
    "handicap-complete": (0, 1, 2, 6, 7, 8, 10, 11, 3, 9, 12),
    "pleniere-a-venir": (0, 1, 4, 6, 7, 10, 11),
    "contrat-a-venir": (5, 12, 13),
    "analyse-5": (6, 8),
}

COMMENTS = (
    "Très concret, les cas pratiques répondent aux questions des permanences.",
    "Un peu dense sur trois heures : une deuxième séance serait bienvenue.",
    "Échanges riches avec les collègues des autres territoires.",
    "Merci pour les supports, je les réutilise avec les familles.",
)

NEEDS = (
    (0, "formation_juridique", "Le calcul des congés payés en année incomplète revient "
                               "souvent en permanence."),
    (6, "atelier", "Animer un atelier d’éveil musical avec des tout-petits."),
    (11, "reunion_thematique", "L’accompagnement des familles en horaires atypiques."),
    ("me", "autre", "Utiliser les outils numériques pour les inscriptions aux ateliers."),
)


def _easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _off(day: date) -> bool:
    """Weekend, French public holiday, or the Christmas break: no training that day."""
    if day.weekday() >= 5 or (day.month, day.day) in (
            (1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11)):
        return True
    if (day.month == 12 and day.day >= 21) or (day.month == 1 and day.day <= 2):
        return True
    easter = _easter(day.year)
    return day in (easter + timedelta(days=1), easter + timedelta(days=39),
                   easter + timedelta(days=50))


def _weekday(day: date) -> date:
    while _off(day):  # the next working day
        day += timedelta(days=1)
    return day


def _sittings(plan: SessionPlan, today: date) -> list[tuple[datetime, datetime]]:
    result = []
    for offset in plan.days:
        day = _weekday(today + timedelta(days=offset))
        start = datetime.combine(day, time(plan.hours[0]), PARIS).astimezone(UTC)
        end = datetime.combine(day, time(plan.hours[1]), PARIS).astimezone(UTC)
        result.append((start, end))
    return result


def load(session, coordinator: User, rng: random.Random | None = None) -> None:
    rng = rng or random.Random(29)
    network = session.scalar(sa.select(Network).where(Network.slug == NETWORK_SLUG))
    tenants = {t.slug: t for t in session.scalars(
        sa.select(Tenant).join(NetworkTenant, NetworkTenant.tenant_id == Tenant.id)
        .where(NetworkTenant.network_id == network.id))}
    now = datetime.now(UTC)
    today = now.astimezone(PARIS).date()
    network_space = tenancy.Space.for_network(
        network.id, member_tenant_ids=[t.id for t in tenants.values()], label="demo training")

    with tenancy.use_space(network_space, session):
        modules = _modules(session)
        trainings = {}
        for plan in SESSIONS:
            trainings[plan.key] = _session(session, modules[plan.module], plan, today)
        session.flush()

    people = _animators(session, tenants)
    me = session.scalar(sa.select(User).where(User.email == ANIMATOR_EMAIL))
    sbaa = tenants[_slug_of(tenants, SBAA)]
    tenant_of = {me.id: sbaa}
    users = {"me": me}
    for index, (user, tenant) in enumerate(people):
        users[index] = user
        tenant_of[user.id] = tenant

    registrations: dict[str, list[Registration]] = {}
    for key, who in REGISTRATIONS.items():
        training = trainings[key]
        registrations[key] = []
        for person in who:
            user = users[person]
            tenant = tenant_of[user.id]
            with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, [network.id]), session):
                outcome = services.register(training, user)
            registrations[key].append(outcome.registration)
    session.flush()

    with tenancy.use_space(network_space, session):
        _finish(session, trainings, registrations, coordinator, me.id, now, rng)

    for person, topic, details in NEEDS:
        user = users[person]
        tenant = tenant_of[user.id]
        with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, [network.id]), session):
            session.add(TrainingNeed(user_id=user.id, topic=topic, details=details,
                                     network_id=network.id,
                                     created_at=now - timedelta(days=rng.randint(3, 60))))
            session.flush()


def _slug_of(tenants: dict[str, Tenant], wanted: str) -> str:
    """The demo forces two slugs; Lamballe's comes from its name ('lamballe-terre-et-mer')."""
    if wanted in tenants:
        return wanted
    return next(slug for slug in tenants if slug.startswith(wanted))


def _modules(session) -> dict[str, TrainingModule]:
    orgs = {o.name: o for o in session.scalars(sa.select(Organisation))}
    modules = {}
    for key, spec in MODULES.items():
        org = orgs.get(spec["provider"])
        module = TrainingModule(
            title=spec["title"], kind=spec["kind"], objectives=spec["objectives"],
            programme=spec["programme"] + f"\n\n{DEMO_NOTE}", audience=spec["audience"],
            duration_hours=spec["duration_hours"], prerequisites=spec["prerequisites"],
            provider_organisation_id=org.id if org else None,
            provider_name=spec["provider_name"], status="published")
        session.add(module)
        modules[key] = module
    session.flush()
    return modules


def _session(session, module: TrainingModule, plan: SessionPlan,
             today: date) -> TrainingSession:
    # Every session starts open so the real registration service accepts people; past ones
    # become "done" and one upcoming becomes "planned" once registrations are in.
    training = TrainingSession(
        module_id=module.id, place_address=plan.place, room=plan.room,
        remote_link=VISIO_LINK if plan.remote else "", capacity=plan.capacity, state="open")
    training.sittings = [TrainingSitting(starts_at=start, ends_at=end)
                         for start, end in _sittings(plan, today)]
    session.add(training)
    return training


def _animators(session, tenants: dict[str, Tenant]) -> list[tuple[User, Tenant]]:
    password = hash_password("maillage-demo")
    relais_of: dict[int, list[Relais]] = {}
    for tenant in tenants.values():
        with tenancy.use_space(tenancy.Space.for_tenant(tenant.id), session):
            relais_of[tenant.id] = list(session.scalars(
                sa.select(Relais).order_by(Relais.name)))
    people = []
    counters: dict[int, int] = {}
    for name, wanted in ANIMATORS:
        tenant = tenants[_slug_of(tenants, wanted)]
        first, last = name.split(" ", 1)
        email = f"{slugify(first)}.{slugify(last)}@demo.maillage.fr".replace("-", "")
        user = User(email=email, full_name=name, password_hash=password)
        session.add(user)
        session.flush()
        relais = relais_of[tenant.id]
        position = counters.get(tenant.id, 0)
        counters[tenant.id] = position + 1
        with tenancy.use_space(tenancy.Space.for_tenant(tenant.id), session):
            session.add(TenantRole(tenant_id=tenant.id, user_id=user.id, role="rpe_animator",
                                   relais_id=relais[position % len(relais)].id))
            session.flush()
        people.append((user, tenant))
    return people


def _finish(session, trainings, registrations, coordinator, me_id, now, rng) -> None:
    """Dates of registration, states, attendance and feedback, as the network records them."""
    for plan in SESSIONS:
        training = trainings[plan.key]
        first = training.sittings[0].starts_at
        training.registration_opens_at = first - timedelta(days=90)
        training.registration_closes_at = first - timedelta(days=2)
        training.cancellation_deadline = first - timedelta(days=7)
        past = training.sittings[-1].ends_at < now
        if past:
            training.state = "done"
        elif plan.planned:
            training.state = "planned"
        for rank, registration in enumerate(registrations.get(plan.key, ())):
            registration.created_at = min(
                now - timedelta(hours=rank + 1),
                first - timedelta(days=45) + timedelta(days=rank, hours=rng.randint(1, 9)))
        if not past:
            continue
        for number, registration in enumerate(registrations.get(plan.key, ())):
            if registration.status != "confirmed":
                continue
            attended = 0
            for sitting in training.sittings:
                # The demo animator attends; otherwise about one mark in eight is an absence,
                # and the second person of each session misses its first sitting.
                present = (registration.user_id == me_id
                           or not ((number == 1 and sitting is training.sittings[0])
                                   or rng.random() < 0.12))
                attended += present
                session.add(Attendance(
                    registration_id=registration.id, sitting_id=sitting.id, present=present,
                    marked_by_id=coordinator.id, marked_at=sitting.ends_at,
                    tenant_id=registration.tenant_id, network_id=registration.network_id))
            if attended and rng.random() < 0.8:
                satisfaction = rng.choice((3, 4, 4, 5, 5))
                session.add(FeedbackAnswer(
                    registration_id=registration.id, session_id=training.id,
                    satisfaction=satisfaction, usefulness=rng.choice((3, 4, 5)),
                    organisation=rng.choice((4, 5)),
                    comment=rng.choice(COMMENTS) if rng.random() < 0.3 else "",
                    answered_at=training.sittings[-1].ends_at + timedelta(days=rng.randint(1, 6)),
                    tenant_id=registration.tenant_id, network_id=registration.network_id))
    session.flush()
