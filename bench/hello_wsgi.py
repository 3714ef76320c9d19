"""The least a WSGI server can serve: bench/startup.py's baseline for gunicorn's start."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello\n"]
