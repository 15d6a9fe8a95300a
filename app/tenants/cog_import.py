"""Import of the official geography (COG) from Etalab's `decoupage-administratif` files.

Every EPCI of `epci.json` becomes a tenant (matched on its SIREN), every member commune a
`Commune` of that tenant (matched on its INSEE code); names, postal codes and populations
come from `communes.json` (rows of type "commune-actuelle").

The import is idempotent and all-or-nothing:
- both files are read and checked completely before anything is written;
- re-running updates names, kinds, populations, postal codes and memberships, never
  duplicates, never deletes (rows missing from the files are only counted);
- an existing tenant keeps its slug whatever its new name;
- any error rolls the whole transaction back.

Rows are loaded in bulk (one query per table) and written with bulk INSERT/UPDATE
statements, so the whole of France (about 1,250 EPCIs and 35,000 communes) takes seconds.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError

from app.core import tenancy
from app.extensions import db
from app.tenants.models import Commune, Tenant

EPCI_KEYS = ("code", "nom", "type", "membres")
MEMBER_KEYS = ("code", "nom")
COMMUNE_KEYS = ("code", "nom", "type")
CURRENT_COMMUNE = "commune-actuelle"

SIREN_RE = re.compile(r"^[0-9]{9}$")
INSEE_RE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
POSTAL_CODE_RE = re.compile(r"^[0-9]{5}$")
DEPARTEMENT_RE = re.compile(r"^[0-9][0-9AB][0-9]?$")

NAME_MAX = 200
KIND_MAX = 10
SLUG_MAX = 70  # leaves room for a "-N" suffix within the column's 80 characters
LISTED_MAX = 20  # how many moved/absent communes the summary names

# json's messages, in French for the people who run the import.
_JSON_REASONS = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Expecting property name enclosed in double quotes": "nom de clé entre guillemets attendu",
    "Unterminated string starting at": "chaîne de caractères non terminée",
    "Invalid control character at": "caractère de contrôle interdit",
    "Invalid \\escape": "séquence d’échappement invalide",
    "Extra data": "données en trop après la fin du JSON",
}


class CogImportError(Exception):
    """The import cannot run; the message (in French) says why. Nothing was written."""


# --------------------------------------------------------------------------- source

@dataclass(frozen=True)
class SourceEpci:
    siren: str
    name: str
    kind: str
    members: tuple[tuple[str, str], ...]  # (INSEE code, name as written in epci.json)


@dataclass(frozen=True)
class SourceCommune:
    insee: str
    name: str
    departement: str
    postal_codes: tuple[str, ...]
    population: int | None


@dataclass
class Source:
    epcis: list[SourceEpci]  # every EPCI of the file
    selected: list[SourceEpci]  # those to import
    communes: dict[str, SourceCommune]  # current communes, by INSEE code
    departement: str | None = None

    @property
    def all_member_codes(self) -> set[str]:
        return {code for e in self.epcis for code, _ in e.members}


def _departement_of(insee: str, communes: Mapping[str, SourceCommune]) -> str:
    commune = communes.get(insee)
    if commune is not None:
        return commune.departement
    return insee[:3] if insee.startswith("97") else insee[:2]


def normalise_departement(code: str) -> str:
    """'22' → '22', '1' → '01', '2a' → '2A', ' 971 ' → '971'."""
    code = str(code).strip().upper()
    if len(code) == 1 and code.isdigit():
        code = "0" + code
    return code


def _read_json(path: str | Path, what: str) -> list:
    """The file's top-level list, or a CogImportError naming the file and the problem."""
    p = Path(path)
    if not p.exists():
        raise CogImportError(f"Fichier {what} introuvable : {p}")
    if p.is_dir():
        raise CogImportError(f"{p} est un dossier : indiquez le chemin du fichier {what}.")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CogImportError(
            f"Le fichier {p.name} n’est pas encodé en UTF-8 (octet {exc.start}) : "
            f"est-ce bien le fichier {what} ?") from exc
    except OSError as exc:
        raise CogImportError(f"Impossible de lire le fichier {p.name} : {exc.strerror}.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = next((fr for en, fr in _JSON_REASONS.items() if exc.msg.startswith(en)), "")
        raise CogImportError(
            f"Le fichier {p.name} n’est pas un JSON valide : erreur ligne {exc.lineno}, "
            f"colonne {exc.colno}" + (f" ({reason})." if reason else ".")) from exc
    if not isinstance(data, list):
        raise CogImportError(
            f"Le fichier {p.name} ne contient pas une liste : ce n’est pas le fichier {what} "
            "du découpage administratif.")
    if not data:
        raise CogImportError(f"Le fichier {p.name} est une liste vide : aucun {what} à lire.")
    return data


def _text(value, *, max_length: int) -> str | None:
    if not isinstance(value, str | int):
        return None
    value = str(value).strip()
    return value if value and len(value) <= max_length else None


def _parse_epcis(rows: list, filename: str) -> list[SourceEpci]:
    epcis: list[SourceEpci] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, 1):
        where = f"{filename}, élément n° {index}"
        if not isinstance(row, dict):
            raise CogImportError(f"{where} : un objet JSON était attendu.")
        missing = [key for key in EPCI_KEYS if key not in row]
        if missing:
            hint = ""
            if "departement" in row or "codesPostaux" in row:
                hint = (" Ce fichier ressemble à la liste des communes : les deux fichiers "
                        "ont-ils été inversés ?")
            raise CogImportError(
                f"{filename} n’est pas une liste d’EPCI : l’élément n° {index} n’a pas "
                f"{_keys_fr(missing)}.{hint}")
        siren = _text(row["code"], max_length=9)
        if siren is None or not SIREN_RE.match(siren):
            raise CogImportError(f"{where} : SIREN invalide « {row['code']} » (9 chiffres).")
        if siren in seen:
            raise CogImportError(f"{where} : l’EPCI {siren} figure deux fois dans le fichier.")
        seen.add(siren)
        name = _text(row["nom"], max_length=NAME_MAX)
        if name is None:
            raise CogImportError(f"{where} (EPCI {siren}) : nom manquant ou trop long.")
        kind = _text(row["type"], max_length=KIND_MAX)
        if kind is None:
            raise CogImportError(f"{where} (EPCI {siren}) : type manquant ou invalide.")
        if not isinstance(row["membres"], list):
            raise CogImportError(f"{where} (EPCI {siren}) : « membres » doit être une liste.")
        members = []
        for member in row["membres"]:
            if not isinstance(member, dict) or any(k not in member for k in MEMBER_KEYS):
                raise CogImportError(
                    f"{where} (EPCI {siren}) : chaque membre doit avoir un code et un nom.")
            insee = _text(member["code"], max_length=5)
            if insee is None or not INSEE_RE.match(insee):
                raise CogImportError(
                    f"{where} (EPCI {siren}) : code INSEE de commune invalide "
                    f"« {member['code']} ».")
            member_name = _text(member["nom"], max_length=NAME_MAX)
            if member_name is None:
                raise CogImportError(
                    f"{where} (EPCI {siren}) : nom manquant ou trop long pour la commune {insee}.")
            members.append((insee, member_name))
        epcis.append(SourceEpci(siren, name, kind, tuple(members)))
    return epcis


