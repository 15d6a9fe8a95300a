"""Writes and rules for fiches: drafts, review, publication with revisions, archive, local
complements, read receipts, contacts logged at the desk, proposals, missed searches."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.core import audit, tenancy
from app.extensions import db
from app.networks.fiches import search
from app.networks.fiches.models import (
    CONTENT_FIELDS,
    ContactLog,
    Fiche,
    FicheComplement,
    FicheDraft,
    FicheProposal,
    FicheRead,
    FicheRevision,
    ReaderState,
    SearchMiss,
)


class FicheError(ValueError):
    """A French message for the author."""


def slugify(text: str) -> str:
    text = text.replace("’", "-").replace("'", "-")  # « d’accueil » → d-accueil
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100] or "fiche"


LOCAL_PREFIX = "locale-"

# Words of the fiche addresses that a slug must not take.
RESERVED_SLUGS = {"nouveautes", "classeur", "locales", "nouvelle", "lectures", "manques",
                  "themes", "propositions"}


def _unique_slug(base: str) -> str:
    slug, n = base, 2
    if slug in RESERVED_SLUGS:
        slug = f"{base}-fiche"
    while db.session.scalar(sa.select(Fiche.id).where(Fiche.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def content_of(obj) -> dict:
    return {name: getattr(obj, name) for name in CONTENT_FIELDS}


def create(content: dict, author, slug: str | None = None) -> Fiche:
    """A new fiche in the current space (network fiche, or local fiche of a tenant)."""
    base = slug or slugify(content["title"])
    if tenancy.require_space().kind == "tenant" and not base.startswith(LOCAL_PREFIX):
        base = LOCAL_PREFIX + base  # a local fiche never takes the address of a network one
    elif tenancy.require_space().kind == "network" and base.startswith(LOCAL_PREFIX):
        base = base[len(LOCAL_PREFIX):] or "fiche"
    fiche = Fiche(slug=_unique_slug(base), status="draft",
                  created_by_id=getattr(author, "id", None))
    db.session.add(fiche)
    db.session.flush()
    draft = FicheDraft(fiche_id=fiche.id, state="draft",
                       updated_by_id=getattr(author, "id", None), **content)
    db.session.add(draft)
    db.session.flush()
    audit.record("fiche.created", fiche.slug)
    return fiche


def draft_of(fiche: Fiche, author=None, create_missing: bool = True) -> FicheDraft | None:
    draft = db.session.scalar(sa.select(FicheDraft).where(FicheDraft.fiche_id == fiche.id))
    if draft is None and create_missing:
        draft = FicheDraft(fiche_id=fiche.id, state="draft",
                           updated_by_id=getattr(author, "id", None), **content_of(fiche))
        db.session.add(draft)
        db.session.flush()
    return draft


def save_draft(fiche: Fiche, content: dict, author) -> FicheDraft:
    if fiche.status == "archived":
        raise FicheError("Cette fiche est archivée : restaurez-la avant de la modifier.")
    draft = draft_of(fiche, author)
    for name, value in content.items():
        setattr(draft, name, value)
    draft.updated_by_id = getattr(author, "id", None)
    if fiche.status == "draft":
        fiche.theme_id = content.get("theme_id", fiche.theme_id)
    db.session.flush()
    return draft


def submit_for_review(fiche: Fiche, author) -> None:
    if fiche.status == "archived":
        raise FicheError("Cette fiche est archivée : restaurez-la avant de la faire relire.")
    draft = draft_of(fiche, author, create_missing=False)
    if draft is None:
        raise FicheError("Il n’y a pas de modification en cours à faire relire.")
    draft.state = "review"
    if fiche.status == "draft":
        fiche.status = "review"
    audit.record("fiche.review_requested", fiche.slug)


def publish(fiche: Fiche, summary: str, author, notify: bool = True) -> FicheRevision:
    """Publish the draft: the fiche takes its text, a revision keeps a copy."""
    if fiche.status == "archived":
        raise FicheError("Cette fiche est archivée : restaurez-la avant de la publier.")
    summary = (summary or "").strip()
    if not summary:
        raise FicheError("Résumez la modification en une ligne (ex. « Nouveaux horaires du "
                         "relais »).")
    draft = draft_of(fiche, author, create_missing=False)
    if draft is None:
        raise FicheError("Il n’y a pas de modification en cours à publier.")
    content = content_of(draft)
    if not content["title"].strip() or not content["first_answer"].strip():
        raise FicheError("Une fiche publiée doit avoir un titre et une réponse de premier niveau.")
    for name, value in content.items():
        setattr(fiche, name, value)
    now = datetime.now(UTC)
    fiche.status = "published"
    fiche.revision += 1
    fiche.published_at = now
    fiche.verified_on = now.date()
    fiche.search_vector = search.search_vector(
        content["title"], content["phrasings"], content["first_answer"], content["cannot_do"],
        content["details_md"])
    revision = FicheRevision(fiche_id=fiche.id, number=fiche.revision, summary=summary[:200],
                             published_by_id=getattr(author, "id", None),
                             tenant_id=fiche.tenant_id, network_id=fiche.network_id, **content)
    db.session.add(revision)
    db.session.delete(draft)
    db.session.flush()
    audit.record("fiche.published", fiche.slug, revision=fiche.revision, summary=summary)
    if notify and fiche.network_id is not None:
        from app.networks.fiches import notifications

        notifications.announce(fiche, revision)
    return revision


def discard_draft(fiche: Fiche) -> None:
    draft = draft_of(fiche, create_missing=False)
    if draft is not None:
        db.session.delete(draft)
    if fiche.status in ("draft", "review") and fiche.revision == 0:
        db.session.delete(fiche)
    elif fiche.status == "review":
        fiche.status = "published"
    audit.record("fiche.draft_discarded", fiche.slug)


def mark_verified(fiche: Fiche, review_due: date | None) -> None:
    fiche.verified_on = datetime.now(UTC).date()
    if review_due:
        fiche.review_due = review_due
    fiche.updated_at = datetime.now(UTC)
    audit.record("fiche.verified", fiche.slug)


def archive(fiche: Fiche) -> None:
    fiche.status = "archived"
    audit.record("fiche.archived", fiche.slug)


def restore(fiche: Fiche) -> None:
    fiche.status = "published" if fiche.revision else "draft"
    audit.record("fiche.restored", fiche.slug)


# --------------------------------------------------------------------------- tenant side

def save_complement(fiche: Fiche, body_md: str, author) -> FicheComplement | None:
    complement = db.session.scalar(
        sa.select(FicheComplement).where(FicheComplement.fiche_id == fiche.id))
    if not body_md.strip():
        if complement is not None:
            db.session.delete(complement)
            audit.record("fiche.complement_removed", fiche.slug)
        return None
    if complement is None:
        complement = FicheComplement(fiche_id=fiche.id, body_md=body_md)
        db.session.add(complement)
    complement.body_md = body_md
    complement.updated_by_id = getattr(author, "id", None)
    db.session.flush()
    audit.record("fiche.complement_saved", fiche.slug)
    return complement


def acknowledge(fiche: Fiche, user, reception_point_id: int | None) -> bool:
    """Record « J'ai pris connaissance » of the current revision (once)."""
    exists = db.session.scalar(sa.select(FicheRead.id).where(
        FicheRead.fiche_id == fiche.id, FicheRead.revision == fiche.revision,
        FicheRead.user_id == user.id))
    if exists:
        return False
    db.session.add(FicheRead(fiche_id=fiche.id, revision=fiche.revision, user_id=user.id,
                             reception_point_id=reception_point_id,
                             network_id=fiche.network_id))
    db.session.flush()
    return True


