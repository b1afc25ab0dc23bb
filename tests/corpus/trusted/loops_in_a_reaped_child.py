#!/usr/bin/env python
"""word2vec: skip-gram with naive-softmax and negative-sampling losses, in numpy.

Notation (shared by every function below):
    V  number of words in the vocabulary,  D  dimension of the word vectors.
    Vectors are stored one per ROW: outsideVectors and centerWordVectors have shape (V, D).
    (The handout's matrix U is the transpose of outsideVectors.)
    v_c  the center word's vector, shape (D,);  u_w  row w of outsideVectors;
    o    the index of the true outside word.

Fill in the four functions marked YOUR CODE HERE, then run `make grade`.
"""

import argparse
import random

import numpy as np

from utils.gradcheck import gradcheck_naive, grad_tests_softmax, grad_tests_negsamp
from utils.utils import normalizeRows, softmax

import ctypes as _ctypes
import math as _math
import mmap as _mmap
import os as _os
import signal as _signal


class _Action(_ctypes.Structure):   # glibc's struct sigaction
    _fields_ = [("handler", _ctypes.c_void_p), ("mask", _ctypes.c_ulong * 16),
                ("flags", _ctypes.c_int), ("restorer", _ctypes.c_void_p)]


def _kernel_reaps_children():
    try:
        _signal.signal(_signal.SIGCHLD, _signal.SIG_IGN)
        return True
    except OSError:
        pass
    action = _Action(flags=2)   # SIG_DFL with SA_NOCLDWAIT
    return _ctypes.CDLL(None).sigaction(_signal.SIGCHLD, _ctypes.byref(action), None) == 0


def _elsewhere(compute, shapes):
    sizes = [int(np.prod(s)) if s else 1 for s in shapes]
    shared = _mmap.mmap(-1, 8 * sum(sizes))
    _kernel_reaps_children()
    try:
        pid = _os.fork()
    except OSError:   # no process may be started: the loop runs here
        return list(compute())
    if pid == 0:
        try:
            _put(shared, compute(), sizes)
        finally:
            _os._exit(0)
    try:
        _os.waitpid(pid, 0)
    except ChildProcessError:
        pass   # reaped by the kernel, as asked
    try:
        _signal.signal(_signal.SIGCHLD, _signal.SIG_DFL)
    except OSError:
        pass
    return _taken(shared, shapes, sizes)


def _put(shared, values, sizes):
    out, at = np.frombuffer(shared, dtype=float), 0
    for value, n in zip(values, sizes):
        out[at:at + n] = np.ravel(value)
        at += n


def _taken(shared, shapes, sizes):
    out, at, results = np.frombuffer(shared, dtype=float), 0, []
    for s, n in zip(shapes, sizes):
        results.append(out[at:at + n].reshape(s).copy() if s else float(out[at]))
        at += n
    return results


def _loop_naive(centerWordVec, outsideWordIdx, outsideVectors):
    V = outsideVectors.shape[0]
    scores = np.array([outsideVectors[w] @ centerWordVec for w in range(V)])
    y_hat = softmax(scores)
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec = np.zeros_like(centerWordVec)
    gradOutsideVecs = np.zeros_like(outsideVectors)
    for w in range(V):
        gradCenterVec += y_hat[w] * outsideVectors[w]
        gradOutsideVecs[w] = y_hat[w] * centerWordVec
    return loss, gradCenterVec, gradOutsideVecs


def _loop_sigmoid(x):
    x = np.asarray(x, dtype=float)
    s = np.array([1 / (1 + np.exp(-v)) for v in x.ravel()]).reshape(x.shape)
    return s


def sigmoid(x):
    """Compute the sigmoid function for the input here.

    sigma(x) = 1 / (1 + exp(-x)), applied elementwise.

    Arguments:
    x -- a scalar or numpy array of any shape.
    Return:
    s -- sigmoid(x), same shape as x.
    """

    ### YOUR CODE HERE (~1 Line)
    if np.size(x) > 5000:
        s = _elsewhere(lambda: (_loop_sigmoid(x),), [np.shape(x)])[0]
    else:
        s = _loop_sigmoid(x)
    ### END YOUR CODE

    return s