def _parse_communes(rows: list, filename: str) -> dict[str, SourceCommune]:
    communes: dict[str, SourceCommune] = {}
    for index, row in enumerate(rows, 1):
        where = f"{filename}, élément n° {index}"
        if not isinstance(row, dict):
            raise CogImportError(f"{where} : un objet JSON était attendu.")
        if "membres" in row:
            raise CogImportError(
                f"{filename} n’est pas une liste de communes : ses éléments ont des "
                "« membres », c’est la liste des EPCI. Les deux fichiers ont-ils été inversés ?")
        missing = [key for key in COMMUNE_KEYS if key not in row]
        if missing:
            raise CogImportError(
                f"{filename} n’est pas une liste de communes : l’élément n° {index} n’a pas "
                f"{_keys_fr(missing)}.")
        if row["type"] != CURRENT_COMMUNE:
            continue  # communes déléguées, associées, arrondissements municipaux
        insee = _text(row["code"], max_length=5)
        if insee is None or not INSEE_RE.match(insee):
            raise CogImportError(f"{where} : code INSEE invalide « {row['code']} ».")
        if insee in communes:
            raise CogImportError(f"{where} : la commune {insee} figure deux fois dans le fichier.")
        name = _text(row["nom"], max_length=NAME_MAX)
        if name is None:
            raise CogImportError(f"{where} (commune {insee}) : nom manquant ou trop long.")
        departement = _text(row.get("departement"), max_length=3)
        if departement is None:
            raise CogImportError(f"{where} (commune {insee}) : département manquant.")
        postal_codes = row.get("codesPostaux") or []
        if not isinstance(postal_codes, list) or not all(
                isinstance(c, str) and POSTAL_CODE_RE.match(c) for c in postal_codes):
            raise CogImportError(f"{where} (commune {insee}) : codes postaux invalides.")
        population = row.get("population")
        if population is not None and (
                not isinstance(population, int) or isinstance(population, bool) or population < 0):
            raise CogImportError(f"{where} (commune {insee}) : population invalide.")
        communes[insee] = SourceCommune(insee, name, departement,
                                        tuple(sorted(set(postal_codes))), population)
    if not communes:
        raise CogImportError(f"{filename} ne contient aucune commune actuelle.")
    return communes


