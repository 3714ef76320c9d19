"""The migration operations that add indexes to a table in use (uploader/operations.py): built
concurrently on PostgreSQL, so that reads and writes go on; built again after a run that failed
part-way; Django's own AddIndex, or nothing, on other databases. Run as migration 0003 runs them."""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection

from tests.helpers.migrations import (
    LIST_INDEXES,
    TRIGRAM_INDEX,
    index_definition,
    migrate_to_the_end,
    migration_executor,
    on_postgresql,
)
from tests.helpers.migrations import uploads_indexes as indexes
from tests.helpers.project import manage
from tests.helpers.uploads import upload
from uploader.models import UploadedFile

# Before migration 0003, whose operations these are.
BEFORE = [("uploader", "0002_describe_uploads")]


@pytest.fixture
def executor():
    """A migration executor; every app is migrated forwards again afterwards."""
    with migration_executor() as executor:
        yield executor


def sqlmigrate():
    out = StringIO()
    call_command("sqlmigrate", "uploader", "0003", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@on_postgresql
def test_postgresql_has_a_trigram_index_on_the_upper_case_name():
    assert "USING gin (upper((name)::text) gin_trgm_ops)" in index_definition(TRIGRAM_INDEX)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL has it")
def test_other_databases_have_no_trigram_index():
    assert TRIGRAM_INDEX not in indexes()


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_postgresql_builds_each_index_concurrently(executor):
    executor.migrate(BEFORE)

    sql = sqlmigrate()

    for name in [*LIST_INDEXES, TRIGRAM_INDEX]:
        assert f'CREATE INDEX CONCURRENTLY "{name}" ON "uploader_uploadedfile"' in sql
    assert "BEGIN;" not in sql  # CREATE INDEX CONCURRENTLY cannot run in a transaction


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL builds them its way")
def test_other_databases_build_the_indexes_as_django_does(executor):
    executor.migrate(BEFORE)

    sql = sqlmigrate()

    for name in LIST_INDEXES:
        assert f'CREATE INDEX "{name}" ON "uploader_uploadedfile"' in sql
    assert "CONCURRENTLY" not in sql
    assert "gin_trgm_ops" not in sql  # no trigram index, no extension
    assert "CREATE EXTENSION" not in sql


@pytest.mark.django_db(transaction=True)
def test_the_migration_plan_says_how_each_index_is_built(executor):
    executor.migrate(BEFORE)
    out = StringIO()

    call_command("migrate", "uploader", "--plan", stdout=out)

    plan = out.getvalue()
    assert "Concurrently create trigram index uploader_name_trigram on UPPER(name)" in plan
    assert "Concurrently create index uploader_by_name on field(s) name, id" in plan


@pytest.mark.django_db(transaction=True)
def test_the_indexes_go_when_the_migration_is_reversed(executor):
    executor.migrate(BEFORE)
    assert not (LIST_INDEXES | {TRIGRAM_INDEX}) & set(indexes())


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_reversing_keeps_the_trigram_extension_other_tables_may_use(executor):
    executor.migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_run_that_failed_part_way_can_be_run_again(executor):
    executor.migrate(BEFORE)
    UploadedFile.objects.bulk_create([upload("a.txt"), upload("b.txt")])
    with connection.cursor() as cursor:
        # As an earlier run left them: one index built, one failed (invalid, still there).
        cursor.execute("CREATE INDEX uploader_by_size ON uploader_uploadedfile (size, id)")
        with pytest.raises(IntegrityError):
            cursor.execute(
                "CREATE UNIQUE INDEX CONCURRENTLY uploader_by_name "
                "ON uploader_uploadedfile (content_type)"
            )
    migrate_to_the_end(executor)
    assert all(indexes()[name] for name in LIST_INDEXES)


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_an_index_left_invalid_is_built_again_as_the_model_has_it(executor):
    executor.migrate(BEFORE)
    UploadedFile.objects.bulk_create([upload("a.txt"), upload("b.txt")])
    with connection.cursor() as cursor, pytest.raises(IntegrityError):
        cursor.execute(
            "CREATE UNIQUE INDEX CONCURRENTLY uploader_by_name "
            "ON uploader_uploadedfile (content_type)"
        )
    migrate_to_the_end(executor)
    assert index_definition("uploader_by_name").endswith("USING btree (name, id)")


@pytest.fixture
def owned_database():
    """A database owned by a user who is no superuser, as a platform gives one: its URL."""
    suffix = uuid.uuid4().hex[:8]
    role, database, password = f"changelist_owner_{suffix}", f"changelist_owned_{suffix}", suffix
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quote(role)} LOGIN NOSUPERUSER PASSWORD %s", [password])
        cursor.execute(f"CREATE DATABASE {quote(database)} OWNER {quote(role)}")
    settings = connection.settings_dict
    yield f"postgres://{role}:{password}@{settings['HOST']}:{settings['PORT']}/{database}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(database)}")
        cursor.execute(f"DROP ROLE IF EXISTS {quote(role)}")


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_database_owner_who_is_no_superuser_can_migrate(owned_database):
    """pg_trgm is a trusted extension (PostgreSQL 13 and later): the owner may create it."""
    result = manage("migrate", "--no-input", DJANGO_DEBUG="True", DATABASE_URL=owned_database)
    assert result.returncode == 0, result.stderr
