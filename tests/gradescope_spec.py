"""Gradescope's results.json specification, as a checker the tests share.

From "Autograder Specifications" (gradescope-autograders.readthedocs.io/en/latest/specs/):
top-level and per-test field names, the visibility values (hidden, after_due_date,
after_published, visible), the status values (passed, failed), and the output formats (text,
html, simple_format, md, ansi).
"""

import numbers

TOP_LEVEL = {"score", "execution_time", "output", "output_format", "test_output_format",
             "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
             "leaderboard"}
PER_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
            "output_format", "tags", "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
STATUS = {"passed", "failed"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def problems(results):
    """Every way `results` departs from the specification (empty: it conforms)."""
    found = [f"unknown top-level field {k!r}" for k in sorted(set(results) - TOP_LEVEL)]
    tests = results.get("tests", [])
    if "score" not in results and not all("score" in t for t in tests):
        found.append("no top-level score and not every test has one")
    for key in ("score", "execution_time"):
        if key in results and not _number(results[key]):
            found.append(f"{key} is not a number: {results[key]!r}")
    for key in ("output",):
        if key in results and not isinstance(results[key], str):
            found.append(f"{key} is not a string")
    for key in ("visibility", "stdout_visibility"):
        if key in results and results[key] not in VISIBILITY:
            found.append(f"{key} = {results[key]!r}")
    for key in ("output_format", "test_output_format", "test_name_format"):
        if key in results and results[key] not in FORMATS:
            found.append(f"{key} = {results[key]!r}")
    if not isinstance(tests, list):
        return found + ["tests is not a list"]
    for n, test in enumerate(tests):
        where = f"tests[{n}]"
        found += [f"{where}: unknown field {k!r}" for k in sorted(set(test) - PER_TEST)]
        for key in ("score", "max_score"):
            if key in test and not _number(test[key]):
                found.append(f"{where}.{key} is not a number")
        if test.get("status", "passed") not in STATUS:
            found.append(f"{where}.status = {test['status']!r}")
        if test.get("visibility", "visible") not in VISIBILITY:
            found.append(f"{where}.visibility = {test['visibility']!r}")
        for key in ("output_format", "name_format"):
            if key in test and test[key] not in FORMATS:
                found.append(f"{where}.{key} = {test[key]!r}")
        for key in ("name", "output", "number"):
            if key in test and not isinstance(test[key], str):
                found.append(f"{where}.{key} is not a string")
        if "tags" in test and not (isinstance(test["tags"], list)
                                   and all(isinstance(t, str) for t in test["tags"])):
            found.append(f"{where}.tags is not a list of strings")
    return found


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
