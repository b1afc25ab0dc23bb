"""Generated inputs: small problem descriptions that Hypothesis draws and shrinks.

A problem holds a few integers (sizes, indices, a seed) and builds its arrays from them, so
Hypothesis shrinks towards few words, short vectors and seed 0, and a failure is shown on the
smallest input that still fails.
"""

import string
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from grader.checks.compare import fmt


class Recipe:
    """A named way to build a Hypothesis strategy, built on first use.

    The name identifies the generated inputs in the stored cases (see generated.py); building
    lazily means a grading that needs no search never imports Hypothesis (a quarter second).
    """

    def __init__(self, factory, *args, **kwargs):
        self.factory, self.args, self.kwargs = factory, args, kwargs
        self.label = f"{factory.__name__}{args}{sorted(kwargs.items())}"
        self._strategy = None

    def strategy(self):
        if self._strategy is None:
            self._strategy = self.factory(*self.args, **self.kwargs)
        return self._strategy


def recipe(factory):
    """Decorator: calling the factory gives a Recipe for it instead of a strategy."""
    def make(*args, **kwargs):
        return Recipe(factory, *args, **kwargs)
    make.__name__ = make.__qualname__ = factory.__name__
    make.__doc__ = factory.__doc__
    return make



def word(i):
    """Vocabulary word i: a, b, c, ... then w26, w27, ... for large vocabularies."""
    return string.ascii_lowercase[i] if i < 26 else f"w{i}"


def _rng(seed):
    return np.random.default_rng(seed)


def _shift_scores(U, v, shift):
    """Add the same vector to every row of U so every score u_w . v grows by `shift`."""
    if not shift or not np.any(v):
        return U
    return U + shift * v / (v @ v)


@dataclass(frozen=True)
class SigmoidProblem:
    shape: tuple
    seed: int
    scale: float
    as_python_float: bool = False

    @cached_property
    def x(self):
        if self.as_python_float:
            return float(_rng(self.seed).standard_normal() * self.scale)
        return _rng(self.seed).standard_normal(self.shape) * self.scale

    def request(self):
        return {"op": "call", "fn": "sigmoid", "args": [self.x]}

    def describe(self):
        return [f"x = {fmt(self.x)}" + ("  (a Python float)" if self.as_python_float else "")]


@dataclass(frozen=True)
class LossProblem:
    """Inputs of naiveSoftmaxLossAndGradient / negSamplingLossAndGradient."""
    V: int
    D: int
    o: int
    seed: int
    scale: float = 1.0
    shift: float = 0.0
    samples: tuple = None     # negative sampling: what getNegativeSamples returns
    K: int = None             # negative sampling: passed explicitly when not None

    @cached_property
    def arrays(self):
        rng = _rng(self.seed)
        v = rng.standard_normal(self.D) * self.scale
        U = rng.standard_normal((self.V, self.D)) * self.scale
        return v, _shift_scores(U, v, self.shift)

    def request(self, fn, v=None, U=None):
        base_v, base_U = self.arrays
        v = base_v if v is None else v
        U = base_U if U is None else U
        request = {"op": "call", "fn": fn, "args": [v, self.o, U, {"$ref": "dataset"}],
                   "dataset": {"V": self.V, "seed": self.seed}}
        if self.samples is not None:
            request["samples"] = list(self.samples)
            request["good_sigmoid"] = True
        if self.K is not None:
            request["kwargs"] = {"K": self.K}
        return request

    def describe(self):
        v, U = self.arrays
        lines = [f"centerWordVec  = {fmt(v)}", f"outsideWordIdx = {self.o}",
                 f"outsideVectors = {fmt(U)}"]
        if self.samples is not None:
            lines.append(f"K = {self.K if self.K is not None else '10 (the default)'}; "
                         f"getNegativeSamples returns {list(self.samples)}")
        return lines


