"""The uploader's migrations: files uploaded before the uploader recorded names, sizes and types
get them from storage (0002); the admin's list gets its indexes (0003). How those indexes are
built, without blocking the table, is tests/uploader/test_operations.py's."""

import pytest

from tests.helpers.files import read_stored
from tests.helpers.migrations import LIST_INDEXES, migrate_to_the_end, migration_executor
from tests.helpers.migrations import uploads_indexes as indexes
from uploader.models import UploadedFile

BEFORE = [("uploader", "0001_initial")]
AFTER = [("uploader", "0002_describe_uploads")]


@pytest.fixture
def executor():
    """A migration executor; every app is migrated forwards again afterwards."""
    with migration_executor() as executor:
        yield executor


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


@pytest.mark.django_db
def test_the_lists_indexes_are_built():
    assert set(indexes()) >= LIST_INDEXES


@pytest.mark.django_db(transaction=True)
def test_the_lists_indexes_are_built_again_after_the_migration_is_reversed(executor):
    executor.migrate(AFTER)
    migrate_to_the_end(executor)

    assert all(indexes()[name] for name in LIST_INDEXES)