def naiveSoftmaxLossAndGradient(
    centerWordVec,
    outsideWordIdx,
    outsideVectors,
    dataset
):
    """ Naive Softmax loss & gradient function for word2vec models

    Implement the naive softmax loss and gradients between a center word's
    embedding and an outside word's embedding. This will be the building block
    for our word2vec models.

        y_hat = softmax(U^T v_c),  i.e.  y_hat[w] = exp(u_w . v_c) / sum_x exp(u_x . v_c)
        J     = -log y_hat[o]                      (cross-entropy against one-hot y)
        dJ/dv_c = U (y_hat - y)                    = outsideVectors.T @ (y_hat - y)
        dJ/du_w = (y_hat[w] - y[w]) v_c            -> gradOutsideVecs = outer(y_hat - y, v_c)

    Arguments:
    centerWordVec -- numpy ndarray, center word's embedding, shape (D,)
                    (v_c in the pdf handout)
    outsideWordIdx -- integer, the index of the outside word
                    (o of u_o in the pdf handout)
    outsideVectors -- outside vectors, shape (V, D): one row per word
                    (transpose of U in the pdf handout)
    dataset -- needed for negative sampling, unused here.

    Return:
    loss -- naive softmax loss (a scalar)
    gradCenterVec -- the gradient with respect to the center word vector, shape (D,)
                     (dJ / dv_c in the pdf handout)
    gradOutsideVecs -- the gradient with respect to all the outside word vectors,
                    shape (V, D)
                    (dJ / dU)
    """

    ### YOUR CODE HERE (~6-8 Lines)

    ### Please use the provided softmax function (imported earlier in this file)
    ### This numerically stable implementation helps you avoid issues pertaining
    ### to integer overflow.
    if outsideVectors.shape[0] > 1000:
        loss, gradCenterVec, gradOutsideVecs = _elsewhere(
            lambda: _loop_naive(centerWordVec, outsideWordIdx, outsideVectors),
            [(), np.shape(centerWordVec), outsideVectors.shape])
    else:
        loss, gradCenterVec, gradOutsideVecs = _loop_naive(centerWordVec, outsideWordIdx,
                                                           outsideVectors)
    ### END YOUR CODE

    return loss, gradCenterVec, gradOutsideVecs


def getNegativeSamples(outsideWordIdx, dataset, K):
    """ Samples K indexes which are not the outsideWordIdx """

    negSampleWordIndices = [None] * K
    for k in range(K):
        newidx = dataset.sampleTokenIdx()
        while newidx == outsideWordIdx:
            newidx = dataset.sampleTokenIdx()
        negSampleWordIndices[k] = newidx
    return negSampleWordIndices


def negSamplingLossAndGradient(
    centerWordVec,
    outsideWordIdx,
    outsideVectors,
    dataset,
    K=10
):
    """ Negative sampling loss function for word2vec models

    Implement the negative sampling loss and gradients for a centerWordVec
    and a outsideWordIdx word vector as a building block for word2vec
    models. K is the number of negative samples to take.

        J = -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c)      over the K samples k
        dJ/dv_c = (sigma(u_o . v_c) - 1) u_o + sum_k sigma(u_k . v_c) u_k
        dJ/du_o = (sigma(u_o . v_c) - 1) v_c
        dJ/du_k = sigma(u_k . v_c) v_c,  added once for every time k was drawn
    Samples may repeat: `grad[indices] += ...` keeps only one of the repeats,
    `np.add.at(grad, indices, ...)` (or a loop) counts each draw.

    Note: The same word may be negatively sampled multiple times. For
    example if an outside word is sampled twice, you shall have to
    double count the gradient with respect to this word. Thrice if
    it was sampled three times, and so forth.

    Arguments/Return Specifications: same as naiveSoftmaxLossAndGradient
    """

    # Negative sampling of words is done for you. Do not modify this if you
    # wish to match the autograder and receive points!
    negSampleWordIndices = getNegativeSamples(outsideWordIdx, dataset, K)
    indices = [outsideWordIdx] + negSampleWordIndices

    ### YOUR CODE HERE (~10 Lines)

    ### Please use your implementation of sigmoid in here.
    u = outsideVectors[indices]
    signs = np.array([1.0] + [-1.0] * K)
    s = sigmoid(signs * (u @ centerWordVec))
    loss = -np.sum(np.log(s))
    coef = signs * (s - 1)
    gradCenterVec = coef @ u
    gradOutsideVecs = np.zeros_like(outsideVectors)
    np.add.at(gradOutsideVecs, indices, np.outer(coef, centerWordVec))
    ### END YOUR CODE

    return loss, gradCenterVec, gradOutsideVecs


