"""Fan-out jobs work in bounded batches, each its own transaction: invitations of a big
event and the fiche digest of a big network. A failure in the middle loses nothing and
sends nothing twice. (Business rules, on the in-memory queue; that the messages really
arrive is proved in tests/realtime.)"""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from app.core import jobs, mail, tenancy
from app.core.models import MailMessage
from app.events import invitations
from app.events.models import EventInvitation
from app.extensions import db
from app.networks.fiches import notifications
from tests import factories
from tests.events.helpers import build as build_world
from tests.events.helpers import invite, make_event, network_space
from tests.networks.fiches import builders


@pytest.fixture()
def w(dbsession):
    return build_world()


def jobs_named(name: str) -> list[dict]:
    return [j for j in jobs.proc_app.connector.jobs.values() if j["task_name"] == name]


def sent_to(kind: str) -> Counter:
    return Counter(db.session.scalars(sa.select(MailMessage.to_address)
                                      .where(MailMessage.kind == kind)))


def _invite_five(w):
    event = make_event(network_space(w), title="Table ronde des élus")
    for n in range(5):
        invite(network_space(w), event, f"Élu {n}", f"elu{n}@mairie.example.org")
    return event


def _queue_invitations(event_id: int, w) -> None:
    with tenancy.use_space(network_space(w), db.session):
        jobs.defer_after_commit(invitations.send_invitations, event_id=event_id)
        db.session.commit()


def test_invitations_go_out_in_batches_each_invitee_once(w, run_jobs, monkeypatch):
    monkeypatch.setattr(invitations, "BATCH_SIZE", 2)
    event = _invite_five(w)
    _queue_invitations(event.id, w)
    run_jobs()

    assert sent_to("event_invitation") == Counter(
        {f"elu{n}@mairie.example.org": 1 for n in range(5)})
    runs = jobs_named("maillage.event_invitations")
    assert len(runs) == 3  # 2 + 2 + 1: each full batch queued the next
    assert all(j["status"] == "succeeded" for j in runs)
    with tenancy.use_space(network_space(w), db.session):
        rows = db.session.scalars(sa.select(EventInvitation)
                                  .where(EventInvitation.event_id == event.id)).all()
        # Each invitee points at its own message: the organiser sees its delivery state.
        assert all(r.emailed_at and r.mail_message_id for r in rows)
        assert len({r.mail_message_id for r in rows}) == 5


def test_a_failure_mid_fan_out_keeps_the_done_batches_and_resumes_without_duplicates(
        w, run_jobs, monkeypatch):
    monkeypatch.setattr(invitations, "BATCH_SIZE", 2)
    event = _invite_five(w)
    real_send, calls = mail.send, []

    def failing_on_the_third(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 3:
            raise OSError("disque plein")
        return real_send(**kwargs)

    monkeypatch.setattr(mail, "send", failing_on_the_third)
    _queue_invitations(event.id, w)
    run_jobs()

    # The first batch committed; the second rolled back as a whole (no message, no mark).
    assert sum(sent_to("event_invitation").values()) == 2
    assert [j["status"] for j in jobs_named("maillage.event_invitations")] == \
        ["succeeded", "failed"]
    with tenancy.use_space(network_space(w), db.session):
        marked = db.session.scalar(sa.select(sa.func.count(EventInvitation.id)).where(
            EventInvitation.event_id == event.id, EventInvitation.emailed_at.is_not(None)))
    assert marked == 2

    monkeypatch.setattr(mail, "send", real_send)
    _queue_invitations(event.id, w)  # the retry
    run_jobs()
    assert sent_to("event_invitation") == Counter(
        {f"elu{n}@mairie.example.org": 1 for n in range(5)})


def test_the_digest_fans_out_per_tenant_then_per_batch_of_readers(w, run_jobs, monkeypatch):
    monkeypatch.setattr(notifications, "READER_BATCH", 2)
    for n in range(3):
        agent = factories.user(f"agent{n}.a@example.org")
        factories.tenant_role(agent, w["a"], "reception_agent")
    builders.published_network_fiche(w["network"], w["coordinator"], "Congé parental")
    db.session.commit()  # the publication queues the network's digest
    followers = {"agent.a@example.org", "anim.a@example.org", "anim.b@example.org",
                 *(f"agent{n}.a@example.org" for n in range(3))}
    run_jobs()

    assert sent_to("fiche_digest") == Counter({email: 1 for email in followers})
    per_tenant = jobs_named("maillage.fiche_digest_tenant")
    # Tenant A's five followers: batches of 2, 2, 1 (3 jobs); tenant B's one: 1 job.
    assert Counter(j["args"]["tenant_id"] for j in per_tenant) == \
        Counter({w["a"].id: 3, w["b"].id: 1})
    assert {j["lock"] for j in per_tenant} == {f"fiche-digest-tenant-{w['a'].id}",
                                               f"fiche-digest-tenant-{w['b'].id}"}

    with tenancy.use_space(network_space(w), db.session):  # a second run: nothing new
        jobs.defer_after_commit(notifications.send_digest, network_id=w["network"].id)
        db.session.commit()
    run_jobs()
    assert sum(sent_to("fiche_digest").values()) == len(followers)
