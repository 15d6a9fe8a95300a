"""Events: partner forums, round tables, committee meetings, information meetings."""


def register(app) -> None:
    from app.events.personal import bp as my_events_bp
    from app.events.rsvp import bp as rsvp_bp
    from app.events.views import network_bp, tenant_bp

    app.register_blueprint(tenant_bp)
    app.register_blueprint(network_bp)
    app.register_blueprint(rsvp_bp)
    app.register_blueprint(my_events_bp)