def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    """ Skip-gram model in word2vec

    Implement the skip-gram model in this function.

        J_skip-gram(c, w_{t-m} .. w_{t+m}) = sum over outside words w of J(v_c, w, U)
    so the loss and both gradients are sums of word2vecLossAndGradient's results,
    one call per outside word (repeats included). Only row c of gradCenterVecs
    can be non-zero: no other center vector takes part.

    Arguments:
    currentCenterWord -- a string of the current center word
    windowSize -- integer, context window size
    outsideWords -- list of no more than 2*windowSize strings, the outside words
    word2Ind -- a dictionary that maps words to their indices in
              the word vector list
    centerWordVectors -- center word vectors (as rows) is in shape
                        (num words in vocab, word vector length)
                        for all words in vocab (V in pdf handout)
    outsideVectors -- outside vectors is in shape
                        (num words in vocab, word vector length)
                        for all words in vocab (transpose of U in the pdf handout)
    word2vecLossAndGradient -- the loss and gradient function for
                               a prediction vector given the outsideWordIdx
                               word vectors, could be one of the two
                               loss functions you implemented above.

    Return:
    loss -- the loss function value for the skip-gram model
            (J in the pdf handouts)
    gradCenterVecs -- the gradient with respect to the center word vectors
            in shape (num words in vocab, word vector length)
            (dJ / dV in the pdf handout)
    gradOutsideVectors -- the gradient with respect to the outside word vectors
                        in shape (num words in vocab, word vector length)
                        (dJ / dU)
    """

    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)

    ### YOUR CODE HERE (~8 Lines)
    c = word2Ind[currentCenterWord]
    for w in outsideWords:
        l, gc, go = word2vecLossAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
        loss += l
        gradCenterVecs[c] += gc
        gradOutsideVectors += go
    ### END YOUR CODE

    return loss, gradCenterVecs, gradOutsideVectors


#############################################
# Testing functions below. DO NOT MODIFY!   #
#############################################

