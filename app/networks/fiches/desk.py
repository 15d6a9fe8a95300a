"""The reader's side of fiches, designed for the mairie desk: /t/<tenant>/fiches/…"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.core import audit, mail, spaces
from app.core.forms import FormSchema, email, load, text
from app.core.ui import paginate, render
from app.extensions import db, htmx
from app.networks.fiches import local_values, notifications, search, services
from app.networks.fiches.models import CHANNELS, Fiche, FicheComplement, FicheRead, FicheTheme
from app.networks.fiches.text import markdown_to_html, resolve
from app.tenants.models import Commune

bp = spaces.tenant_blueprint("fiches", __name__, url_prefix="/t/<tenant_slug>/fiches",
               template_folder="templates")



def _themes() -> list[FicheTheme]:
    return list(db.session.scalars(sa.select(FicheTheme).order_by(FicheTheme.position,
                                                                 FicheTheme.name)))


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 16 else None


@bp.get("")
def index():
    query = request.args.get("q", "").strip()
    theme_id = _int_arg("theme")
    result, page = None, None
    if query:
        result = search.search(query, theme_id=theme_id)
        if result.empty:
            services.record_miss(query)
            db.session.commit()
    else:
        stmt = (sa.select(Fiche).options(joinedload(Fiche.theme))
                .where(Fiche.status == "published")
                .order_by(Fiche.tenant_id.is_(None), Fiche.title))
        if theme_id:
            stmt = stmt.where(Fiche.theme_id == theme_id)
        page = paginate(db.session, stmt, per_page=50)
    values = local_values.context_for(local_values.default_commune_id()).values()
    context = dict(query=query, theme_id=theme_id, result=result, page=page,
                   themes=_themes(), news=notifications.news_count(current_user),
                   local=lambda text: resolve(text, values))
    response = render("fiches/index.html", partial="fiches/_results.html", **context)
    return response


def _fiche_or_404(slug: str) -> Fiche:
    fiche = db.session.scalar(
        sa.select(Fiche).options(joinedload(Fiche.theme))
        .where(Fiche.slug == slug, Fiche.status == "published")
        .order_by(Fiche.tenant_id.is_(None)).limit(1))
    if fiche is None:
        abort(404)
    return fiche


def _reader_commune_id() -> int | None:
    chosen = _int_arg("commune")
    return chosen if chosen is not None else local_values.default_commune_id()


def resolved(fiche: Fiche, ctx: local_values.LocalContext) -> dict:
    values = ctx.values()
    return {
        "first_answer": resolve(fiche.first_answer, values),
        "details_html": markdown_to_html(resolve(fiche.details_md, values)),
        "cannot_do": resolve(fiche.cannot_do, values),
    }


def _reader_point_id() -> int | None:
    for role in g.get("role_rows", []):
        if role.reception_point_id:
            return role.reception_point_id
    return None


@bp.get("/<slug>")
def show(slug: str):
    fiche = _fiche_or_404(slug)
    commune_id = _reader_commune_id()
    ctx = local_values.context_for(commune_id)
    if commune_id is not None and ctx.commune is None:
        abort(404)
    complement = db.session.scalar(
        sa.select(FicheComplement).where(FicheComplement.fiche_id == fiche.id))
    already_read = db.session.scalar(sa.select(FicheRead.id).where(
        FicheRead.fiche_id == fiche.id, FicheRead.revision == fiche.revision,
        FicheRead.user_id == current_user.id)) is not None
    communes = db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name)).all()
    return render_template(
        "fiches/show.html", fiche=fiche, ctx=ctx, text=resolved(fiche, ctx),
        complement_html=markdown_to_html(complement.body_md) if complement else None,
        already_read=already_read, communes=communes, channels=CHANNELS,
        values={}, errors={},
    )


@bp.get("/<slug>/imprimer")
def print_view(slug: str):
    fiche = _fiche_or_404(slug)
    ctx = local_values.context_for(_reader_commune_id())
    complement = db.session.scalar(
        sa.select(FicheComplement).where(FicheComplement.fiche_id == fiche.id))
    return render_template(
        "fiches/print.html", fiche=fiche, ctx=ctx, text=resolved(fiche, ctx),
        complement_html=markdown_to_html(complement.body_md) if complement else None)


@bp.post("/<slug>/contact")
def log_contact(slug: str):
    fiche = _fiche_or_404(slug)
    channel = request.form.get("channel", "desk")
    if channel not in CHANNELS:
        abort(400)
    commune_id = request.form.get("commune", "")
    commune_id = (int(commune_id) if commune_id.isascii() and commune_id.isdigit()
                  and len(commune_id) < 16 else local_values.default_commune_id())
    if commune_id is not None and db.session.get(Commune, commune_id) is None:
        abort(404)
    services.log_contact(fiche, user=current_user, commune_id=commune_id,
                         reception_point_id=_reader_point_id(),
                         referral=request.form.get("referral", ""), channel=channel)
    db.session.commit()
    message = f"Contact noté ({CHANNELS[channel].lower()})."
    if htmx:
        return render_template("fiches/_contact_logged.html", message=message)
    flash(message, "success")
    return redirect(url_for("fiches.show", slug=slug, commune=commune_id))


@bp.post("/<slug>/lu")
def acknowledge(slug: str):
    fiche = _fiche_or_404(slug)
    services.acknowledge(fiche, current_user, _reader_point_id())
    db.session.commit()
    if htmx:
        return render_template("fiches/_acknowledged.html", fiche=fiche)
    flash("C’est noté : vous avez pris connaissance de cette version.", "success")
    from app.core.views import safe_next

    return redirect(safe_next(request.form.get("next")) or url_for("fiches.show", slug=slug))


FAMILY_MAILS_PER_HOUR = 30


def _sent_to_families_last_hour() -> int:
    """How many fiches this person e-mailed to families in the last hour (audit log)."""
    from datetime import UTC, datetime, timedelta

    from app.core.models import AuditLog

    return db.session.scalar(sa.select(sa.func.count(AuditLog.id)).where(
        AuditLog.actor_id == current_user.id, AuditLog.action == "fiche.sent_to_family",
        AuditLog.at > datetime.now(UTC) - timedelta(hours=1))) or 0


class SendSchema(FormSchema):
    email = email()


@bp.route("/<slug>/envoyer", methods=["GET", "POST"])
def send_to_family(slug: str):
    """E-mail the fiche to a parent. The address serves once: it is not kept."""
    fiche = _fiche_or_404(slug)
    commune_id = _reader_commune_id()
    ctx = local_values.context_for(commune_id)
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = load(SendSchema(), request.form)
        if not errors and _sent_to_families_last_hour() >= FAMILY_MAILS_PER_HOUR:
            errors = {"email": "Vous avez déjà envoyé beaucoup de fiches cette heure-ci : "
                               "réessayez plus tard ou imprimez la fiche."}
        if not errors:
            body = render_template("fiches/mail/family.txt", fiche=fiche, ctx=ctx,
                                   text=resolved(fiche, ctx), tenant=g.tenant)
            mail.send(to=values["email"], subject=f"{fiche.title} — informations petite enfance",
                      body=body, kind=mail.EPHEMERAL_KIND)
            audit.record("fiche.sent_to_family", fiche.slug)  # never the address
            db.session.commit()
            flash("La fiche est en cours d’envoi. L’adresse de la famille est effacée dès "
                  "que l’e-mail est parti.", "success")
            return redirect(url_for("fiches.show", slug=slug, commune=commune_id))
    return render_template("fiches/send.html", fiche=fiche, values=values, errors=errors,
                           commune_id=commune_id), 400 if errors else 200


class ProposalSchema(FormSchema):
    body = text(required=True, max_length=4000)


@bp.route("/<slug>/proposer", methods=["GET", "POST"])
def propose(slug: str):
    fiche = _fiche_or_404(slug)
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = load(ProposalSchema(), request.form)
        if not errors:
            try:
                services.propose(fiche, values["body"], current_user)
            except services.FicheError as exc:
                errors = {"body": str(exc)}
            else:
                db.session.commit()
                flash("Merci : votre proposition est transmise aux auteurs de la fiche.",
                      "success")
                return redirect(url_for("fiches.show", slug=slug))
    return render_template("fiches/propose.html", fiche=fiche, values=values, errors=errors), \
        400 if errors else 200


@bp.get("/nouveautes")
def news():
    fiches, _state = notifications.news_for(current_user)
    read_ids = set(db.session.scalars(sa.select(FicheRead.fiche_id).where(
        FicheRead.user_id == current_user.id,
        FicheRead.fiche_id.in_([f.id for f in fiches]) if fiches else sa.false(),
        FicheRead.revision == sa.select(Fiche.revision).where(Fiche.id == FicheRead.fiche_id)
        .scalar_subquery())))
    unfollowed = set(_state.unfollowed_theme_ids or []) if _state else set()
    return render_template("fiches/news.html", fiches=fiches, read_ids=read_ids,
                           themes=_themes(), unfollowed=unfollowed)


@bp.post("/nouveautes/themes")
def news_themes():
    """Themes the reader follows (e-mail digest and « Nouveautés »); all by default."""
    known = {t.id for t in _themes()}
    followed = {int(v) for v in request.form.getlist("theme") if v.isdigit()} & known
    state = services.reader_state(current_user)
    state.unfollowed_theme_ids = sorted(known - followed)
    db.session.commit()
    flash("Vos thèmes suivis sont enregistrés.", "success")
    return redirect(url_for("fiches.news"))


@bp.post("/nouveautes/vu")
def news_seen():
    from datetime import UTC, datetime

    state = services.reader_state(current_user)
    state.last_seen_at = datetime.now(UTC)
    db.session.commit()
    flash("Les nouveautés sont marquées comme vues.", "success")
    return redirect(url_for("fiches.index"))


class ComplementSchema(FormSchema):
    body_md = text(max_length=8000)


@bp.route("/<slug>/complement", methods=["GET", "POST"])
@spaces.require_role("tenant_admin")
def complement(slug: str):
    fiche = _fiche_or_404(slug)
    if fiche.network_id is None:
        abort(404)
    current = db.session.scalar(
        sa.select(FicheComplement).where(FicheComplement.fiche_id == fiche.id))
    values, errors = {"body_md": current.body_md if current else ""}, {}
    if request.method == "POST":
        values, errors = load(ComplementSchema(), request.form)
        if not errors:
            services.save_complement(fiche, values["body_md"], current_user)
            db.session.commit()
            flash("Le complément local est enregistré.", "success")
            return redirect(url_for("fiches.show", slug=slug))
    return render_template("fiches/complement.html", fiche=fiche, values=values,
                           errors=errors), 400 if errors else 200


@bp.get("/classeur")
def binder():
    """Every published fiche resolved for one commune: the paper handout."""
    communes = db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name)).all()
    commune_id = _reader_commune_id() or (communes[0][0] if communes else None)
    ctx = local_values.context_for(commune_id)
    if commune_id is not None and ctx.commune is None:
        abort(404)
    fiches = list(db.session.scalars(
        sa.select(Fiche).options(joinedload(Fiche.theme)).where(Fiche.status == "published")
        .order_by(Fiche.title)))
    complements = {c.fiche_id: markdown_to_html(c.body_md)
                   for c in db.session.scalars(sa.select(FicheComplement))}
    entries = [(f, resolved(f, ctx), complements.get(f.id)) for f in fiches]
    return render_template("fiches/binder.html", entries=entries, ctx=ctx, communes=communes,
                           commune_id=commune_id)


# Readers see the revision history and the diffs too (the same pages as the authors).
def _history(slug: str):
    from app.networks.fiches import authoring_follow

    return authoring_follow.history(slug, finder=_fiche_or_404)


def _diff(slug: str):
    from app.networks.fiches import authoring_follow

    return authoring_follow.diff(slug, finder=_fiche_or_404)


bp.add_url_rule("/<slug>/historique", "history", _history)
bp.add_url_rule("/<slug>/diff", "diff", _diff)
