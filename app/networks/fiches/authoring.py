"""The authors' side of fiches: network coordinators write the network's fiches under
/n/<network>/fiches, tenant administrators write local fiches under /t/<tenant>/fiches/locales.

Each view is written once and registered on both blueprints (`register`); the space set by
the blueprint decides which fiches exist: another space's slug is simply not found (404).
History and diffs, read receipts, missing fiches and themes are in `authoring_follow`."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.core import spaces
from app.core.forms import load
from app.core.models import User
from app.core.spaces import require_role
from app.core.ui import date_fr, paginate
from app.extensions import db
from app.networks.fiches import services, stats
from app.networks.fiches.models import (
    AUDIENCES,
    REFERRAL_KINDS,
    STATUSES,
    Fiche,
    FicheDraft,
    FicheRevision,
    FicheTheme,
)
from app.networks.fiches.schemas import (
    FicheSchema,
    PublishSchema,
    VerifySchema,
    form_values,
)
from app.networks.fiches.text import PLACEHOLDERS, markdown_to_html, placeholders_in, word_diff

network_bp = spaces.network_blueprint("fiches_admin", __name__, url_prefix="/n/<network_slug>/fiches",
                       template_folder="templates")
local_bp = spaces.tenant_blueprint("fiches_local", __name__, url_prefix="/t/<tenant_slug>/fiches/locales",
                     template_folder="templates")

# Words of the fiche addresses (authors' and desk's) that a fiche slug must not take.
RESERVED_SLUGS = {"nouvelle", "lectures", "manques", "themes", "propositions", "locales",
                  "nouveautes", "classeur", "imprimer", "contact", "lu", "envoyer", "proposer",
                  "complement"}




def _labels():
    return {"statuses": STATUSES, "audiences": AUDIENCES, "referral_kinds": REFERRAL_KINDS,
            "placeholders": PLACEHOLDERS, "in_network": in_network(),
            "markdown": markdown_to_html}


network_bp.context_processor(_labels)
local_bp.context_processor(_labels)


# --------------------------------------------------------------------------- helpers

def in_network() -> bool:
    return g.get("space_kind") == "network"


def own_fiches():
    """The fiches written in this space. Both are already restricted by tenancy; the
    condition only separates a tenant's local fiches from its networks' published ones."""
    if in_network():
        return Fiche.network_id == g.network.id
    return Fiche.tenant_id.is_not(None)


def fiche_or_404(slug: str) -> Fiche:
    fiche = db.session.scalar(sa.select(Fiche).options(joinedload(Fiche.theme))
                              .where(Fiche.slug == slug, own_fiches()))
    if fiche is None:
        abort(404)
    return fiche


def themes() -> list[FicheTheme]:
    """The network's themes; for a tenant, the themes of its networks."""
    return list(db.session.scalars(
        sa.select(FicheTheme).order_by(FicheTheme.position, FicheTheme.name)))


def int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 16 else None


def _texts(content) -> list[str]:
    return [content.title, content.first_answer, content.details_md, content.cannot_do,
            " ".join(r.get("label", "") for r in content.referrals or [])]


def _warnings(content) -> dict[str, list[str]]:
    return stats.missing_local_values(placeholders_in(*_texts(content)))


def _form_page(fiche, values, errors, failure=None, warnings=None, draft=None):
    return render_template("fiches/author/form.html", fiche=fiche, draft=draft, values=values,
                           errors=errors, failure=failure, themes=themes(),
                           warnings=warnings or {}), 400 if (errors or failure) else 200


# --------------------------------------------------------------------------- list

def index():
    theme_list = themes()
    status = request.args.get("statut", "")
    theme_id = int_arg("theme")
    stmt = (sa.select(Fiche).outerjoin(FicheDraft, FicheDraft.fiche_id == Fiche.id)
            .where(own_fiches())
            .order_by(sa.func.coalesce(FicheDraft.updated_at, Fiche.updated_at).desc(),
                      Fiche.id.desc()))
    if status == "en-cours":
        stmt = stmt.where(FicheDraft.id.is_not(None))
    elif status in STATUSES:
        stmt = stmt.where(Fiche.status == status)
    if theme_id:
        stmt = stmt.where(sa.or_(Fiche.theme_id == theme_id, FicheDraft.theme_id == theme_id))
    page = paginate(db.session, stmt)
    ids = [f.id for f in page.items]
    drafts = {d.fiche_id: d for d in db.session.scalars(
        sa.select(FicheDraft).where(FicheDraft.fiche_id.in_(ids)))} if ids else {}
    overdue = db.session.scalars(
        sa.select(Fiche).where(own_fiches(), Fiche.status == "published",
                               Fiche.review_due < datetime.now(UTC).date())
        .order_by(Fiche.review_due, Fiche.title).limit(100)).all()
    return render_template("fiches/author/index.html", page=page, drafts=drafts,
                           overdue=overdue, themes=theme_list,
                           theme_names={t.id: t.name for t in theme_list},
                           status=status, theme_id=theme_id)


