"""The uploader's migrations as the tests run them backwards and forwards, and the indexes of
its table as the database has them."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's only: set DATABASE_URL (CI does)"
)

# The indexes of the admin's list that migration 0003 adds, besides PostgreSQL's trigram index.
LIST_INDEXES = {
    "uploader_by_name",
    "uploader_by_size",
    "uploader_by_content_type",
    "uploader_by_uploader",
    "uploader_kind_newest_first",
    "uploader_kind_by_size",
    "uploader_kind_by_content_type",
}
TRIGRAM_INDEX = "uploader_name_trigram"


@contextmanager
def migration_executor():
    """Yield a migration executor; every app is migrated forwards again afterwards."""
    executor = MigrationExecutor(connection)
    try:
        yield executor
    finally:
        migrate_to_the_end(executor)


def migrate_to_the_end(executor):
    """Migrate every app forwards, as ``manage.py migrate`` does."""
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def uploads_indexes():
    """The names of the uploads table's indexes, and whether the database can use each."""
    from uploader.models import UploadedFile

    table = UploadedFile._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            constraints = connection.introspection.get_constraints(cursor, table)
            return {name: True for name, constraint in constraints.items() if constraint["index"]}
        cursor.execute(
            "SELECT indexrelid::regclass::text, indisvalid FROM pg_index "
            "WHERE indrelid = %s::regclass",
            [table],
        )
        return dict(cursor.fetchall())


def index_definition(name):
    """PostgreSQL's definition of the index ``name``, as ``\\d`` shows it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        return cursor.fetchone()[0]
