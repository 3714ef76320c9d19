import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# A URL's password: what lies between "scheme://user:" and the last "@" before the path.
URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/?#@\s]*:)[^/?#\s]*@", re.IGNORECASE)


class OneLineFormatter(logging.Formatter):
    """Every event on one line, its traceback included, with line breaks written as \\n.

    Docker, `docker compose logs` and Divio's log view take each line for an event of its own: a
    traceback would be torn into dozens, interleaved with other requests' lines. It also keeps a
    line break in a request's path or a file name from forging a log line.
    """

    def format(self, record):
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


def hide_passwords(value):
    """Return ``value`` with the password of every URL in it hidden, in strings at any depth."""
    if isinstance(value, str):
        # A lazy string (a setting's) stays one unless it holds a password.
        text = str(value)
        hidden = rf"\1{SafeExceptionReporterFilter.cleansed_substitute}@"
        return URL_PASSWORD.sub(hidden, text) if URL_PASSWORD.search(text) else value
    if isinstance(value, dict):
        return {key: hide_passwords(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(hide_passwords(item) for item in value)
    return value


class ErrorReportFilter(SafeExceptionReporterFilter):
    """What error pages and reports show: Django's filter, and no password of any URL.

    Django hides settings and variables by their names (KEY, SECRET, PASS...);
    DEFAULT_STORAGE_DSN and DATABASE_URL carry theirs in their values, which DEBUG's error page
    shows among the settings, the request's environment and the frames' variables.
    """

    def cleanse_setting(self, key, value):
        return hide_passwords(super().cleanse_setting(key, value))

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, hide_passwords(value)) for name, value in variables]


class ErrorReporter(ExceptionReporter):
    """DEBUG's error page, and error reports, with no password of a URL in the error's message."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if "exception_value" in data:
            # A string on Django 5.2, the exception itself on 6.1: shown as its text either way.
            data["exception_value"] = hide_passwords(str(data["exception_value"]))
        return data


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
