"""Direct uploads through two instances of one site: twenty of one name at the same moment, from
the "browser" straight to the storage, keep their bytes under distinct names."""

import pytest
from django.core.files.storage import default_storage

from directuploads import cors
from tests.helpers import direct as direct_client
from tests.helpers.instances import (
    CHANGELIST,
    assert_kept_apart,
    needs_postgresql,
    upload_together,
)

pytestmark = needs_postgresql


def direct(session, server, content):
    api = direct_client.SessionApi(session, server.url)
    return api.save(direct_client.upload(api, "report.pdf", content)).url.endswith(CHANGELIST)


@pytest.mark.django_db(transaction=True)  # the servers see only what is committed
def test_simultaneous_uploads_of_one_name_all_keep_their_bytes_under_distinct_names(
    gunicorn, stored_cloud, django_user_model, settings
):
    # The servers ask the storage's CORS rules, which must allow their pages (any origin here).
    cors.allow(default_storage, ["*"])
    contents, saved = upload_together(
        gunicorn, django_user_model, settings.DEFAULT_STORAGE_DSN, direct
    )
    if hasattr(default_storage, "service_client"):  # Azurite's rules are its whole account's
        default_storage.service_client.set_service_properties(cors=[])

    assert_kept_apart(stored_cloud, contents, saved)
