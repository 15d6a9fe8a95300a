from __future__ import annotations

import pytest

from tests.committees import helpers
from tests.conftest import FreshContextClient


@pytest.fixture()
def w(dbsession):
    return helpers.build()


@pytest.fixture()
def as_user(app, dbsession):
    """`client, token = as_user("elu.a@example.org")`: one signed-in client per person."""
    app.test_client_class = FreshContextClient
    return lambda email: helpers.sign_in(app, email)
