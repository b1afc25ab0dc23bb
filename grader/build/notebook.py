"""Generate exercises/word2vec.ipynb from the marked reference (`make exercises`).

The code cells are the exercise file itself (stubs.make_stub of solutions/word2vec.py), cut at
its top-level statements: the imports, one cell per function to write (each after a markdown
cell teaching its math), the provided getNegativeSamples and the course's test helpers. Then
cells that run those tests, and a last cell that grades the saved notebook. The command-line
block (`if __name__ == "__main__":` with argparse) is left out: in Jupyter it would parse the
kernel's own arguments.

Deterministic: fixed cell ids and nbformat's sorted JSON, so `--check` can compare texts.
"""

import ast
import sys

from grader.build.stubs import (MarkerError, hint_level, hints_arg, make_stub, older_stubs,
                                reference_text, solution_blocks, with_optional,
                                write_or_check)
from grader.paths import EXERCISES_DIR, REFERENCE_FILE

NOTEBOOK_FILE = EXERCISES_DIR / "word2vec.ipynb"
PROVIDED = "getNegativeSamples"

INTRO = r"""# word2vec: the gradients, in numpy

You will write the four functions at the heart of word2vec's skip-gram model: `sigmoid`, the
naive-softmax loss, the negative-sampling loss and skip-gram itself, each with its gradients.
Everything else is provided.

**How to work.** In each exercise cell, replace the line
`raise NotImplementedError("...")` with your code; keep the function names and arguments as
they are, since the grader calls them. Run the cells from the top (*Run > Run All Cells*);
the cells under *Check your work* run the course's sanity tests, and the last cell grades the
notebook.

**Where this notebook lives.** It imports the course helpers from `utils/`, so keep it in the
kit's `exercises/` folder, next to `utils/`. In Colab, upload the `utils` folder (with its
three files) to the session's files first.

**Notation.** $V$ words, vectors of dimension $D$.

| symbol | meaning | in the code | shape |
|---|---|---|---|
| $v_c$ | the center word's vector | `centerWordVec` | `(D,)` |
| $u_w$ | word $w$'s outside vector | `outsideVectors[w]` | `(D,)` |
| $U$ | all outside vectors, one per column | `outsideVectors.T` | `(D, V)` |
| $o$ | the true outside word | `outsideWordIdx` | `int` |

The code stores one vector per **row**, so `outsideVectors` is $U^\top$, shape `(V, D)`.
"""

IMPORTS = r"""## Provided: imports

`softmax` (from `utils.utils`) is a numerically stable softmax; `gradcheck_naive` compares a
gradient with finite differences. Run this cell first."""

