"""PostgreSQL restarts under load (a five-second outage): acknowledged writes survive, the
web app answers 503 with the French page meanwhile and 200 afterwards, and the worker —
which procrastinate alone would let die — reconnects and delivers what was queued.

The server is an embedded PostgreSQL (pgserver) that this test owns, so restarting it
disturbs nothing else."""

from __future__ import annotations

import shutil
import threading
import time
import urllib.parse

import pytest

from tests.live import ROOT, LiveProduct

COORDINATOR = "coordinatrice@demo.maillage.fr"
OUTAGE_SECONDS = 5


class EmbeddedServer:
    def __init__(self, data_dir):
        import pgserver

        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        self.data_dir = data_dir
        self.server = pgserver.get_server(str(data_dir), cleanup_mode=None)
        self.admin_url = self.server.get_uri()
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.admin_url).query)
        self.socket_dir = query["host"][0]

    def _pg_ctl(self, args: list[str]) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(args, pgdata=self.data_dir, user=self.server.system_user, timeout=60)

    def stop(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def start(self) -> None:
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}",
                      "-l", str(self.data_dir / "log"), "start"])

    def remove(self) -> None:
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - already stopped
            pass
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture()
def restartable():
    server = EmbeddedServer(ROOT / "instance" / "pgrestart")
    product = LiveProduct("maillage_restart", admin_url=server.admin_url)
    product.server = server
    try:
        product.start()
        yield product
    finally:
        try:
            product.stop()
        finally:
            server.remove()


def _next_forum(live) -> int:
    (event_id,), = live.sql("select id from event where network_id is not null and kind = 'forum'"
                            " and status = 'scheduled' and starts_at > now()"
                            " order by starts_at limit 1")
    return event_id


def test_a_database_restart_under_load_loses_nothing_and_the_worker_delivers(restartable):
    live = restartable
    page = f"/n/cotes-d-armor/evenements/{_next_forum(live)}/invitations"
    acknowledged: list[str] = []
    statuses: list[int] = []
    stop = threading.Event()

    def invite_in_a_loop(worker: int) -> None:
        coordinator = live.browser()
        coordinator.login(COORDINATOR)
        number = 0
        while not stop.is_set():
            number += 1
            address = f"charge.{worker}.{number}@partenaire.test"
            try:
                response = coordinator.post(page, {"group": "email", "name": f"Charge {number}",
                                                   "email": address})
            except (OSError, AssertionError):  # refused connection, or a 503 without a form
                statuses.append(0)
                time.sleep(0.2)
                continue
            statuses.append(response.status)
            if response.status == 200 and response.url.endswith("/invitations"):
                acknowledged.append(address)
            time.sleep(0.05)

    threads = [threading.Thread(target=invite_in_a_loop, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    signed_in = live.browser()
    signed_in.login(COORDINATOR)
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 5:  # the load is running
            assert time.monotonic() < deadline, f"no load before the outage: {statuses[-10:]}"
            time.sleep(0.2)
        before = len(acknowledged)

        live.server.stop()
        down_at = time.monotonic()
        health = signed_in.get("/healthz")
        during = signed_in.get("/n/cotes-d-armor/")
        assert health.status == 503
        assert during.status == 503, during
        assert "Service momentanément indisponible" in during.text
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))
        live.server.start()

        deadline = time.monotonic() + 30
        while signed_in.get("/healthz").status != 200:
            assert time.monotonic() < deadline, "the web app did not recover within 30 s"
            time.sleep(0.5)
        assert signed_in.get("/n/cotes-d-armor/").status == 200
        deadline = time.monotonic() + 30
        while len(acknowledged) < before + 5:  # the load goes on against the restarted server
            assert time.monotonic() < deadline, f"no write after the restart: {statuses[-10:]}"
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert len(acknowledged) > before, "no write acknowledged after the restart"
    assert 503 in statuses or 0 in statuses
    assert 500 not in statuses, "a request answered 500 during the outage"

    stored = {row[0] for row in live.sql(
        "select email from event_invitation where email like 'charge.%%'")}
    assert set(acknowledged) <= stored, "an acknowledged write was lost"

    assert live.process("worker").poll() is None, "the worker stopped"
    for address in acknowledged:  # the worker reconnected: everything acknowledged arrives
        live.inbox.wait_for(address, "Invitation", timeout=150)
