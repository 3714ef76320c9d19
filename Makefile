# The README's commands: `make run` and `make test`; the rest are for working on the project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The local admin login that `make run` creates and prints; override on the command line.
export DJANGO_SUPERUSER_USERNAME ?= admin
export DJANGO_SUPERUSER_PASSWORD ?= admin
export DJANGO_SUPERUSER_EMAIL ?= admin@example.com

.PHONY: run test test-latest test-container test-removal bench lint format lock

# One virtual environment, installed again whenever a requirements file changes. The files pin
# every package with its hashes, so pip installs exactly what they list.
define install
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $<
	touch $@
endef

$(VENV)/.run-installed: requirements.txt
	$(install)

$(VENV)/.test-installed: requirements-dev.txt
	$(install)

# The embedded default: DEBUG on, SQLite in data/, media in data/media served at /media/.
run: export DJANGO_DEBUG ?= True
run: $(VENV)/.run-installed
	mkdir -p data/media
	$(BIN)/python manage.py migrate --no-input
	@if $(BIN)/python manage.py shell -c "from django.contrib.auth.models import User; \
		raise SystemExit(User.objects.filter(username='$(DJANGO_SUPERUSER_USERNAME)').exists())"; \
	then $(BIN)/python manage.py createsuperuser --no-input; fi
	@echo
	@echo "  Admin:  http://127.0.0.1:8000/admin/"
	@echo "  Login:  $(DJANGO_SUPERUSER_USERNAME) / $(DJANGO_SUPERUSER_PASSWORD)"
	@echo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# pytest's suite, then the tests of the apps' scripts (tests/*/js/*.test.js) on Node's own test
# runner: skipped where Node is missing, failed for it in CI (CI=true), as the browser tests are.
JS_TESTS := $(sort $(shell find tests -name '*.test.js'))
# The browser tests inject axe-core from node_modules (package.json), installed where npm is.
test: $(VENV)/.test-installed $(if $(shell command -v npm 2>/dev/null),node_modules/.installed)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -z "$(JS_TESTS)" ]; then :; \
	elif command -v node >/dev/null; then node --test --test-reporter=spec $(JS_TESTS); \
	elif [ "$$CI" = true ]; then echo "The JavaScript tests need Node.js"; exit 1; \
	else echo "Node.js not found: the JavaScript tests are skipped"; fi

# The same suite on the newest Django and the newest release of everything else, unlocked (the
# pins of requirements*.in overridden by requirements-latest.txt), in a virtual environment of its
# own: what a project that upgrades will meet. Django 6 needs Python 3.12 or newer: the newest
# python3.1x on PATH, else pyenv's newest.
LATEST_VENV := .venv-latest
LATEST_PYTHON ?= $(shell \
	for python in python3.14 python3.13 python3.12; do \
		$$python -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null \
			&& { command -v $$python; exit; }; \
	done; \
	ls -d "$$(pyenv root 2>/dev/null)"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V | tail -n 1)

test-latest: $(VENV)/.test-installed
	@test -n "$(LATEST_PYTHON)" || { echo "make test-latest needs Python 3.12 or newer" \
		"(python3.12 or later on PATH, or in pyenv); or give LATEST_PYTHON=/path/to/python3"; exit 1; }
	$(BIN)/uv venv --quiet --allow-existing --python "$(LATEST_PYTHON)" $(LATEST_VENV)
	$(BIN)/uv pip install --quiet --python $(LATEST_VENV)/bin/python --upgrade \
		-r requirements-dev.in --override requirements-latest.txt
	@$(LATEST_VENV)/bin/python -c "import django, sys; \
		print(f'Django {django.__version__} on Python {sys.version.split()[0]}')"
	$(LATEST_VENV)/bin/python -m pytest $(PYTEST_ARGS)

# Start-up, the admin's list at a million rows, uploads through the server and from Chromium,
# /healthz under fifty slow uploads, each against a baseline of the same run (docs/benchmarks.md).
# BENCH_ARGS=--quick runs them small, in a few minutes.
bench: $(VENV)/.test-installed
	$(BIN)/python -m bench.startup $(BENCH_ARGS)
	$(BIN)/python -m bench.changelist $(BENCH_ARGS)
	$(BIN)/python -m bench.upload $(BENCH_ARGS)
	$(BIN)/python -m bench.direct $(BENCH_ARGS)
	$(BIN)/python -m bench.responsive $(BENCH_ARGS)

# The Docker path built and run for real (tests/containers, docs/docker.md): `docker compose up` on
# fresh copies of the checkout, Divio's CLI against it, and a Divio-style run of the image. Uses
# the Docker engine that answers, else podman as root.
test-container: $(VENV)/.test-installed
	$(BIN)/python -m pytest -m container tests/containers $(PYTEST_ARGS)

# Each app beyond the tutorial deleted from a copy of the checkout, as the README says (its folder,
# its tests, the lines of settings and URLs naming it), and what remains checked, migrated and
# tested: tests/test_removable_apps.py, some minutes per app.
test-removal: $(VENV)/.test-installed
	$(BIN)/python -m pytest -m removal tests/test_removable_apps.py $(PYTEST_ARGS)

# ruff's lint and format checks (settings in pyproject.toml), hadolint on the Dockerfiles, and
# ESLint and Prettier on the project's own JavaScript (eslint.config.mjs, .prettierrc.json): the
# apps' static scripts and their tests, quoted for the tools to expand; a pattern that matches
# nothing (an app removed) is no error.
DOCKERFILES := Dockerfile $(wildcard containers/standins/*.Containerfile)
JS_FILES := '*/static/**/*.js' 'tests/**/*.js' eslint.config.mjs
lint: $(VENV)/.test-installed node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint $(DOCKERFILES)
	npx eslint --max-warnings 0 --no-error-on-unmatched-pattern $(JS_FILES)
	npx prettier --check --no-error-on-unmatched-pattern $(JS_FILES)

# ESLint and Prettier at the versions package-lock.json pins, installed again when it changes.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# What can be fixed by itself: formatting (ruff's and Prettier's), import order and ruff's safe
# fixes.
format: $(VENV)/.test-installed node_modules/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	npx prettier --write --no-error-on-unmatched-pattern $(JS_FILES)

# requirements.txt and requirements-dev.txt compiled from the hand-kept .in files, every package
# pinned with its hashes, for every Python the project supports. Pins already in the files are
# kept: `make lock UPGRADE=boto3` upgrades one package (and what it needs), `UPGRADE=--all` all.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.10 --generate-hashes \
	--custom-compile-command "make lock" \
	$(if $(filter --all,$(UPGRADE)),--upgrade,$(addprefix --upgrade-package ,$(UPGRADE)))
lock: $(VENV)/.test-installed
	$(UV_COMPILE) requirements.in --output-file requirements.txt
	$(UV_COMPILE) requirements-dev.in --constraint requirements.txt --output-file requirements-dev.txt