TEACH = {
    "sigmoid": r"""## 1. `sigmoid`

$$\sigma(x) = \frac{1}{1 + e^{-x}}$$

applied **elementwise**: a scalar gives a scalar, an array of any shape gives an array of the
same shape. Two facts you will use in negative sampling:

$$\sigma(-x) = 1 - \sigma(x), \qquad \frac{d}{dx}\log\sigma(x) = 1 - \sigma(x).$$

Check: $\sigma(0) = 0.5$ and `sigmoid(np.array([1, 2, 3]))` $\approx$ `[0.731, 0.881, 0.953]`.
For a large negative $x$, `np.exp(-x)` overflows to `inf` (with a warning); the result
$1/(1+\infty) = 0$ is still right, but you can avoid the warning with $e^{-|x|}$.""",

    "naiveSoftmaxLossAndGradient": r"""## 2. Naive softmax loss and its gradients

The model's guess for the outside word is a softmax over every word's score $u_w^\top v_c$:

$$\hat y = \mathrm{softmax}(U^\top v_c), \qquad
\hat y_w = \frac{\exp(u_w^\top v_c)}{\sum_{x=1}^{V} \exp(u_x^\top v_c)}.$$

The loss is the cross-entropy against the one-hot truth $y$ ($y_o = 1$):

$$J = -\sum_w y_w \log \hat y_w = -\log \hat y_o
    = -u_o^\top v_c + \log \sum_x \exp(u_x^\top v_c).$$

Differentiating the last form (the derivative of the log-sum-exp is $\hat y$):

$$\frac{\partial J}{\partial v_c} = -u_o + \sum_w \hat y_w\, u_w = U(\hat y - y), \qquad
\frac{\partial J}{\partial u_w} = (\hat y_w - y_w)\, v_c .$$

| returns | formula | numpy | shape |
|---|---|---|---|
| `loss` | $-\log \hat y_o$ | | scalar |
| `gradCenterVec` | $U(\hat y - y)$ | `outsideVectors.T @ (y_hat - y)` | `(D,)` |
| `gradOutsideVecs` | row $w$: $(\hat y_w - y_w)\,v_c$ | `np.outer(y_hat - y, v_c)` | `(V, D)` |

Traps: the gradients need $\hat y - y$, not $\hat y$ alone. Use the provided `softmax`:
scores in the hundreds overflow `np.exp` unless the maximum is subtracted first. Do not change
the arrays you are given (work on copies). `dataset` is not used here.""",

    "negSamplingLossAndGradient": r"""## 3. Negative-sampling loss and its gradients

Instead of a softmax over all $V$ words, compare the true outside word $o$ with $K$ words drawn
at random, $w_1, \dots, w_K$ (the first line of the function draws them for you, with
`getNegativeSamples`; keep it, and draw no samples any other way):

$$J = -\log \sigma(u_o^\top v_c) - \sum_{k=1}^{K} \log \sigma(-u_{w_k}^\top v_c).$$

With $\frac{d}{dx}\log\sigma(x) = 1-\sigma(x)$ and $1 - \sigma(-x) = \sigma(x)$:

$$\frac{\partial J}{\partial v_c} = (\sigma(u_o^\top v_c) - 1)\,u_o
      + \sum_{k=1}^{K} \sigma(u_{w_k}^\top v_c)\, u_{w_k},$$
$$\frac{\partial J}{\partial u_o} = (\sigma(u_o^\top v_c) - 1)\, v_c, \qquad
\frac{\partial J}{\partial u_{w_k}} = \sigma(u_{w_k}^\top v_c)\, v_c
\ \text{ added once for every draw } k .$$

Every other row of `gradOutsideVecs` is zero. Shapes are as in part 2: `loss` a scalar,
`gradCenterVec` `(D,)`, `gradOutsideVecs` `(V, D)`. Use your `sigmoid`, and the `K` you are
given (not a fixed 10).

**The repeated-samples trap.** Samples repeat: a word drawn twice gets its gradient twice.
numpy's `grad[indices] += values` does *not* do that; with a repeated index only one of the
additions survives:

```python
g = np.zeros(3); g[[1, 1]] += 1          # g == [0, 1, 0]  (one draw lost)
g = np.zeros(3); np.add.at(g, [1, 1], 1) # g == [0, 2, 0]  (both counted)
```

Use `np.add.at` or a loop over the draws.""",

    "skipgram": r"""## 4. Skip-gram

Skip-gram predicts each word of the window around the center word $c$ from $v_c$. Its loss is
the sum of one loss per outside word (`word2vecLossAndGradient`, either of the two above):

$$J_{\text{skip-gram}}(c, w_{t-m}, \dots, w_{t+m})
  = \sum_{-m \le j \le m,\ j \ne 0} J(v_c, w_{t+j}, U),$$

so its gradients are the sums of theirs:

$$\frac{\partial J_{\text{skip-gram}}}{\partial U} = \sum_j \frac{\partial J(v_c, w_{t+j}, U)}{\partial U},
\qquad
\frac{\partial J_{\text{skip-gram}}}{\partial v_c} = \sum_j \frac{\partial J(v_c, w_{t+j}, U)}{\partial v_c},
\qquad
\frac{\partial J_{\text{skip-gram}}}{\partial v_w} = 0 \ \ (w \ne c).$$

In code: one call of the `word2vecLossAndGradient` you are given (not a fixed one) per word
in `outsideWords`, repeats included, with `v_c = centerWordVectors[word2Ind[currentCenterWord]]`;
add (`+=`) each loss and gradient. Both gradients have shape `(V, D)`, and only the center
word's row of `gradCenterVecs` is non-zero.""",

    # optional: only in the notebook when the rubric's [exercises] switch turns CBOW on
    "cbow": r"""## 5. CBOW (optional)

CBOW turns skip-gram around: it predicts the center word $c$ from its window. The context
vector is the **sum** of the outside words' vectors (rows of `centerWordVectors`, repeats
included), and the loss is one call of `word2vecLossAndGradient` for the center word:

$$\hat v = \sum_{-m \le j \le m,\ j \ne 0} v_{w_{t+j}}, \qquad
J_{\text{CBOW}} = J(\hat v, c, U).$$

Its gradient with respect to $\hat v$ goes to the row of every outside word, once per
occurrence; every other row of `gradCenterVecs` stays zero, and `gradOutsideVectors` is what
the loss returned. With numpy, `grad[indices] += g` counts a repeated index once: use
`np.add.at(grad, indices, g)` or a loop.""",
}