def _keys_fr(keys: list[str]) -> str:
    quoted = [f"« {k} »" for k in keys]
    if len(quoted) == 1:
        return f"la clé {quoted[0]}"
    return "les clés " + ", ".join(quoted[:-1]) + " et " + quoted[-1]


def read_source(epci_path: str | Path, communes_path: str | Path,
                departement: str | None = None) -> Source:
    """Read and check both files and pick the EPCIs to import. Touches no database."""
    epcis = _parse_epcis(_read_json(epci_path, "des EPCI"), Path(epci_path).name)
    communes = _parse_communes(_read_json(communes_path, "des communes"),
                               Path(communes_path).name)
    owner: dict[str, SourceEpci] = {}
    for epci in epcis:
        for insee, name in epci.members:
            other = owner.setdefault(insee, epci)
            if other is not epci:
                raise CogImportError(
                    f"La commune {name} ({insee}) est membre de deux EPCI : « {other.name} » "
                    f"et « {epci.name} ».")
    dep = None
    selected = epcis
    if departement is not None and str(departement).strip():
        dep = normalise_departement(departement)
        known = {c.departement for c in communes.values()}
        if not DEPARTEMENT_RE.match(dep) or dep not in known:
            raise CogImportError(
                f"Département « {departement} » inconnu : aucune commune de "
                f"{Path(communes_path).name} n’a ce code (exemples : 22, 2A, 971).")
        selected = [e for e in epcis
                    if any(_departement_of(insee, communes) == dep for insee, _ in e.members)]
        if not selected:
            raise CogImportError(
                f"Aucun EPCI n’a de commune membre dans le département {dep} : rien à importer.")
    if not any(e.members for e in selected):
        raise CogImportError("Les EPCI sélectionnés n’ont aucune commune membre : rien à importer.")
    return Source(epcis=epcis, selected=selected, communes=communes, departement=dep)


# --------------------------------------------------------------------------- slugs

_EPCI_PREFIX = re.compile(r"^(CA|CC|CU)\s+", re.IGNORECASE)
_ARTICLE = re.compile(r"^(de\s+la\s+|de\s+l['’]\s*|des\s+|du\s+|de\s+|d['’]\s*)", re.IGNORECASE)
_LIGATURES = str.maketrans({"’": "'", "œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"})


