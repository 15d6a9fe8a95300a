"""Network space: /n/<network>/…"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from app.core import spaces

bp = Blueprint("networks", __name__, url_prefix="/n/<network_slug>", template_folder="templates")


@bp.url_value_preprocessor
def _pull_slug(endpoint, values):
    g.network_slug = values.pop("network_slug", None)


@bp.url_defaults
def _add_slug(endpoint, values):
    if "network_slug" not in values and g.get("network") is not None:
        values["network_slug"] = g.network.slug


@bp.before_request
def _enter():
    return spaces.enter_network(g.network_slug)


@bp.get("/")
def home():
    return render_template("networks/home.html")
