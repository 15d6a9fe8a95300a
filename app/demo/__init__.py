"""Demonstration data: real geography (Côtes-d’Armor, from the COG subset shipped in
app/demo/data), invented people, relais, desks and partners.

`flask demo load` (and `make run`) calls `load()` when MAILLAGE_DEMO=1; it writes everything
in one transaction, once: the demo network's slug tells whether it is already there.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.core import tenancy
from app.core.models import User
from app.core.passwords import hash_password
from app.extensions import db
from app.networks.models import (
    Network,
    NetworkRole,
    NetworkTenant,
    Organisation,
    OrganisationContact,
)
from app.tenants.cog_import import import_cog, slugify
from app.tenants.models import Commune, ReceptionPoint, Relais, RelaisCommune, Tenant, TenantRole

DATA_DIR = Path(__file__).resolve().parent / "data"
EPCI_FILE = DATA_DIR / "epci-22.json"
COMMUNES_FILE = DATA_DIR / "communes-22.json"

DEMO_PASSWORD = "maillage-demo"
EMAIL_DOMAIN = "demo.maillage.fr"
DEMO_NOTE = ("Contenu de démonstration : interlocuteurs, adresses e-mail et numéros de "
             "téléphone fictifs.")

NETWORK_SLUG = "cotes-d-armor"
NETWORK_NAME = "Réseau petite enfance des Côtes-d’Armor"
COORDINATOR_ORG = "CAF des Côtes-d’Armor"

SAINT_BRIEUC = "200069409"  # CA Saint-Brieuc Armor Agglomération, 32 communes
LANNION = "200065928"  # CA Lannion-Trégor Communauté, 57 communes
LAMBALLE = "200069391"  # CA Lamballe Terre et Mer, 38 communes
MEMBERS = (SAINT_BRIEUC, LANNION, LAMBALLE)
FORCED_SLUGS = {SAINT_BRIEUC: "saint-brieuc-armor", LANNION: "lannion-tregor"}

PLERIN, LANGUEUX = "22187", "22106"
ANIMATOR_RELAIS = "RPE Baie de Saint-Brieuc"


class DemoDataError(RuntimeError):
    """The demo cannot be loaded over the data already in the database."""


# --------------------------------------------------------------------------- relais plan

@dataclass(frozen=True)
class RelaisPlan:
    name: str
    mailbox: str  # local part of the invented e-mail address
    seat: str  # INSEE code of the commune where the relais is based
    communes: tuple[str, ...]  # INSEE codes of the neighbouring communes it covers
    hours: str
    itinerant: bool = False


_HOURS_TOWN = ("Accueil sur rendez-vous : lundi et jeudi 13 h 30 – 17 h 30, mercredi "
               "9 h – 12 h. Ateliers d’éveil : mardi et vendredi matin.")
_HOURS_SMALL = ("Permanences : mardi 14 h – 18 h, jeudi 9 h – 12 h 30. "
                "Ateliers d’éveil : lundi matin.")
_HOURS_ITINERANT = ("Relais itinérant : ateliers d’éveil chaque matin dans une commune "
                    "différente (planning mensuel en mairie). Permanence téléphonique : "
                    "lundi et jeudi 13 h 30 – 17 h.")

RELAIS_PLANS: dict[str, tuple[RelaisPlan, ...]] = {
    SAINT_BRIEUC: (
        RelaisPlan(ANIMATOR_RELAIS, "rpe.baie", "22278",
                   ("22278", "22106", "22360", "22389", "22081"), _HOURS_TOWN),
        RelaisPlan("RPE Littoral du Goëlo", "rpe.goelo", "22251",
                   ("22187", "22251", "22055", "22117", "22232", "22325", "22377"),
                   _HOURS_TOWN),
        RelaisPlan("RPE Ploufragan – Vallée du Gouët", "rpe.gouet", "22215",
                   ("22215", "22372", "22144"), _HOURS_SMALL),
        RelaisPlan("RPE Plédran – Plaintel", "rpe.sud", "22176",
                   ("22176", "22171", "22307", "22281", "22203"), _HOURS_SMALL),
        RelaisPlan("RPE itinérant du Pays de Quintin", "rpe.quintin", "22262",
                   ("22262", "22277", "22170", "22287", "22059", "22099", "22386", "22276",
                    "22291", "22126", "22073", "22009"), _HOURS_ITINERANT, itinerant=True),
    ),
    LANNION: (
        RelaisPlan("RPE Lannion – Vallée du Léguer", "rpe.leguer", "22113",
                   ("22113", "22211", "22226", "22265", "22224", "22349", "22030", "22110",
                    "22319"), _HOURS_TOWN),
        RelaisPlan("RPE Côte de Granit Rose", "rpe.granit-rose", "22168",
                   ("22168", "22134", "22324", "22353", "22343", "22198", "22379", "22363",
                    "22166"), _HOURS_TOWN),
        RelaisPlan("RPE Presqu’île et Jaudy", "rpe.jaudy", "22362",
                   ("22362", "22221", "22152", "22347", "22195", "22111", "22085", "22127",
                    "22199", "22196", "22218", "22264", "22101", "22090", "22028", "22042",
                    "22257", "22381", "22141", "22383"), _HOURS_TOWN),
        RelaisPlan("RPE itinérant Lieue de Grève – Beg ar C’hra", "rpe.lieue-de-greve",
                   "22207",
                   ("22194", "22238", "22366", "22350", "22207", "22387", "22119", "22359",
                    "22235", "22227", "22131", "22217", "22228"), _HOURS_ITINERANT,
                   itinerant=True),
        RelaisPlan("RPE Cavan – Centre Trégor", "rpe.cavan", "22034",
                   ("22034", "22340", "22254", "22245", "22006", "22041"), _HOURS_SMALL),
    ),
    LAMBALLE: (
        RelaisPlan("RPE Lamballe-Armor", "rpe.lamballe", "22093",
                   ("22093", "22044", "22098", "22002", "22160", "22246", "22258"),
                   _HOURS_TOWN),
        RelaisPlan("RPE Côte de Penthièvre", "rpe.penthievre", "22186",
                   ("22186", "22054", "22273", "22242", "22012", "22077", "22286", "22076",
                    "22261"), _HOURS_SMALL),
        RelaisPlan("RPE Moncontour – Hénon", "rpe.moncontour", "22153",
                   ("22153", "22015", "22346", "22345", "22296", "22165", "22332", "22079",
                    "22184"), _HOURS_SMALL),
        RelaisPlan("RPE itinérant Jugon – Arguenon", "rpe.arguenon", "22084",
                   ("22084", "22175", "22326", "22185", "22193", "22341", "22140", "22337",
                    "22114", "22369", "22053", "22348", "22267"), _HOURS_ITINERANT,
                   itinerant=True),
    ),
}

HEAD_OFFICES = {SAINT_BRIEUC: "22278", LANNION: "22113", LAMBALLE: "22093"}
SAINT_BRIEUC_HUBS = ("22262", "22203", "22055")  # Quintin, Plœuc-L’Hermitage, Binic-Étables

# --------------------------------------------------------------------------- partners

PARTNERS = (
    ("CAF des Côtes-d’Armor", "caf", "Saint-Brieuc",
     (("Anne-Laure Kerhervé", "Conseillère territoriale petite enfance"),
      ("Pierre Le Roux", "Responsable du service action sociale"))),
    ("MSA d’Armorique", "msa", "Saint-Brieuc",
     (("Catherine Guillou", "Chargée de développement social territorial"),)),
    ("PMI – Conseil départemental des Côtes-d’Armor", "pmi", "Saint-Brieuc",
     (("Hélène Cadiou", "Médecin de PMI, référente des modes d’accueil"),
      ("Sophie Le Floch", "Puéricultrice, agrément des assistantes maternelles"))),
    ("DREETS Bretagne", "dreets", "Rennes",
     (("Marc Jaouen", "Chargé de mission service public de la petite enfance"),)),
    ("Éducation nationale – DSDEN des Côtes-d’Armor", "education", "Saint-Brieuc",
     (("Isabelle Hamon", "Conseillère pédagogique école maternelle"),)),
    ("France Travail – agence de Saint-Brieuc", "emploi", "Saint-Brieuc",
     (("Julien Le Moal", "Conseiller emploi, métiers de la petite enfance"),)),
    ("Association Ti Bugale (assistantes maternelles)", "association", "Plérin",
     (("Morgane Le Corre", "Présidente"),)),
    ("Micro-crèche Les Lutins du Goëlo", "creche", "Binic-Étables-sur-Mer",
     (("Laëtitia Briand", "Directrice"),)),
)

# --------------------------------------------------------------------------- accounts

@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    description: str  # role and space, in French, for logins_text()
    url: str  # where the account lands after signing in


ACCOUNTS = (
    DemoAccount(f"coordinatrice@{EMAIL_DOMAIN}", "Nolwenn Le Bihan",
                f"coordinatrice du réseau « {NETWORK_NAME} »", f"/n/{NETWORK_SLUG}/"),
    DemoAccount(f"admin.sbaa@{EMAIL_DOMAIN}", "Yann Guézennec",
                "administrateur du territoire Saint-Brieuc Armor Agglomération",
                "/t/saint-brieuc-armor/"),
    DemoAccount(f"accueil.plerin@{EMAIL_DOMAIN}", "Maëlle Rolland",
                "agente d’accueil à la mairie de Plérin (Saint-Brieuc Armor Agglomération)",
                "/t/saint-brieuc-armor/"),
    DemoAccount(f"animatrice.rpe@{EMAIL_DOMAIN}", "Soizic Le Goff",
                f"animatrice du {ANIMATOR_RELAIS} (Saint-Brieuc Armor Agglomération)",
                "/t/saint-brieuc-armor/"),
    DemoAccount(f"elu.langueux@{EMAIL_DOMAIN}", "Erwan Tanguy",
                "élu petite enfance de Langueux (Saint-Brieuc Armor Agglomération)",
                "/t/saint-brieuc-armor/"),
    DemoAccount(f"admin.lannion@{EMAIL_DOMAIN}", "Gaëlle Morvan",
                "administratrice du territoire Lannion-Trégor Communauté",
                "/t/lannion-tregor/"),
    DemoAccount(f"admin@{EMAIL_DOMAIN}", "Thomas Riou",
                "administrateur de la plateforme", "/admin/"),
)


def logins_text() -> str:
    """The demo accounts, for the terminal (`flask demo load`, `make run`)."""
    width = max(len(a.email) for a in ACCOUNTS)
    lines = [f"Comptes de démonstration (mot de passe de tous les comptes : {DEMO_PASSWORD}) :"]
    for account in ACCOUNTS:
        lines.append(f"  {account.email:<{width}}  {account.full_name}, {account.description}"
                     f" — {account.url}")
    lines.append("Personnes, relais, coordonnées et partenaires sont fictifs ; "
                 "la géographie (EPCI et communes) est réelle.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- helpers

def phone(seed: str) -> str:
    """An invented, stable number for `seed`, in the 02 61 91 xx xx block that ARCEP
    reserves for fiction, so no real subscriber is ever called from the demo."""
    n = zlib.crc32(seed.encode("utf-8"))
    return f"02 61 91 {n % 100:02d} {n // 100 % 100:02d}"


def mailbox(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


def of_place(name: str) -> str:
    """French 'of' before a place name: de Plérin, d’Erquy, du Bodéo, de La Harmoye."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[0] in "AEIOUYÉÈÊÎÔH":
        return "d’" + name
    return "de " + name


