"""The Docker files before anything runs: lint, and the base images the stand-ins replace."""

import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers.containers import CONTAINERS, run
from tests.helpers.project import ROOT

pytestmark = pytest.mark.container

# The images that the Dockerfile and docker-compose.yml name must be exactly those that
# containers/standins/build.sh builds stand-ins for, or a stand-in would pose as something else.
BASE_IMAGE, DATABASE_IMAGE = "python:3.13-slim", "postgres:17"


def test_hadolint_reports_nothing():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    dockerfiles = [ROOT / "Dockerfile", *sorted((CONTAINERS / "standins").glob("*.Containerfile"))]
    result = run([hadolint, "--no-color", *dockerfiles], check=False)
    assert result.stdout == ""


def test_the_dockerfile_builds_on_the_python_image_the_stand_in_replaces():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.findall(r"^FROM\s+(\S+)", dockerfile, re.M) == [BASE_IMAGE]


def test_compose_runs_the_postgres_image_the_stand_in_replaces():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert re.findall(r"^\s+image:\s*(\S+)", compose, re.M) == [DATABASE_IMAGE]


def test_the_stand_ins_are_built_under_those_names():
    script = (CONTAINERS / "standins" / "build.sh").read_text()
    names = re.findall(r"^(?:PYTHON|POSTGRES)=docker\.io/library/(\S+)$", script, re.M)
    assert names == [BASE_IMAGE, DATABASE_IMAGE]
