"""Background jobs and e-mail: queued after commit only, delivered by the worker (to the
development outbox or through SMTP), always inside the space they were deferred from."""

from __future__ import annotations

import email
import email.policy
import os
import socketserver
import threading
from datetime import UTC, datetime

import psycopg
import pytest
import sqlalchemy as sa

from app.core import jobs, mail, tenancy
from app.core.models import MailMessage
from app.core.tenancy import Space
from app.tenants.models import Commune
from tests import dbsetup, factories

# --------------------------------------------------------------------------- helpers

SEEN_BY_TASK: list[dict] = []


@jobs.space_task("tests.record_space")
def record_space(note: str) -> str:
    """A test task: records the space it runs in and what it can read there."""
    from app.extensions import db

    space = tenancy.current_space()
    SEEN_BY_TASK.append({
        "note": note,
        "space": space,
        "pg_tenant": db.session.scalar(sa.text("select current_setting('app.tenant_id', true)")),
        "commune_tenants": set(db.session.scalars(sa.select(Commune.tenant_id))),
    })
    return note


def queued_jobs() -> list[dict]:
    return list(jobs.proc_app.connector.jobs.values())


def mail_row(dbsession, message_id: int) -> MailMessage:
    dbsession.expire_all()
    return dbsession.get(MailMessage, message_id)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        self.server.connections += 1
        self.reply("220 maillage-test ESMTP")
        sender, recipients, data, in_data = None, [], [], False
        while line := self.rfile.readline():
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    self.server.received.append({"from": sender, "to": recipients,
                                                 "data": b"".join(data)})
                    self.reply("250 2.0.0 queued")
                    sender, recipients, data = None, [], []
                else:
                    data.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].decode(errors="replace").upper()
            argument = line[5:].strip().decode(errors="replace")
            if verb == "EHLO":
                self.wfile.write(b"250-maillage-test\r\n250 8BITMIME\r\n")
            elif verb in ("HELO", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "MAIL":
                sender = argument
                self.reply("250 OK")
            elif verb == "RCPT":
                if "inconnu" in argument:
                    self.reply("550 5.1.1 mailbox unknown")
                    continue
                recipients.append(argument)
                self.reply("250 OK")
            elif verb == "DATA":
                in_data = True
                self.reply("354 End data with <CR><LF>.<CR><LF>")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.received: list[dict] = []
        self.connections = 0


@pytest.fixture()
def smtp_server():
    server = _SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------- outbox

def test_send_stores_the_message_and_queues_delivery_only_after_commit(dbsession, run_jobs):
    message = mail.send(to="parent@example.org", subject="Votre fiche", body="Bonjour",
                        kind="test")
    message_id = message.id
    assert message.status == "queued"
    assert queued_jobs() == []  # not before the transaction commits
    dbsession.commit()
    queued = queued_jobs()
    assert len(queued) == 1
    assert queued[0]["task_name"] == "maillage.deliver_mail"
    assert queued[0]["args"]["message_ids"] == [message_id]
    assert queued[0]["args"]["space"]["kind"] == "unscoped"

    run_jobs()
    delivered = mail_row(dbsession, message_id)
    assert delivered.status == "outbox"
    assert delivered.transport == "outbox"
    assert delivered.sent_at is not None
    assert delivered.body_text == "Bonjour"  # the outbox keeps it for reading
    assert [(j["task_name"], j["status"]) for j in queued_jobs()] == [("maillage.deliver_mail", "succeeded")]


def test_a_rolled_back_transaction_queues_nothing(dbsession, run_jobs):
    message = mail.send(to="parent@example.org", subject="Annulé", body="…")
    message_id = message.id
    dbsession.rollback()
    assert queued_jobs() == []
    run_jobs()
    assert dbsession.get(MailMessage, message_id) is None
    # the next commit does not resurrect the dropped job
    factories.user()
    dbsession.commit()
    assert queued_jobs() == []


def test_delivery_is_done_once_even_if_the_job_runs_twice(dbsession, run_jobs):
    message = mail.send(to="parent@example.org", subject="Une fois", body="…")
    message_id = message.id
    dbsession.commit()
    run_jobs()
    first = mail_row(dbsession, message_id).sent_at
    mail.deliver.defer(space=Space.unscoped("test").to_job_arg(), message_id=message_id)
    run_jobs()
    assert mail_row(dbsession, message_id).sent_at == first


# --------------------------------------------------------------------------- SMTP

def test_with_a_mail_server_the_message_really_goes_through_smtp(
        app, dbsession, run_jobs, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.server_address[1])
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)
    message = mail.send(to="famille@example.org", subject="Réunion du réseau : l’ordre du jour",
                        body="Bonjour,\nvoici l’ordre du jour.\n.\nÀ bientôt.")
    message_id = message.id
    dbsession.commit()
    run_jobs()

    sent = mail_row(dbsession, message_id)
    assert sent.status == "sent", sent.error
    assert sent.transport == "smtp"
    assert sent.body_text == ""  # a delivered body (maybe a single-use link) is not kept
    assert len(smtp_server.received) == 1
    envelope = smtp_server.received[0]
    assert envelope["to"] == ["TO:<famille@example.org>"]
    parsed = email.message_from_bytes(envelope["data"], policy=email.policy.default)
    assert parsed["Subject"] == "Réunion du réseau : l’ordre du jour"
    assert parsed["To"] == "famille@example.org"
    assert parsed["From"] == app.config["MAIL_FROM"]
    body = parsed.get_content().replace("\r\n", "\n")
    assert "voici l’ordre du jour." in body and "\n.\n" in body  # dot-stuffing round trip