def _desk_hours(population: int | None) -> str:
    if (population or 0) >= 10000:
        return ("Du lundi au vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h 30 ; "
                "samedi : 9 h – 12 h")
    if (population or 0) >= 2000:
        return "Du lundi au vendredi : 8 h 30 – 12 h ; mardi et jeudi : 13 h 30 – 17 h"
    return "Mardi, jeudi et vendredi : 9 h – 12 h ; samedi : 10 h – 12 h"


def _place(commune: Commune) -> str:
    postal = commune.postal_codes[0] if commune.postal_codes else ""
    return f"{postal} {commune.name}".strip()


# --------------------------------------------------------------------------- loading

def load() -> bool:
    """Load the demo once. True if it created data, False if it was already there.

    Everything is written in one savepoint then committed: an error leaves nothing behind.
    """
    session = db.session
    with tenancy.unscoped("demo data", session):
        present = session.scalar(sa.select(Network.id).where(Network.slug == NETWORK_SLUG))
        if present is not None:
            return False
        with session.begin_nested():
            _load(session)
        session.commit()
    return True


def _load(session) -> None:
    import_cog(EPCI_FILE, COMMUNES_FILE, slugs=FORCED_SLUGS, commit=False)
    tenants = _member_tenants(session)
    network = _network(session, tenants)
    communes = _communes_by_tenant(session, tenants)
    relais = {siren: _relais(session, tenants[siren], communes[siren]) for siren in MEMBERS}
    points = {siren: _reception_points(session, tenants[siren], communes[siren])
              for siren in MEMBERS}
    _partners(session, network)
    _accounts(session, network, tenants, communes, relais, points)
    session.flush()
    from app.demo import fiches

    coordinator = session.scalar(sa.select(User).where(
        User.email == mailbox("coordinatrice")))
    fiches.load(session, coordinator)
    from app.demo import training

    training.load(session, coordinator)
    from app.demo import events

    events.load(session, coordinator)


