"""Governance committees, their members and the decisions register."""


def register(app) -> None:
    from app.committees.views import network_bp, tenant_bp

    app.register_blueprint(tenant_bp)
    app.register_blueprint(network_bp)
