"""The uploader's migrations: files uploaded before the uploader recorded names, sizes and types
get them from storage (0002); the admin's list gets its indexes without blocking the table
(0003)."""

import uuid

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from tests.helpers.files import read_stored
from tests.helpers.project import manage
from tests.helpers.uploads import upload
from uploader.models import UploadedFile

BEFORE = [("uploader", "0001_initial")]
AFTER = [("uploader", "0002_describe_uploads")]


@pytest.fixture
def executor():
    """A migration executor; every app is migrated forwards again afterwards."""
    executor = MigrationExecutor(connection)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_described_from_their_files(stored, executor):
    executor.migrate(BEFORE)
    old_model = executor.loader.project_state(BEFORE).apps.get_model("uploader", "UploadedFile")
    stored.put("tutorial report.pdf", b"%PDF" + bytes(1000))
    old_model.objects.create(file="tutorial report.pdf")
    old_model.objects.create(file="lost.txt")  # its file is gone

    executor.loader.build_graph()
    executor.migrate(AFTER)

    lost, report = UploadedFile.objects.order_by("file")
    assert (lost.name, lost.content_type, lost.size) == ("lost.txt", "text/plain", None)
    assert (report.name, report.content_type, report.size) == (
        "tutorial report.pdf",
        "application/pdf",
        1004,
    )
    assert read_stored(report.file) == b"%PDF" + bytes(1000)


# The list's indexes (0003): built without blocking the table on PostgreSQL, and again after a
# run that failed part-way

LIST_INDEXES = {
    "uploader_by_name",
    "uploader_by_size",
    "uploader_by_content_type",
    "uploader_by_uploader",
    "uploader_kind_newest_first",
    "uploader_kind_by_size",
    "uploader_kind_by_content_type",
}

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's only: set DATABASE_URL (CI does)"
)


def indexes():
    """The names of the uploads table's indexes, and whether PostgreSQL can use each."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            constraints = connection.introspection.get_constraints(
                cursor, UploadedFile._meta.db_table
            )
            return {name: True for name, constraint in constraints.items() if constraint["index"]}
        cursor.execute(
            "SELECT indexrelid::regclass::text, indisvalid FROM pg_index "
            "WHERE indrelid = %s::regclass",
            [UploadedFile._meta.db_table],
        )
        return dict(cursor.fetchall())


def index_definition(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_lists_indexes_are_built():
    assert set(indexes()) >= LIST_INDEXES


@pytest.mark.django_db
@on_postgresql
def test_postgresql_has_a_trigram_index_on_the_upper_case_name():
    assert "USING gin (upper((name)::text) gin_trgm_ops)" in index_definition(
        "uploader_name_trigram"
    )


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL has it")
def test_other_databases_have_no_trigram_index():
    assert "uploader_name_trigram" not in indexes()


@pytest.mark.django_db(transaction=True)
def test_the_indexes_go_when_the_migration_is_reversed(executor):
    executor.migrate(AFTER)
    assert not (LIST_INDEXES | {"uploader_name_trigram"}) & set(indexes())


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_run_that_failed_part_way_can_be_run_again(executor):
    executor.migrate(AFTER)
    UploadedFile.objects.bulk_create([upload("a.txt"), upload("b.txt")])
    with connection.cursor() as cursor:
        # As an earlier run left them: one index built, one failed (invalid, still there).
        cursor.execute("CREATE INDEX uploader_by_size ON uploader_uploadedfile (size, id)")
        with pytest.raises(IntegrityError):
            cursor.execute(
                "CREATE UNIQUE INDEX CONCURRENTLY uploader_by_name "
                "ON uploader_uploadedfile (content_type)"
            )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert all(indexes()[name] for name in LIST_INDEXES)


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_an_index_left_invalid_is_built_again_as_the_model_has_it(executor):
    executor.migrate(AFTER)
    UploadedFile.objects.bulk_create([upload("a.txt"), upload("b.txt")])
    with connection.cursor() as cursor, pytest.raises(IntegrityError):
        cursor.execute(
            "CREATE UNIQUE INDEX CONCURRENTLY uploader_by_name "
            "ON uploader_uploadedfile (content_type)"
        )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
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
