"""The exercise functions, each declared once: everything else derives from this table.

Rubric validation (grader.rubric), dispatch to check modules (grader.checks), the class page's
columns and the CSV's, results tags, the release's shipped modules (grader.build.release) and
the notebook's sections all read `FUNCTIONS` here. Adding an exercise function means one entry
here, its check modules, its reference (marked, in `source_file`) and its points in rubric.toml.

Each function's checks are split in two modules:
- `hidden`: compares with the reference and catalogues mistakes (their wrong variants spell
  out near-right answers): never shipped to students;
- `public`: what the student release grades with (no reference, no mistakes): shipped.

An `optional` function is off unless the rubric switches it on (`[exercises] NAME = true`):
off, it is not loaded, graded, counted, shown or generated, exactly as if it did not exist.
This module imports nothing of the grader, so any part may import it (the worker cannot: it
gets the names it needs in its load request).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Output:
    """One returned value: its name in the contract and its shape (V words, D dimensions)."""
    name: str
    shape: str


@dataclass(frozen=True)
class ExerciseFunction:
    """What the grader knows about one exercise function.

    name: the function's name in the exercise (and the rubric's section).
    signature: its parameters, as in the contract.
    outputs: what it returns, in order (one Output: a single value, not a tuple).
    hidden, public: the check modules (dotted paths; see the module docstring). `public` may be
        a module shared by several functions, which then names its entry by `name`.
    short: its column heading on the class page.
    standins: what the worker hands the student code instead of their own while it is graded.
    layout: the (V, D) layout in this function's terms, shown once when a numpy shape error
        suggests vectors stored as columns ("": the function takes no matrix).
    source_file: the reference's file under solutions/ (and the student's file name).
    optional: graded only when the rubric's [exercises] switch turns it on.
    """
    name: str
    signature: str
    outputs: tuple
    hidden: str
    public: str
    short: str
    standins: tuple = ()
    layout: str = ""
    source_file: str = "word2vec.py"
    optional: bool = False

    @property
    def labels(self) -> tuple:
        """The outputs' names, in order (as feedback names them)."""
        return tuple(o.name for o in self.outputs)


_VD = "(V, D)"
_TOY_LOSS = "toy loss functions in place of word2vecLossAndGradient"

FUNCTIONS = (
    ExerciseFunction(
        name="sigmoid", signature="(x)", outputs=(Output("sigmoid(x)", "like x"),),
        hidden="grader.checks.sigmoid", public="grader.checks.public", short="sigmoid"),
    ExerciseFunction(
        name="naiveSoftmaxLossAndGradient",
        signature="(centerWordVec, outsideWordIdx, outsideVectors, dataset)",
        outputs=(Output("loss", "()"), Output("gradCenterVec", "(D,)"),
                 Output("gradOutsideVecs", _VD)),
        hidden="grader.checks.naive_softmax", public="grader.checks.public",
        short="naive softmax",
        layout="centerWordVec is (D,), outsideVectors is (V, D), so the scores are "
               "outsideVectors @ centerWordVec, of shape (V,); gradCenterVec is (D,) and "
               "gradOutsideVecs is (V, D)"),
    ExerciseFunction(
        name="negSamplingLossAndGradient",
        signature="(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10)",
        outputs=(Output("loss", "()"), Output("gradCenterVec", "(D,)"),
                 Output("gradOutsideVecs", _VD)),
        hidden="grader.checks.neg_sampling", public="grader.checks.public",
        short="neg. sampling",
        standins=("a known-good sigmoid", "getNegativeSamples returning the grader's samples"),
        layout="centerWordVec is (D,), outsideVectors is (V, D), so outsideVectors[indices] "
               "holds one row per sampled word; gradCenterVec is (D,) and gradOutsideVecs is "
               "(V, D)"),
    ExerciseFunction(
        name="skipgram",
        signature="(currentCenterWord, windowSize, outsideWords, word2Ind, centerWordVectors, "
                  "outsideVectors, dataset, word2vecLossAndGradient=naiveSoftmaxLossAndGradient)",
        outputs=(Output("loss", "()"), Output("gradCenterVecs", _VD),
                 Output("gradOutsideVectors", _VD)),
        hidden="grader.checks.skipgram", public="grader.checks.public", short="skip-gram",
        standins=(_TOY_LOSS,),
        layout="centerWordVectors and outsideVectors are (V, D): row word2Ind[w] is word w's "
               "vector, so the center vector is centerWordVectors[c]; the gradients have the "
               "same (V, D) shapes"),
    ExerciseFunction(
        name="cbow",
        signature="(currentCenterWord, windowSize, outsideWords, word2Ind, centerWordVectors, "
                  "outsideVectors, dataset, word2vecLossAndGradient=naiveSoftmaxLossAndGradient)",
        outputs=(Output("loss", "()"), Output("gradCenterVecs", _VD),
                 Output("gradOutsideVectors", _VD)),
        hidden="grader.checks.cbow", public="grader.checks.cbow_public", short="CBOW",
        standins=(_TOY_LOSS,), optional=True,
        layout="centerWordVectors and outsideVectors are (V, D): row word2Ind[w] is word w's "
               "vector, so the context vector is the sum of centerWordVectors[word2Ind[w]] over "
               "the outside words; the gradients have the same (V, D) shapes"),
    ExerciseFunction(
        name="sgd",
        signature="(f, x0, step, iterations, postprocessing=None, useSaved=False, PRINT_EVERY=10)",
        outputs=(Output("x", "like x0"),),
        hidden="grader.checks.sgd", public="grader.checks.sgd_public", short="SGD",
        standins=("the grader's f (a quadratic) and postprocessing",),
        source_file="sgd.py", optional=True),
)

BY_NAME = {f.name: f for f in FUNCTIONS}
NAMES = tuple(BY_NAME)
OPTIONAL = tuple(f.name for f in FUNCTIONS if f.optional)


def get(name: str) -> ExerciseFunction:
    """The entry for `name`; KeyError if no exercise function has that name."""
    return BY_NAME[name]


def enabled(switches: dict | None = None) -> tuple:
    """The graded functions' names, in grading order, given the rubric's [exercises] switches
    ({optional name: bool}; None or a missing name: off)."""
    switches = switches or {}
    return tuple(f.name for f in FUNCTIONS if not f.optional or switches.get(f.name))


def hidden_modules() -> tuple:
    """Dotted names of the modules holding reference comparisons or mistake catalogues."""
    return tuple(dict.fromkeys(f.hidden for f in FUNCTIONS))


def public_modules() -> tuple:
    """Dotted names of the check modules the student release ships."""
    return tuple(dict.fromkeys(f.public for f in FUNCTIONS))
