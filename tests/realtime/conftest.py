"""The real-runtime lane: one live product (database with the demo data, gunicorn, `flask
worker` on procrastinate's PostgreSQL queue, an aiosmtpd server) shared by the lane's tests.
Each test uses its own addresses or its own rows, so tests do not see each other's mail."""

from __future__ import annotations

import os

import pytest

from tests.live import LiveProduct

LANE_DB = (f"{os.environ['TEST_DB_NAME']}_lane" if os.environ.get("TEST_DB_NAME")
           else "maillage_test_lane")


@pytest.fixture(scope="session")
def live():
    product = LiveProduct(LANE_DB).start()
    try:
        yield product
    finally:
        product.stop()


@pytest.fixture()
def as_user(live):
    """as_user(email): a browser signed in as that demo account."""

    def sign_in(email_address: str):
        browser = live.browser()
        browser.login(email_address)
        return browser

    return sign_in
