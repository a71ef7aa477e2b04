# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PORT ?= 8000
HOST ?= 127.0.0.1
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export UV_LINK_MODE ?= copy

.PHONY: demo test install bench lint format messages serve

$(UV):
	@python3 -m pip install --user --quiet "uv==0.13.9" || python3 -m pip install --quiet "uv==0.13.9"

install: $(UV)
	@$(UV) sync --frozen --quiet

demo: install
	@bash scripts/demo.sh

test: $(UV)
	@bash scripts/test.sh

bench: install
	@bash scripts/bench.sh

lint: install
	@$(UV) run ruff check . && $(UV) run ruff format --check .

format: install
	@$(UV) run ruff format . && $(UV) run ruff check --fix .

messages: install
	@cd src/osservatorio && $(UV) run django-admin makemessages -l en --ignore 'core/static/*' && $(UV) run django-admin compilemessages
