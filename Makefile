# The two commands of the README: `make demo` and `make test`. The work is in scripts/.
SHELL := /bin/bash
export PORT ?= 8000
export HOST ?= 127.0.0.1

.PHONY: demo test bench lint format messages

demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

bench:
	@bash scripts/bench.sh

lint:
	@UV=$$(bash scripts/uv.sh) && $$UV run ruff check . && $$UV run ruff format --check .

format:
	@UV=$$(bash scripts/uv.sh) && $$UV run ruff format . && $$UV run ruff check --fix .

messages:
	@bash scripts/messages.sh
