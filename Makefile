# Two commands set everything up on a fresh machine: `make grade` and `make test`.
# Both create the virtual environment in .venv/ on first use, with the pinned dependencies:
# requirements.txt (what grading needs) and requirements-dev.txt (the kit's tests and tools).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
REQUIREMENTS := requirements.txt requirements-dev.txt
STAMP := $(VENV)/.installed-$(shell cat $(REQUIREMENTS) | cksum | cut -d' ' -f1)
# A venv whose python is gone (moved, or Python upgraded) is rebuilt, whatever its stamp says.
REBUILD := $(if $(wildcard $(PY)),,rebuild-venv)
# pytest's own workers (pytest-xdist), heaviest test groups first (tests/conftest.py). 3 on
# the kit's 2-core machine: a third worker fills the time the others wait on time limits and
# killed workers (2 min 5 s to 2 min 36 s, against 2 min 28 s to 2 min 34 s with 2).
TEST_JOBS ?= 3
TRAIN_STAMP := $(VENV)/.train-$(shell cksum < requirements-train.txt | cut -d' ' -f1)
SUBMISSION ?= exercises/word2vec.py
EXAMPLE_CLASS := tests/corpus/class
SUBMISSIONS ?= $(EXAMPLE_CLASS)
REPORT ?= report

.PHONY: grade train report test test-fast exercises venv clean bench cases release gradescope rebuild-venv

grade: $(STAMP)
	@$(PY) -m grader grade "$(SUBMISSION)" $(if $(JSON),--json "$(JSON)") $(if $(ANNOTATE),--annotate "$(ANNOTATE)")

# Grade a whole class (folder or .zip) into $(REPORT)/: gradebook, feedback pages, class report.
report: $(STAMP)
	@$(if $(filter $(EXAMPLE_CLASS),$(SUBMISSIONS)),$(PY) tests/corpus/build_class.py >/dev/null)
	@$(PY) -m grader batch "$(SUBMISSIONS)" --out "$(REPORT)" $(if $(JOBS),-j $(JOBS))

# Train word vectors with your own skipgram, negative sampling and sgd (see README, See it work).
train: $(STAMP) $(TRAIN_STAMP)
	@$(PY) -m training $(if $(CORPUS),--corpus "$(CORPUS)") $(if $(ITERATIONS),--iterations $(ITERATIONS)) $(if $(STEP),--step $(STEP)) $(if $(FRESH),--fresh)

# The full suite (CI runs this); test-fast leaves out the tests marked `slow` (end-to-end
# builds, fresh virtual environments, the sandbox's time limits).
test: $(STAMP) $(TRAIN_STAMP)
	$(PY) -m pytest -q -n $(TEST_JOBS) --dist loadgroup --no-loadscope-reorder --durations=10

test-fast: $(STAMP) $(TRAIN_STAMP)
	$(PY) -m pytest -q -n $(TEST_JOBS) --dist loadgroup --no-loadscope-reorder -m "not slow"

# Refuses to overwrite an exercise file with work in it; FORCE=1 overwrites.
# HINTS=derive|guided: how much the handout gives away (default: the rubric's [handout] hints).
exercises: $(STAMP)
	$(PY) -m grader.build.stubs $(if $(FORCE),--force) $(if $(HINTS),--hints $(HINTS))
	$(PY) -m grader.build.notebook $(if $(FORCE),--force) $(if $(HINTS),--hints $(HINTS))

venv: $(STAMP)

# The stored generated inputs of the checks (grader/checks/cases.json): after editing inputs.py
cases: $(STAMP)
	$(PY) -m grader.build.store_cases

# Speed and memory against this machine's floor (see README, Performance); BENCH_ARGS=--quick
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

# Release: the student bundle (public checks, no reference) and the Gradescope autograder.
release: $(STAMP)
	$(PY) -m grader.build.release

gradescope: $(STAMP)
	$(PY) -m grader.build.gradescope

# A half-made venv (e.g. `python3 -m venv` failed for want of python3-venv, leaving no pip)
# is removed and made again; if that fails too, say what to install instead of failing later.
$(STAMP): $(REQUIREMENTS) $(REBUILD)
	@$(PY) -m pip --version >/dev/null 2>&1 || { \
	    if [ -e $(VENV) ]; then echo "$(VENV)/ is incomplete (no pip): making it again"; fi; \
	    rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && $(PY) -m pip --version >/dev/null 2>&1; } || { \
	    rm -rf $(VENV); \
	    echo "error: could not create $(VENV)/ with $(PYTHON): install Python's venv module" \
	         "(Debian/Ubuntu: sudo apt install python3-venv), then run make again" >&2; exit 1; }
	@echo "Installing pinned dependencies into $(VENV)/ (first run only)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check $(addprefix -r ,$(REQUIREMENTS))
	@rm -f $(VENV)/.installed-* && touch $@

rebuild-venv:

# Into a folder of their own that only training puts on its path (training/__init__.py): the
# grader and its workers never see matplotlib. --no-deps: the file pins all but numpy/packaging.
$(TRAIN_STAMP): requirements-train.txt $(STAMP)
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --upgrade --target $(VENV)/train-site -r requirements-train.txt
	@rm -f $(VENV)/.train-* && touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis dist
