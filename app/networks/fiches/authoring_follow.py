"""The authors' follow-up pages, registered on the blueprints of `authoring`: revision
history and diffs, who has read the current revisions (network only), searches that found
nothing and proposals from the field, and the network's themes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from app.core.forms import load
from app.core.models import User
from app.core.ui import date_fr, paginate
from app.extensions import db
from app.networks.fiches import services, stats
from app.networks.fiches.authoring import (
    fiche_or_404,
    in_network,
    int_arg,
    own_fiches,
    themes,
)
from app.networks.fiches.models import AUDIENCES, Fiche, FicheProposal, FicheRevision, SearchMiss
from app.networks.fiches.schemas import ThemeSchema
from app.networks.fiches.text import word_diff
from app.tenants.models import Tenant

PROPOSALS_SHOWN = 100


# --------------------------------------------------------------------------- history

def history(slug: str, finder=None):
    """`finder` lets the readers' side reuse the page with its own look-up (published only)."""
    fiche = (finder or fiche_or_404)(slug)
    page = paginate(db.session, sa.select(FicheRevision)
                    .where(FicheRevision.fiche_id == fiche.id)
                    .order_by(FicheRevision.number.desc()))
    author_ids = {r.published_by_id for r in page.items if r.published_by_id}
    authors = dict(db.session.execute(sa.select(User.id, User.full_name)
                                      .where(User.id.in_(author_ids))).all()) \
        if author_ids else {}
    return render_template("fiches/author/history.html", fiche=fiche, page=page,
                           authors=authors)


def diff(slug: str, finder=None):
    fiche = (finder or fiche_or_404)(slug)
    old_number, new_number = int_arg("de"), int_arg("a")
    if old_number is None or new_number is None:
        if fiche.revision < 2:
            abort(404)
        return redirect(url_for(".diff", slug=slug, de=fiche.revision - 1, a=fiche.revision))
    found = {r.number: r for r in db.session.scalars(
        sa.select(FicheRevision).where(FicheRevision.fiche_id == fiche.id,
                                       FicheRevision.number.in_([old_number, new_number])))}
    if old_number not in found or new_number not in found:
        abort(404)
    old, new = found[old_number], found[new_number]
    changes = field_diffs(services.content_of(old), services.content_of(new),
                          {t.id: t.name for t in themes()})
    return render_template("fiches/author/diff.html", fiche=fiche, old=old, new=new,
                           changes=changes)


DIFF_FIELDS = (("title", "Titre"), ("theme_id", "Thème"), ("audiences", "Publics"),
               ("first_answer", "Réponse de premier niveau"), ("details_md", "Détails"),
               ("phrasings", "Formulations de la question"), ("referrals", "Orientations"),
               ("cannot_do", "Ce que l’accueil ne fait pas"), ("sources", "Sources"),
               ("review_due", "À revoir le"))


def _as_text(name: str, value, theme_names: dict[int, str]) -> str:
    if name == "theme_id":
        return theme_names.get(value, "Thème supprimé") if value else "Sans thème"
    if name == "audiences":
        return ", ".join(AUDIENCES.get(a, a) for a in value or [])
    if name == "referrals":
        return "\n".join(r.get("label", "") + (f" ({r['organisation']})"
                                               if r.get("organisation") else "")
                         for r in value or [])
    if name in ("phrasings", "sources"):
        return "\n".join(value or [])
    if name == "review_due":
        return date_fr(value) if value else "Non précisé"
    return value or ""


def field_diffs(old: dict, new: dict, theme_names: dict[int, str]) -> list[dict]:
    """Each field of two texts of a fiche, with a word diff where it changed."""
    rows = []
    for name, label in DIFF_FIELDS:
        before, after = (_as_text(name, old.get(name), theme_names),
                         _as_text(name, new.get(name), theme_names))
        if before == after:
            change = None
        elif not before or not after:  # all added or all removed: no empty <del>/<ins>
            tag = "ins" if after else "del"
            change = Markup(f"<{tag}>") + escape(after or before) + Markup(f"</{tag}>")
        else:
            change = word_diff(before, after)
        rows.append({"name": name, "label": label, "changed": change is not None,
                     "text": after, "diff": change})
    return rows


# --------------------------------------------------------------------------- read receipts

def lectures():
    page = paginate(db.session, sa.select(Fiche)
                    .where(own_fiches(), Fiche.status == "published").order_by(Fiche.title))
    return render_template("fiches/author/lectures.html", page=page,
                           overview=stats.overview(page.items))


def lectures_fiche(slug: str):
    fiche = fiche_or_404(slug)
    reads = stats.fiche_reads(fiche) if fiche.revision else []
    return render_template("fiches/author/lectures_fiche.html", fiche=fiche, reads=reads)