# --------------------------------------------------------------------------- writing

def new():
    theme_list = themes()
    values, errors = {"audiences": ["reception_agent"]}, {}
    if request.method == "POST":
        values, errors = load(FicheSchema(theme_ids=[t.id for t in theme_list]), request.form)
        if not errors:
            # services.slugify drops the typographic apostrophe (« d’accueil » → daccueil)
            slug = services.slugify(values["title"].replace("’", " "))
            if slug in RESERVED_SLUGS:
                slug = f"{slug}-fiche"
            fiche = services.create(values, current_user, slug=slug)
            db.session.commit()
            flash("Brouillon enregistré. Il reste invisible des lecteurs tant qu’il n’est "
                  "pas publié.", "success")
            return redirect(url_for(".edit", slug=fiche.slug))
    return _form_page(None, values, errors)


def edit(slug: str):
    fiche = fiche_or_404(slug)
    if fiche.status == "archived":
        flash("Cette fiche est archivée : restaurez-la avant de la modifier.", "error")
        return redirect(url_for(".show", slug=fiche.slug))
    draft = services.draft_of(fiche, create_missing=False)
    if request.method == "POST":
        values, errors = load(FicheSchema(theme_ids=[t.id for t in themes()]), request.form)
        if errors:
            return _form_page(fiche, values, errors, draft=draft)
        try:
            services.save_draft(fiche, values, current_user)
        except services.FicheError as exc:
            db.session.rollback()
            return _form_page(fiche, values, {}, failure=str(exc), draft=draft)
        db.session.commit()
        flash("Modifications enregistrées dans le brouillon. Les lecteurs les verront après "
              "publication.", "success")
        return redirect(url_for(".edit", slug=fiche.slug))
    content = draft or fiche
    return _form_page(fiche, form_values(services.content_of(content)), {},
                      warnings=_warnings(content), draft=draft)


# --------------------------------------------------------------------------- author view

def show(slug: str):
    fiche = fiche_or_404(slug)
    return _show_page(fiche, {}, {})


def _show_page(fiche: Fiche, verify_values: dict, verify_errors: dict):
    draft = services.draft_of(fiche, create_missing=False)
    last = db.session.execute(
        sa.select(FicheRevision.number, FicheRevision.summary, FicheRevision.published_at,
                  User.full_name)
        .outerjoin(User, User.id == FicheRevision.published_by_id)
        .where(FicheRevision.fiche_id == fiche.id)
        .order_by(FicheRevision.number.desc()).limit(1)).first()
    reads = stats.fiche_reads(fiche) if in_network() and fiche.status == "published" else None
    theme_list = themes()
    return render_template(
        "fiches/author/show.html", fiche=fiche, draft=draft, last=last, reads=reads,
        warnings=_warnings(draft or fiche), theme_names={t.id: t.name for t in theme_list},
        verify_values=verify_values, verify_errors=verify_errors,
        today=datetime.now(UTC).date(),
    ), 400 if verify_errors else 200


def review(slug: str):
    fiche = fiche_or_404(slug)
    try:
        services.submit_for_review(fiche, current_user)
    except services.FicheError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Relecture demandée : la fiche apparaît « En relecture » dans la liste des "
              "fiches. Elle n’est pas encore visible des lecteurs.", "success")
    return redirect(url_for(".show", slug=slug))


def publish(slug: str):
    fiche = fiche_or_404(slug)
    draft = services.draft_of(fiche, create_missing=False)
    if draft is None and request.method == "GET":
        flash("Il n’y a pas de modification en cours à publier.", "info")
        return redirect(url_for(".show", slug=slug))
    values, errors, failure = {}, {}, None
    if request.method == "POST":
        values, errors = load(PublishSchema(), request.form)
        if not errors:
            try:
                revision = services.publish(fiche, values["summary"], current_user)
            except services.FicheError as exc:
                db.session.rollback()
                failure = str(exc)
            else:
                db.session.commit()
                flash(f"Version {revision.number} publiée. " + (
                    "Les agents d’accueil et les relais des territoires membres en seront "
                    "informés par un récapitulatif par e-mail." if in_network() else
                    "Elle est visible des agents de votre territoire."), "success")
                return redirect(url_for(".show", slug=slug))
        draft = services.draft_of(fiche, create_missing=False)
    from app.networks.fiches.authoring_follow import field_diffs

    changes = field_diffs(services.content_of(fiche), services.content_of(draft),
                          {t.id: t.name for t in themes()}) if draft is not None else []
    return render_template("fiches/author/publish.html", fiche=fiche, draft=draft,
                           values=values, errors=errors, failure=failure, changes=changes,
                           first_answer_diff=word_diff(fiche.first_answer, draft.first_answer)
                           if draft is not None else ""), 400 if (errors or failure) else 200


