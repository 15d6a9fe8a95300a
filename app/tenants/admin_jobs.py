"""Platform administration: « Tâches et envois » (/admin/taches), the background jobs and
the outbox at a glance, failed jobs with their error, and putting them back in the queue.

Routes on the `platform` blueprint (imported at the bottom of `admin_views`): same access
rule as every /admin page (platform administrators only, anyone else gets 404)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.core import audit
from app.extensions import db
from app.tenants import job_queue
from app.tenants.admin_views import bp


def _page_arg(source) -> int:
    raw = source.get("page", "1")
    return max(1, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 9 else 1


def _back(page: int):
    return redirect(url_for("platform.jobs", **({"page": page} if page > 1 else {}))
                    + "#echecs")


@bp.get("/taches")
def jobs():
    counts = job_queue.job_counts()
    page = job_queue.failed_jobs(_page_arg(request.args), counts["failed"])
    return render_template(
        "tenants/admin/jobs.html", counts=counts, outbox=job_queue.outbox_counts(),
        page=page, failed_mails=job_queue.failed_mails(), job_states=job_queue.JOB_STATES,
        mail_states=job_queue.MAIL_STATES, task_label=job_queue.task_label)


@bp.post("/taches/<int:job_id>/relancer")
def job_retry(job_id: int):
    page = _page_arg(request.form)
    try:
        outcome = job_queue.retry_job(job_id)
    except job_queue.RetryConflict:
        db.session.rollback()
        flash("Une tâche identique vient d’entrer dans la file d’attente : celle-ci n’est "
              "pas relancée.", "info")
        return _back(page)
    if outcome is None:
        flash("Cette tâche n’est plus en échec (déjà relancée ?) : rien à faire.", "info")
    elif not outcome.retried:
        flash("Une tâche identique attend déjà dans la file d’attente : celle-ci n’est pas "
              "relancée.", "info")
    else:
        audit.record("platform.job_retried", f"job {job_id}", mails=outcome.mails)
        db.session.commit()
        flash("Tâche remise en file d’attente" + (
            " ; son courriel est de nouveau « en attente d’envoi »." if outcome.mails
            else "."), "success")
    return _back(page)


@bp.route("/taches/tout-relancer", methods=["GET", "POST"])
def jobs_retry_all():
    if request.method == "POST":
        raw = request.form.get("up_to", "")
        up_to = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0
        try:
            outcome = job_queue.retry_all(up_to)
        except job_queue.RetryConflict:
            db.session.rollback()
            flash("Une tâche identique à l’une d’elles vient d’entrer dans la file "
                  "d’attente : rien n’a été relancé. Réessayez.", "error")
            return _back(1)
        if outcome.retried:
            audit.record("platform.jobs_retried", "all failed jobs", jobs=outcome.retried,
                         mails=outcome.mails, up_to=up_to)
            db.session.commit()
            n = outcome.retried
            text = (f"{n} tâche{'s' if n > 1 else ''} remise{'s' if n > 1 else ''} "
                    "en file d’attente")
            if outcome.mails:
                text += (f", dont {outcome.mails} envoi{'s' if outcome.mails > 1 else ''} "
                         "de courriel")
            if outcome.skipped:
                text += (f" ; {outcome.skipped} laissée{'s' if outcome.skipped > 1 else ''} "
                         "de côté (la même tâche périodique attend déjà)")
            flash(text + ".", "success")
        else:
            flash("Aucune tâche en échec à relancer.", "info")
        return _back(1)
    return render_template("tenants/admin/jobs_retry_all.html",
                           preview=job_queue.retry_all_preview())
