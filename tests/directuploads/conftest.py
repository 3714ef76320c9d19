"""What the direct uploads' tests share: the storage's CORS rules taken as allowing the test
client's pages, unless a test asks the storage itself (``real_cors``)."""

import pytest

from directuploads import cors


@pytest.fixture(autouse=True)
def cors_allows_the_test_client(request, monkeypatch):
    """The test client's pages come from http://testserver, which no bucket's rules name: the
    start view takes them as allowed. Browser tests and ``real_cors`` ask the storage."""
    cors.forget()
    if "real_cors" in request.fixturenames or "page" in request.fixturenames:
        yield
    else:
        monkeypatch.setattr(cors, "allowed", lambda storage, origin: True)
        yield
    cors.forget()


@pytest.fixture
def real_cors():
    """The storage's own CORS rules decide, as in production."""


@pytest.fixture
def cors_container(azure_container, azurite, live_server):
    """The default storage on an Azurite container, its service allowing the site (CORS)."""
    from azure.storage.blob import CorsRule

    service = azurite.client()
    service.set_service_properties(
        cors=[CorsRule([live_server.url], ["PUT"], allowed_headers=["*"], max_age_in_seconds=60)]
    )
    yield azure_container
    service.set_service_properties(cors=[])
