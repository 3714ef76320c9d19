"""The ASGI application (myapp/asgi.py) that an ASGI server such as uvicorn or daphne serves:
the project's whole stack answers, as over the WSGI one."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.testing import ApplicationCommunicator

from myapp.asgi import application
from tests.helpers.applications import assert_serves_the_project

# The application closes the database connection after each request, as a server's would be:
# outside a test's transaction, so that nothing of the test's is lost with it.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_storage_check"),
]


def get(path, host="testserver"):
    """GET ``path`` from the application as an ASGI server would; return (status, headers, body).

    In a thread of its own, with its own event loop: the browser tests' Playwright keeps one
    running in this thread.
    """
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, request(path, host)).result()


async def request(path, host):
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(timeout=10)
    body = b""
    while True:
        message = await communicator.receive_output(timeout=10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=10)
    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    return start["status"], headers, body


def test_the_project_answers_as_over_the_other_interface():
    assert_serves_the_project(get)