def _member_tenants(session) -> dict[str, Tenant]:
    tenants = {t.siren: t for t in session.scalars(
        sa.select(Tenant).where(Tenant.siren.in_(MEMBERS)))}
    for siren, slug in FORCED_SLUGS.items():
        tenant = tenants[siren]
        if tenant.slug == slug:
            continue
        holder = session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if holder is not None:
            raise DemoDataError(
                f"Le slug « {slug} » est déjà pris par « {holder.name} » : impossible de "
                f"l’attribuer à « {tenant.name} » pour la démonstration.")
        tenant.slug = slug
    session.flush()
    return tenants


def _network(session, tenants: dict[str, Tenant]) -> Network:
    network = Network(
        name=NETWORK_NAME, slug=NETWORK_SLUG, coordinator_org=COORDINATOR_ORG, departement="22",
        description=("Réseau de démonstration animé par la CAF des Côtes-d’Armor avec trois "
                     "agglomérations. " + DEMO_NOTE),
    )
    session.add(network)
    session.flush()
    for siren in MEMBERS:
        session.add(NetworkTenant(network_id=network.id, tenant_id=tenants[siren].id))
    return network


def _communes_by_tenant(session, tenants: dict[str, Tenant]) -> dict[str, dict[str, Commune]]:
    siren_of = {t.id: siren for siren, t in tenants.items()}
    grouped: dict[str, dict[str, Commune]] = defaultdict(dict)
    for commune in session.scalars(
            sa.select(Commune).where(Commune.tenant_id.in_(siren_of)).order_by(Commune.insee)):
        grouped[siren_of[commune.tenant_id]][commune.insee] = commune
        if not commune.desk_phone:
            commune.desk_phone = phone(f"mairie-{commune.insee}")
        if not commune.desk_hours:
            commune.desk_hours = _desk_hours(commune.population)
    return grouped


