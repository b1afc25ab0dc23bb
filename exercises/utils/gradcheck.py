"""Sanity checks the exercise imports (`from utils.gradcheck import gradcheck_naive, ...`).

These are quick, public checks to run while you work (`python word2vec.py`). Passing them is a
good sign, not a grade: `make grade` runs far more cases.
"""

import random

import numpy as np


def gradcheck_naive(f, x, gradientText):
    """Compare the gradient f returns with central finite differences.

    For every entry i of x:  numgrad_i = (f(x + h e_i) - f(x - h e_i)) / (2h),  h = 1e-4,
    and the check fails when |numgrad_i - grad_i| / max(1, |numgrad_i|, |grad_i|) > 1e-5.

    It only checks that the loss and the gradient agree with each other: a function that
    returns 0 for both passes. Python's `random` state is reset before every call of f, so
    negative sampling draws the same samples each time.

    Arguments:
    f -- a function of one array argument returning (loss, gradient of the loss)
    x -- the point (numpy array) to check at; it is restored after each step
    gradientText -- what is being checked, for the messages
    Return:
    True when the check passed, False otherwise.
    """
    state = random.getstate()
    _, grad = f(x)
    h = 1e-4
    for ix in np.ndindex(x.shape):
        original = x[ix]
        x[ix] = original + h
        random.setstate(state)
        fxh, _ = f(x)
        x[ix] = original - h
        random.setstate(state)
        fxnh, _ = f(x)
        x[ix] = original
        numgrad = (fxh - fxnh) / 2 / h
        analytic = np.asarray(grad)[ix]
        reldiff = abs(numgrad - analytic) / max(1, abs(numgrad), abs(analytic))
        if reldiff > 1e-5:
            print("Gradient check failed for %s." % gradientText)
            print("First gradient error found at index %s in the vector of gradients" % str(ix))
            print("Your gradient: %f \t Numerical gradient: %f" % (analytic, numgrad))
            return False
    print("Gradient check passed! (%s)" % gradientText)
    return True


def _run_cases(title, skipgram, cases, dummy_tokens, dummy_vectors, dataset, *loss_fn):
    """Run skipgram on each (center, window, outside words, expected loss, grads) case."""
    print("====== %s ======" % title)
    for number, (center, window, outside, loss, center_grads, outside_grads) in enumerate(cases, 1):
        got_loss, got_center, got_outside = skipgram(
            center, window, outside, dummy_tokens, dummy_vectors[:5, :], dummy_vectors[5:, :],
            dataset, *loss_fn)
        assert np.allclose(got_loss, loss), \
            "Test %d: your loss %s does not match the expected %s." % (number, _show(got_loss), _show(loss))
        assert np.allclose(got_center, center_grads), \
            "Test %d: your gradCenterVecs do not match the expected gradCenterVecs." % number
        assert np.allclose(got_outside, outside_grads), \
            "Test %d: your gradOutsideVectors do not match the expected gradOutsideVectors." % number
        print("Test %d passed!" % number)
    print("All %d tests passed!" % len(cases))


def _show(value):
    """A number as a student wrote it (11.166...), never numpy's repr (np.float64(11.166...))."""
    array = np.asarray(value)
    return repr(array.item()) if array.size == 1 else np.array2string(array)


def _center_rows(row, values):
    grads = np.zeros((5, 3))
    grads[row] = values
    return grads


# Expected values of the course's dummy problem (see getDummyObjects in word2vec.py).
SOFTMAX_CASES = [
    ('c', 3, ['a', 'b', 'e', 'd', 'b', 'c'], 11.16610900153398,
     _center_rows(2, [-1.26947339, -1.36873189,  2.45158957]),
     np.array([[-0.41045956,  0.18834851,  1.43272264],
               [ 0.38202831, -0.17530219, -1.33348241],
               [ 0.07009355, -0.03216399, -0.24466386],
               [ 0.09472154, -0.04346509, -0.33062865],
               [-0.13638384,  0.06258276,  0.47605228]])),
    ('b', 3, ['a', 'b', 'e', 'd', 'b', 'c'], 9.877149100034138,
     _center_rows(1, [-0.14586705, -1.34158321, -0.29291951]),
     np.array([[-0.30342672,  0.19808298,  0.19587419],
               [-0.41359958,  0.27000601,  0.26699522],
               [-0.08192272,  0.05348078,  0.05288442],
               [ 0.6981188 , -0.4557458 , -0.45066387],
               [ 0.10083022, -0.06582396, -0.06508997]])),
    ('a', 3, ['a', 'b', 'e', 'd', 'b', 'c'], 10.810758628593335,
     _center_rows(0, [-1.1790274 , -1.35861865,  1.53590492]),
     np.array([[-7.96035953e-01, -1.79609012e-02,  2.07761330e-01],
               [ 1.40175316e+00,  3.16276545e-02, -3.65850437e-01],
               [-1.99691259e-01, -4.50561933e-03,  5.21184016e-02],
               [ 2.02560028e-02,  4.57034715e-04, -5.28671357e-03],
               [-4.26281954e-01, -9.61816867e-03,  1.11257419e-01]])),
]

NEGSAMP_CASES = [
    ('c', 1, ['a', 'b'], 16.15119285363322,
     _center_rows(2, [-4.54650789, -1.85942252,  0.76397441]),
     np.array([[-0.69148188,  0.31730185,  2.41364029],
               [-0.22716495,  0.10423969,  0.79292674],
               [-0.45528438,  0.20891737,  1.58918512],
               [-0.31602611,  0.14501561,  1.10309954],
               [-0.80620296,  0.36994417,  2.81407799]])),
    ('c', 2, ['a', 'b', 'c', 'a'], 28.653567707668792,
     _center_rows(2, [-6.42994865, -2.16396482, -1.89240934]),
     np.array([[-0.80413277,  0.36899421,  2.80685192],
               [-0.9277269 ,  0.42570813,  3.23826131],
               [-0.7511534 ,  0.34468345,  2.62192569],
               [-0.94807832,  0.43504684,  3.30929863],
               [-1.12868414,  0.51792184,  3.93970919]])),
    ('a', 3, ['a', 'b', 'e', 'd', 'b', 'c'], 60.6487054948919,
     _center_rows(0, [-17.89425315,  -7.36940626,  -1.23364121]),
     np.array([[-6.4780819 , -0.14616449,  1.69074639],
               [-0.86337952, -0.01948037,  0.22533766],
               [-9.59525734, -0.21649709,  2.5043133 ],
               [-6.02261515, -0.13588783,  1.57187189],
               [-9.69010072, -0.21863704,  2.52906694]])),
]


def grad_tests_softmax(skipgram, dummy_tokens, dummy_vectors, dataset):
    """Skip-gram with naiveSoftmaxLossAndGradient on the dummy problem, three cases."""
    _run_cases("Skip-Gram with naiveSoftmaxLossAndGradient", skipgram, SOFTMAX_CASES,
               dummy_tokens, dummy_vectors, dataset)


def grad_tests_negsamp(skipgram, dummy_tokens, dummy_vectors, dataset, negSamplingLossAndGradient):
    """Skip-gram with negSamplingLossAndGradient on the dummy problem, three cases.

    The negative samples come from Python's `random`, so these values hold only when the
    checks run in the order of test_word2vec() in word2vec.py.
    """
    _run_cases("Skip-Gram with negSamplingLossAndGradient", skipgram, NEGSAMP_CASES,
               dummy_tokens, dummy_vectors, dataset, negSamplingLossAndGradient)
