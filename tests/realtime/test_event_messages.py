"""Forums and meetings: each e-mail they promise, triggered as the organiser does it, carried
by the real worker to the real SMTP server, and its link followed."""

from __future__ import annotations

import re

COORDINATOR = "coordinatrice@demo.maillage.fr"


def _next_forum(live) -> int:
    (event_id,), = live.sql("select id from event where network_id is not null and kind = 'forum'"
                            " and status = 'scheduled' and starts_at > now()"
                            " order by starts_at limit 1")
    return event_id


def test_event_invitation_reaches_an_external_partner_and_its_link_answers(live, as_user):
    event_id = _next_forum(live)
    coordinator = as_user(COORDINATOR)
    page = f"/n/cotes-d-armor/evenements/{event_id}/invitations"
    response = coordinator.post(page, {"group": "email", "name": "Nadia Externe",
                                       "email": "nadia.externe@partenaire.test"})
    assert response.status == 200, response

    received, = live.inbox.wait_for("nadia.externe@partenaire.test", "Invitation")
    assert "Forum des partenaires" in received.subject
    answer_link, = [link for link in received.links() if "/invitation/" in link]
    assert answer_link.startswith(live.base_url)

    guest = live.browser()  # no account, no login: the link alone
    answer_page = guest.get(answer_link)
    assert answer_page.status == 200
    assert "Forum des partenaires" in answer_page.text
    reply = guest.post(answer_link, {"response": "yes", "party_size": "2", "comment": ""})
    assert reply.status == 200
    assert live.sql("select response, party_size from event_invitation where email = %s",
                    ("nadia.externe@partenaire.test",)) == [("yes", 2)]
    assert re.search(r"merci|réponse", reply.text, re.I)