def log_contact(fiche: Fiche | None, *, user, commune_id, reception_point_id, referral: str,
                channel: str) -> ContactLog:
    if channel not in ("desk", "phone"):
        raise FicheError("Canal inconnu.")
    space = tenancy.require_space()
    network_id = fiche.network_id if fiche is not None and fiche.network_id else (
        space.network_ids[0] if space.network_ids else None)
    entry = ContactLog(
        fiche_id=getattr(fiche, "id", None), user_id=user.id, commune_id=commune_id,
        reception_point_id=reception_point_id, referral=(referral or "")[:200],
        channel=channel, network_id=network_id,
        theme_slug=(fiche.theme.slug if fiche is not None and fiche.theme else ""),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def record_miss(query: str) -> None:
    """Count a search that found nothing (one row per distinct folded query)."""
    from app.networks.fiches.text import fold

    text = " ".join(fold(query).split())[:200]
    if len(text) < 3:
        return
    space = tenancy.require_space()
    network_id = space.network_ids[0] if space.network_ids else None
    stmt = pg_insert(SearchMiss.__table__).values(
        tenant_id=space.tenant_id, network_id=network_id, query=text, count=1,
    ).on_conflict_do_update(
        constraint="uq_search_miss_query",
        set_={"count": SearchMiss.__table__.c.count + 1, "last_at": sa.func.now()},
    )
    db.session.execute(stmt)


def propose(fiche: Fiche | None, body: str, author) -> FicheProposal:
    body = (body or "").strip()
    if len(body) < 5:
        raise FicheError("Décrivez votre proposition en quelques mots.")
    # A note on a local fiche stays in the tenant: only network fiches are addressed out.
    network_id = fiche.network_id if fiche is not None else None
    proposal = FicheProposal(fiche_id=getattr(fiche, "id", None), body=body[:4000],
                             author_id=author.id, network_id=network_id)
    db.session.add(proposal)
    db.session.flush()
    audit.record("fiche.proposal_sent", getattr(fiche, "slug", ""))
    return proposal


def reader_state(user) -> ReaderState:
    state = db.session.scalar(sa.select(ReaderState).where(ReaderState.user_id == user.id))
    if state is None:
        state = ReaderState(user_id=user.id, unfollowed_theme_ids=[])
        db.session.add(state)
        db.session.flush()
    return state


# --------------------------------------------------------------------------- authoring helpers

def add_theme(name: str, position: int = 0):
    """A new theme in the current network; its slug (used by the observatory) stays as is
    when the theme is renamed later."""
    from app.networks.fiches.models import FicheTheme

    slug = slugify(name)[:80]
    if db.session.scalar(sa.select(FicheTheme.id).where(FicheTheme.slug == slug)) is not None:
        raise FicheError("Un thème porte déjà ce nom.")
    theme = FicheTheme(slug=slug, name=name, position=position)
    db.session.add(theme)
    db.session.flush()
    audit.record("fiche.theme_added", slug)
    return theme


def update_theme(theme, name: str, position: int) -> bool:
    """Rename or move a theme; returns whether anything changed."""
    if theme.name == name and theme.position == position:
        return False
    theme.name, theme.position = name, position
    db.session.flush()
    audit.record("fiche.theme_updated", theme.slug, name=name, position=position)
    return True


def close_proposal(proposal: FicheProposal) -> None:
    proposal.status = "done"
    db.session.flush()
    audit.record("fiche.proposal_closed", str(proposal.id))