def discard(slug: str):
    fiche = fiche_or_404(slug)
    draft = services.draft_of(fiche, create_missing=False)
    deletes = fiche.revision == 0 and fiche.status in ("draft", "review")
    if draft is None and not deletes:
        flash("Il n’y a pas de modification en cours à abandonner.", "info")
        return redirect(url_for(".show", slug=slug))
    if request.method == "POST":
        title = fiche.title or (draft.title if draft else "")
        services.discard_draft(fiche)
        db.session.commit()
        if deletes:
            flash(f"La fiche « {title} », jamais publiée, est supprimée.", "success")
            return redirect(url_for(".index"))
        flash("Les modifications en cours sont abandonnées ; le texte publié ne change pas.",
              "success")
        return redirect(url_for(".show", slug=slug))
    return render_template("fiches/author/confirm.html", fiche=fiche, draft=draft,
                           action="discard", deletes=deletes)


def archive(slug: str):
    fiche = fiche_or_404(slug)
    if fiche.status == "archived":
        flash("Cette fiche est déjà archivée.", "info")
        return redirect(url_for(".show", slug=slug))
    if request.method == "POST":
        services.archive(fiche)
        db.session.commit()
        flash("Fiche archivée : les lecteurs ne la voient plus. Vous pouvez la restaurer à "
              "tout moment.", "success")
        return redirect(url_for(".show", slug=slug))
    return render_template("fiches/author/confirm.html", fiche=fiche, draft=None,
                           action="archive", deletes=False)


def restore(slug: str):
    fiche = fiche_or_404(slug)
    if fiche.status != "archived":
        flash("Cette fiche n’est pas archivée.", "info")
        return redirect(url_for(".show", slug=slug))
    services.restore(fiche)
    db.session.commit()
    flash("Fiche restaurée" + (" : elle est de nouveau visible des lecteurs."
                               if fiche.status == "published" else " comme brouillon."),
          "success")
    return redirect(url_for(".show", slug=slug))


def verify(slug: str):
    fiche = fiche_or_404(slug)
    values, errors = load(VerifySchema(), request.form)
    if errors:
        return _show_page(fiche, values, errors)
    services.mark_verified(fiche, values["review_due"])
    db.session.commit()
    flash(f"Fiche marquée comme vérifiée le {date_fr(fiche.verified_on)}"
          + (f" ; prochaine vérification le {date_fr(fiche.review_due)}."
             if fiche.review_due else "."), "success")
    return redirect(url_for(".show", slug=slug))


# --------------------------------------------------------------------------- routes

ROUTES = (
    ("", "index", index, ["GET"]),
    ("/nouvelle", "new", new, ["GET", "POST"]),
    ("/<slug>", "show", show, ["GET"]),
    ("/<slug>/modifier", "edit", edit, ["GET", "POST"]),
    ("/<slug>/relecture", "review", review, ["POST"]),
    ("/<slug>/publier", "publish", publish, ["GET", "POST"]),
    ("/<slug>/abandonner", "discard", discard, ["GET", "POST"]),
    ("/<slug>/archiver", "archive", archive, ["GET", "POST"]),
    ("/<slug>/restaurer", "restore", restore, ["POST"]),
    ("/<slug>/verifiee", "verify", verify, ["POST"]),
)


def register(bp: Blueprint, role: str, routes) -> None:
    """Add `routes` to `bp`, each view allowed to `role` only (403 for other roles)."""
    for rule, endpoint, view, methods in routes:
        bp.add_url_rule(rule, endpoint, require_role(role)(view), methods=methods)


from app.networks.fiches import authoring_follow  # noqa: E402  (the follow-up pages)

register(network_bp, "network_coordinator", ROUTES + authoring_follow.ROUTES
         + authoring_follow.NETWORK_ROUTES)
register(local_bp, "tenant_admin", ROUTES + authoring_follow.ROUTES)
