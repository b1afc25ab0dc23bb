"""Read rubric.toml: points, limits and case counts, with a fingerprint for the gradebook.

The rubric is checked against the registry (grader.registry) and the check modules when it is
loaded: an unknown section or key, a check id no check has, a check with no points, a
misspelt item key: each is named in one RubricError (one line, "; " between them), so a typo never shows up later as a
raw TypeError or as a maximum score that differs between files.
"""

import hashlib
from dataclasses import dataclass, field, fields
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from grader import registry
from grader.sandbox.launch import Limits

DEFAULT_PATH = Path(__file__).resolve().parent / "rubric.toml"
MODES = ("hidden", "public")  # public: the student release, no reference (grader.checks.public)
HINT_LEVELS = ("derive", "guided")  # [handout] hints: what the stubs, notebook and fixes give away
# The functions graded under the default switches (optional exercises off); a loaded rubric's
# own list is `Rubric.functions`.
FUNCTIONS = registry.enabled()
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
TABLES = {"limits": ("call_seconds", "load_seconds", "function_budget_seconds", "memory_mb",
                     "output_kib"),
          "cases": ("max_examples", "gradient_check_examples", "seed"),
          "names": ("accept_other_editions",),
          "exercises": registry.OPTIONAL,
          "handout": ("hints",)}
SCALARS = ("version", "mode")


class RubricError(Exception):
    """The rubric file cannot be used; the message names every problem found."""


@dataclass(frozen=True)
class Item:
    """One check's entry: its points, whether it compares with the reference (core), and
    its visibility on Gradescope."""
    points: float
    core: bool = False
    visibility: str = "visible"


ITEM_KEYS = tuple(f.name for f in fields(Item))


@dataclass(frozen=True)
class Rubric:
    version: str
    fingerprint: str
    limits: Limits
    function_budget_seconds: float
    output_kib: int
    max_examples: int
    gradient_check_examples: int
    seed: int
    items: dict  # function -> {check id -> Item}, for the graded functions only
    mode: str = "hidden"
    accept_other_names: bool = True   # [names]: grade other editions' names, with a note
    hints: str = "derive"   # [handout]: "derive" poses the gradients as questions; "guided" gives them
    functions: tuple = field(default=FUNCTIONS)   # graded, in order (optional ones switched on)

    def item(self, function: str, check: str) -> Item:
        """The rubric entry of one check; RubricError if the rubric has none."""
        try:
            return self.items[function][check]
        except KeyError:
            raise RubricError(f"rubric has no entry [{function}] {check}") from None

    def max_score(self, function: str | None = None) -> float:
        """Points available in one function, or in all graded functions."""
        names = [function] if function else self.functions
        return sum(i.points for f in names for i in self.items[f].values())


def check_ids(function: str, mode: str) -> list:
    """The ids of `function`'s checks in `mode`, in grading order (imports its check module)."""
    from grader.checks import exercises
    return [check.id for check in exercises(mode, (function,))[function].CHECKS]


def problems(raw: dict, mode: str, functions: tuple) -> list:
    """Every problem of a parsed rubric, one sentence each (empty: usable)."""
    found = []
    for key, value in raw.items():
        if key in TABLES:
            if not isinstance(value, dict):
                found.append(f"[{key}] must be a table")
                continue
            found += [f"[{key}] has no setting {k!r} (known: {', '.join(TABLES[key])})"
                      for k in value if k not in TABLES[key]]
        elif key not in SCALARS and key not in registry.NAMES:
            found.append(f"unknown section or key {key!r} (exercise functions: "
                         f"{', '.join(registry.NAMES)})")
    for function in registry.NAMES:
        section = raw.get(function)
        if function not in functions:
            continue
        if not isinstance(section, dict) or not section:
            found.append(f"no [{function}] section")
            continue
        for check, spec in section.items():
            if not isinstance(spec, dict):
                found.append(f"[{function}] {check} must be a table like {{ points = 2 }}")
                continue
            found += [f"[{function}] {check}: unknown key {k!r} (known: {', '.join(ITEM_KEYS)})"
                      for k in spec if k not in ITEM_KEYS]
            if not isinstance(spec.get("points"), (int, float)) or isinstance(spec.get("points"), bool):
                found.append(f"[{function}] {check}: points must be a number")
            if spec.get("visibility", "visible") not in VISIBILITIES:
                found.append(f"[{function}] {check}: visibility must be one of "
                             f"{', '.join(VISIBILITIES)}")
        ids = check_ids(function, mode)
        where = " in public mode" if mode == "public" else ""
        found += [f"[{function}] {check}: no such check{where} (its checks: {', '.join(ids)})"
                  for check in section if check not in ids]
        found += [f"[{function}] has no entry for its check {check!r}"
                  for check in ids if check not in section]
    return found


def load(path=DEFAULT_PATH) -> Rubric:
    """The rubric at `path`, validated; RubricError (naming every problem) if it is unusable,
    OSError if it cannot be read."""
    return load_bytes(Path(path).read_bytes(), path)


def load_text(text: str, path="<text>") -> Rubric:
    """A rubric from its text (see load)."""
    return load_bytes(text.encode(), path)


def load_bytes(raw_bytes: bytes, path="<text>") -> Rubric:
    """A rubric from the file's bytes; `path` only names it in errors (see load)."""
    try:
        raw = tomllib.loads(raw_bytes.decode())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RubricError(f"rubric {path} is not valid TOML: {exc}") from None
    limits, cases = raw.get("limits", {}), raw.get("cases", {})
    mode = str(raw.get("mode", "hidden"))
    if mode not in MODES:
        raise RubricError(f"rubric {path}: mode must be one of {MODES}, not {mode!r}")
    hints = str(raw.get("handout", {}).get("hints", "derive"))
    if hints not in HINT_LEVELS:
        raise RubricError(f"rubric {path}: [handout] hints must be one of {HINT_LEVELS}, not {hints!r}")
    switches = raw.get("exercises", {})
    functions = registry.enabled(switches if isinstance(switches, dict) else {})
    found = problems(raw, mode, functions)
    if found:
        raise RubricError(f"rubric {path}: " + "; ".join(found))
    items = {function: {check: Item(**spec) for check, spec in raw[function].items()}
             for function in functions}
    return Rubric(
        version=str(raw.get("version", "0")),
        fingerprint=hashlib.sha256(raw_bytes).hexdigest()[:16],
        limits=Limits(call_seconds=float(limits.get("call_seconds", 2.0)),
                      load_seconds=float(limits.get("load_seconds", 10.0)),
                      memory_mb=int(limits.get("memory_mb", 1024))),
        function_budget_seconds=float(limits.get("function_budget_seconds", 20.0)),
        output_kib=int(limits.get("output_kib", 64)),
        max_examples=int(cases.get("max_examples", 60)),
        gradient_check_examples=int(cases.get("gradient_check_examples", 12)),
        seed=int(cases.get("seed", 0)),
        items=items,
        mode=mode,
        accept_other_names=bool(raw.get("names", {}).get("accept_other_editions", True)),
        hints=hints,
        functions=functions,
    )