def test_a_subject_with_line_breaks_is_sent_on_one_line(
        app, dbsession, run_jobs, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.server_address[1])
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)
    message = mail.send(to="partenaire@example.org", subject="Invitation : « Forum\r\nBcc: x »",
                        body="Bonjour")
    message_id = message.id
    dbsession.commit()
    run_jobs()

    sent = mail_row(dbsession, message_id)
    assert sent.status == "sent", sent.error
    parsed = email.message_from_bytes(smtp_server.received[0]["data"],
                                      policy=email.policy.default)
    assert parsed["Subject"] == "Invitation : « Forum Bcc: x »"
    assert parsed["Bcc"] is None


def test_an_unreachable_mail_server_is_retried_then_marks_the_message_failed(
        app, dbsession, run_jobs, monkeypatch):
    closed = _SmtpServer()
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there any more
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    message = mail.send(to="famille@example.org", subject="Perdu", body="…")
    message_id = message.id
    dbsession.commit()
    run_jobs()
    waiting = mail_row(dbsession, message_id)
    assert waiting.status == "queued"  # tries remain: still on its way, with the reason
    assert "ConnectionRefusedError" in waiting.error
    job, = queued_jobs()
    assert job["status"] == "todo" and job["attempts"] == 1
    assert job["scheduled_at"] > datetime.now(UTC)  # a later try, not at once

    job["attempts"] = 5  # the last try the retry strategy allows, due now
    job["scheduled_at"] = datetime.now(UTC)
    run_jobs()
    failed = mail_row(dbsession, message_id)
    assert failed.status == "failed"
    assert "ConnectionRefusedError" in failed.error
    assert failed.body_text == "…"  # kept for a retry from « Tâches et envois »
    assert queued_jobs()[0]["status"] == "failed"


def test_a_batch_leaves_over_one_connection_and_a_refused_address_alone_is_retried(
        app, dbsession, run_jobs, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.server_address[1])
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    sent = mail.send_many([
        {"to": address, "subject": "Récapitulatif", "body": "Bonjour", "kind": "test"}
        for address in ("un@example.org", "inconnu@example.org", "trois@example.org")])
    ids = [m.id for m in sent]
    dbsession.commit()
    job, = queued_jobs()  # one job for the batch
    assert job["args"]["message_ids"] == ids
    run_jobs()

    assert smtp_server.connections == 1
    assert sorted(r["to"][0] for r in smtp_server.received) == \
        ["TO:<trois@example.org>", "TO:<un@example.org>"]
    statuses = {m: mail_row(dbsession, m) for m in ids}
    assert [statuses[i].status for i in ids] == ["sent", "queued", "sent"]
    assert "SMTPRecipientsRefused" in statuses[ids[1]].error
    assert job["status"] == "todo"  # tried again later, for the refused address only

    job["attempts"], job["scheduled_at"] = 5, datetime.now(UTC)  # its last try, now
    run_jobs()
    assert len(smtp_server.received) == 2  # nothing that had left is sent twice
    assert mail_row(dbsession, ids[1]).status == "failed"


# --------------------------------------------------------------------------- spaces

def test_a_job_runs_in_the_space_it_was_deferred_from(dbsession, run_jobs, in_space):
    world = factories.two_tenants_world()
    a_id, net_id = world["a"].id, world["network"].id
    space = Space.for_tenant(a_id, [net_id], label="A")
    SEEN_BY_TASK.clear()
    with in_space(space):
        jobs.defer_after_commit(record_space, note="pour A")
        dbsession.commit()
    assert tenancy.current_space() is None
    run_jobs()
    assert len(SEEN_BY_TASK) == 1
    seen = SEEN_BY_TASK[0]
    assert seen["space"] == space
    assert seen["pg_tenant"] == str(a_id)
    assert seen["commune_tenants"] == {a_id}  # B's communes are out of its reach
    assert tenancy.current_space() is None


