"""What grading produces: small dataclasses, serialised to Gradescope's results.json schema."""

from dataclasses import asdict, dataclass, field

# Said wherever a public-mode score is shown: a full public score is not a full grade.
PUBLIC_NOTICE = ("These are the PUBLIC checks only: gradient checks, properties and a few fixed "
                 "cases. Your final grade comes from hidden tests on many more inputs, so a full "
                 "score here does not guarantee full marks. The total here is lower than the "
                 "final grade's because the speed checks are left out: they time your code "
                 "against the reference solution, which only the hidden tests have.")


# A check's state, as every renderer shows it (grader/report/policy.py decides the marks).
PASSED = "passed"            # passed and counted
FAILED = "failed"            # failed: its feedback explains a finding of its own
SAME_CAUSE = "same_cause"    # failed because of a finding another check explains
NOT_COUNTED = "not_counted"  # passed, but pays only once the function's outputs are right


@dataclass
class Finding:
    """One mistake in a function, explained once: the input that shows it, expected vs actual
    (worst entry), the diagnosis and the fix, all in `text`; `checks` are the ids of the
    checks it costs, the first being the one that shows it."""
    summary: str          # one line naming it (the mistake, or the error's first line)
    text: str             # the full explanation, shown once
    mistake: str = ""
    checks: list = field(default_factory=list)


@dataclass
class CheckResult:
    function: str
    check: str            # id, as in the rubric
    title: str            # what the check asks, in a few words
    score: float
    max_score: float
    passed: bool
    feedback: str = ""    # student-facing explanation when it failed (or a note when it passed)
    mistake: str = ""     # the catalogued mistake it matched, if any
    visibility: str = "visible"
    efficiency: bool = False
    seconds: float = 0.0
    state: str = ""       # PASSED | FAILED | SAME_CAUSE | NOT_COUNTED ("": from `passed`)
    finding: int = -1     # index into the function's findings of the one explaining it

    def __post_init__(self):
        if not self.state:
            self.state = PASSED if self.passed else FAILED

    @property
    def name(self):
        return f"{self.function}: {self.title}"


@dataclass
class FunctionReport:
    name: str
    checks: list = field(default_factory=list)
    status: str = "graded"   # graded | missing | not_implemented | not_graded
    summary: str = ""        # one sentence when the function could not be graded check by check
    notes: list = field(default_factory=list)  # e.g. a singleton shape accepted in this function
    findings: list = field(default_factory=list)  # Finding, root cause first

    @property
    def score(self):
        return sum(c.score for c in self.checks)

    @property
    def max_score(self):
        return sum(c.max_score for c in self.checks)


@dataclass
class GradeReport:
    submission: str
    functions: list = field(default_factory=list)
    problems: list = field(default_factory=list)   # sentences about the file as a whole
    notes: list = field(default_factory=list)      # informational (protections, shapes accepted)
    student_output: str = ""
    seconds: float = 0.0
    grader_version: str = ""
    rubric_version: str = ""
    mode: str = "hidden"     # "public": the student release's checks (see PUBLIC_NOTICE)
    error: str = ""          # the grader's own failure (not the student's): batch retries it

    @property
    def score(self):
        return sum(f.score for f in self.functions)

    @property
    def max_score(self):
        return sum(f.max_score for f in self.functions)

    def checks(self):
        return [c for f in self.functions for c in f.checks]

    def summary_text(self):
        label = "Public checks score" if self.mode == "public" else "Score"
        lines = [f"{label}: {self.score:g} / {self.max_score:g}"]
        lines += [f"  {f.name}: {f.score:g} / {f.max_score:g}" + (f" ({f.summary})" if f.summary else "")
                  for f in self.functions]
        lines += self.problems + self.notes
        if self.mode == "public":
            lines.append(PUBLIC_NOTICE)
        return "\n".join(lines)

    def to_gradescope(self):
        """results.json's content (Gradescope's schema): see grader/report/results_json.py."""
        from grader.report import results_json
        return results_json.gradescope(self)

    def to_dict(self):
        return asdict(self)
