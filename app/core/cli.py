"""Command-line tools: `flask worker`, `flask mail outbox`, `flask geo import`, `flask demo load`,
`flask users create-admin`, `flask db-ready`."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.core import tenancy
from app.extensions import db


def init_app(app) -> None:
    app.cli.add_command(worker)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(geo_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)


@click.command("worker")
@click.option("--concurrency", default=2, show_default=True)
@click.option("--once", is_flag=True, help="Run the jobs waiting now, then stop.")
def worker(concurrency: int, once: bool):
    """Run the background-jobs worker (procrastinate); it outlives database outages."""
    from app.core.worker import run_forever

    click.echo("Maillage : le worker de tâches de fond démarre.")
    run_forever(concurrency=concurrency, wait=not once, echo=click.echo)


jobs_cli = AppGroup("jobs", help="Background jobs (procrastinate).")


@jobs_cli.command("tick")
@click.argument("task_name")
@click.option("--at", "at", default=None,
              help="The schedule's moment, ISO 8601 (default: now), e.g. 2027-01-04T07:00+01:00.")
def tick(task_name: str, at: str | None):
    """Queue one run of a scheduled task as if its schedule fired at AT (to catch up a run
    the worker missed, or to replay a given day)."""
    import importlib
    from datetime import UTC, datetime

    from app.core import jobs

    for path in jobs.proc_app.import_paths:
        importlib.import_module(path)
    periodic = {p.task.name: p.task for p in jobs.proc_app.periodic_registry.periodic_tasks.values()}
    if task_name not in periodic:
        raise click.BadParameter(f"tâche planifiée inconnue ; connues : {', '.join(sorted(periodic))}")
    moment = datetime.fromisoformat(at) if at else datetime.now(UTC)
    if moment.tzinfo is None:
        raise click.BadParameter("précisez le fuseau horaire (par exemple +01:00)")
    # A scheduled task takes its tick and nothing else (no `space`, which defer_after_commit
    # adds for space tasks): queue it exactly as procrastinate's scheduler would.
    job = periodic[task_name].configure().make_new_job(timestamp=int(moment.timestamp()))
    with tenancy.unscoped("scheduled task queued by an operator", db.session):
        try:
            jobs.write_jobs(db.session.connection(), [job])
            db.session.commit()
        except sa.exc.IntegrityError as exc:  # its queueing lock: one run already waits
            db.session.rollback()
            raise click.ClickException(f"{task_name} est déjà en file d’attente.") from exc
    click.echo(f"{task_name} : exécution du {moment.isoformat()} mise en file d’attente.")


mail_cli = AppGroup("mail", help="E-mails sent by Maillage.")


@mail_cli.command("outbox")
@click.option("--limit", default=20, show_default=True)
@click.option("--to", "to_address", default=None, help="Only messages to this address.")
def outbox(limit: int, to_address: str | None):
    """Print the latest messages of the development outbox."""
    from app.core.models import MailMessage

    stmt = sa.select(MailMessage).order_by(MailMessage.id.desc()).limit(limit)
    if to_address:
        stmt = stmt.where(MailMessage.to_address == to_address.lower())
    messages = db.session.scalars(stmt).all()
    if not messages:
        click.echo("La boîte d’envoi est vide.")
    for m in messages:
        click.echo(f"#{m.id} [{m.status}] {m.created_at:%Y-%m-%d %H:%M} → {m.to_address}")
        click.echo(f"Objet : {m.subject}")
        click.echo(m.body_text)
        click.echo("-" * 72)


geo_cli = AppGroup("geo", help="Official geography (COG): EPCIs and communes.")


@geo_cli.command("import")
@click.argument("epci_path", type=click.Path(dir_okay=False))
@click.argument("communes_path", type=click.Path(dir_okay=False))
@click.option("--departement", "departement", default=None,
              help="Only EPCIs with at least one commune in this département (e.g. 22).")
def geo_import(epci_path: str, communes_path: str, departement: str | None):
    """Create or update tenants (EPCI) and their communes from the COG JSON files."""
    from app.tenants.cog_import import CogImportError, import_cog

    try:
        report = import_cog(epci_path, communes_path, departement=departement)
    except CogImportError as exc:
        click.echo(f"Erreur : {exc}", err=True)
        sys.exit(1)
    click.echo(report.summary())


demo_cli = AppGroup("demo", help="Demonstration data (Côtes-d'Armor).")


@demo_cli.command("load")
def demo_load():
    """Load the demo data once (does nothing if it is already there)."""
    from app import demo

    if not current_app.config.get("DEMO_MODE"):
        click.echo("Refusé : les données de démonstration ne se chargent qu’avec MAILLAGE_DEMO=1.",
                   err=True)
        sys.exit(1)
    created = demo.load()
    click.echo("Données de démonstration chargées." if created
               else "Données de démonstration déjà présentes : rien à faire.")
    click.echo(demo.logins_text())


users_cli = AppGroup("users", help="Accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrateur·rice de la plateforme")
@click.password_option()
def create_admin(email: str, name: str, password: str):
    """Create a platform administrator (first start of a production install)."""
    from app.core.models import User
    from app.core.passwords import hash_password, password_problem

    problem = password_problem(password)
    if problem:
        click.echo(problem, err=True)
        sys.exit(1)
    email = email.strip().lower()
    with tenancy.unscoped("create platform admin", db.session):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name)
            db.session.add(user)
        user.password_hash = hash_password(password)
        user.is_platform_admin = True
        user.is_active = True
        db.session.commit()
    click.echo(f"Administrateur·rice de la plateforme : {email}")
