"""Did training work? Nearest neighbours, the planted categories, and what to look at if not.

The verdict rests on the center vectors (the ones the course plots): a planted word counts as
recovered when at least 3 of its 5 nearest neighbours (cosine similarity, among every word of
the vocabulary) are words of its own category. Training worked when at least 80% of the
planted words, and a majority of every category, are recovered. Random vectors recover about
none: a category holds 10-12 of ~250 words.

When it did not work, the symptom (NaN, vectors unchanged, loss not going down) and quick
probes of each function on tiny inputs, each on its own, point to the function to look at.
"""

import contextlib
import io
from dataclasses import dataclass

import numpy as np

NEIGHBOURS = 5
NEEDED = 3
WORDS_RECOVERED = 0.8


@dataclass
class Recovery:
    fraction: float              # planted words recovered, of those in the vocabulary
    per_category: dict           # {category: fraction recovered}
    words: int                   # planted words in the vocabulary

    @property
    def worked(self):
        return (self.words > 0 and self.fraction >= WORDS_RECOVERED
                and all(f > 0.5 for f in self.per_category.values()))


def nearest(vectors, word2Ind, word, k=NEIGHBOURS):
    """The k words whose rows of `vectors` (V, D) are most cosine-similar to `word`'s, best first."""
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    sims = (vectors @ vectors[word2Ind[word]]) / (norms * norms[word2Ind[word]])
    sims[word2Ind[word]] = -np.inf
    index_word = {i: w for w, i in word2Ind.items()}
    return [index_word[int(i)] for i in np.argsort(-sims, kind="stable")[:k]]


def recovery(center_vectors, word2Ind, category_of):
    """How many planted words have mostly same-category nearest neighbours (see the module doc)."""
    per, hits = {}, 0
    planted = [w for w in category_of if w in word2Ind]
    if not planted or not np.all(np.isfinite(center_vectors)):
        return Recovery(0.0, {c: 0.0 for c in set(category_of.values())}, len(planted))
    for word in planted:
        same = sum(category_of.get(n) == category_of[word] for n in nearest(center_vectors, word2Ind, word))
        ok = same >= NEEDED
        hits += ok
        per.setdefault(category_of[word], []).append(ok)
    return Recovery(hits / len(planted), {c: float(np.mean(v)) for c, v in per.items()}, len(planted))


