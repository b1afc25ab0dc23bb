# Two commands set everything up on a fresh machine: `make grade` and `make test`.
# Both create the virtual environment in .venv/ on first use, with the pinned dependencies.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
TRAIN_STAMP := $(VENV)/.train-$(shell cksum < requirements-train.txt | cut -d' ' -f1)
SUBMISSION ?= exercises/word2vec.py
EXAMPLE_CLASS := tests/corpus/class
SUBMISSIONS ?= $(EXAMPLE_CLASS)
REPORT ?= report

.PHONY: grade train report test exercises check-exercises venv clean bench cases release gradescope

grade: $(STAMP)
	@$(PY) -m grader grade "$(SUBMISSION)" $(if $(JSON),--json "$(JSON)") $(if $(ANNOTATE),--annotate "$(ANNOTATE)")

# Grade a whole class (folder or .zip) into $(REPORT)/: gradebook, feedback pages, class report.
report: $(STAMP)
	@$(if $(filter $(EXAMPLE_CLASS),$(SUBMISSIONS)),$(PY) tests/corpus/build_class.py >/dev/null)
	@$(PY) -m grader batch "$(SUBMISSIONS)" --out "$(REPORT)" $(if $(JOBS),-j $(JOBS))

# Train word vectors with your own skipgram, negative sampling and sgd (see README, See it work).
train: $(STAMP) $(TRAIN_STAMP)
	@$(PY) -m training $(if $(CORPUS),--corpus "$(CORPUS)") $(if $(ITERATIONS),--iterations $(ITERATIONS)) $(if $(STEP),--step $(STEP)) $(if $(FRESH),--fresh)

test: $(STAMP) $(TRAIN_STAMP)
	$(PY) -m pytest -q

exercises: $(STAMP)
	$(PY) -m grader.build.stubs
	$(PY) -m grader.build.notebook

venv: $(STAMP)

# The stored generated inputs of the checks (grader/checks/cases.json): after editing inputs.py
cases: $(STAMP)
	$(PY) -m grader.checks.store_cases

# Speed and memory against this machine's floor (see README, Performance); BENCH_ARGS=--quick
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

# Release: the student bundle (public checks, no reference) and the Gradescope autograder.
release: $(STAMP)
	$(PY) -m grader.build.release

gradescope: $(STAMP)
	$(PY) -m grader.build.gradescope

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned dependencies into $(VENV)/ (first run only)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

# Into a folder of their own that only training puts on its path (training/__init__.py): the
# grader and its workers never see matplotlib. --no-deps: the file pins all but numpy/packaging.
$(TRAIN_STAMP): requirements-train.txt $(STAMP)
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --upgrade --target $(VENV)/train-site -r requirements-train.txt
	@rm -f $(VENV)/.train-* && touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis dist
