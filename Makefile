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

# mypy is strict on uploads/ and checks the bodies of tests/uploads against the ports (pyproject.toml).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# With TEST_DATABASE_URL (a PostgreSQL server, as on AWS), the suite runs a second time on it. Each
# pass is one process and mostly keeps one core busy: the PostgreSQL pass runs beside the SQLite pass
# (its own database, temporary folders and ports), and its output is shown once the SQLite pass is done.
# The tests marked own_database (servers on their own SQLite, whatever DATABASE_URL says) move to the
# PostgreSQL pass's process so that both take about as long.
PG_LOG := .pytest-postgresql.log
test: lint package
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		DATABASE_URL="$$TEST_DATABASE_URL" $(PY) -m pytest -p no:cacheprovider \
			-m "(not browser and not one_database) or own_database" >$(PG_LOG) 2>&1 & postgres=$$!; \
		trap 'kill $$postgres 2>/dev/null' INT TERM; \
		echo "The PostgreSQL pass runs beside this one; its output follows."; \
		$(PY) -m pytest -m "not own_database"; sqlite=$$?; \
		wait $$postgres; pg=$$?; \
		echo "Again on PostgreSQL ($$TEST_DATABASE_URL):"; cat $(PG_LOG); \
		[ $$sqlite -eq 0 ] && [ $$pg -eq 0 ]; \
	else \
		$(PY) -m pytest || exit $$?; \
		echo "TEST_DATABASE_URL is not set: the PostgreSQL pass was not run (.ci/run sets it)."; \
	fi

# Every benchmark against its baseline, measured in the same run (see README "Performance").
bench: $(VENV)/.dev
	$(PY) -m bench.run

# Zappa packages whatever virtualenv VIRTUAL_ENV names, so each function gets its own, holding
# only what it runs: the dashboard's (Django and what Zappa's handler imports) and the guest's
# (empty: it needs only uploads/ and the runtime's boto3). Zappa and collectstatic themselves run
# from a third, on this machine's Python.
BUILD := .build
ZAPPA := $(BUILD)/zappa/bin/zappa
# The Lambda runtime's Python (zappa_settings.json's "runtime") and its glibc (Amazon Linux 2023).
LAMBDA_PYTHON := 3.13
LAMBDA_PLATFORMS := $(foreach v,$(shell seq 34 -1 5),manylinux_2_$(v)_x86_64) manylinux2014_x86_64 manylinux2010_x86_64 manylinux1_x86_64
# Zappa, running here, packs <venv>/lib/python3.X/site-packages with X this machine's minor version.
HOST_PYTHON_LIB := $(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
DASHBOARD_SITE := $(BUILD)/dashboard/lib/$(HOST_PYTHON_LIB)/site-packages
# botocore ships every AWS service's model (16 MB zipped, a third of Lambda's 50 MB): the dashboard
# keeps those it and Zappa's handler call (tests/deploy checks the code names no other); provision_aws,
# which the package carries, adds API Gateway, STS and CloudWatch (its alarms: 62 KB).
AWS_SERVICES := s3 dynamodb lambda sns sts apigateway cloudwatch

$(BUILD)/zappa/.installed: requirements.txt requirements-deploy.txt
	test -x $(BUILD)/zappa/bin/python || $(PYTHON) -m venv $(BUILD)/zappa
	$(BUILD)/zappa/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-deploy.txt
	touch $@

# The wheels the runtime's interpreter would pick (cp313, manylinux up to glibc 2.34), not this machine's.
$(BUILD)/dashboard/.installed: Makefile requirements.txt requirements-lambda.txt requirements-deploy.txt $(BUILD)/zappa/.installed
	rm -rf $(BUILD)/dashboard
	$(PYTHON) -m venv --without-pip $(BUILD)/dashboard
	$(BUILD)/zappa/bin/python -m pip install --quiet --disable-pip-version-check --target $(DASHBOARD_SITE) \
		--only-binary=:all: --implementation cp --python-version $(LAMBDA_PYTHON) \
		$(addprefix --platform ,$(LAMBDA_PLATFORMS)) -r requirements-lambda.txt
	$(BUILD)/zappa/bin/python -m pip install --quiet --disable-pip-version-check --target $(DASHBOARD_SITE) \
		--no-deps $$(grep -i '^zappa==' requirements-deploy.txt)
	rm -rf $(DASHBOARD_SITE)/bin
	find $(DASHBOARD_SITE)/botocore/data -mindepth 1 -maxdepth 1 -type d $(foreach s,$(AWS_SERVICES),! -name $(s)) \
		-exec rm -rf {} +
	touch $@

$(BUILD)/guest/.installed:
	test -x $(BUILD)/guest/bin/python || $(PYTHON) -m venv --without-pip $(BUILD)/guest
	touch $@

# The tests of the packages run them on the runtime's Python (Debian's build, unpacked, not
# installed) and the guest's on the oldest SDK it supports (tests/deploy/oldest-sdk.txt).
$(BUILD)/python$(LAMBDA_PYTHON)/.installed: tests/deploy/debian_python.sh
	sh tests/deploy/debian_python.sh $(LAMBDA_PYTHON) $(abspath $(BUILD)/python$(LAMBDA_PYTHON))
	touch $@

$(BUILD)/oldest-sdk/.installed: tests/deploy/oldest-sdk.txt $(BUILD)/zappa/.installed
	rm -rf $(BUILD)/oldest-sdk
	$(BUILD)/zappa/bin/python -m pip install --quiet --disable-pip-version-check --target $(BUILD)/oldest-sdk \
		--only-binary=:all: --python-version $(LAMBDA_PYTHON) -r tests/deploy/oldest-sdk.txt
	touch $@

package: $(BUILD)/zappa/.installed $(BUILD)/dashboard/.installed $(BUILD)/guest/.installed \
		$(BUILD)/python$(LAMBDA_PYTHON)/.installed $(BUILD)/oldest-sdk/.installed
	mkdir -p dist
	find . -name __pycache__ -not -path "./.venv/*" -not -path "./$(BUILD)/*" -prune -exec rm -rf {} +
	DJANGO_SECRET_KEY=collectstatic $(BUILD)/zappa/bin/python manage.py collectstatic --noinput -v0
	AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline VIRTUAL_ENV=$(abspath $(BUILD)/dashboard) \
		$(ZAPPA) package dashboard -o dist/dashboard.zip
	AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline VIRTUAL_ENV=$(abspath $(BUILD)/guest) \
		$(ZAPPA) package guest -o dist/guest.zip
	ls -l dist

clean:
	rm -rf $(VENV) $(BUILD) dist staticfiles .pytest_cache .ruff_cache $(PG_LOG)