# --------------------------------------------------------------------------- backlog

def _proposals_for_authors():
    """Proposals this space's authors handle: about their fiches, or general ones
    addressed to them (a tenant's general proposals go to its network)."""
    if in_network():
        return sa.or_(FicheProposal.fiche_id.is_(None), Fiche.id.is_not(None))
    return sa.or_(Fiche.tenant_id.is_not(None),
                  sa.and_(FicheProposal.fiche_id.is_(None), FicheProposal.network_id.is_(None)))


def manques():
    page = paginate(db.session, sa.select(SearchMiss)
                    .order_by(SearchMiss.count.desc(), SearchMiss.last_at.desc()))
    tenant_ids = {m.tenant_id for m in page.items}
    tenant_names = dict(db.session.execute(
        sa.select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenant_ids))).all()) \
        if in_network() and tenant_ids else {}
    proposals = db.session.execute(
        sa.select(FicheProposal, Fiche.title, Fiche.slug, User.full_name, Tenant.name)
        .outerjoin(Fiche, Fiche.id == FicheProposal.fiche_id)
        .outerjoin(User, User.id == FicheProposal.author_id)
        .join(Tenant, Tenant.id == FicheProposal.tenant_id)
        .where(_proposals_for_authors())
        .order_by(FicheProposal.status == "done", FicheProposal.created_at.desc())
        .limit(PROPOSALS_SHOWN + 1)).all()
    return render_template("fiches/author/manques.html", page=page, tenant_names=tenant_names,
                           proposals=proposals[:PROPOSALS_SHOWN],
                           more_proposals=len(proposals) > PROPOSALS_SHOWN)


def proposal_done(proposal_id: int):
    proposal = db.session.scalar(
        sa.select(FicheProposal).outerjoin(Fiche, Fiche.id == FicheProposal.fiche_id)
        .where(FicheProposal.id == proposal_id, _proposals_for_authors()))
    if proposal is None:
        abort(404)
    if proposal.status != "done":
        services.close_proposal(proposal)
        db.session.commit()
    flash("Proposition marquée comme traitée.", "success")
    return redirect(url_for(".manques"))


# --------------------------------------------------------------------------- themes

def themes_page():
    theme_list = themes()
    add_values, add_errors = {}, {}
    values = {f"{key}_{t.id}": getattr(t, key) for t in theme_list for key in ("name", "position")}
    errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("action") == "add":
        add_values, add_errors = load(ThemeSchema(), request.form)
        if not add_errors:
            try:
                theme = services.add_theme(add_values["name"], add_values["position"])
            except services.FicheError as exc:
                db.session.rollback()
                add_errors = {"name": str(exc)}
            else:
                db.session.commit()
                flash(f"Thème « {theme.name} » ajouté.", "success")
                return redirect(url_for(".themes"))
    elif request.method == "POST":
        loaded = {}
        for theme in theme_list:
            data = {"name": request.form.get(f"name_{theme.id}", ""),
                    "position": request.form.get(f"position_{theme.id}", "")}
            result, problems = load(ThemeSchema(), data)
            values.update({f"{key}_{theme.id}": value for key, value in result.items()})
            errors.update({f"{key}_{theme.id}": msg for key, msg in problems.items()})
            loaded[theme.id] = result
        if not errors:
            changed = sum(services.update_theme(t, loaded[t.id]["name"], loaded[t.id]["position"])
                          for t in theme_list)
            db.session.commit()
            flash("Thèmes enregistrés." if changed else "Aucun changement.", "success")
            return redirect(url_for(".themes"))
    counts = dict(db.session.execute(
        sa.select(Fiche.theme_id, sa.func.count(Fiche.id)).where(own_fiches())
        .group_by(Fiche.theme_id)).all())
    status = 400 if (errors or add_errors) else 200
    return render_template("fiches/author/themes.html", themes=theme_list, counts=counts,
                           values=values, errors=errors, add_values=add_values,
                           add_errors=add_errors), status


ROUTES = (
    ("/<slug>/historique", "history", history, ["GET"]),
    ("/<slug>/diff", "diff", diff, ["GET"]),
    ("/manques", "manques", manques, ["GET"]),
    ("/propositions/<int:proposal_id>/traitee", "proposal_done", proposal_done, ["POST"]),
)
NETWORK_ROUTES = (
    ("/lectures", "lectures", lectures, ["GET"]),
    ("/<slug>/lectures", "lectures_fiche", lectures_fiche, ["GET"]),
    ("/themes", "themes", themes_page, ["GET", "POST"]),
)
