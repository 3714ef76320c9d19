"""Files uploaded before the uploader recorded names, sizes and types get them from storage."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from uploader.models import UploadedFile

BEFORE = [("uploader", "0001_initial")]
AFTER = [("uploader", "0002_describe_uploads")]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_described_from_their_files(stored):
    executor = MigrationExecutor(connection)
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
    assert report.file.read() == b"%PDF" + bytes(1000)