# The `derive` level (the default, see stubs.py): the same definitions, shapes and contract,
# with the gradients posed as questions and a numeric self-check instead of the formulas.
DERIVE = {
    "naiveSoftmaxLossAndGradient": r"""## 2. Naive softmax loss and its gradients

The model's guess for the outside word is a softmax over every word's score $u_w^\top v_c$:

$$\hat y = \mathrm{softmax}(U^\top v_c), \qquad
\hat y_w = \frac{\exp(u_w^\top v_c)}{\sum_{x=1}^{V} \exp(u_x^\top v_c)}.$$

The loss is the cross-entropy against the one-hot truth $y$ ($y_o = 1$):

$$J = -\sum_w y_w \log \hat y_w = -\log \hat y_o .$$

| returns | meaning | shape |
|---|---|---|
| `loss` | $J$ | scalar |
| `gradCenterVec` | $\partial J / \partial v_c$ | `(D,)` |
| `gradOutsideVecs` | row $w$: $\partial J / \partial u_w$ | `(V, D)` |

**Derive it** (on paper first):

1. Write $J$ with the scores $s_w = u_w^\top v_c$ only. What is $\partial J / \partial s_w$,
   for $w = o$ and for $w \ne o$? Can you write all of them at once with $\hat y$ and $y$?
2. Each score depends on $v_c$ and on one $u_w$. By the chain rule, what are
   $\partial J / \partial v_c$ (a sum over the words) and $\partial J / \partial u_w$?
3. Which matrix products give those shapes without a loop over the words?

**Self-check**: `centerWordVec = [1.0]`, `outsideWordIdx = 1`,
`outsideVectors = [[1.0], [0.0]]` give `loss` $\approx 1.3133$, `gradCenterVec`
$\approx$ `[0.7311]` and `gradOutsideVecs` $\approx$ `[[0.7311], [-0.7311]]`. The sanity tests
below compare your gradients with finite differences of your loss.

Use the provided `softmax`. Do not change the arrays you are given. `dataset` is not used
here.""",

    "negSamplingLossAndGradient": r"""## 3. Negative-sampling loss and its gradients

Instead of a softmax over all $V$ words, compare the true outside word $o$ with $K$ words drawn
at random, $w_1, \dots, w_K$ (the first line of the function draws them for you, with
`getNegativeSamples`; keep it, and draw no samples any other way):

$$J = -\log \sigma(u_o^\top v_c) - \sum_{k=1}^{K} \log \sigma(-u_{w_k}^\top v_c).$$

Shapes are as in part 2: `loss` a scalar, `gradCenterVec` `(D,)`, `gradOutsideVecs` `(V, D)`.
Use your `sigmoid`, and the `K` you are given.

**Derive it**:

1. What is $\frac{d}{dx}\log\sigma(x)$, written with $\sigma$? And $\sigma(-x)$?
2. What are $\partial J / \partial v_c$, $\partial J / \partial u_o$ and
   $\partial J / \partial u_{w_k}$? Which rows of `gradOutsideVecs` stay zero?
3. The same word can be drawn more than once, and then appears in $J$ once per draw. What
   does that mean for its row of the gradient? Does your numpy code really do that when an
   index repeats? (Try it on a small array.)

**Self-check**: `centerWordVec = [1.0, 0.0]`, `outsideWordIdx = 1`, `K = 2`,
`outsideVectors = [[0, 0], [1, 0], [-1, 0]]` and the samples `[2, 2]` (a `dataset` whose
`sampleTokenIdx()` always returns 2) give `loss` $\approx 0.9398$, `gradCenterVec`
$\approx$ `[-0.8068, 0]` and `gradOutsideVecs` $\approx$ `[[0, 0], [-0.2689, 0], [0.5379, 0]]`.""",

    "skipgram": r"""## 4. Skip-gram

Skip-gram predicts each word of the window around the center word $c$ from $v_c$. Its loss is
the sum of one loss per outside word (`word2vecLossAndGradient`, either of the two above):

$$J_{\text{skip-gram}}(c, w_{t-m}, \dots, w_{t+m})
  = \sum_{-m \le j \le m,\ j \ne 0} J(v_c, w_{t+j}, U).$$

**Derive it**: how do the gradients of a sum relate to the gradients of its terms? Which rows
of `gradCenterVecs` can be non-zero, given that only $v_c$ takes part?

The contract: call the `word2vecLossAndGradient` you are given (any loss with that signature
must work, not just the two above) once per word in `outsideWords`, repeats included, with
$v_c$ the center word's row of `centerWordVectors`. Both gradients have shape `(V, D)`.""",
}

