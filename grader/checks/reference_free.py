"""Each function's checks that need no reference, declared once for both graders.

The full grader runs them after its reference comparisons (grader.checks.<function>), the
student release's grader after its public cases (grader.checks.public): the same objects,
so their inputs, example counts and whether they rest on what the worker reports cannot
drift apart. Ships with the release: never import grader.reference here.
"""

from grader.checks import lossfns, properties
from grader.checks.framework import Check, run_property
from grader.checks.inputs import loss_problems, negsamp_problems, sigmoid_problems, skipgram_problems

NAIVE, NEG = "naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient"

# The generated inputs the checks run on (the full grader's reference comparisons use the
# same ones: a recipe's label names its stored cases).
SIGMOID_INPUTS = sigmoid_problems()
NAIVE_INPUTS = loss_problems(max_V=8, max_D=5)
ROWS_SUM_INPUTS = loss_problems(min_V=2)
NEG_REPEATS = negsamp_problems(distinct=False)
SKIPGRAM_INPUTS = skipgram_problems("quadratic")
SKIPGRAM_SQUARE = skipgram_problems("square")


def _student_of(fn):
    return lambda ctx, problem: lossfns.student(ctx, problem, fn)


def _gradient_check(fn, recipe):
    return Check("gradient_check", "gradients agree with finite differences of your loss",
                 lambda ctx: lossfns.property_check(ctx, recipe, lossfns.gradient_check_body(ctx, fn),
                                                    ctx.rubric.gradient_check_examples))


def _loss_is_valid(fn, recipe):
    return Check("loss_is_valid", "the loss is finite and never negative",
                 lambda ctx: lossfns.property_check(ctx, recipe, lossfns.loss_valid_body(ctx, fn)))


def _inputs_unchanged(fn, recipe):
    return Check("input_unchanged", "inputs are left unchanged",
                 lambda ctx: lossfns.property_check(ctx, recipe, lossfns.unchanged_body(ctx, fn)),
                 reported=True)


CHECKS = {
    "sigmoid": [
        Check("input_unchanged", "the input is left unchanged",
              lambda ctx: run_property(ctx, SIGMOID_INPUTS,
                                       properties.sigmoid_unchanged_body(ctx), 30),
              reported=True),
    ],
    NAIVE: [
        _gradient_check(NAIVE, NAIVE_INPUTS),
        _loss_is_valid(NAIVE, NAIVE_INPUTS),
        Check("outside_rows_sum_to_zero", "the rows of gradOutsideVecs add up to zero",
              lambda ctx: lossfns.property_check(ctx, ROWS_SUM_INPUTS, properties.rows_sum_body(
                  ctx, _student_of(NAIVE)))),
        _inputs_unchanged(NAIVE, NAIVE_INPUTS),
    ],
    NEG: [
        Check("uses_getNegativeSamples", "samples come only from getNegativeSamples",
              lambda ctx: lossfns.property_check(
                  ctx, NEG_REPEATS, properties.sampling_body(ctx, _student_of(NEG)), 20),
              reported=True),
        _gradient_check(NEG, NEG_REPEATS),
        _loss_is_valid(NEG, NEG_REPEATS),
        _inputs_unchanged(NEG, NEG_REPEATS),
    ],
    "skipgram": [
        Check("sums_over_outside_words", "loss and gradients add up over the outside words",
              lambda ctx: run_property(ctx, SKIPGRAM_INPUTS, properties.sums_body(ctx), 20)),
        Check("only_center_row", "only the center word's row of gradCenterVecs is non-zero",
              lambda ctx: run_property(ctx, SKIPGRAM_INPUTS, properties.only_center_body(ctx), 30)),
        Check("gradient_check", "gradients agree with finite differences of your loss",
              lambda ctx: run_property(ctx, SKIPGRAM_INPUTS, properties.skipgram_gradient_body(ctx),
                                       ctx.rubric.gradient_check_examples)),
        Check("input_unchanged", "inputs are left unchanged",
              lambda ctx: run_property(ctx, SKIPGRAM_INPUTS,
                                       properties.skipgram_unchanged_body(ctx), 30),
              reported=True),
    ],
}