def _relais(session, tenant: Tenant, communes: dict[str, Commune]) -> dict[str, Relais]:
    """The tenant's relais, by name; every commune of the tenant is covered by one of them."""
    created: dict[str, Relais] = {}
    covered: dict[str, list[str]] = {}
    for plan in RELAIS_PLANS[tenant.siren]:
        seat = communes.get(plan.seat)
        address = (f"Maison de la petite enfance, {_place(seat)}" if seat is not None else "")
        relais = Relais(tenant_id=tenant.id, name=plan.name, address=address,
                        phone=phone(plan.mailbox), email=mailbox(plan.mailbox),
                        opening_hours=plan.hours, is_itinerant=plan.itinerant)
        session.add(relais)
        created[plan.name] = relais
        covered[plan.name] = [code for code in plan.communes if code in communes]
    # A commune the plan does not know (the COG changes) joins the tenant's first relais.
    planned = {code for codes in covered.values() for code in codes}
    first = RELAIS_PLANS[tenant.siren][0].name
    covered[first] += [code for code in communes if code not in planned]
    session.flush()
    for name, codes in covered.items():
        for code in dict.fromkeys(codes):
            session.add(RelaisCommune(tenant_id=tenant.id, relais_id=created[name].id,
                                      commune_id=communes[code].id))
    return created


