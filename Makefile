# The two commands a newcomer needs: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UNTRANSLATED ?= fail
STAMP  := $(VENV)/.installed-stamp
WORKSPACE ?= demo-workspace
PORTAL_WORKSPACE ?= portal-demo-workspace

.PHONY: help install system-deps test book catalogues lock clean portal

help:
	@echo "make book   - set everything up and build the report from the synthetic demo data"
	@echo "make test   - the full test suite (what CI runs)"
	@echo "make portal - start the web portal on localhost with the demo workspace and demo accounts"
	@echo "make lock   - re-pin requirements.lock from requirements.in"

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# axe-core (the portal's accessibility test) from package-lock.json into ./node_modules; never at test time
NODE_STAMP := node_modules/.installed-stamp
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || bash scripts/system-deps.sh
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

system-deps:
	bash scripts/system-deps.sh

test: install system-deps
	$(BIN)/python -m pytest

book: install system-deps
	@# the demo workspace is made once (a fixed seed: always the same data); delete it to make it again
	@if [ ! -f $(WORKSPACE)/workspace.yaml ]; then $(BIN)/peer-eval demo $(WORKSPACE); fi
	@# a heading, caption or labelled value without its Dutch or French translation stops the build (peer-eval
	@# build's default); `make book UNTRANSLATED=report` only lists them (book/_build/untranslated.txt), e.g. while
	@# new chapter text waits for its translators (`make catalogues` adds it to book/locales)
	$(BIN)/peer-eval build $(WORKSPACE) --untranslated $(UNTRANSLATED)
	@echo "The report: $(CURDIR)/$(WORKSPACE)/book/_build/html/index.html (Nederlands: nl/index.html, français: fr/index.html)"

# the Dutch and French catalogues (book/locales) brought up to date with the chapters (sphinx-intl)
catalogues: install
	@if [ ! -f $(WORKSPACE)/workspace.yaml ]; then $(BIN)/peer-eval demo $(WORKSPACE); fi
	$(BIN)/peer-eval build $(WORKSPACE) --untranslated report
	$(BIN)/python -m evaluation.build.catalogues $(WORKSPACE)

portal: install
	$(BIN)/peer-eval portal --demo $(PORTAL_WORKSPACE)

lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -r requirements.in
	.venv-lock/bin/python -m pip freeze --exclude-editable > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) $(WORKSPACE) book/_build node_modules