PROVIDED_TEXT = r"""## Provided: drawing negative samples

`getNegativeSamples(outsideWordIdx, dataset, K)` draws $K$ word indices with
`dataset.sampleTokenIdx()`, drawing again whenever it gets the true outside word. The same
word can come up more than once. Do not change it: the grader replaces it with its own
samples to check your gradients."""

TESTS_TEXT = r"""## Provided: the course's sanity tests

`gradcheck_naive(f, x, text)` compares the gradient `f` returns with central differences,
$\frac{f(x + h e_i) - f(x - h e_i)}{2h}$ with $h = 10^{-4}$, entry by entry. The tests below use
it and a few known values. Passing them is a good sign, not a grade: the grader tries many
more cases, compares with a reference and names known mistakes."""

# The student release's grader has no reference (public mode): its notebook must not promise one.
TESTS_TEXT_PUBLIC = TESTS_TEXT.replace(
    "the grader tries many\nmore cases, compares with a reference and names known mistakes.",
    "the grader here tries many\nmore cases and checks your gradients against your own loss; "
    "your final grade uses hidden\ntests with more inputs.")

CHECK_TEXT = r"""## Check your work

Run the cell for a function once you have written it. A function you have not written yet is
reported, not raised, so *Run All* works from the start. (The `if __name__ == "__main__":`
line keeps the grader from running these tests when it reads your notebook.)"""

CHECK_HELPER = '''def check(test):
    """Run one of the sanity tests; a function not written yet is reported, not raised."""
    try:
        test()
    except NotImplementedError as exc:
        print(f"Not written yet: {exc}")'''

GRADE_TEXT = r"""## Grade your notebook

1. **Save** the notebook (*File > Save*, or Ctrl+S / Cmd+S): the grader reads the saved
   file, not what is on screen.
2. Run the cell below. It runs the kit's grader (`make grade`, from the kit's folder, one
   level up) on this notebook, and prints a score with feedback for each function.

If you renamed the notebook, change `word2vec.ipynb` in the cell. Without `make`, run
`.venv/bin/python -m grader grade exercises/word2vec.ipynb` in the kit's folder once `.venv/`
exists (on Windows, inside WSL: the grader needs Linux or macOS to run your code safely).
In Colab the kit is not there: download the notebook (*File > Download > .ipynb*) and grade
it in the kit with `make grade SUBMISSION=path/to/word2vec.ipynb`. Adding
`ANNOTATE=feedback.ipynb` (`make grade SUBMISSION=exercises/word2vec.ipynb
ANNOTATE=feedback.ipynb`) also writes a copy of your notebook with the feedback under each
function."""

