import logging


class OneLineFormatter(logging.Formatter):
    """Every event on one line, its traceback included, with line breaks written as \\n.

    Docker, `docker compose logs` and Divio's log view take each line for an event of its own: a
    traceback would be torn into dozens, interleaved with other requests' lines. It also keeps a
    line break in a request's path or a file name from forging a log line.
    """

    def format(self, record):
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


# settings.LOGGING: every logger to stdout, through the formatter above.
CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "one_line": {
            "class": "myapp.log.OneLineFormatter",
            "format": "{asctime} {levelname} {name}: {message}",
            "style": "{",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "one_line",
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        # The Azure SDK logs every request and response with their headers at INFO: two events
        # for each blob read or written.
        "azure": {"level": "WARNING"},
        # django-axes logs every login at INFO; its lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}
