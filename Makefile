# Two commands set everything up: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format organizer package bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

organizer: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createsuperuser

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# With TEST_DATABASE_URL (a PostgreSQL server, as on AWS), the suite runs a second time on it.
test: lint package
	$(PY) -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "Again on PostgreSQL ($$TEST_DATABASE_URL):"; \
		DATABASE_URL="$$TEST_DATABASE_URL" $(PY) -m pytest -m "not browser"; \
	else \
		echo "TEST_DATABASE_URL is not set: the PostgreSQL pass was not run (.ci/run sets it)."; \
	fi

# Every benchmark against its baseline, measured in the same run (see README "Performance").
bench: $(VENV)/.dev
	$(PY) -m bench.run

# Zappa packages whatever virtualenv is active, so each stage is built from its own
# production-only one: the dashboard's (Django + Zappa) and the guest's (empty: the guest
# function needs only the project's uploads/ code and the runtime's boto3).
BUILD := .build
$(BUILD)/dashboard/.installed: requirements.txt requirements-deploy.txt
	test -x $(BUILD)/dashboard/bin/python || $(PYTHON) -m venv $(BUILD)/dashboard
	$(BUILD)/dashboard/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-deploy.txt
	touch $@

$(BUILD)/guest/.installed:
	test -x $(BUILD)/guest/bin/python || $(PYTHON) -m venv --without-pip $(BUILD)/guest
	touch $@

package: $(BUILD)/dashboard/.installed $(BUILD)/guest/.installed
	mkdir -p dist
	find . -name __pycache__ -not -path "./.venv/*" -not -path "./$(BUILD)/*" -prune -exec rm -rf {} +
	DJANGO_SECRET_KEY=collectstatic $(BUILD)/dashboard/bin/python manage.py collectstatic --noinput -v0
	AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline VIRTUAL_ENV=$(abspath $(BUILD)/dashboard) \
		$(BUILD)/dashboard/bin/zappa package dashboard -o dist/dashboard.zip
	AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline VIRTUAL_ENV=$(abspath $(BUILD)/guest) \
		$(BUILD)/dashboard/bin/zappa package guest -o dist/guest.zip
	ls -l dist

clean:
	rm -rf $(VENV) $(BUILD) dist staticfiles .pytest_cache .ruff_cache