GRADE_CELL = """# Save first! The grader reads the saved file. (The grader skips this cell itself.)
!cd .. && make grade SUBMISSION=exercises/word2vec.ipynb"""


def _segments(stub):
    """[(node, source text)] for each top-level statement, comments above it included."""
    lines = stub.splitlines()
    out, cursor = [], 0
    for node in ast.parse(stub).body:
        out.append((node, "\n".join(lines[cursor:node.end_lineno])))
        cursor = node.end_lineno
    return out


def teaching(name, hints):
    """The markdown cell teaching function `name` at hint level `hints`."""
    return DERIVE.get(name, TEACH[name]) if hints == "derive" else TEACH[name]


def build(reference_text, public=False, hints=None):
    """The exercise notebook (an nbformat NotebookNode) for a marked reference text;
    `public`: the student release's wording (its grader runs the public checks only);
    `hints`: the hint level (stubs.hint_level: the rubric's by default)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    hints = hint_level(hints)

    exercises = [name for name, *_ in solution_blocks(reference_text)]
    missing = [name for name in exercises if name not in TEACH]
    if missing:
        raise MarkerError(f"no teaching text for {', '.join(missing)}: add it to TEACH")
    cells = [("intro", new_markdown_cell(INTRO))]
    imports, tests = [], []
    for node, text in _segments(make_stub(reference_text, hints)):
        text = text if isinstance(node, (ast.Import, ast.ImportFrom)) else text.strip("\n")
        name = getattr(node, "name", None)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(text)
        elif name in exercises:
            cells += [(f"{name}-math", new_markdown_cell(teaching(name, hints))),
                      (f"{name}-code", new_code_cell(text))]
        elif name == PROVIDED:
            cells += [(f"{name}-text", new_markdown_cell(PROVIDED_TEXT)),
                      (f"{name}-code", new_code_cell(text))]
        elif isinstance(node, ast.FunctionDef):
            tests.append(text)
        elif _is_docstring(node) or _is_main_block(node):
            continue
        else:
            raise MarkerError(f"line {node.lineno}: no place in the notebook for this statement")
    cells[1:1] = [("imports-text", new_markdown_cell(IMPORTS)),
                  ("imports-code", new_code_cell("\n".join(imports).strip("\n")))]
    cells += [("tests-text", new_markdown_cell(TESTS_TEXT_PUBLIC if public else TESTS_TEXT)),
              ("tests-code", new_code_cell("\n\n\n".join(tests))),
              ("check-text", new_markdown_cell(CHECK_TEXT)),
              ("check-helper", new_code_cell(CHECK_HELPER))]
    cells += [(f"check-{name}", new_code_cell(
        f'if __name__ == "__main__":\n    check(test_{name})')) for name in exercises]
    cells += [("grade-text", new_markdown_cell(GRADE_TEXT)),
              ("grade-code", new_code_cell(GRADE_CELL))]
    nb = new_notebook(metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    for cell_id, cell in cells:
        cell.id = cell_id
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def _is_docstring(node):
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
        and isinstance(node.value.value, str)


def _is_main_block(node):
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)


def build_text(text=None, public=False, hints=None):
    """The notebook file's exact text (`public`: for the student release; `text`: the marked
    reference, by default as the rubric's optional exercises have it; `hints`: the level)."""
    import nbformat
    nb = build(text if text is not None else reference_text(), public, hints)
    return nbformat.writes(nb) + "\n"


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    level = hints_arg(args)
    return write_or_check(NOTEBOOK_FILE, build_text(hints=level), args,
                          older=lambda: older_stubs(REFERENCE_FILE, lambda text: build_text(
                              with_optional(text), hints=level)))


if __name__ == "__main__":
    sys.exit(main())