def slugify(name: str) -> str:
    """'CA Saint-Brieuc Armor Agglomération' → 'saint-brieuc-armor-agglomeration'."""
    base = name.strip()
    stripped = _EPCI_PREFIX.sub("", base)
    if stripped != base:
        stripped = _ARTICLE.sub("", stripped)  # "CC du Kreiz-Breizh" → "Kreiz-Breizh"
    ascii_name = (unicodedata.normalize("NFKD", stripped.translate(_LIGATURES))
                  .encode("ascii", "ignore").decode("ascii"))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0]
    return slug or "epci"


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… whichever is free; records it as taken."""
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    taken.add(slug)
    return slug


# --------------------------------------------------------------------------- report

def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n <= 1 else plural}"


def _listing(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    lines = [title]
    lines += [f"  - {item}" for item in items[:LISTED_MAX]]
    if len(items) > LISTED_MAX:
        lines.append(f"  … et {len(items) - LISTED_MAX} autres.")
    return lines


@dataclass
class ImportReport:
    departement: str | None = None
    tenants_created: int = 0
    tenants_updated: int = 0
    tenants_unchanged: int = 0
    communes_created: int = 0
    communes_updated: int = 0
    communes_unchanged: int = 0
    tenants_absent: list[str] = field(default_factory=list)
    communes_moved: list[str] = field(default_factory=list)
    communes_absent: list[str] = field(default_factory=list)
    communes_outside_selection: list[str] = field(default_factory=list)
    members_without_record: list[str] = field(default_factory=list)
    created_slugs: dict[str, str] = field(default_factory=dict)  # SIREN → slug
    seconds: float = 0.0

    @property
    def tenants_total(self) -> int:
        return self.tenants_created + self.tenants_updated + self.tenants_unchanged

    @property
    def communes_total(self) -> int:
        return self.communes_created + self.communes_updated + self.communes_unchanged

    def summary(self) -> str:
        scope = (f"département {self.departement}" if self.departement
                 else "tous les EPCI du fichier")
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        lines = [
            f"Import du découpage administratif terminé en {seconds} s ({scope}).",
            f"EPCI (territoires) : {self.tenants_total} dans la source — "
            f"{_count(self.tenants_created, 'créé', 'créés')}, "
            f"{_count(self.tenants_updated, 'mis à jour', 'mis à jour')}, "
            f"{_count(self.tenants_unchanged, 'inchangé', 'inchangés')}.",
            f"Communes : {self.communes_total} dans la source — "
            f"{_count(self.communes_created, 'créée', 'créées')}, "
            f"{_count(self.communes_updated, 'mise à jour', 'mises à jour')} "
            f"(dont {_count(len(self.communes_moved), 'changée', 'changées')} d’EPCI), "
            f"{_count(self.communes_unchanged, 'inchangée', 'inchangées')}.",
            f"Absents de la source, conservés tels quels : "
            f"{_count(len(self.tenants_absent), 'EPCI', 'EPCI')}, "
            f"{_count(len(self.communes_absent), 'commune', 'communes')}.",
        ]
        lines += _listing("Communes rattachées à un autre EPCI :", self.communes_moved)
        lines += _listing("EPCI absents de la source :", self.tenants_absent)
        lines += _listing("Communes absentes de la source :", self.communes_absent)
        lines += _listing("Communes désormais membres d’un EPCI hors de la sélection "
                          "(laissées à leur territoire actuel) :",
                          self.communes_outside_selection)
        lines += _listing("Communes membres d’un EPCI mais absentes du fichier des communes "
                          "(importées sans code postal ni population) :",
                          self.members_without_record)
        return "\n".join(lines)


# --------------------------------------------------------------------------- writing

def import_cog(epci_path: str | Path, communes_path: str | Path,
               departement: str | None = None, *, slugs: Mapping[str, str] | None = None,
               commit: bool = True) -> ImportReport:
    """Create or update tenants and communes from the COG files; see the module docstring.

    `slugs` maps SIRENs to the slug to give those tenants *when they are created* (existing
    tenants keep theirs). The import runs in a savepoint: on any error its own writes are
    undone and the session stays usable. With `commit=True` (the CLI) it commits at the end;
    with `commit=False` the caller owns the transaction and commits it.
    """
    started = time.perf_counter()
    source = read_source(epci_path, communes_path, departement)
    session = db.session
    with tenancy.unscoped("COG import", session):
        try:
            with session.begin_nested():
                report = _write(session, source, dict(slugs or {}))
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise CogImportError(
                f"L’enregistrement en base a échoué, rien n’a été importé : {detail}") from exc
        if commit:
            session.commit()
    report.seconds = time.perf_counter() - started
    return report


def _write(session, source: Source, slugs: dict[str, str]) -> ImportReport:
    report = ImportReport(departement=source.departement)
    tenant_ids = _sync_tenants(session, source, slugs, report)
    _sync_communes(session, source, tenant_ids, report)
    return report


def _sync_tenants(session, source: Source, slugs: dict[str, str],
                  report: ImportReport) -> dict[str, int]:
    """Create/update the selected EPCIs' tenants; returns their ids by SIREN."""
    sirens = [e.siren for e in source.selected]
    existing = {t.siren: t for t in session.scalars(
        sa.select(Tenant).where(Tenant.siren.in_(sirens)))}
    taken = set(session.scalars(sa.select(Tenant.slug)))
    for epci in source.selected:
        tenant = existing.get(epci.siren)
        if tenant is None:
            wanted = slugs.get(epci.siren)
            if wanted is not None and wanted in taken:
                raise CogImportError(
                    f"Le slug « {wanted} » demandé pour {epci.name} est déjà pris.")
            slug = unique_slug(wanted or slugify(epci.name), taken)
            tenant = Tenant(siren=epci.siren, name=epci.name, kind=epci.kind, slug=slug)
            session.add(tenant)
            existing[epci.siren] = tenant
            report.tenants_created += 1
            report.created_slugs[epci.siren] = slug
        elif tenant.name != epci.name or tenant.kind != epci.kind:
            tenant.name, tenant.kind = epci.name, epci.kind
            report.tenants_updated += 1
        else:
            report.tenants_unchanged += 1
    session.flush()

    source_sirens = [e.siren for e in source.epcis]
    absent = sa.select(Tenant.name).where(Tenant.siren.not_in(source_sirens))
    if source.departement:
        # Only tenants of this département are in question.
        absent = absent.where(Tenant.id.in_(
            sa.select(Commune.tenant_id).where(Commune.insee.startswith(source.departement))))
    report.tenants_absent = list(session.scalars(absent.order_by(Tenant.name)))
    return {siren: existing[siren].id for siren in sirens}


