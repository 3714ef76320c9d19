# The README's commands: `make run` and `make test` (plus `make test-container` and `make bench`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The local admin login that `make run` creates and prints; override on the command line.
export DJANGO_SUPERUSER_USERNAME ?= admin
export DJANGO_SUPERUSER_PASSWORD ?= admin
export DJANGO_SUPERUSER_EMAIL ?= admin@example.com

.PHONY: run test test-container bench

# One virtual environment; installed again whenever a requirements file changes.
define install
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $<
	touch $@
endef

$(VENV)/.run-installed: requirements.txt
	$(install)

$(VENV)/.test-installed: requirements-dev.txt requirements.txt
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

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Start-up, the admin's list at 10,000 rows and a 1 GiB upload, each against its physical limit
# (README, "Benchmarks"). BENCH_ARGS=--quick runs them small, in about a minute.
bench: $(VENV)/.test-installed
	$(BIN)/python bench/startup.py $(BENCH_ARGS)
	$(BIN)/python bench/changelist.py $(BENCH_ARGS)
	$(BIN)/python bench/upload.py $(BENCH_ARGS)

# The Docker path built and run for real (containers/test.py): docker compose and a Divio-style
# run of the image. Uses Docker if an engine runs, else podman as root (CI).
test-container: $(VENV)/.test-installed
	$(BIN)/python containers/test.py
