"""The engine for the container tests, and the containers' logs in the report of a failure."""

import pytest

from tests.helpers import containers
from tests.helpers.prerequisites import skip_unless_ci


def pytest_report_header(config):
    engine, reason = containers.find_engine()
    return f"container engine: {engine.name if engine else f'none ({reason})'}"


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    """Provide the engine that `docker` talks to for the whole session.

    Docker as it is, or podman serving Docker's API, with its stand-in images, until the end.
    """
    found, reason = containers.find_engine()
    if found is None:
        skip_unless_ci(reason)
    if not found.podman:
        yield found
        return
    with containers.podman_as_docker(tmp_path_factory.mktemp("podman")):
        yield found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Add the logs of the containers that a failed test ran against to its report.

    Any fixture value with a ``logs()`` method gives them.
    """
    report = yield
    if report.failed:
        for name, value in getattr(item, "funcargs", {}).items():
            if callable(getattr(value, "logs", None)):
                report.sections.append((f"logs of {name}", value.logs()))
    return report
