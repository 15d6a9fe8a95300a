"""Calendar files: the .ics of a session, and the personal feed behind a secret URL."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.core import tenancy
from app.training.models import CalendarFeed
from tests.training.test_tenant_sessions import (
    BASE,
    PARIS,
    in_days,
    make_session,
    make_world,
    register_as,
)


@pytest.fixture()
def world(dbsession):
    w = make_world(dbsession)
    w["start"] = in_days(12)
    w["juridique"] = make_session(
        dbsession, w["network"], "Contrat de travail et Pajemploi",
        kind="formation_juridique", capacity=10, place="12 rue des Écoles, Lannion",
        room="Salle A", starts=w["start"], sittings=2)
    w["atelier"] = make_session(dbsession, w["network"], "Atelier éveil musical",
                                remote_link="https://visio.example.org/atelier")
    return w


def events(body: bytes):
    calendar = Calendar.from_ical(body)
    return [c for c in calendar.walk("VEVENT")]


def test_session_ics_parses_back_with_paris_times(client, login, world):
    login("anim.a@example.org")
    response = client.get(f"{BASE}/sessions/{world['juridique'].id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response.data)
    assert len(found) == 2
    first = found[0]
    start = first.decoded("dtstart")
    assert isinstance(start, datetime) and str(start.tzinfo) == "Europe/Paris"
    assert start == world["start"] and start.hour == 9
    assert first["dtstart"].params["TZID"] == "Europe/Paris"
    assert str(first["summary"]) == "Contrat de travail et Pajemploi"
    assert str(first["location"]) == "Salle A, 12 rue des Écoles, Lannion"
    assert str(first["uid"]).startswith("sitting-") and str(first["uid"]).endswith("@maillage")
    assert b"BEGIN:VTIMEZONE" in response.data
    again = events(client.get(f"{BASE}/sessions/{world['juridique'].id}.ics").data)
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in found]


def test_remote_session_uses_its_link_as_location(client, login, world):
    login("anim.a@example.org")
    found = events(client.get(f"{BASE}/sessions/{world['atelier'].id}.ics").data)
    assert str(found[0]["location"]) == "https://visio.example.org/atelier"


def feed_url(client, token) -> str:
    html = client.post(f"{BASE}/parcours/calendrier",
                       data={"csrf_token": token}).get_data(as_text=True)
    match = re.search(r'value="(http://maillage\.test/calendrier/[^"]+\.ics)"', html)
    assert match, html
    return match.group(1).removeprefix("http://maillage.test")


def test_feed_works_without_login_and_stops_after_revoke(app, client, login, world,
                                                         dbsession):
    register_as(dbsession, world, "a", world["anim_a"], world["juridique"])
    register_as(dbsession, world, "b", world["anim_b"], world["atelier"])
    token = login("anim.a@example.org")
    url = feed_url(client, token)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    summaries = {str(e["summary"]) for e in events(response.data)}
    assert summaries == {"Contrat de travail et Pajemploi"}  # not the other person's
    with tenancy.unscoped("test check", dbsession):
        stored = dbsession.scalars(sa.select(CalendarFeed.token_hash)).all()
    assert url.split("/")[-1].removesuffix(".ics") not in stored  # only the hash is kept

    html = client.post(f"{BASE}/parcours/calendrier/revoquer", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "désactivée" in html
    assert anonymous.get(url).status_code == 404


def test_new_feed_replaces_the_old_one_and_unknown_tokens_are_not_found(app, client, login,
                                                                        world):
    token = login("anim.a@example.org")
    old, new = feed_url(client, token), feed_url(client, token)
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert anonymous.get("/calendrier/inconnu.ics").status_code == 404


def test_feed_lists_waiting_registrations_as_tentative(app, client, login, world, dbsession):
    small = make_session(dbsession, world["network"], "Analyse de la pratique", capacity=0,
                         kind="analyse_pratique")
    register_as(dbsession, world, "a", world["anim_a"], small)
    token = login("anim.a@example.org")
    body = app.test_client().get(feed_url(client, token)).data
    (event,) = events(body)
    assert str(event["status"]) == "TENTATIVE"
    assert "liste d’attente" in str(event["summary"])
    assert event.decoded("dtstart").tzinfo is not None
    assert event.decoded("dtstart").astimezone(PARIS).hour == 9
