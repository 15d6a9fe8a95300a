"""The COG importer: real département-22 files, the shipped subset, idempotence, updates,
moved and vanished communes, the département filter, errors that write nothing, the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.demo import COMMUNES_FILE as SUBSET_COMMUNES
from app.demo import EPCI_FILE as SUBSET_EPCI
from app.extensions import db
from app.tenants import cog_import
from app.tenants.cog_import import CogImportError, import_cog, slugify
from app.tenants.models import Commune, Tenant
from tests import factories

# The official files sit beside the project on development machines and CI (../shared).
SHARED = Path(os.environ.get(
    "MAILLAGE_COG_DIR",
    Path(__file__).resolve().parents[3] / "shared" / "data" / "decoupage-administratif-6.0.0"))
SHARED_EPCI = SHARED / "epci.json"
SHARED_COMMUNES = SHARED / "communes.json"
needs_shared = pytest.mark.skipif(
    not (SHARED_EPCI.exists() and SHARED_COMMUNES.exists()),
    reason=f"COG source files not found in {SHARED} (set MAILLAGE_COG_DIR to run these tests)",
)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

SAINT_BRIEUC = "200069409"
LANNION = "200065928"
POHER = "242900744"  # CC Poher Communauté: communes in the Finistère (29) and in 22
EPCIS_22 = 11
COMMUNES_22 = 379  # every member commune of those 11 EPCIs, in 22, 29, 35 and 56


# --------------------------------------------------------------------------- helpers

@pytest.fixture()
def session(dbsession, unscoped):
    """The test session, read unscoped (communes are tenant rows)."""
    with unscoped("COG import tests"):
        yield dbsession


def counts(session) -> tuple[int, int]:
    return (session.scalar(sa.select(sa.func.count()).select_from(Tenant)),
            session.scalar(sa.select(sa.func.count()).select_from(Commune)))


def tenant(session, siren: str) -> Tenant:
    return session.scalar(sa.select(Tenant).where(Tenant.siren == siren))


def commune(session, insee: str) -> Commune:
    return session.scalar(sa.select(Commune).where(Commune.insee == insee))


def communes_of(session, siren: str) -> list[Commune]:
    return list(session.scalars(sa.select(Commune).join(Tenant, Tenant.id == Commune.tenant_id)
                                .where(Tenant.siren == siren)))


def snapshot(session) -> tuple[set, set]:
    tenants = set(session.execute(sa.select(Tenant.siren, Tenant.name, Tenant.kind,
                                            Tenant.slug)))
    communes = {(insee, name, tuple(codes), population, siren) for insee, name, codes,
                population, siren in session.execute(
                    sa.select(Commune.insee, Commune.name, Commune.postal_codes,
                              Commune.population, Tenant.siren)
                    .join(Tenant, Tenant.id == Commune.tenant_id))}
    return tenants, communes


@pytest.fixture()
def subset_copy(tmp_path):
    """Editable copies of the shipped subset: `edit(epcis, communes)` then import them."""
    epcis = json.loads(SUBSET_EPCI.read_text(encoding="utf-8"))
    communes = json.loads(SUBSET_COMMUNES.read_text(encoding="utf-8"))
    epci_path, communes_path = tmp_path / "epci.json", tmp_path / "communes.json"

    def write():
        epci_path.write_text(json.dumps(epcis, ensure_ascii=False), encoding="utf-8")
        communes_path.write_text(json.dumps(communes, ensure_ascii=False), encoding="utf-8")
        return epci_path, communes_path

    return epcis, communes, write


def by_code(rows: list[dict], code: str) -> dict:
    return next(row for row in rows if row["code"] == code)


# --------------------------------------------------------------------------- real files

@needs_shared
def test_imports_departement_22_from_the_source_files(session):
    report = import_cog(SHARED_EPCI, SHARED_COMMUNES, departement="22")

    assert (report.tenants_created, report.tenants_updated, report.tenants_unchanged) == (
        EPCIS_22, 0, 0)
    assert (report.communes_created, report.communes_updated) == (COMMUNES_22, 0)
    assert counts(session) == (EPCIS_22, COMMUNES_22)
    sbaa = tenant(session, SAINT_BRIEUC)
    assert sbaa.name == "CA Saint-Brieuc Armor Agglomération"
    assert sbaa.kind == "CA"
    assert sbaa.slug == "saint-brieuc-armor-agglomeration"
    assert len(communes_of(session, SAINT_BRIEUC)) == 32
    plerin = commune(session, "22187")
    assert (plerin.name, plerin.postal_codes, plerin.population) == ("Plérin", ["22190"], 14425)
    assert plerin.tenant_id == sbaa.id
    binic = commune(session, "22055")
    assert binic.postal_codes == ["22520", "22680"]
    # An EPCI astride two départements comes with all its communes.
    poher = communes_of(session, POHER)
    assert len(poher) == 11
    assert {c.insee[:2] for c in poher} == {"22", "29"}
    assert "département 22" in report.summary()


@needs_shared
def test_the_shipped_subset_holds_the_same_data_as_the_source(session):
    import_cog(SHARED_EPCI, SHARED_COMMUNES, departement="22")
    from_source = snapshot(session)

    report = import_cog(SUBSET_EPCI, SUBSET_COMMUNES)

    assert (report.tenants_created, report.tenants_updated) == (0, 0)
    assert (report.communes_created, report.communes_updated) == (0, 0)
    assert (report.tenants_unchanged, report.communes_unchanged) == (EPCIS_22, COMMUNES_22)
    assert snapshot(session) == from_source


@needs_shared
def test_departement_import_after_a_full_one_changes_nothing(session):
    import_cog(SHARED_EPCI, SHARED_COMMUNES, departement="35")
    import_cog(SHARED_EPCI, SHARED_COMMUNES, departement="22")
    before = counts(session)

    report = import_cog(SHARED_EPCI, SHARED_COMMUNES, departement="22")

    assert counts(session) == before
    assert report.tenants_created == report.communes_created == 0
    assert report.communes_absent == [] and report.tenants_absent == []


# --------------------------------------------------------------------------- shipped subset

def test_imports_the_shipped_subset(session):
    report = import_cog(SUBSET_EPCI, SUBSET_COMMUNES)

    assert (report.tenants_created, report.communes_created) == (EPCIS_22, COMMUNES_22)
    assert counts(session) == (EPCIS_22, COMMUNES_22)
    assert len(communes_of(session, SAINT_BRIEUC)) == 32
    assert len(communes_of(session, LANNION)) == 57
    assert tenant(session, LANNION).slug == "lannion-tregor-communaute"
    assert tenant(session, "242200715").slug == "kreiz-breizh-cckb"  # CC du Kreiz-Breizh
    assert report.members_without_record == []


def test_the_commit_is_a_savepoint_release_inside_the_test_transaction(session, connection):
    import_cog(SUBSET_EPCI, SUBSET_COMMUNES)

    # Committed for the session (a fresh query sees it) but still inside the test's outer
    # transaction, which the fixture rolls back.
    assert not session.registry().in_transaction()
    assert connection.in_transaction()
    assert connection.execute(sa.text("select count(*) from tenant")).scalar() == EPCIS_22


def test_second_run_creates_nothing(session):
    import_cog(SUBSET_EPCI, SUBSET_COMMUNES)
    before = snapshot(session)

    report = import_cog(SUBSET_EPCI, SUBSET_COMMUNES)

    assert (report.tenants_created, report.tenants_updated, report.tenants_unchanged) == (
        0, 0, EPCIS_22)
    assert (report.communes_created, report.communes_updated, report.communes_unchanged) == (
        0, 0, COMMUNES_22)
    assert counts(session) == (EPCIS_22, COMMUNES_22)
    assert snapshot(session) == before
    assert "0 créé" in report.summary()


def test_changes_in_the_source_update_rows_and_keep_slugs(session, subset_copy):
    epcis, communes, write = subset_copy
    import_cog(*write())
    sbaa_id = tenant(session, SAINT_BRIEUC).id
    plerin_id = commune(session, "22187").id
    by_code(epcis, SAINT_BRIEUC)["nom"] = "CA Baie de Saint-Brieuc Agglomération"
    by_code(epcis, "242200715")["type"] = "CA"
    plerin = by_code(communes, "22187")
    plerin["population"] = 15000
    plerin["codesPostaux"] = ["22190", "22191"]
    by_code(communes, "22106")["nom"] = "Langueux-sur-Mer"

    report = import_cog(*write())

    assert (report.tenants_updated, report.tenants_unchanged) == (2, EPCIS_22 - 2)
    assert (report.communes_updated, report.communes_unchanged) == (2, COMMUNES_22 - 2)
    assert report.communes_created == report.tenants_created == 0
    assert report.communes_moved == []
    session.expire_all()
    sbaa = tenant(session, SAINT_BRIEUC)
    assert (sbaa.id, sbaa.name) == (sbaa_id, "CA Baie de Saint-Brieuc Agglomération")
    assert sbaa.slug == "saint-brieuc-armor-agglomeration"  # never renamed
    assert tenant(session, "242200715").kind == "CA"
    updated = commune(session, "22187")
    assert (updated.id, updated.population, updated.postal_codes) == (
        plerin_id, 15000, ["22190", "22191"])
    assert commune(session, "22106").name == "Langueux-sur-Mer"
    assert counts(session) == (EPCIS_22, COMMUNES_22)


def test_a_commune_that_changed_epci_moves_to_the_new_tenant(session, subset_copy):
    epcis, _, write = subset_copy
    import_cog(*write())
    plerin_before = commune(session, "22187")
    plerin_id = plerin_before.id
    sbaa, lannion = by_code(epcis, SAINT_BRIEUC), by_code(epcis, LANNION)
    member = next(m for m in sbaa["membres"] if m["code"] == "22187")
    sbaa["membres"].remove(member)
    lannion["membres"].append(member)

    report = import_cog(*write())

    assert report.communes_updated == 1
    assert report.communes_moved == [
        "Plérin (22187) : CA Saint-Brieuc Armor Agglomération → CA Lannion-Trégor Communauté"]
    assert "Communes rattachées à un autre EPCI" in report.summary()
    moved = commune(session, "22187")
    assert moved.id == plerin_id
    assert moved.tenant_id == tenant(session, LANNION).id
    # The object loaded before the import was refreshed, not left stale.
    assert plerin_before.tenant_id == tenant(session, LANNION).id
    assert len(communes_of(session, SAINT_BRIEUC)) == 31
    assert len(communes_of(session, LANNION)) == 58
    assert counts(session) == (EPCIS_22, COMMUNES_22)


def test_rows_missing_from_the_source_are_kept_and_counted(session, subset_copy):
    epcis, communes, write = subset_copy
    import_cog(*write())
    sbaa = by_code(epcis, SAINT_BRIEUC)
    sbaa["membres"] = [m for m in sbaa["membres"] if m["code"] != "22377"]  # Tréveneuc
    communes[:] = [c for c in communes if c["code"] != "22377"]
    epcis[:] = [e for e in epcis if e["code"] != POHER]

    report = import_cog(*write())

    assert "Tréveneuc (22377)" in report.communes_absent
    assert len(report.communes_absent) == 1 + 11  # and the communes of Poher Communauté
    assert report.tenants_absent == ["CC Poher Communauté"]
    assert "1 EPCI, 12 communes" in report.summary()
    assert counts(session) == (EPCIS_22, COMMUNES_22)
    assert commune(session, "22377").tenant_id == tenant(session, SAINT_BRIEUC).id


def test_a_member_missing_from_the_communes_file_is_imported_from_epci_json(session,
                                                                            subset_copy):
    _, communes, write = subset_copy
    communes[:] = [c for c in communes if c["code"] != "22377"]

    report = import_cog(*write())

    assert report.members_without_record == ["Tréveneuc (22377)"]
    treveneuc = commune(session, "22377")
    assert (treveneuc.name, treveneuc.postal_codes, treveneuc.population) == (
        "Tréveneuc", [], None)


# --------------------------------------------------------------------------- département filter

def test_departement_filter_takes_whole_epcis(session):
    report = import_cog(SUBSET_EPCI, SUBSET_COMMUNES, departement=" 29 ")

    assert report.departement == "29"
    assert (report.tenants_created, report.communes_created) == (1, 11)
    assert [t.siren for t in session.scalars(sa.select(Tenant))] == [POHER]
    # Poher Communauté's communes of the Côtes-d'Armor come along.
    assert {c.insee[:2] for c in communes_of(session, POHER)} == {"22", "29"}


def test_departement_filter_leaves_other_tenants_alone(session, subset_copy):
    epcis, _, write = subset_copy
    import_cog(*write())
    by_code(epcis, SAINT_BRIEUC)["nom"] = "Nom changé"
    by_code(epcis, "243500725")["nom"] = "CC Côte d’Émeraude (nouveau nom)"  # 22 and 35

    report = import_cog(*write(), departement="35")

    assert (report.tenants_updated, report.tenants_unchanged) == (1, 0)
    assert report.communes_unchanged == 8
    assert tenant(session, SAINT_BRIEUC).name == "CA Saint-Brieuc Armor Agglomération"
    assert tenant(session, "243500725").name == "CC Côte d’Émeraude (nouveau nom)"


def test_departement_filter_reports_communes_that_left_the_selection(session, subset_copy):
    epcis, _, write = subset_copy
    import_cog(*write())
    # A Finistère commune of Poher Communauté joins an EPCI with no commune in 22.
    poher = by_code(epcis, POHER)
    member = next(m for m in poher["membres"] if m["code"].startswith("29"))
    poher["membres"].remove(member)
    epcis.append({"code": "299999999", "nom": "CC Imaginaire du Finistère", "type": "CC",
                  "membres": [member]})
    label = f"{member['nom']} ({member['code']})"

    report = import_cog(*write(), departement="22")

    assert report.communes_outside_selection == [label]
    assert report.communes_absent == [] and report.communes_moved == []
    assert "hors de la sélection" in report.summary()
    assert commune(session, member["code"]).tenant_id == tenant(session, POHER).id

    report = import_cog(*write())

    assert report.tenants_created == 1
    assert report.communes_moved == [
        f"{label} : CC Poher Communauté → CC Imaginaire du Finistère"]
    assert commune(session, member["code"]).tenant_id == tenant(session, "299999999").id


# --------------------------------------------------------------------------- slugs

@pytest.mark.parametrize("name, slug", [
    ("CA Saint-Brieuc Armor Agglomération", "saint-brieuc-armor-agglomeration"),
    ("CC du Kreiz-Breizh (CCKB)", "kreiz-breizh-cckb"),
    ("CC de la Côte d'Émeraude", "cote-d-emeraude"),
    ("CC d’Aire-sur-l’Adour", "aire-sur-l-adour"),
    ("CC des Quatre Rivières", "quatre-rivieres"),
    ("CA de l'Œuf", "oeuf"),
    ("Métropole de Lyon", "metropole-de-lyon"),
    ("Grand Paris Seine et Oise", "grand-paris-seine-et-oise"),
    ("CA", "ca"),
])
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_slugify_stays_within_the_column():
    slug = slugify("CC " + "Très Longue Communauté " * 10)
    assert len(slug) <= cog_import.SLUG_MAX and not slug.endswith("-")


def test_a_taken_slug_gets_a_suffix(session):
    factories.tenant("CA Homonyme", slug="saint-brieuc-armor-agglomeration")

    report = import_cog(SUBSET_EPCI, SUBSET_COMMUNES)

    assert tenant(session, SAINT_BRIEUC).slug == "saint-brieuc-armor-agglomeration-2"
    assert report.created_slugs[SAINT_BRIEUC] == "saint-brieuc-armor-agglomeration-2"


def test_requested_slugs_apply_to_new_tenants_only(session):
    import_cog(SUBSET_EPCI, SUBSET_COMMUNES, slugs={SAINT_BRIEUC: "saint-brieuc-armor"})
    assert tenant(session, SAINT_BRIEUC).slug == "saint-brieuc-armor"

    import_cog(SUBSET_EPCI, SUBSET_COMMUNES, slugs={SAINT_BRIEUC: "autre-slug"})
    assert tenant(session, SAINT_BRIEUC).slug == "saint-brieuc-armor"


def test_a_requested_slug_already_taken_is_refused(session):
    factories.tenant("CA Homonyme", slug="saint-brieuc-armor")
    before = counts(session)

    with pytest.raises(CogImportError, match="déjà pris"):
        import_cog(SUBSET_EPCI, SUBSET_COMMUNES, slugs={SAINT_BRIEUC: "saint-brieuc-armor"})

    assert counts(session) == before


# --------------------------------------------------------------------------- errors

def _fixture(name: str) -> Path:
    return FIXTURES / name


@pytest.mark.parametrize("epci, communes, departement, message", [
    (Path("/nulle/part/epci.json"), SUBSET_COMMUNES, None,
     "Fichier des EPCI introuvable : /nulle/part/epci.json"),
    (SUBSET_EPCI, Path("/nulle/part/communes.json"), None, "Fichier des communes introuvable"),
    (FIXTURES, SUBSET_COMMUNES, None, "est un dossier"),
    (_fixture("cog_malformed.json"), SUBSET_COMMUNES, None,
     "Le fichier cog_malformed.json n’est pas un JSON valide : erreur ligne 3, colonne 21 "
     "(virgule attendue)."),
    (SUBSET_EPCI, _fixture("cog_malformed.json"), None, "cog_malformed.json n’est pas un JSON"),
    (_fixture("cog_not_a_list.json"), SUBSET_COMMUNES, None, "ne contient pas une liste"),
    (SUBSET_COMMUNES, SUBSET_EPCI, None, "les deux fichiers ont-ils été inversés"),
    (SUBSET_EPCI, SUBSET_EPCI, None, "Les deux fichiers ont-ils été inversés"),
    (_fixture("cog_epci_bad_siren.json"), SUBSET_COMMUNES, None,
     "cog_epci_bad_siren.json, élément n° 1 : SIREN invalide « 2000694 »"),
    (_fixture("cog_epci_shared_member.json"), SUBSET_COMMUNES, None,
     "La commune Saint-Brieuc (22278) est membre de deux EPCI"),
    (SUBSET_EPCI, SUBSET_COMMUNES, "99", "Département « 99 » inconnu"),
    (SUBSET_EPCI, SUBSET_COMMUNES, "Côtes-d'Armor", "Département « Côtes-d'Armor » inconnu"),
])
def test_bad_input_is_refused_with_a_french_message_and_writes_nothing(
        session, epci, communes, departement, message):
    factories.tenant("CA Existante")
    before = snapshot(session), counts(session)

    with pytest.raises(CogImportError) as raised:
        import_cog(epci, communes, departement=departement)

    assert message in str(raised.value)
    assert (snapshot(session), counts(session)) == before


def test_an_empty_selection_is_refused(session, tmp_path):
    epcis = [e for e in json.loads(SUBSET_EPCI.read_text(encoding="utf-8"))
             if e["code"] == SAINT_BRIEUC]
    epci_path = tmp_path / "epci.json"
    epci_path.write_text(json.dumps(epcis), encoding="utf-8")

    with pytest.raises(CogImportError, match="Aucun EPCI n’a de commune membre dans le "
                                             "département 29"):
        import_cog(epci_path, SUBSET_COMMUNES, departement="29")
    assert counts(session) == (0, 0)


def test_a_file_that_is_not_utf8_is_refused(session, tmp_path):
    latin1 = tmp_path / "epci.json"
    latin1.write_bytes('[{"nom": "Plérin"}]'.encode("latin-1"))

    with pytest.raises(CogImportError, match="pas encodé en UTF-8"):
        import_cog(latin1, SUBSET_COMMUNES)


def test_an_empty_list_is_refused(session, tmp_path):
    empty = tmp_path / "communes.json"
    empty.write_text("[]", encoding="utf-8")

    with pytest.raises(CogImportError, match="liste vide"):
        import_cog(SUBSET_EPCI, empty)


def test_a_database_failure_midway_rolls_everything_back(session, subset_copy, monkeypatch):
    epcis, _, write = subset_copy
    import_cog(*write())
    before = snapshot(session)
    by_code(epcis, SAINT_BRIEUC)["nom"] = "Renommée avant la panne"

    def failing_communes(session_, *args):
        session_.execute(sa.text("select 1 / 0"))  # once the tenants are written

    monkeypatch.setattr(cog_import, "_sync_communes", failing_communes)
    with pytest.raises(CogImportError, match="L’enregistrement en base a échoué, rien n’a été "
                                             "importé"):
        import_cog(*write())

    session.expire_all()
    assert snapshot(session) == before
    assert tenant(session, SAINT_BRIEUC).name == "CA Saint-Brieuc Armor Agglomération"


def test_an_unexpected_error_midway_rolls_everything_back(session, monkeypatch):
    def crash(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cog_import, "_sync_communes", crash)
    with pytest.raises(RuntimeError):
        import_cog(SUBSET_EPCI, SUBSET_COMMUNES)

    assert counts(session) == (0, 0)


# --------------------------------------------------------------------------- CLI

def test_cli_imports_and_prints_the_summary(app, dbsession):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["geo", "import", str(SUBSET_EPCI), str(SUBSET_COMMUNES),
                                 "--departement", "22"])

    assert result.exit_code == 0, result.output
    assert "EPCI (territoires) : 11 dans la source — 11 créés" in result.output
    assert "Communes : 379 dans la source — 379 créées" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) == EPCIS_22


def test_cli_prints_the_error_and_exits_1(app, dbsession):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["geo", "import", str(SUBSET_COMMUNES), str(SUBSET_EPCI)])

    assert result.exit_code == 1
    assert "Erreur : communes-22.json n’est pas une liste d’EPCI" in result.stderr
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) == 0
