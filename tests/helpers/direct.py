"""Direct uploads as the browser's script makes them (myapp/static/myapp/direct-upload.js).

``TestClientApi`` drives the signing views through Django's test client, ``SessionApi`` through
requests against a real server; the parts go to the storage with requests, as from a browser.
"""

import json

import requests

START = "/admin/uploader/uploadedfile/direct-uploads/file/"
ADD = "/admin/uploader/uploadedfile/add/"


class TestClientApi:
    """The signing views through Django's test client, logged in."""

    def __init__(self, client):
        self.client = client

    def post(self, url, body):
        response = self.client.post(url, json.dumps(body), content_type="application/json")
        return response.status_code, answer(response)

    def save(self, token):
        """Post the add form naming the upload ``token``, as the script does; return the answer."""
        return self.client.post(ADD, {"file-direct": token, "_save": "Save"})


class SessionApi:
    """The signing views through requests against a server at ``base``, logged in."""

    def __init__(self, session, base):
        self.session, self.base = session, base

    def token(self):
        """Return the CSRF token, as a page of the admin gives it to the script: once."""
        if "csrftoken" not in self.session.cookies:
            self.session.get(self.base + ADD, timeout=30)
        return self.session.cookies["csrftoken"]

    def post(self, url, body):
        response = self.session.post(
            self.base + url, json=body, headers={"X-CSRFToken": self.token()}, timeout=60
        )
        return response.status_code, answer(response)

    def save(self, token):
        return self.session.post(
            self.base + ADD,
            data={"csrfmiddlewaretoken": self.token(), "file-direct": token, "_save": "Save"},
            timeout=60,
        )


def answer(response):
    """Return the JSON of a view's answer, or {} for an error page."""
    is_json = response.headers.get("Content-Type") == "application/json"
    return response.json() if is_json else {}


def start(api, name, size):
    """Start a direct upload; return the views' answer (``parts``, ``part_size``, ``urls``)."""
    status, started = api.post(START, {"name": name, "size": size})
    assert status == 200, started
    return started


def send(api, started, content):
    """Sign every part and PUT it to the storage, as the browser does."""
    numbers = list(range(1, started["parts"] + 1))
    status, signed = api.post(started["urls"]["parts"], {"parts": numbers})
    assert status == 200, signed
    size = started["part_size"]
    for number in numbers:
        part = content[(number - 1) * size : number * size]
        response = requests.put(signed["urls"][str(number)], data=part, timeout=60)
        assert response.status_code in (200, 201), response.text


def upload(api, name, content):
    """Make a whole direct upload of ``content``; return the token the form names it by."""
    started = start(api, name, len(content))
    send(api, started, content)
    status, completed = api.post(started["urls"]["complete"], {})
    assert status == 200, completed
    return completed["token"]
