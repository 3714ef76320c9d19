"""The WSGI application (myapp/wsgi.py): what gunicorn serves in the Docker image and what
runserver serves, the project's whole stack."""

from wsgiref.util import setup_testing_defaults

import pytest
from django.core.servers.basehttp import get_internal_wsgi_application

from myapp.wsgi import application
from tests.helpers.applications import assert_serves_the_project

# The application closes the database connection after each request, as a server's would be:
# outside a test's transaction, so that nothing of the test's is lost with it.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_storage_check"),
]


def get(path, host="testserver"):
    """GET ``path`` from the application as a WSGI server would; return (status, headers, body)."""
    environ = {"PATH_INFO": path, "HTTP_HOST": host, "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=int(status.split()[0]), headers={n.lower(): v for n, v in headers})

    response = application(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        response.close()
    return started["status"], started["headers"], body


def test_the_project_answers_as_over_the_other_interface():
    assert_serves_the_project(get)


def test_runserver_serves_this_application():
    assert get_internal_wsgi_application() is application
