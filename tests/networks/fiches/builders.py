"""Fiches for tests, written through the real services in the right space."""

from __future__ import annotations

from app.core import tenancy
from app.extensions import db
from app.networks.fiches import services
from app.networks.fiches.models import FicheTheme


def theme(network, slug="modes-accueil", name="Modes d’accueil") -> FicheTheme:
    with tenancy.use_space(tenancy.Space.for_network(network.id), db.session):
        t = FicheTheme(slug=slug, name=name)
        db.session.add(t)
        db.session.flush()
    return t


def content(title: str, **overrides) -> dict:
    base = {
        "title": title, "theme_id": None, "audiences": ["reception_agent"],
        "first_answer": f"Réponse courte pour {title}.", "details_md": "", "phrasings": [],
        "referrals": [{"kind": "relais", "label": "Le relais petite enfance de la commune"}],
        "cannot_do": "", "sources": [], "review_due": None,
    }
    base.update(overrides)
    return base


def published_network_fiche(network, author, title: str, **overrides):
    with tenancy.use_space(tenancy.Space.for_network(network.id), db.session):
        fiche = services.create(content(title, **overrides), author)
        services.publish(fiche, "Création de la fiche", author)
        db.session.flush()
    return fiche


def draft_network_fiche(network, author, title: str, **overrides):
    with tenancy.use_space(tenancy.Space.for_network(network.id), db.session):
        fiche = services.create(content(title, **overrides), author)
        db.session.flush()
    return fiche


def published_local_fiche(tenant, network_ids, author, title: str, **overrides):
    with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, network_ids), db.session):
        fiche = services.create(content(title, **overrides), author)
        services.publish(fiche, "Création de la fiche", author)
        db.session.flush()
    return fiche