def test_a_job_deferred_from_a_network_runs_in_that_network(dbsession, run_jobs, in_space):
    world = factories.two_tenants_world()
    members = [world["a"].id, world["b"].id]
    space = Space.for_network(world["network"].id, members)
    SEEN_BY_TASK.clear()
    with in_space(space):
        jobs.defer_after_commit(record_space, note="pour le réseau")
        dbsession.commit()
    run_jobs()
    seen = SEEN_BY_TASK[0]
    assert seen["space"] == space
    assert seen["pg_tenant"] == ""
    assert seen["commune_tenants"] == set(members)


def test_a_job_deferred_outside_any_space_says_so(dbsession, run_jobs):
    SEEN_BY_TASK.clear()
    jobs.defer_after_commit(record_space, note="sans espace")
    dbsession.commit()
    run_jobs()
    assert SEEN_BY_TASK[0]["space"].kind == "unscoped"
    assert SEEN_BY_TASK[0]["space"].reason


# --------------------------------------------------------------------------- CLI

def test_flask_mail_outbox_prints_the_stored_messages(app, dbsession, run_jobs):
    mail.send(to="elu@example.org", subject="Comité de pilotage du 3 mars",
              body="L’ordre du jour est en ligne.")
    mail.send(to="autre@example.org", subject="Autre sujet", body="…")
    dbsession.commit()
    run_jobs()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "outbox"])
    assert result.exit_code == 0, result.output
    assert "Objet : Comité de pilotage du 3 mars" in result.output
    assert "→ elu@example.org" in result.output
    assert "[outbox]" in result.output
    assert "L’ordre du jour est en ligne." in result.output
    only = runner.invoke(args=["mail", "outbox", "--to", "ELU@example.org"])
    assert "Comité de pilotage" in only.output and "Autre sujet" not in only.output


def test_flask_mail_outbox_says_when_it_is_empty(app, dbsession):
    result = app.test_cli_runner().invoke(args=["mail", "outbox"])
    assert result.exit_code == 0
    assert "La boîte d’envoi est vide." in result.output


# --------------------------------------------------------------------------- real queue

JOBS_DB = os.environ.get("TEST_DB_NAME", "maillage_test") + "_jobs"


def test_the_real_postgresql_queue_delivers_a_message(app, monkeypatch):
    """No in-memory connector here: a fresh database, `flask db upgrade`, a commit that
    defers into procrastinate_jobs through psycopg, and the worker that runs it."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from tests.core.test_migrations import flask_cli

    admin = dbsetup.server_admin_url()
    owner_url = dbsetup.fresh_database(admin, JOBS_DB)
    result = flask_cli(owner_url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    previous_connector = jobs.proc_app.connector
    monkeypatch.setenv("DATABASE_URL", owner_url)
    try:
        worker_app = create_app({"TESTING": True, "BASE_URL": "http://maillage.test"})
        assert jobs.proc_app.connector is not previous_connector
        with worker_app.app_context():
            upgrade()  # already there: a no-op, but proves the owner URL is the one in use
            message = mail.send(to="file@example.org", subject="Par la vraie file",
                                body="Bonjour")
            message_id = message.id
            db.session.commit()  # the job row commits with the message
            db.session.remove()
        with psycopg.connect(owner_url) as conn:
            queued = conn.execute(
                "select task_name, status, args->>'message_ids' from procrastinate_jobs"
            ).fetchall()
        assert queued == [("maillage.deliver_mail", "todo", f"[{message_id}]")]

        from tests.conftest import without_periodic_tasks

        with without_periodic_tasks():
            jobs.proc_app.run_worker(wait=False, install_signal_handlers=False,
                                     listen_notify=False)

        with psycopg.connect(owner_url) as conn:
            status = conn.execute("select status, transport from mail_message where id = %s",
                                  (message_id,)).fetchone()
            job_status = conn.execute("select status from procrastinate_jobs").fetchone()
        assert status == ("outbox", "outbox")
        assert job_status == ("succeeded",)
    finally:
        jobs.init_app(app, connector=previous_connector)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                         " where datname = %s", (JOBS_DB,))
            conn.execute(f'drop database if exists "{JOBS_DB}"')
