"""Read rubric.toml: points, limits and case counts, with a fingerprint for the gradebook."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from grader.sandbox.launch import Limits

DEFAULT_PATH = Path(__file__).resolve().parent / "rubric.toml"
MODES = ("hidden", "public")  # public: the student release, no reference (grader.checks.public)
HINT_LEVELS = ("derive", "guided")  # [handout] hints: what the stubs, notebook and fixes give away
FUNCTIONS = ("sigmoid", "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient", "skipgram")


class RubricError(Exception):
    pass


@dataclass(frozen=True)
class Item:
    points: float
    core: bool = False
    visibility: str = "visible"


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
    items: dict  # function -> {check id -> Item}
    mode: str = "hidden"
    accept_other_names: bool = True   # [names]: grade other editions' names, with a note
    hints: str = "derive"   # [handout]: "derive" poses the gradients as questions; "guided" gives them

    def item(self, function, check):
        try:
            return self.items[function][check]
        except KeyError:
            raise RubricError(f"rubric has no entry [{function}] {check}") from None

    def max_score(self, function=None):
        names = [function] if function else FUNCTIONS
        return sum(i.points for f in names for i in self.items[f].values())


def load(path=DEFAULT_PATH):
    raw_bytes = Path(path).read_bytes()
    raw = tomllib.loads(raw_bytes.decode())
    limits, cases = raw.get("limits", {}), raw.get("cases", {})
    mode = str(raw.get("mode", "hidden"))
    if mode not in MODES:
        raise RubricError(f"rubric {path}: mode must be one of {MODES}, not {mode!r}")
    hints = str(raw.get("handout", {}).get("hints", "derive"))
    if hints not in HINT_LEVELS:
        raise RubricError(f"rubric {path}: [handout] hints must be one of {HINT_LEVELS}, not {hints!r}")
    items = {}
    for function in FUNCTIONS:
        section = raw.get(function)
        if not section:
            raise RubricError(f"rubric {path} has no [{function}] section")
        items[function] = {check: Item(**spec) for check, spec in section.items()}
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
    )
