"""The inputs a property check runs on: exactly the ones Hypothesis would generate for it.

With a fixed seed, Hypothesis's generate phase draws the same sequence of inputs whenever the
test passes on all of them, whatever the test does. So the sequence is drawn once per
(recipe, count, seed) by a test that only records its input. Checks evaluate their property
on this list first (the student's answers fetched in a few batched round trips); only when an
input fails do they run Hypothesis for real, which then meets the same failure first and
shrinks it, so verdicts and feedback are those of a plain Hypothesis run.

Drawing costs about a second per grading, so the lists are also stored in cases.json, which
`make cases` (python -m grader.build.store_cases) rewrites. The stored lists are used only
while their fingerprint (Hypothesis's version and the source of inputs.py and of this file)
still matches; otherwise they are drawn again: a stale file costs time, never correctness.

The same file holds, per list, the inputs a search tries when its test fails on every one
(when_failing): Hypothesis's next input depends only on the seed and on how the inputs so far
came out (passed, or failed with an exception raised where), so a search whose test fails on
each of these in turn ends as Hypothesis would end it, and a file wrong from the first input
on is graded without importing Hypothesis (framework._search).
"""

import dataclasses
import hashlib
import importlib.util
import json
from pathlib import Path

from grader.checks import inputs

CASES_FILE = Path(__file__).with_name("cases.json")
PROBLEM_TYPES = {cls.__name__: cls for cls in (inputs.SigmoidProblem, inputs.LossProblem,
                                               inputs.SkipgramProblem)}
_drawn = {}     # key -> list of problems, for the life of the process
_recipes = {}   # key -> (recipe, examples, seed) of every list asked for in this process
_stored = None  # CASES_FILE's "cases" and "when_failing" (key -> encoded problems), if current


def _draw_from_the_seed_alone():
    """Stop Hypothesis mixing constants from this process's own source files into its draws.

    Hypothesis (6.13x+) scans every local module loaded in the process and sometimes draws
    the numbers it finds there. Which modules are loaded differs between `grade`, `batch`
    and the student bundle, so the same seed would give different inputs, and a submission
    different feedback. With the pinned Hypothesis, replacing the scan with an empty set makes
    the inputs a function of the seed alone.
    """
    from hypothesis.internal.conjecture import providers
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty


def hypothesis_settings(examples):
    """The settings every property check runs under (and its inputs are drawn with)."""
    from hypothesis import HealthCheck, Phase, Verbosity, settings
    _draw_from_the_seed_alone()
    return settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                    report_multiple_bugs=False, print_blob=False,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink))


def drawn(recipe, examples, fixed_seed):
    """The inputs Hypothesis generates for `recipe` under these settings, in order."""
    key = _key(recipe, examples, fixed_seed)
    _recipes[key] = (recipe, examples, fixed_seed)
    if key not in _drawn:
        stored = _decoded(stored_cases().get(key))
        _drawn[key] = stored if stored is not None else draw(recipe, examples, fixed_seed)
    return _drawn[key]


def when_failing(recipe, examples, fixed_seed):
    """The inputs Hypothesis's search tries, in order, when its test fails on every one:
    stored by `make cases` (record_when_failing), or None when not stored or stale.

    With the pinned Hypothesis, this is the first generated input three times: it is the
    simplest input the strategy can make, so there is nothing to shrink."""
    return _decoded(_stored_part("when_failing").get(_key(recipe, examples, fixed_seed)))


def record_when_failing(recipe, examples, fixed_seed):
    """Run a search as framework._search does, with a test that fails on every input, and
    return the inputs it was given, in order."""
    return _record(recipe, examples, fixed_seed, fail=True)


def _key(recipe, examples, fixed_seed):
    return f"{recipe.label} x{examples} seed={fixed_seed}"


WHEN_NEEDED = []   # callables that let a background import of Hypothesis run free


def hypothesis_needed():
    """This thread imports Hypothesis now: a background import of it (framework.
    import_hypothesis_soon) goes on at full speed instead of waiting for the grader to wait
    (this thread would otherwise wait on the module it is importing, 5 ms per module)."""
    for let_go in WHEN_NEEDED:
        let_go()


def draw(recipe, examples, fixed_seed):
    """Run Hypothesis with a test that only records what it is given."""
    return _record(recipe, examples, fixed_seed, fail=False)


class _Fails(Exception):
    """What record_when_failing's test raises, always from the same line."""


def _record(recipe, examples, fixed_seed, fail):
    """The inputs Hypothesis gives a test that passes (or, with `fail`, fails) on each."""
    hypothesis_needed()
    from hypothesis import given, seed
    inputs_seen = []

    def record(problem):
        inputs_seen.append(problem)
        if fail:
            raise _Fails

    run = hypothesis_settings(examples)(given(recipe.strategy())(record))
    try:
        seed(fixed_seed)(run)()
    except _Fails:
        pass
    return inputs_seen


def store(cases, when_failing):
    """Write the lists (key -> problems) of generated inputs and of the inputs tried when
    every one fails to CASES_FILE, under the current fingerprint."""
    def encoded(lists):
        return {key: [encode(p) for p in problems] for key, problems in sorted(lists.items())}
    CASES_FILE.write_text(json.dumps({"fingerprint": fingerprint(), "cases": encoded(cases),
                                      "when_failing": encoded(when_failing)},
                                     separators=(",", ":"), sort_keys=True) + "\n")


def drawn_so_far():
    return dict(_drawn)


def recipes_so_far():
    """key -> (recipe, examples, seed) of every list asked for in this process."""
    return dict(_recipes)


def forget():
    """Drop every list held in memory and ignore the stored ones (to draw them afresh)."""
    global _stored
    _drawn.clear()
    _recipes.clear()
    _stored = {}


def fingerprint():
    digest = hashlib.sha256(_hypothesis_version().encode())
    for source in (Path(inputs.__file__), Path(__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _hypothesis_version():
    """The installed Hypothesis's version, without importing it: its version.py, found by
    the import system and read as text (importlib.metadata's scan of every installed
    distribution cost 0.06 s of each grading; importing Hypothesis, 0.3 s)."""
    spec = importlib.util.find_spec("hypothesis")
    if spec is None or not spec.origin:
        return "none"
    try:
        return (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
    except OSError:
        return "unknown"


def stored_cases():
    return _stored_part("cases")


def _stored_part(part):
    global _stored
    if _stored is None:
        try:
            data = json.loads(CASES_FILE.read_text())
            current = isinstance(data, dict) and data.get("fingerprint") == fingerprint()
            _stored = data if current else {}
        except (OSError, ValueError):
            _stored = {}
    value = _stored.get(part)
    return value if isinstance(value, dict) else {}


def encode(problem):
    return {"type": type(problem).__name__, **dataclasses.asdict(problem)}


def _decoded(stored):
    """The problems of a stored list, or None if there is none or it cannot be read (a file
    edited by hand: it then costs time, never correctness)."""
    try:
        return None if stored is None else [decode(p) for p in stored]
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def decode(data):
    data = dict(data)
    cls = PROBLEM_TYPES[data.pop("type")]
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
