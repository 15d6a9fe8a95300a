"""The satisfaction questionnaire: only after the last sitting, only for one's own confirmed
registration, validated with French messages, answered once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import app.training.feedback  # noqa: F401  (registers the route on the training blueprint)
from app.core import tenancy
from app.training.models import FeedbackAnswer
from tests.training.test_tenant_sessions import BASE, in_days, make_session, make_world, register_as

VALID = {"satisfaction": "4", "usefulness": "5", "organisation": "3",
         "comment": "Très concret, merci."}


def answers(dbsession, **where) -> list[FeedbackAnswer]:
    with tenancy.unscoped("test check", dbsession):
        return list(dbsession.scalars(sa.select(FeedbackAnswer).filter_by(**where)))


def url(registration) -> str:
    return f"{BASE}/parcours/{registration.id}/questionnaire"


@pytest.fixture()
def world(dbsession):
    w = make_world(dbsession)
    net = w["network"]
    w["past"] = make_session(dbsession, net, "Formation initiale des animatrices",
                             starts=in_days(-4), sittings=2)
    w["full_past"] = make_session(dbsession, net, "Plénière d’automne", capacity=1,
                                  starts=in_days(-2))
    w["ongoing"] = make_session(dbsession, net, "Analyse de la pratique", starts=in_days(-1),
                                sittings=3)  # last sitting tomorrow
    w["reg"] = register_as(dbsession, w, "a", w["anim_a"], w["past"]).registration
    w["reg_b"] = register_as(dbsession, w, "b", w["anim_b"], w["past"]).registration
    w["reg_colleague"] = register_as(dbsession, w, "a", w["anim_a2"], w["past"]).registration
    register_as(dbsession, w, "a", w["anim_a2"], w["full_past"])
    w["reg_waiting"] = register_as(dbsession, w, "a", w["anim_a"], w["full_past"]).registration
    w["reg_ongoing"] = register_as(dbsession, w, "a", w["anim_a"], w["ongoing"]).registration
    return w


def test_questionnaire_is_accessible_and_saves_one_answer(client, login, world, dbsession):
    token = login("anim.a@example.org")
    html = client.get(url(world["reg"])).get_data(as_text=True)
    assert "Questionnaire de satisfaction" in html and "Formation initiale des animatrices" in html
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    assert html.count('type="radio"') == 15
    assert '<label for="f-satisfaction-5">5 — tout à fait</label>' in html
    assert '<label for="f-comment">' in html and 'name="csrf_token"' in html
    response = client.post(url(world["reg"]), data={"csrf_token": token, **VALID})
    assert response.status_code == 302 and response.location.endswith(f"{BASE}/parcours")
    [answer] = answers(dbsession)
    assert (answer.registration_id, answer.session_id, answer.tenant_id, answer.network_id) == (
        world["reg"].id, world["past"].id, world["a"].id, world["network"].id)
    assert (answer.satisfaction, answer.usefulness, answer.organisation, answer.comment) == (
        4, 5, 3, "Très concret, merci.")


def test_second_answer_is_refused(client, login, world, dbsession):
    token = login("anim.a@example.org")
    client.post(url(world["reg"]), data={"csrf_token": token, **VALID})
    html = client.post(url(world["reg"]), data={"csrf_token": token, **VALID,
                                                "satisfaction": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Vous avez déjà répondu" in html and "<form method=\"post\" action=\"" \
        f"{url(world['reg'])}" not in html
    [answer] = answers(dbsession)
    assert answer.satisfaction == 4
    page = client.get(url(world["reg"])).get_data(as_text=True)
    assert "Vous avez déjà répondu" in page and "4 / 5" in page


def test_invalid_answer_is_refused_with_values_kept(client, login, world, dbsession):
    token = login("anim.a@example.org")
    response = client.post(url(world["reg"]), data={
        "csrf_token": token, "usefulness": "7", "organisation": "2",
        "comment": "Gardé malgré l’erreur"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("Choisissez une note de 1 à 5.") == 2  # satisfaction and usefulness
    assert "Gardé malgré l’erreur" in html
    assert 'id="f-organisation-2" name="organisation" value="2" required checked' in html
    assert 'aria-describedby="f-satisfaction-help f-satisfaction-error"' in html
    response = client.post(url(world["reg"]), data={"csrf_token": token, **VALID,
                                                    "comment": "x" * 2001})
    assert response.status_code == 400
    assert "2000 caractères au maximum." in response.get_data(as_text=True)
    assert answers(dbsession) == []


def test_not_available_before_the_last_sitting_has_ended(client, login, world, dbsession):
    token = login("anim.a@example.org")
    html = client.get(url(world["reg_ongoing"])).get_data(as_text=True)
    assert "disponible à la fin de la dernière séance" in html and 'type="radio"' not in html
    response = client.post(url(world["reg_ongoing"]), data={"csrf_token": token, **VALID})
    assert response.status_code == 403
    assert answers(dbsession) == []


def test_not_available_for_a_waiting_registration(client, login, world, dbsession):
    assert world["reg_waiting"].status == "waiting"
    token = login("anim.a@example.org")
    html = client.get(url(world["reg_waiting"])).get_data(as_text=True)
    assert "réservé aux personnes dont l’inscription était confirmée" in html
    response = client.post(url(world["reg_waiting"]), data={"csrf_token": token, **VALID})
    assert response.status_code == 403
    assert answers(dbsession) == []


def test_not_available_for_a_cancelled_session(client, login, world, dbsession):
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        world["past"].state = "cancelled"
        dbsession.flush()
    token = login("anim.a@example.org")
    assert "a été annulée" in client.get(url(world["reg"])).get_data(as_text=True)
    response = client.post(url(world["reg"]), data={"csrf_token": token, **VALID})
    assert response.status_code == 403
    assert answers(dbsession) == []


def test_another_tenants_registration_is_not_found(client, login, world, dbsession):
    token = login("anim.a@example.org")
    assert client.get(url(world["reg_b"])).status_code == 404
    response = client.post(url(world["reg_b"]), data={"csrf_token": token, **VALID})
    assert response.status_code == 404
    assert answers(dbsession) == []


def test_a_colleagues_registration_is_not_found(client, login, world, dbsession):
    token = login("anim.a@example.org")
    assert client.get(url(world["reg_colleague"])).status_code == 404
    response = client.post(url(world["reg_colleague"]), data={"csrf_token": token, **VALID})
    assert response.status_code == 404
    assert answers(dbsession) == []


def test_other_tenant_cannot_reach_it_through_its_own_space(client, login, world, dbsession):
    token = login("anim.b@example.org")  # tenant B, in its own space, tenant A's id
    b_url = f"/t/{world['b'].slug}/formations/parcours/{world['reg'].id}/questionnaire"
    assert client.get(b_url).status_code == 404
    assert client.post(b_url, data={"csrf_token": token, **VALID}).status_code == 404
    assert answers(dbsession) == []


def test_unknown_registration_is_not_found(client, login, world):
    login("anim.a@example.org")
    assert client.get(f"{BASE}/parcours/999999999/questionnaire").status_code == 404