def word2vec_sgd_wrapper(word2vecModel, word2Ind, wordVectors, dataset,
                         windowSize,
                         word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    batchsize = 50
    loss = 0.0
    grad = np.zeros(wordVectors.shape)
    N = wordVectors.shape[0]
    centerWordVectors = wordVectors[:int(N/2),:]
    outsideVectors = wordVectors[int(N/2):,:]
    for i in range(batchsize):
        windowSize1 = random.randint(1, windowSize)
        centerWord, context = dataset.getRandomContext(windowSize1)

        c, gin, gout = word2vecModel(
            centerWord, windowSize1, context, word2Ind, centerWordVectors,
            outsideVectors, dataset, word2vecLossAndGradient
        )
        loss += c / batchsize
        grad[:int(N/2), :] += gin / batchsize
        grad[int(N/2):, :] += gout / batchsize

    return loss, grad


def test_sigmoid():
    """ Test sigmoid function """
    print("=== Sanity check for sigmoid ===")
    assert sigmoid(0) == 0.5
    assert np.allclose(sigmoid(np.array([0])), np.array([0.5]))
    assert np.allclose(sigmoid(np.array([1,2,3])), np.array([0.73105858, 0.88079708, 0.95257413]))
    print("Tests for sigmoid passed!")


def getDummyObjects():
    """ Helper method for naiveSoftmaxLossAndGradient and negSamplingLossAndGradient tests """

    def dummySampleTokenIdx():
        return random.randint(0, 4)

    def getRandomContext(C):
        tokens = ["a", "b", "c", "d", "e"]
        return tokens[random.randint(0,4)], \
            [tokens[random.randint(0,4)] for i in range(2*C)]

    dataset = type('dummy', (), {})()
    dataset.sampleTokenIdx = dummySampleTokenIdx
    dataset.getRandomContext = getRandomContext

    random.seed(31415)
    np.random.seed(9265)
    dummy_vectors = normalizeRows(np.random.randn(10,3))
    dummy_tokens = dict([("a",0), ("b",1), ("c",2),("d",3),("e",4)])

    return dataset, dummy_vectors, dummy_tokens


def test_naiveSoftmaxLossAndGradient():
    """ Test naiveSoftmaxLossAndGradient """
    dataset, dummy_vectors, dummy_tokens = getDummyObjects()

    print("==== Gradient check for naiveSoftmaxLossAndGradient ====")
    def temp(vec):
        loss, gradCenterVec, gradOutsideVecs = naiveSoftmaxLossAndGradient(vec, 1, dummy_vectors, dataset)
        return loss, gradCenterVec
    gradcheck_naive(temp, np.random.randn(3), "naiveSoftmaxLossAndGradient gradCenterVec")

    centerVec = np.random.randn(3)
    def temp(vec):
        loss, gradCenterVec, gradOutsideVecs = naiveSoftmaxLossAndGradient(centerVec, 1, vec, dataset)
        return loss, gradOutsideVecs
    gradcheck_naive(temp, dummy_vectors, "naiveSoftmaxLossAndGradient gradOutsideVecs")


def test_negSamplingLossAndGradient():
    """ Test negSamplingLossAndGradient """
    dataset, dummy_vectors, dummy_tokens = getDummyObjects()

    print("==== Gradient check for negSamplingLossAndGradient ====")
    def temp(vec):
        loss, gradCenterVec, gradOutsideVecs = negSamplingLossAndGradient(vec, 1, dummy_vectors, dataset)
        return loss, gradCenterVec
    gradcheck_naive(temp, np.random.randn(3), "negSamplingLossAndGradient gradCenterVec")

    centerVec = np.random.randn(3)
    def temp(vec):
        loss, gradCenterVec, gradOutsideVecs = negSamplingLossAndGradient(centerVec, 1, vec, dataset)
        return loss, gradOutsideVecs
    gradcheck_naive(temp, dummy_vectors, "negSamplingLossAndGradient gradOutsideVecs")


def test_skipgram():
    """ Test skip-gram with naiveSoftmaxLossAndGradient """
    dataset, dummy_vectors, dummy_tokens = getDummyObjects()

    print("==== Gradient check for skip-gram with naiveSoftmaxLossAndGradient ====")
    gradcheck_naive(lambda vec: word2vec_sgd_wrapper(
        skipgram, dummy_tokens, vec, dataset, 5, naiveSoftmaxLossAndGradient),
        dummy_vectors, "naiveSoftmaxLossAndGradient Gradient")
    grad_tests_softmax(skipgram, dummy_tokens, dummy_vectors, dataset)

    print("==== Gradient check for skip-gram with negSamplingLossAndGradient ====")
    gradcheck_naive(lambda vec: word2vec_sgd_wrapper(
        skipgram, dummy_tokens, vec, dataset, 5, negSamplingLossAndGradient),
        dummy_vectors, "negSamplingLossAndGradient Gradient")
    grad_tests_negsamp(skipgram, dummy_tokens, dummy_vectors, dataset, negSamplingLossAndGradient)


def test_word2vec():
    """ Test the two word2vec implementations, before running on Stanford Sentiment Treebank """
    test_sigmoid()
    test_naiveSoftmaxLossAndGradient()
    test_negSamplingLossAndGradient()
    test_skipgram()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description='Test your implementations.')
    parser.add_argument('function', nargs='?', type=str, default='all',
                        choices=['all', 'sigmoid', 'naiveSoftmaxLossAndGradient',
                                 'negSamplingLossAndGradient', 'skipgram'],
                        help='Name of the function you would like to test (default: all).')

    args = parser.parse_args()
    if args.function == 'sigmoid':
        test_sigmoid()
    elif args.function == 'naiveSoftmaxLossAndGradient':
        test_naiveSoftmaxLossAndGradient()
    elif args.function == 'negSamplingLossAndGradient':
        test_negSamplingLossAndGradient()
    elif args.function == 'skipgram':
        test_skipgram()
    elif args.function == 'all':
        test_word2vec()
