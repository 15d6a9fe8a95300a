"""Alembic environment: migrations run as the database owner, never as the app role."""

import logging

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, pool

config = context.config
logger = logging.getLogger("alembic.env")
target_metadata = current_app.extensions["migrate"].db.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # procrastinate's own tables are created from its shipped schema (see 0002).
    if type_ == "table" and name.startswith("procrastinate"):
        return False
    return True


def run_migrations_offline():
    context.configure(url=current_app.config["OWNER_DATABASE_URL"],
                      target_metadata=target_metadata, literal_binds=True,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = create_engine(current_app.config["OWNER_DATABASE_URL"], poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          include_object=include_object, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
