"""Fiches: the fiche a desk e-mails to a family and the digest of new publications, each
triggered in the browser as the agent or the coordinator does it, carried by the real worker
to the real SMTP server, and read (or its link followed) as the recipient."""

from __future__ import annotations

import time

TENANT = "saint-brieuc-armor"
NETWORK = "cotes-d-armor"
COORDINATOR = "coordinatrice@demo.maillage.fr"
DESK_AGENT = "accueil.plerin@demo.maillage.fr"  # mairie de Plérin, covered by the Goëlo relais
# An extra reception agent of the demo that no other test of the lane signs in as.
DIGEST_READER = "yannick.rault@demo.maillage.fr"


def _wait_for_body(live, address: str, subject_contains: str, body_contains: str,
                   timeout: float = 30):
    """The message to `address` whose subject and body hold these texts (other messages of
    the same kind, from other tests, may arrive before it)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in live.inbox.to(address)
                 if subject_contains in m.subject and body_contains in m.body]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            seen = [m.subject for m in live.inbox.to(address)]
            raise AssertionError(f"no message to {address} with « {subject_contains} » and "
                                 f"« {body_contains} » within {timeout} s; got: {seen}")
        time.sleep(0.2)


def test_fiche_sent_from_the_desk_reaches_the_family_resolved_for_the_commune(live, as_user):
    family = "famille.kerleau@parents.test"
    slug = "micro-creche-et-mam"
    (title,), = live.sql("select title from fiche where slug = %s and network_id is not null",
                         (slug,))
    (relais, relais_phone), = live.sql("select name, phone from relais"
                                       " where name = 'RPE Littoral du Goëlo'")
    agent = as_user(DESK_AGENT)
    sent = agent.post(f"/t/{TENANT}/fiches/{slug}/envoyer", {"email": family})
    assert sent.status == 200 and f"/t/{TENANT}/fiches/{slug}" in sent.url, sent
    assert "L’adresse de la famille" in sent.text

    received, = live.inbox.wait_for(family, title)
    assert received.to == family
    assert received.subject == f"{title} — informations petite enfance"
    body = received.body
    assert title in body
    # The fiche is resolved for Plérin, the agent's commune: its relais, its phone.
    assert f"Le {relais} connaît celles du secteur : {relais_phone}" in body
    assert f"Relais petite enfance : {relais}" in body
    assert "{" not in body, "a placeholder was left unresolved"
    assert "Saint-Brieuc Armor Agglomération" in body
    assert received.links() == []  # the family has no account: nothing to sign in to

    # Once delivered, the family's address and the text are no longer kept.
    deadline = time.monotonic() + 10
    while True:
        rows = live.sql("select status, to_address, body_text from mail_message"
                        " where kind = 'to_family' and subject = %s order by id desc limit 1",
                        (received.subject,))
        if rows and rows[0][0] == "sent" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert rows == [("sent", "(adresse effacée après envoi)", "")]
    assert live.sql("select count(*) from mail_message where to_address = %s",
                    (family,)) == [(0,)]


def test_publication_by_the_coordinator_sends_the_digest_whose_link_lists_the_fiche(
        live, as_user):
    title = "Garde d’enfants pendant une formation professionnelle"
    (theme_id,), = live.sql("select id from fiche_theme where slug = 'emploi-insertion'")
    coordinator = as_user(COORDINATOR)
    created = coordinator.post(f"/n/{NETWORK}/fiches/nouvelle", {
        "title": title, "theme_id": str(theme_id),
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": ("Pendant une formation, la famille peut faire garder son enfant par "
                         "une crèche ou une assistante maternelle ; le {relais.nom} "
                         "l’oriente : {relais.telephone}."),
        "details_md": "", "phrasings": "garde pendant une formation", "referrals": "",
        "cannot_do": "", "sources": "", "review_due": ""})
    assert created.status == 200 and "/modifier" in created.url, created
    slug = created.url.rstrip("/").split("/")[-2]
    publish_page = f"/n/{NETWORK}/fiches/{slug}/publier"
    published = coordinator.post(publish_page, {"summary": "Création de la fiche"})
    assert published.status == 200, published
    assert "Version 1 publiée" in published.text
    assert live.sql("select status, revision from fiche where slug = %s",
                    (slug,)) == [("published", 1)]

    received = _wait_for_body(live, DIGEST_READER, "à jour", title)
    assert received.to == DIGEST_READER
    assert "Bonjour Yannick Rault" in received.body
    assert f"{title} (version 1)" in received.body
    link, = [link for link in received.links() if "/fiches/nouveautes" in link]
    assert link == f"{live.base_url}/t/{TENANT}/fiches/nouveautes"

    reader = as_user(DIGEST_READER)
    news = reader.get(link)
    assert news.status == 200, news
    assert "<h1>Nouveautés</h1>" in news.text
    assert title in news.text
    assert f'href="/t/{TENANT}/fiches/{slug}"' in news.text
    fiche_page = reader.get(f"/t/{TENANT}/fiches/{slug}")
    assert fiche_page.status == 200 and title in fiche_page.text
