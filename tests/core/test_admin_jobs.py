"""« Tâches et envois » (/admin/taches): counts of the queue and the outbox, failed jobs
with their error, and putting them back in the queue (procrastinate's own retry)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.core.models import JobFailure, MailMessage
from app.extensions import db
from tests import factories
from tests.networks.test_network_space import fresh_client, make_login

MAIL_TASK = "maillage.deliver_mail"


@pytest.fixture()
def client(app, dbsession):
    return fresh_client(app)


@pytest.fixture()
def login(client, dbsession):
    return make_login(client, dbsession)


@pytest.fixture()
def world(dbsession):
    # Whatever another test left committed in the queue or the outbox is not ours to count
    # (removed in this test's transaction only).
    dbsession.execute(sa.text("delete from procrastinate_jobs"))
    dbsession.execute(sa.text("delete from job_failure"))
    dbsession.execute(sa.text("update event_invitation set mail_message_id = null"))
    dbsession.execute(sa.text("delete from mail_message"))
    w = factories.two_tenants_world()
    factories.user("plateforme@example.org", "Paule Plateforme", platform_admin=True)
    return w


def add_job(task: str = MAIL_TASK, status: str = "failed", attempts: int = 0, args=None,
            queueing_lock: str | None = None) -> int:
    return db.session.execute(sa.text("""
        insert into procrastinate_jobs (queue_name, task_name, args, status, attempts,
                                        queueing_lock)
        values ('default', :task, cast(:args as jsonb), :status, :attempts, :lock)
        returning id
    """), {"task": task, "args": json.dumps(args or {}), "status": status,
           "attempts": attempts, "lock": queueing_lock}).scalar_one()


def add_failure(job_id: int, error: str, task: str = MAIL_TASK) -> None:
    db.session.add(JobFailure(job_id=job_id, task_name=task, error=error))
    db.session.flush()


def add_mail(status: str, minutes_ago: int = 0, error: str = "", to="x@example.org") -> int:
    message = MailMessage(to_address=to, subject=f"Sujet {status}", body_text="Bonjour",
                          status=status, error=error)
    db.session.add(message)
    db.session.flush()
    if minutes_ago:
        db.session.execute(sa.update(MailMessage).where(MailMessage.id == message.id).values(
            created_at=sa.func.now() - sa.text(f"interval '{minutes_ago} minutes'")))
    return message.id


def job(job_id: int) -> sa.Row:
    return db.session.execute(sa.text(
        "select status::text as status, attempts, scheduled_at from procrastinate_jobs"
        " where id = :id"), {"id": job_id}).one()


def mail_status(message_id: int) -> str:
    db.session.expire_all()
    return db.session.get(MailMessage, message_id).status


def html(response) -> str:
    return response.get_data(as_text=True)


def test_empty_page_says_so_in_french(client, login, world):
    login("plateforme@example.org")
    response = client.get("/admin/taches")
    assert response.status_code == 200
    page = html(response)
    assert "<h1>Tâches et envois</h1>" in page
    assert 'href="/admin/taches" aria-current="page"' in page  # in the admin navigation
    for text in ("Aucune tâche dans la file pour l’instant", "Aucun courriel pour l’instant",
                 "Aucune tâche en échec.", "Aucun courriel en échec."):
        assert text in page


def test_counts_failed_job_error_and_oldest_waiting_message(client, login, world):
    for status in ("todo", "todo", "doing", "succeeded", "succeeded", "succeeded",
                   "cancelled", "aborted"):
        add_job(status=status)
    add_job(task="maillage.event_reminders", status="todo")
    message_id = add_mail("failed", error="SMTPRecipientsRefused: 550 5.1.1 boîte inconnue")
    failed = add_job(status="failed", attempts=3, args={"message_id": message_id,
                                                         "space": {"kind": "unscoped"}})
    add_failure(failed, "ancienne erreur")
    add_failure(failed, "SMTPServerDisconnected: Connection unexpectedly closed")
    add_mail("queued", minutes_ago=3)
    add_mail("queued", minutes_ago=1)
    add_mail("sent")
    add_mail("outbox")
    login("plateforme@example.org")
    page = html(client.get("/admin/taches"))
    for text in ("<strong>3</strong> en attente", "<strong>1</strong> en cours",
                 "<strong>3</strong> réussies", "<strong>1</strong> en échec",
                 "<strong>2</strong> annulées ou interrompues"):
        assert text in page, text
    # by task, for the jobs that did not succeed
    assert "Envoi d’un courriel" in page and "Relances d’un événement" in page
    # outbox by state and its oldest waiting message
    for text in ("<strong>2</strong> en attente d’envoi", "<strong>1</strong> envoyés par SMTP",
                 "<strong>1</strong> dans la boîte d’envoi de développement",
                 "<strong>1</strong> en échec"):
        assert text in page, text
    assert "le plus ancien attend depuis 3 min" in page
    # the failed job, its last error (not the older one), its attempts, its message
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    assert "ancienne erreur" not in page
    assert f"n° {failed}" in page and f'href="/admin/courriels/{message_id}"' in page
    assert '<td data-label="Essais">4</td>' in page
    assert f'action="/admin/taches/{failed}/relancer"' in page
    # the failed message and its error
    assert "SMTPRecipientsRefused: 550 5.1.1 boîte inconnue" in page


def test_retry_puts_the_job_back_in_the_queue_and_the_mail_back_to_queued(
        client, login, world):
    message_id = add_mail("failed", error="SMTPConnectError: refus")
    failed = add_job(status="failed", attempts=3, args={"message_id": message_id})
    other = add_job(task="maillage.event_invitations", status="failed")
    token = login("plateforme@example.org")
    response = client.post(f"/admin/taches/{failed}/relancer",
                           data={"csrf_token": token, "page": "2"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/taches?page=2#echecs")
    assert "Tâche remise en file d’attente" in html(client.get("/admin/taches"))
    retried = job(failed)
    # what procrastinate_retry_job_v2 does: todo, due now, one more attempt
    assert retried.status == "todo" and retried.scheduled_at is not None
    assert retried.attempts == 4
    assert mail_status(message_id) == "queued"
    assert db.session.scalar(sa.text(
        "select count(*) from procrastinate_events where job_id = :id and type = 'retried'"),
        {"id": failed}) == 1
    assert job(other).status == "failed"
    # a second click finds nothing to do
    again = client.post(f"/admin/taches/{failed}/relancer", data={"csrf_token": token})
    assert again.status_code == 302
    assert "n’est plus en échec" in html(client.get("/admin/taches"))
    assert job(failed).attempts == 4


def test_retry_needs_the_csrf_token(client, login, world):
    failed = add_job(status="failed")
    login("plateforme@example.org")
    response = client.post(f"/admin/taches/{failed}/relancer", data={})
    assert response.status_code == 400
    assert job(failed).status == "failed"


def test_a_periodic_job_already_waiting_is_not_queued_twice(client, login, world):
    failed = add_job(task="maillage.retry_stalled_jobs", status="failed",
                     queueing_lock="retry_stalled_jobs")
    add_job(task="maillage.retry_stalled_jobs", status="todo",
            queueing_lock="retry_stalled_jobs")
    token = login("plateforme@example.org")
    client.post(f"/admin/taches/{failed}/relancer", data={"csrf_token": token})
    assert "attend déjà dans la file d’attente" in html(client.get("/admin/taches"))
    assert job(failed).status == "failed"


def test_failed_jobs_are_paginated_newest_first(client, login, world):
    ids = [add_job(status="failed") for _ in range(27)]
    login("plateforme@example.org")
    first = html(client.get("/admin/taches"))
    assert "Page 1 sur 2 · 27 éléments" in first
    assert f"n° {ids[-1]}<" in first and f"n° {ids[0]}<" not in first
    second = html(client.get("/admin/taches?page=2"))
    assert "Page 2 sur 2" in second
    assert f"n° {ids[0]}<" in second and f"n° {ids[1]}<" in second
    assert f"n° {ids[-1]}<" not in second
    assert "Erreur non enregistrée." in second


def test_retry_all_asks_first_then_retries_what_was_shown(client, login, world):
    mails = [add_mail("failed", error="SMTPDataError") for _ in range(2)]
    jobs = [add_job(status="failed", args={"message_id": m}) for m in mails]
    jobs.append(add_job(task="maillage.event_minutes", status="failed"))
    token = login("plateforme@example.org")
    confirm = html(client.get("/admin/taches/tout-relancer"))
    assert "Relancer les 3 tâches en échec ?" in confirm
    assert "jusqu’à 2 courriels partiront" in confirm
    up_to = max(jobs)
    late = add_job(status="failed")  # failed after the page was shown
    response = client.post("/admin/taches/tout-relancer",
                           data={"csrf_token": token, "up_to": str(up_to)})
    assert response.status_code == 302
    assert "3 tâches remises en file d’attente, dont 2 envois de courriel" in \
        html(client.get("/admin/taches"))
    assert [job(j).status for j in jobs] == ["todo"] * 3
    assert job(late).status == "failed"
    assert [mail_status(m) for m in mails] == ["queued", "queued"]


def test_retry_all_with_nothing_failed(client, login, world):
    token = login("plateforme@example.org")
    assert "Aucune tâche en échec" in html(client.get("/admin/taches/tout-relancer"))
    client.post("/admin/taches/tout-relancer", data={"csrf_token": token, "up_to": "0"})
    assert "Aucune tâche en échec à relancer." in html(client.get("/admin/taches"))


@pytest.mark.parametrize("email", ["admin.b@example.org", "coord@example.org"])
def test_other_roles_get_404(client, login, world, email):
    failed = add_job(status="failed")
    token = login(email)
    assert client.get("/admin/taches").status_code == 404
    assert client.get("/admin/taches/tout-relancer").status_code == 404
    assert client.post(f"/admin/taches/{failed}/relancer",
                       data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/taches/tout-relancer",
                       data={"csrf_token": token, "up_to": str(failed)}).status_code == 404
    assert job(failed).status == "failed"


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get("/admin/taches")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")