def _reception_points(session, tenant: Tenant,
                      communes: dict[str, Commune]) -> dict[str, ReceptionPoint]:
    """A desk in every mairie (by INSEE code), plus the head office and proximity hubs."""
    mairies: dict[str, ReceptionPoint] = {}
    for code, commune in communes.items():
        mairies[code] = ReceptionPoint(
            tenant_id=tenant.id, name=f"Mairie {of_place(commune.name)}", kind="mairie",
            commune_id=commune.id, address=f"Mairie, {_place(commune)}",
            phone=commune.desk_phone, opening_hours=commune.desk_hours)
    session.add_all(mairies.values())
    head = communes.get(HEAD_OFFICES[tenant.siren])
    if head is not None:
        session.add(ReceptionPoint(
            tenant_id=tenant.id, name=f"Siège {of_place(_short_name(tenant.name))}",
            kind="siege", commune_id=head.id,
            address=f"Accueil de l’agglomération, {_place(head)}",
            phone=phone(f"siege-{tenant.siren}"),
            opening_hours="Du lundi au vendredi : 8 h 30 – 12 h 30 et 13 h 30 – 17 h 30"))
    if tenant.siren == SAINT_BRIEUC:
        for code in SAINT_BRIEUC_HUBS:
            hub = communes.get(code)
            if hub is None:
                continue
            session.add(ReceptionPoint(
                tenant_id=tenant.id, name=f"Pôle de proximité {of_place(hub.name)}",
                kind="pole", commune_id=hub.id,
                address=f"Pôle de proximité, {_place(hub)}", phone=phone(f"pole-{code}"),
                opening_hours="Lundi, mercredi et vendredi : 9 h – 12 h et 14 h – 17 h"))
    session.flush()
    return mairies


def _short_name(epci_name: str) -> str:
    for prefix in ("CA ", "CC ", "CU "):
        if epci_name.startswith(prefix):
            return epci_name[len(prefix):]
    return epci_name


def _partners(session, network: Network) -> None:
    for index, (name, kind, town, contacts) in enumerate(PARTNERS, 1):
        organisation = Organisation(
            network_id=network.id, name=name, kind=kind,
            email=mailbox(f"partenaire{index}"), phone=phone(f"partenaire-{index}"),
            address=f"Adresse fictive, {town}", notes=DEMO_NOTE)
        organisation.contacts = [
            OrganisationContact(
                network_id=network.id, full_name=full_name, position=position,
                email=f"{_email_local(full_name)}@example.org",
                phone=phone(f"contact-{full_name}"))
            for full_name, position in contacts
        ]
        session.add(organisation)


def _email_local(full_name: str) -> str:
    """'Anne-Laure Kerhervé' → 'anne-laure.kerherve'."""
    first, _, last = full_name.partition(" ")
    return f"{slugify(first)}.{slugify(last)}"


def _user(session, account: DemoAccount, password_hash: str, **flags) -> User:
    user = session.scalar(sa.select(User).where(User.email == account.email))
    if user is None:
        user = User(email=account.email, full_name=account.full_name,
                    password_hash=password_hash, **flags)
        session.add(user)
        session.flush()
    else:
        for key, value in flags.items():
            setattr(user, key, value)
    return user


def _accounts(session, network: Network, tenants: dict[str, Tenant],
              communes: dict[str, dict[str, Commune]], relais: dict[str, dict[str, Relais]],
              points: dict[str, dict[str, ReceptionPoint]]) -> None:
    by_email = {a.email.split("@")[0]: a for a in ACCOUNTS}
    password_hash = hash_password(DEMO_PASSWORD)
    sbaa, lannion = tenants[SAINT_BRIEUC], tenants[LANNION]
    plerin = communes[SAINT_BRIEUC][PLERIN]
    langueux = communes[SAINT_BRIEUC][LANGUEUX]

    coordinator = _user(session, by_email["coordinatrice"], password_hash)
    session.add(NetworkRole(network_id=network.id, user_id=coordinator.id,
                            role="network_coordinator"))
    roles = (
        ("admin.sbaa", sbaa, "tenant_admin", {}),
        ("accueil.plerin", sbaa, "reception_agent",
         {"reception_point_id": points[SAINT_BRIEUC][PLERIN].id, "commune_id": plerin.id}),
        ("animatrice.rpe", sbaa, "rpe_animator",
         {"relais_id": relais[SAINT_BRIEUC][ANIMATOR_RELAIS].id}),
        ("elu.langueux", sbaa, "elected_official", {"commune_id": langueux.id}),
        ("admin.lannion", lannion, "tenant_admin", {}),
    )
    for key, tenant, role, attachment in roles:
        user = _user(session, by_email[key], password_hash)
        held = session.scalar(sa.select(TenantRole).where(
            TenantRole.tenant_id == tenant.id, TenantRole.user_id == user.id,
            TenantRole.role == role))
        if held is None:
            session.add(TenantRole(tenant_id=tenant.id, user_id=user.id, role=role,
                                   **attachment))
    _user(session, by_email["admin"], password_hash, is_platform_admin=True)
