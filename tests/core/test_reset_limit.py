"""The forgot-password form cannot flood a mailbox; the answer on screen never changes."""

import sqlalchemy as sa

from app.core.auth import RESETS_PER_HOUR
from app.core.models import MailMessage
from tests import factories
from tests.conftest import csrf_from


def test_at_most_a_few_reset_links_an_hour(client, dbsession):
    factories.user("oubli@example.org")
    answers = set()
    for _ in range(RESETS_PER_HOUR + 2):
        token = csrf_from(client.get("/mot-de-passe-oublie").get_data(as_text=True))
        response = client.post("/mot-de-passe-oublie", data={
            "csrf_token": token, "email": "oubli@example.org"}, follow_redirects=True)
        answers.add("Si un compte correspond" in response.get_data(as_text=True))
    assert answers == {True}
    sent = dbsession.scalar(sa.select(sa.func.count(MailMessage.id)).where(
        MailMessage.to_address == "oubli@example.org"))
    assert sent == RESETS_PER_HOUR