@recipe
def loss_problems(min_V=1, max_V=8, max_D=5, shift=0.0, scales=(1.0, 0.1, 3.0)):
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        V = draw(st.integers(min_V, max_V))
        return LossProblem(V=V, D=draw(st.integers(1, max_D)), o=draw(st.integers(0, V - 1)),
                           seed=draw(st.integers(0, 2 ** 16)), scale=draw(st.sampled_from(scales)),
                           shift=shift)
    return build()


@recipe
def negsamp_problems(distinct=True, explicit_K=False, max_D=4):
    """Problems with controlled negative samples (never the outside word itself)."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        K = draw(st.integers(1, 12)) if explicit_K else 10
        if distinct:
            V = draw(st.integers(K + 1, K + 3))
        else:
            V = draw(st.integers(2, 6))
        o = draw(st.integers(0, V - 1))
        offsets = st.integers(1, V - 1)
        picks = draw(st.lists(offsets, min_size=K, max_size=K, unique=distinct))
        samples = tuple((o + r) % V for r in picks)
        return LossProblem(V=V, D=draw(st.integers(1, max_D)), o=o,
                           seed=draw(st.integers(0, 2 ** 16)),
                           scale=draw(st.sampled_from((1.0, 0.3, 2.0))),
                           samples=samples, K=K if explicit_K else None)
    return build()


@dataclass(frozen=True)
class SkipgramProblem:
    V: int
    D: int
    center: int
    window: int
    outside: tuple
    seed: int
    loss: str = "quadratic"

    @property
    def word2Ind(self):
        return {word(i): i for i in range(self.V)}

    @cached_property
    def arrays(self):
        rng = _rng(self.seed)
        return rng.standard_normal((self.V, self.D)), rng.standard_normal((self.V, self.D))

    def args(self, centers=None, outsides=None, words=None):
        C, U = self.arrays
        C = C if centers is None else centers
        U = U if outsides is None else outsides
        words = [word(i) for i in (self.outside if words is None else words)]
        return [word(self.center), self.window, words, self.word2Ind, C, U,
                {"$ref": "dataset"}, {"$ref": "loss"}]

    def request(self, centers=None, outsides=None, words=None):
        C, U = self.arrays
        C = C if centers is None else centers
        U = U if outsides is None else outsides
        return {"op": "call", "fn": "skipgram", "args": self.args(C, U, words),
                "dataset": {"V": self.V, "seed": self.seed},
                "loss": {"name": self.loss, "center": C[self.center], "outside": U}}

    def describe(self):
        C, U = self.arrays
        return [f"currentCenterWord = {word(self.center)!r}, windowSize = {self.window}",
                f"outsideWords = {[word(i) for i in self.outside]}",
                f"word2Ind = {self.word2Ind}",
                f"centerWordVectors = {fmt(C)}", f"outsideVectors = {fmt(U)}",
                f"word2vecLossAndGradient = {_TOY_TEXT[self.loss]}"]


_TOY_TEXT = {
    "quadratic": "a toy loss, J = 1/2 ||v_c - u_o||^2 + 1/10 sum_w u_w . v_c",
    "square": "a toy loss, J = (u_o . v_c)^2 + o",
}


@recipe
def skipgram_problems(loss="quadratic", max_V=6, max_D=3):
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        V = draw(st.integers(1, max_V))
        window = draw(st.integers(1, 3))
        outside = draw(st.lists(st.integers(0, V - 1), min_size=1, max_size=2 * window))
        return SkipgramProblem(V=V, D=draw(st.integers(1, max_D)), center=draw(st.integers(0, V - 1)),
                               window=window, outside=tuple(outside),
                               seed=draw(st.integers(0, 2 ** 16)), loss=loss)
    return build()


@recipe
def sigmoid_problems(scale_choices=(1.0, 3.0, 0.1)):
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=3)))
        return SigmoidProblem(shape=shape, seed=draw(st.integers(0, 2 ** 16)),
                              scale=draw(st.sampled_from(scale_choices)),
                              as_python_float=draw(st.booleans()) if shape == () else False)
    return build()
