"""Helpers the exercise imports (course layout: `from utils.utils import softmax, normalizeRows`)."""

import numpy as np


def normalizeRows(x):
    """Scale every row of x to unit length.

    Arguments:
    x -- numpy array of shape (N, D)
    Return:
    the same rows divided by their L2 norms, shape (N, D)
    """
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def softmax(x):
    """Numerically stable softmax over the last axis.

    softmax(x)_i = exp(x_i - max(x)) / sum_j exp(x_j - max(x)); subtracting the max changes
    nothing mathematically and keeps exp() from overflowing on large scores.

    Arguments:
    x -- numpy array of shape (N,) or (M, N)
    Return:
    an array of the same shape whose entries along the last axis are positive and sum to 1
    """
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