def symptom(result):
    """One sentence on how training went wrong, from the losses and the vectors."""
    losses = result.losses[:, 1] if len(result.losses) else np.zeros(0)
    if not np.all(np.isfinite(losses)) or not np.all(np.isfinite(result.vectors)):
        bad = result.losses[~np.isfinite(losses), 0]
        when = f" at iteration {int(bad[0])}" if len(bad) else ""
        return f"the loss or the vectors became NaN or infinite{when}"
    if np.array_equal(result.vectors, result.initial):
        return "the word vectors did not change at all during training"
    if len(losses) >= 20:
        n = max(10, len(losses) // 10)
        first, last = float(np.mean(losses[:n])), float(np.mean(losses[-n:]))
        if last >= first:
            return f"the loss did not go down (about {first:.3g} at the start, {last:.3g} at the end)"
        return (f"the loss went down ({first:.3g} to {last:.3g}) but words of the same category "
                "did not end up close together")
    return "it ran too few iterations to learn anything"


# ---- probes: each function on tiny inputs, on its own ----

class _FixedSamples:
    """sampleTokenIdx returns 1, 2, 3, 2, 3, ... (never 0, the outside word of the probe)."""

    def __init__(self):
        self.i = 0

    def sampleTokenIdx(self):
        self.i += 1
        return 1 + (self.i % 3)


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _central_differences(f, x, h=1e-6):
    """The gradient of the scalar f at x (any shape), by central differences."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def probe_negative_sampling(function):
    """None, or a sentence on how negSamplingLossAndGradient breaks its docstring's formulas."""
    rng = np.random.default_rng(7)
    v, U, K = rng.standard_normal(3) * 0.5, rng.standard_normal((5, 3)) * 0.5, 4
    samples = [1 + (i % 3) for i in range(1, K + 1)]

    # The docstring's loss; the gradients by central differences of it, never in closed form:
    # this file ships in the student release, which must not hand out the derived gradients.
    def docstring_loss(v, U):
        return -np.log(_sigmoid(U[0] @ v)) - sum(np.log(_sigmoid(-(U[k] @ v))) for k in samples)

    loss = docstring_loss(v, U)
    grad_v, grad_U = _central_differences(lambda x: docstring_loss(x, U), v), \
        _central_differences(lambda x: docstring_loss(v, x), U)
    try:
        got = function(v.copy(), 0, U.copy(), _FixedSamples(), K=K)
        got_loss, got_v, got_U = (np.asarray(g, dtype=float) for g in got)
    except Exception as error:
        return f"your negSamplingLossAndGradient raised {type(error).__name__} on a tiny input"
    if not (np.all(np.isfinite(got_loss)) and np.all(np.isfinite(got_v)) and np.all(np.isfinite(got_U))):
        return "your negSamplingLossAndGradient returns NaN or infinity on ordinary inputs"
    if got_loss.size != 1 or not np.isclose(got_loss.item(), loss, rtol=1e-5, atol=1e-8):
        return ("your negSamplingLossAndGradient's loss is not -log sigma(u_o.v_c) - sum_k log "
                "sigma(-u_k.v_c): check the signs inside the sigmoids")
    if got_v.size != 3 or not np.allclose(got_v.ravel(), grad_v, rtol=1e-5, atol=1e-8):
        return "your negSamplingLossAndGradient's gradCenterVec is not the gradient of its loss"
    if got_U.shape != U.shape or not np.allclose(got_U, grad_U, rtol=1e-5, atol=1e-8):
        return ("your negSamplingLossAndGradient's gradOutsideVecs is not the gradient of its loss "
                "(a word drawn twice counts twice)")
    return None


def probe_skipgram(function):
    """None, or a sentence on how skipgram misuses the loss function it is given."""
    rng = np.random.default_rng(11)
    centers, outside = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    word2Ind = {"a": 0, "b": 1, "c": 2, "d": 3}
    calls = []

    def toy_loss(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):
        calls.append(outsideWordIdx)
        g = np.zeros_like(outsideVectors)
        g[outsideWordIdx] = centerWordVec
        return float(centerWordVec @ outsideVectors[outsideWordIdx]), outsideVectors[outsideWordIdx].copy(), g

    words = ["b", "c", "b"]
    try:
        loss, g_in, g_out = function("a", 2, words, word2Ind, centers.copy(), outside.copy(),
                                     _FixedSamples(), toy_loss)
        loss, g_in, g_out = (np.asarray(g, dtype=float) for g in (loss, g_in, g_out))
    except Exception as error:
        return f"your skipgram raised {type(error).__name__} on a tiny input"
    if not calls:
        return ("your skipgram does not call the word2vecLossAndGradient it is given, so training "
                "does not use your negative sampling")
    want_in = np.zeros_like(centers)
    want_in[0] = outside[1] * 2 + outside[2]
    want_out = np.zeros_like(outside)
    want_out[1], want_out[2] = 2 * centers[0], centers[0]
    if g_in.shape == centers.shape and np.any(g_in[1:] != 0):
        return ("your skipgram puts gradient in rows of gradCenterVecs other than the center "
                "word's, so it trains the wrong word vectors")
    if (loss.size != 1 or not np.isclose(loss.item(), sum(centers[0] @ outside[word2Ind[w]] for w in words))
            or g_in.shape != centers.shape or not np.allclose(g_in, want_in)
            or g_out.shape != outside.shape or not np.allclose(g_out, want_out)):
        return ("your skipgram does not add up the loss and both gradients over every outside word "
                "(repeats included)")
    return None


def probe_sgd(function):
    """None, or a sentence on how sgd fails to minimise f(x) = |x|^2 from the course's sanity check."""
    calls = []

    def quad(x):
        calls.append(1)
        return float(np.sum(x ** 2)), 2 * x

    start = np.array([0.5, -1.5])
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            x = np.asarray(function(quad, start.copy(), 0.01, 1000, PRINT_EVERY=10 ** 9), dtype=float)
    except Exception as error:
        return f"your sgd raised {type(error).__name__} on the course's sanity check"
    if x.shape != start.shape or not np.all(np.isfinite(x)):
        return "your sgd does not return x of the shape it was given, or returns NaN"
    if np.max(np.abs(x)) <= 1e-6:
        return None  # calling f more than once an iteration is slower, not a cause of failure
    if np.linalg.norm(x) > np.linalg.norm(start):
        return "your sgd moves x up the gradient (x + step * grad) instead of down"
    if np.allclose(x, start):
        return "your sgd does not change x (is the update assigned back to x?)"
    return "your sgd does not reach the minimum of the simple quadratic in its sanity check"


def likely_fault(functions):
    """(function name, sentence) of the first function whose probe fails, or None."""
    for name, probe in (("skipgram", probe_skipgram),
                        ("negSamplingLossAndGradient", probe_negative_sampling),
                        ("sgd", probe_sgd)):
        if name in functions.from_reference:
            continue
        sentence = probe(getattr(functions, name))
        if sentence:
            return name, sentence
    return None


def verdict(result, found, functions):
    """(worked, one paragraph for the student)."""
    if found is not None and found.worked:
        return True, (f"Training worked: {found.fraction:.0%} of the planted words have mostly "
                      f"same-category nearest neighbours.")
    fault = likely_fault(functions)
    what = symptom(result)
    if fault is None and what.startswith("the loss or the vectors became NaN"):
        hint = "Your functions pass the quick probes, so try a smaller step size (STEP=...)."
    elif fault is None:
        hint = ("Your functions pass the quick probes, so try more iterations (ITERATIONS=...) "
                "or another step size (STEP=...).")
    else:
        name, sentence = fault
        file = "sgd.py" if name == "sgd" else "word2vec.py"
        hint = f"Look at {name} in {file} first: {sentence}."
    recovered = "" if found is None else f" (only {found.fraction:.0%} of the planted words recovered)"
    return False, f"Training did not work{recovered}: {what}. {hint}"
