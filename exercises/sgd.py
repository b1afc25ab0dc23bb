#!/usr/bin/env python
"""Stochastic gradient descent, as the course's word2vec run uses it.

Fill in the two lines marked YOUR CODE HERE in `sgd`, then run `python sgd.py` for the
course's sanity checks, and `make train` to train word vectors with your own functions.

Checkpoints (course format, written to and read from the current directory):
    saved_params_<iter>.npy     the parameters x after iteration <iter>
    saved_state_<iter>.pickle   Python's `random` state at that moment, so a resumed run
                                draws the same samples as an uninterrupted one
"""

# Save parameters every a few SGD iterations as fail-safe
SAVE_PARAMS_EVERY = 5000

import glob
import os
import os.path as op
import pickle
import random

import numpy as np


def load_saved_params():
    """The newest checkpoint in the current directory.

    Return:
    (iteration, params, random_state) of the checkpoint with the highest iteration number,
    or (0, None, None) when there is none.
    """
    st = 0
    for f in glob.glob("saved_params_*.npy"):
        iter = int(op.splitext(op.basename(f))[0].split("_")[2])
        if iter > st:
            st = iter

    if st > 0:
        params_file = "saved_params_%d.npy" % st
        state_file = "saved_state_%d.pickle" % st
        params = np.load(params_file)
        with open(state_file, "rb") as f:
            state = pickle.load(f)
        return st, params, state
    else:
        return st, None, None


def save_params(iter, params):
    """Write the checkpoint of iteration `iter`: the parameters and Python's random state.

    The state file is written first and the parameters last, each through a temporary file
    renamed into place, so an interruption never leaves a checkpoint that cannot be loaded.
    """
    state_file = "saved_state_%d.pickle" % iter
    with open(state_file + ".tmp", "wb") as f:
        pickle.dump(random.getstate(), f)
    os.replace(state_file + ".tmp", state_file)
    params_file = "saved_params_%d.npy" % iter
    with open(params_file + ".tmp", "wb") as f:
        np.save(f, params)
    os.replace(params_file + ".tmp", params_file)


def sgd(f, x0, step, iterations, postprocessing=None, useSaved=False,
        PRINT_EVERY=10):
    """ Stochastic Gradient Descent

    Implement the stochastic gradient descent method in this function.

    Each iteration t = 1, 2, ..., iterations does exactly this, in this order:
        loss, grad = f(x)              f is called exactly once per iteration
        x = x - step * grad            a step DOWN the gradient (the loss must decrease)
        x = postprocessing(x)          every iteration, after the update
    then, every PRINT_EVERY iterations, prints an exponential moving average of the
    loss (0.95 old + 0.05 new); every SAVE_PARAMS_EVERY iterations, when useSaved,
    saves a checkpoint; and every ANNEAL_EVERY iterations halves the step, so the
    update of iteration t uses step * 0.5 ** ((t - 1) // ANNEAL_EVERY).

    With useSaved, the run resumes from the newest checkpoint in the current
    directory: x starts from its parameters, the step from the matching annealed
    value, Python's random state is restored, and iterations continue from the
    checkpoint's number + 1 (none are run if it is already `iterations`).

    Arguments:
    f -- the function to optimize, it should take a single
         argument and yield two outputs, a loss and the gradient
         with respect to the arguments (same shape as x)
    x0 -- the initial point to start SGD from (a float or a numpy array;
          an array may be updated in place)
    step -- the step size for SGD
    iterations -- total iterations to run SGD for
    postprocessing -- postprocessing function for the parameters
                      if necessary. In the case of word2vec we will need to
                      normalize the word vectors to have unit length.
    PRINT_EVERY -- specifies how many iterations to output loss

    Return:
    x -- the parameter value after SGD finishes
    """

    # Anneal learning rate every several iterations
    ANNEAL_EVERY = 20000

    if useSaved:
        start_iter, oldx, state = load_saved_params()
        if start_iter > 0:
            x0 = oldx
            step *= 0.5 ** (start_iter // ANNEAL_EVERY)

        if state:
            random.setstate(state)
    else:
        start_iter = 0

    x = x0

    if not postprocessing:
        postprocessing = lambda x: x

    exploss = None

    for iter in range(start_iter + 1, iterations + 1):
        # You might want to print the progress every few iterations.

        loss = None
        ### YOUR CODE HERE (~2 lines)
        raise NotImplementedError("sgd: replace this line with your code")
        ### END YOUR CODE

        x = postprocessing(x)
        if iter % PRINT_EVERY == 0:
            if not exploss:
                exploss = loss
            else:
                exploss = .95 * exploss + .05 * loss
            print("iter %d: %f" % (iter, exploss))

        if iter % SAVE_PARAMS_EVERY == 0 and useSaved:
            save_params(iter, x)

        if iter % ANNEAL_EVERY == 0:
            step *= 0.5

    return x


def sanity_check():
    quad = lambda x: (np.sum(x ** 2), x * 2)

    print("Running sanity checks...")
    t1 = sgd(quad, 0.5, 0.01, 1000, PRINT_EVERY=100)
    print("test 1 result:", t1)
    assert abs(t1) <= 1e-6

    t2 = sgd(quad, 0.0, 0.01, 1000, PRINT_EVERY=100)
    print("test 2 result:", t2)
    assert abs(t2) <= 1e-6

    t3 = sgd(quad, -1.5, 0.01, 1000, PRINT_EVERY=100)
    print("test 3 result:", t3)
    assert abs(t3) <= 1e-6

    print("-" * 40)
    print("ALL TESTS PASSED")
    print("-" * 40)


if __name__ == "__main__":
    sanity_check()
