"""The coordinator's side of training (/n/<network>/formations): catalogue, sessions with
sittings typed in Europe/Paris, registrations, promotion, cancellation, attendance, CSV,
indicators."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import AuditLog, MailMessage
from app.networks.models import NetworkTenant
from app.training import services
from app.training.models import (
    Attendance,
    FeedbackAnswer,
    Registration,
    Seat,
    SessionQuota,
    TrainingModule,
    TrainingNeed,
    TrainingSession,
    TrainingSitting,
)
from tests import factories

BASE = "/n/reseau-test/formations"


def build(dbsession, capacity: int = 2):
    """two_tenants_world + a published module, an open session with two sittings."""
    w = factories.two_tenants_world()
    with tenancy.use_space(tenancy.Space.for_network(w["network"].id), dbsession):
        module = TrainingModule(title="Contrat de travail", kind="formation_juridique",
                                status="published", duration_hours=Decimal("6"))
        dbsession.add(module)
        dbsession.flush()
        session = TrainingSession(module_id=module.id, capacity=capacity, state="open")
        start = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
        session.sittings = [
            TrainingSitting(starts_at=start, ends_at=start + timedelta(hours=3)),
            TrainingSitting(starts_at=start + timedelta(days=1),
                            ends_at=start + timedelta(days=1, hours=3)),
        ]
        dbsession.add(session)
        dbsession.flush()
    w["module"], w["session"] = module, session
    w["people_a"] = [factories.user(f"a{i}@example.org", f"Alice {i}") for i in range(3)]
    w["people_b"] = [factories.user(f"b{i}@example.org", f"Bruno {i}") for i in range(2)]
    return w


def register(dbsession, w, key, person):
    space = tenancy.Space.for_tenant(w[key].id, [w["network"].id])
    with tenancy.use_space(space, dbsession):
        return services.register(w["session"], person).registration


def in_network(dbsession, w):
    """The network's space, with its member tenants (as a coordinator's request has)."""
    members = [w["a"].id, w["b"].id]
    return tenancy.use_space(tenancy.Space.for_network(w["network"].id, members), dbsession)


@pytest.fixture()
def world(dbsession):
    return build(dbsession)


MODULE_FORM = {"title": "Analyse de la pratique", "kind": "analyse_pratique",
               "objectives": "Prendre du recul", "programme": "", "audience": "Animatrices",
               "duration_hours": "2,5", "provider_organisation_id": "", "provider_name":
               "Mme Durand", "prerequisites": "", "status": "published"}


def test_module_created_with_french_decimal_and_audited(client, login, dbsession, world):
    token = login("coord@example.org")
    blank = client.get(f"{BASE}/modules/nouveau")
    assert blank.status_code == 200 and world["organisation"].name in blank.get_data(as_text=True)
    response = client.post(f"{BASE}/modules/nouveau", data={**MODULE_FORM, "csrf_token": token})
    assert response.status_code == 302
    with in_network(dbsession, world):
        module = dbsession.scalar(sa.select(TrainingModule).where(
            TrainingModule.title == "Analyse de la pratique"))
        assert module.duration_hours == Decimal("2.5") and module.provider_name == "Mme Durand"
        assert module.network_id == world["network"].id
        assert dbsession.scalar(sa.select(sa.func.count(AuditLog.id)).where(
            AuditLog.action == "training.module_created")) == 1
    listing = client.get(BASE).get_data(as_text=True)
    assert "Analyse de la pratique" in listing and "Contrat de travail" in listing


def test_module_errors_are_french_kept_and_nothing_written(client, login, dbsession, world):
    token = login("coord@example.org")
    other_org = factories.organisation(factories.network(), "Ailleurs")
    response = client.post(f"{BASE}/modules/nouveau", data={
        **MODULE_FORM, "title": "", "kind": "cuisine", "duration_hours": "-2",
        "provider_organisation_id": str(other_org.id), "objectives": "Gardé",
        "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in html
    assert "Choisissez une valeur dans la liste." in html
    assert "La durée doit être positive ou nulle." in html
    assert "Gardé" in html
    with in_network(dbsession, world):
        assert dbsession.scalar(sa.select(sa.func.count(TrainingModule.id))) == 1


def test_module_edit_with_partner_organisation(client, login, dbsession, world):
    token = login("coord@example.org")
    org = world["organisation"]
    url = f"{BASE}/modules/{world['module'].id}"
    assert "Contrat de travail" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={**MODULE_FORM, "title": "Contrat (mise à jour)",
                                      "provider_organisation_id": str(org.id),
                                      "status": "draft", "csrf_token": token})
    assert response.status_code == 302
    dbsession.expire_all()
    with in_network(dbsession, world):
        module = dbsession.get(TrainingModule, world["module"].id)
        assert (module.title, module.provider_organisation_id, module.status) == (
            "Contrat (mise à jour)", org.id, "draft")


def session_form(token, **overrides):
    data = {"csrf_token": token, "place_address": "1 rue de la Gare, Saint-Brieuc",
            "room": "Salle B", "remote_link": "", "capacity": "12",
            "registration_opens_at": "2026-02-01T09:00", "registration_closes_at": "",
            "cancellation_deadline": "2026-07-01T12:00", "state": "open",
            "sitting_date_1": "2026-03-03", "sitting_start_1": "14:00",
            "sitting_end_1": "17:00", "sitting_date_2": "2026-07-01",
            "sitting_start_2": "09:00", "sitting_end_2": "12:30"}
    data.update(overrides)
    return data


def test_session_with_sittings_in_paris_time_stored_utc(client, login, dbsession, world):
    token = login("coord@example.org")
    response = client.post(f"{BASE}/modules/{world['module'].id}/sessions/nouvelle",
                           data=session_form(token, **{f"quota_{world['a'].id}": "3"}))
    assert response.status_code == 302
    with in_network(dbsession, world):
        session = dbsession.scalar(sa.select(TrainingSession).where(
            TrainingSession.capacity == 12))
        starts = [(s.starts_at.astimezone(UTC), s.ends_at.astimezone(UTC))
                  for s in session.sittings]
        assert starts == [
            (datetime(2026, 3, 3, 13, 0, tzinfo=UTC), datetime(2026, 3, 3, 16, 0, tzinfo=UTC)),
            (datetime(2026, 7, 1, 7, 0, tzinfo=UTC), datetime(2026, 7, 1, 10, 30, tzinfo=UTC)),
        ]
        assert session.registration_opens_at == datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
        assert session.cancellation_deadline == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
        quota = dbsession.scalar(sa.select(SessionQuota).where(
            SessionQuota.session_id == session.id))
        assert (quota.quota_tenant_id, quota.seats) == (world["a"].id, 3)
    edit = client.get(f"{BASE}/sessions/{session.id}/modifier").get_data(as_text=True)
    assert 'value="2026-03-03"' in edit and 'value="14:00"' in edit
    assert 'value="2026-02-01T09:00"' in edit


def test_session_errors_keep_values_and_write_nothing(client, login, dbsession, world):
    token = login("coord@example.org")
    response = client.post(
        f"{BASE}/modules/{world['module'].id}/sessions/nouvelle",
        data=session_form(token, capacity="0", sitting_end_1="13:00", room="Salle gardée"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="f-sitting_date_1-error"' in html
    assert "Le nombre doit être au moins 1." in html
    assert "l’heure de fin doit suivre l’heure de début" in html
    assert "Salle gardée" in html
    with in_network(dbsession, world):
        assert dbsession.scalar(sa.select(sa.func.count(TrainingSession.id))) == 1


def test_capacity_increase_promotes_first_waiting_after_jobs(client, login, dbsession, world,
                                                             run_jobs):
    for person in world["people_a"]:
        register(dbsession, world, "a", person)
    waiting_b = register(dbsession, world, "b", world["people_b"][0])
    token = login("coord@example.org")
    session = world["session"]
    page = client.get(f"{BASE}/sessions/{session.id}").get_data(as_text=True)
    assert "Alice 2" in page and "Bruno 0" in page and "CA Bêta" in page
    assert page.index("Alice 2") < page.index("Bruno 0")  # ticket order on the waiting list
    assert "mardi 3 mars 2026 à 9 h 00 – 12 h 00" in page  # 08:00 UTC shown in Paris time
    response = client.post(f"{BASE}/sessions/{session.id}/modifier", data=session_form(
        token, capacity="3", sitting_date_1="2026-03-03", sitting_start_1="09:00",
        sitting_end_1="12:00", sitting_date_2="", sitting_start_2="", sitting_end_2=""))
    assert response.status_code == 302
    run_jobs()
    with in_network(dbsession, world):
        statuses = dict(dbsession.execute(sa.select(Registration.user_id, Registration.status))
                        .all())
        assert statuses[world["people_a"][2].id] == "confirmed"
        assert statuses[waiting_b.user_id] == "waiting"
        assert len(dbsession.get(TrainingSession, session.id).sittings) == 1
    assert dbsession.scalar(sa.select(MailMessage.subject).where(
        MailMessage.to_address == "a2@example.org")).startswith("Maillage : une place")


def test_coordinator_cancels_registration_then_promotion(client, login, dbsession, world,
                                                         run_jobs):
    first = register(dbsession, world, "a", world["people_a"][0])
    register(dbsession, world, "a", world["people_a"][1])
    waiting = register(dbsession, world, "b", world["people_b"][0])
    token = login("coord@example.org")
    response = client.post(f"{BASE}/inscriptions/{first.id}/annuler",
                           data={"csrf_token": token})
    assert response.status_code == 302
    run_jobs()
    with in_network(dbsession, world):
        assert dbsession.get(Registration, first.id).status == "cancelled"
        assert dbsession.get(Registration, waiting.id).status == "confirmed"
        assert dbsession.get(Seat, first.id).status == "cancelled"


def test_promote_now_button(client, login, dbsession, world):
    register(dbsession, world, "a", world["people_a"][0])
    register(dbsession, world, "a", world["people_a"][1])
    waiting = register(dbsession, world, "b", world["people_b"][0])
    with in_network(dbsession, world):
        world["session"].capacity = 3
        dbsession.flush()
    token = login("coord@example.org")
    response = client.post(f"{BASE}/sessions/{world['session'].id}/promouvoir",
                           data={"csrf_token": token})
    assert response.status_code == 302
    dbsession.expire_all()
    with in_network(dbsession, world):
        assert dbsession.get(Registration, waiting.id).status == "confirmed"


def test_session_cancellation_emails_everyone(client, login, dbsession, world, run_jobs):
    regs = [register(dbsession, world, "a", p) for p in world["people_a"]]
    regs.append(register(dbsession, world, "b", world["people_b"][0]))
    token = login("coord@example.org")
    url = f"{BASE}/sessions/{world['session'].id}/annuler"
    confirm = client.get(url).get_data(as_text=True)
    assert "Confirmer l’annulation" in confirm and "4 personnes" in confirm
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    run_jobs()
    with in_network(dbsession, world):
        assert dbsession.get(TrainingSession, world["session"].id).state == "cancelled"
        assert {dbsession.get(Registration, r.id).status for r in regs} == {"cancelled"}
        assert dbsession.scalar(sa.select(sa.func.count()).select_from(Seat).where(
            Seat.session_id == world["session"].id, Seat.status != "cancelled")) == 0
    messages = dbsession.scalars(sa.select(MailMessage).where(
        MailMessage.kind == "training_session_cancelled")).all()
    assert sorted(m.to_address for m in messages) == [
        "a0@example.org", "a1@example.org", "a2@example.org", "b0@example.org"]
    assert all("annulée" in m.subject and m.status == "outbox" for m in messages)
    # nobody was promoted by a job on a cancelled session
    assert dbsession.scalar(sa.select(sa.func.count(MailMessage.id)).where(
        MailMessage.kind == "training_promoted")) == 0


def test_attendance_saved_upserted_and_csv(client, login, dbsession, world):
    alice = register(dbsession, world, "a", world["people_a"][0])
    bruno = register(dbsession, world, "b", world["people_b"][0])
    first, second = world["session"].sittings
    token = login("coord@example.org")
    url = f"{BASE}/sessions/{world['session'].id}/presences"
    assert "Alice 0" in client.get(url).get_data(as_text=True)
    client.post(url, data={"csrf_token": token, "present": [
        f"{alice.id}-{first.id}", f"{alice.id}-{second.id}", f"{bruno.id}-{first.id}"]})
    client.post(url, data={"csrf_token": token, "present": [
        f"{alice.id}-{first.id}", f"{alice.id}-{second.id}"]})
    with in_network(dbsession, world):
        rows = {(a.registration_id, a.sitting_id): (a.present, a.tenant_id) for a in
                dbsession.scalars(sa.select(Attendance))}
    assert len(rows) == 4  # one row per person and sitting, updated in place
    assert rows[(bruno.id, first.id)] == (False, world["b"].id)
    assert rows[(alice.id, second.id)] == (True, world["a"].id)

    response = client.get(f"{url}.csv")
    raw = response.get_data()
    assert response.mimetype == "text/csv" and raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["Personne", "E-mail", "Territoire"] and table[0][-1] == "Heures"
    assert table[1] == ["Alice 0", "a0@example.org", "CA Alpha", "présent", "présent", "6,0"]
    assert table[2] == ["Bruno 0", "b0@example.org", "CA Bêta", "absent", "absent", "0"]


def test_indicators_per_tenant(client, login, dbsession, world):
    alice = register(dbsession, world, "a", world["people_a"][0])
    bruno = register(dbsession, world, "b", world["people_b"][0])
    first, second = world["session"].sittings
    with in_network(dbsession, world):
        for reg, sitting, present in ((alice, first, True), (alice, second, False),
                                      (bruno, first, False), (bruno, second, False)):
            dbsession.add(Attendance(registration_id=reg.id, sitting_id=sitting.id,
                                     present=present, tenant_id=reg.tenant_id,
                                     network_id=reg.network_id))
        dbsession.flush()
    with tenancy.use_space(tenancy.Space.for_tenant(world["a"].id, [world["network"].id]),
                           dbsession):
        dbsession.add(FeedbackAnswer(registration_id=alice.id, session_id=alice.session_id,
                                     network_id=world["network"].id, satisfaction=4, usefulness=5, organisation=3))
        dbsession.add(TrainingNeed(user_id=world["people_a"][0].id, topic="atelier",
                                   network_id=world["network"].id))
        dbsession.add(TrainingNeed(user_id=world["people_a"][1].id, topic="atelier",
                                   network_id=world["network"].id))
        dbsession.flush()
    login("coord@example.org")
    html = client.get(f"{BASE}/indicateurs?annee=2026").get_data(as_text=True)
    alpha = html[html.index("CA Alpha"):html.index("CA Bêta")]
    assert "<td>1</td>" in alpha and "6,0 h" in alpha and "50 %" in alpha
    assert "4,0 / 5" in alpha
    beta = html[html.index("CA Bêta"):html.index("Ensemble du réseau")]
    assert "<td>0</td>" in beta and "0 %" in beta
    assert "relais" in html and "Atelier" in html
    other_year = client.get(f"{BASE}/indicateurs?annee=2025").get_data(as_text=True)
    assert "6,0 h" not in other_year


def test_indicators_query_count_is_constant(client, login, dbsession):
    w = build(dbsession)
    for person in w["people_a"] + w["people_b"]:
        key = "a" if person.email.startswith("a") else "b"
        register(dbsession, w, key, person)
    login("coord@example.org")
    counts = []
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = dbsession.get_bind()
    for _ in range(2):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        client.get(f"{BASE}/indicateurs?annee=2026")
        sa.event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
        extra = factories.tenant("CA Gamma")
        with tenancy.unscoped("test", dbsession):
            dbsession.add(NetworkTenant(network_id=w["network"].id, tenant_id=extra.id))
            dbsession.flush()
    assert counts[0] > 5 and counts[0] == counts[1]