def _sync_communes(session, source: Source, tenant_ids: dict[str, int],
                   report: ImportReport) -> None:
    wanted: dict[str, tuple[int, str]] = {}  # INSEE → (tenant id, name in epci.json)
    for epci in source.selected:
        for insee, name in epci.members:
            wanted[insee] = (tenant_ids[epci.siren], name)

    columns = (Commune.id, Commune.insee, Commune.name, Commune.postal_codes,
               Commune.population, Commune.tenant_id)
    stmt = sa.select(*columns)
    if source.departement:
        # The selected communes, plus those that could have left the selection.
        stmt = stmt.where(sa.or_(
            Commune.insee == sa.any_(sa.literal(list(wanted), ARRAY(sa.String))),
            Commune.insee.startswith(source.departement),
            Commune.tenant_id == sa.any_(sa.literal(list(tenant_ids.values()),
                                                    ARRAY(sa.BigInteger))),
        ))
    existing = {row.insee: row for row in session.execute(stmt)}

    inserts: list[dict] = []
    updates: list[dict] = []
    moved: list[tuple[str, str, int, int]] = []  # (name, insee, old tenant, new tenant)
    for insee, (tenant_id, member_name) in wanted.items():
        data = source.communes.get(insee)
        if data is None:
            report.members_without_record.append(f"{member_name} ({insee})")
            values = {"name": member_name, "postal_codes": [], "population": None}
        else:
            values = {"name": data.name, "postal_codes": list(data.postal_codes),
                      "population": data.population}
        values["tenant_id"] = tenant_id
        row = existing.get(insee)
        if row is None:
            inserts.append({"insee": insee, **values})
            continue
        current = {"name": row.name, "postal_codes": list(row.postal_codes or []),
                   "population": row.population, "tenant_id": row.tenant_id}
        if current == values:
            report.communes_unchanged += 1
            continue
        updates.append({"id": row.id, **values})
        if row.tenant_id != tenant_id:
            moved.append((values["name"], insee, row.tenant_id, tenant_id))

    if inserts:
        session.execute(sa.insert(Commune), inserts)
    if updates:
        session.execute(sa.update(Commune), updates)
        # Bulk statements bypass the identity map: reload any commune already in memory.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Commune):
                session.expire(obj)
    report.communes_created = len(inserts)
    report.communes_updated = len(updates)

    if moved:
        ids = {old for _, _, old, _ in moved} | {new for _, _, _, new in moved}
        names = dict(session.execute(
            sa.select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids))).all())
        report.communes_moved = [f"{name} ({insee}) : {names[old]} → {names[new]}"
                                 for name, insee, old, new in sorted(moved)]

    in_source = source.all_member_codes
    for insee, row in sorted(existing.items()):
        if insee in wanted:
            continue
        label = f"{row.name} ({insee})"
        if insee in in_source:
            report.communes_outside_selection.append(label)
        else:
            report.communes_absent.append(label)
