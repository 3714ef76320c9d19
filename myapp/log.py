import logging


class OneLineFormatter(logging.Formatter):
    """Every event on one line, its traceback included, with line breaks written as \\n.

    Docker, `docker compose logs` and Divio's log view take each line for an event of its own: a
    traceback would be torn into dozens, interleaved with other requests' lines. It also keeps a
    line break in a request's path or a file name from forging a log line.
    """

    def format(self, record):
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")
