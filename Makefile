# Two commands set everything up from nothing and run: `make course` (the main job) and `make test`.
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCALE ?=
FLAGS ?=
OUT   ?= course_output
SAVE  ?=
SMOKE ?=
JUPYTER ?=
# The shared Tiny ImageNet sample, when it sits beside the checkout (as in CI); an explicit variable wins.
SHARED_TINY := $(abspath ../shared/data/tiny-imagenet-200-sub.zip)
ifeq ($(RESNET_COURSE_TINY_IMAGENET),)
  ifneq ($(wildcard $(SHARED_TINY)),)
    export RESNET_COURSE_TINY_IMAGENET := $(SHARED_TINY)
  endif
endif

.PHONY: install course smoke runall test readme sync-check bench docs clean

$(STAMP): settings.ini setup.py
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m pip check
	@touch $(STAMP)

install: $(STAMP)

# SAVE=1: outputs into the notebooks and rows into results/results.csv (sample or full scale). SMOKE=1: every cell, fits cut short.
# JUPYTER=1: each lesson in a Jupyter kernel, every cell, as JupyterLab's Run All runs it.
course: $(STAMP)
	$(VENV)/bin/resnet_course_run --out $(OUT) $(if $(SCALE),--scale $(SCALE)) $(if $(FLAGS),--flags "$(FLAGS)") $(if $(SAVE),--save) $(if $(SMOKE),--smoke) $(if $(JUPYTER),--jupyter)

# The two checks CI runs after the tests: every cell at full scale with fits cut short; Run All in Jupyter at fixture scale.
smoke:
	@$(MAKE) --no-print-directory course SCALE=full FLAGS="slow cuda" SMOKE=1 OUT=$(OUT)/smoke
runall:
	@$(MAKE) --no-print-directory course SCALE=fixture JUPYTER=1 OUT=$(OUT)/runall

test: $(STAMP)
	$(VENV)/bin/resnet_course_test

readme: $(STAMP)
	$(PY) -c "from resnet_course.runner import write_readme; write_readme()"

# Fails when the library or the cleaned notebooks are out of step with the notebooks.
sync-check: $(STAMP)
	@before=$$(git status --porcelain | sort); \
	$(VENV)/bin/nbdev_export && $(VENV)/bin/nbdev_clean; \
	after=$$(git status --porcelain | sort); \
	if [ "$$before" != "$$after" ]; then echo "nbdev_export/nbdev_clean changed files; run them and commit:"; \
	  comm -13 <(echo "$$before") <(echo "$$after"); exit 1; fi; echo "nbdev sync: clean"

# Every benchmark side by side, each ratio beside its goal; writes bench/RESULTS.md (~10 min on a 2-core CPU, see
# bench/report.py). QUICK=1: each shrunk to seconds, to check they run (report to a temp file, not the figures).
bench: $(STAMP)
	$(PY) bench/report.py $(if $(QUICK),--quick)

# The Quarto docs site in _docs/. Quarto is not on PyPI, so say where to get it before installing anything.
docs:
	$(if $(shell command -v quarto),,$(error make docs needs Quarto on PATH: run $(VENV)/bin/nbdev_install_quarto (uses sudo) or see https://quarto.org/docs/get-started/))
	@$(MAKE) --no-print-directory install
	$(VENV)/bin/nbdev_docs

clean:
	rm -rf $(OUT) _proc _docs
