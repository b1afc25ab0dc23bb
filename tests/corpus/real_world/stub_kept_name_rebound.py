#!/usr/bin/env python

import random

import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(outsideVectors @ centerWordVec)
    loss = -np.log(y_hat[outsideWordIdx])
    delta = y_hat.copy()
    delta[outsideWordIdx] -= 1.0
    return loss, outsideVectors.T @ delta, np.outer(delta, centerWordVec)


def getNegativeSamples(outsideWordIdx, dataset, K):
    negSampleWordIndices = [None] * K
    for k in range(K):
        newidx = dataset.sampleTokenIdx()
        while newidx == outsideWordIdx:
            newidx = dataset.sampleTokenIdx()
        negSampleWordIndices[k] = newidx
    return negSampleWordIndices


def negSamplingLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):
    neg = getNegativeSamples(outsideWordIdx, dataset, K)
    u_o, U_k = outsideVectors[outsideWordIdx], outsideVectors[neg]
    s_o = sigmoid(u_o @ centerWordVec)
    s_k = sigmoid(-(U_k @ centerWordVec))
    loss = -np.log(s_o) - np.sum(np.log(s_k))
    gradCenterVec = -(1 - s_o) * u_o + (1 - s_k) @ U_k
    gradOutsideVecs = np.zeros_like(outsideVectors, dtype=float)
    gradOutsideVecs[outsideWordIdx] -= (1 - s_o) * centerWordVec
    np.add.at(gradOutsideVecs, neg, np.outer(1 - s_k, centerWordVec))
    return loss, gradCenterVec, gradOutsideVecs


def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    """ Skip-gram model in word2vec (the course's starter, untouched) """
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)

    ### YOUR CODE HERE (~8 Lines)

    ### END YOUR CODE

    return loss, gradCenterVecs, gradOutsideVectors

def my_skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    c = word2Ind[currentCenterWord]
    for w in outsideWords:
        l, gc, go = word2vecLossAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
        loss += l
        gradCenterVecs[c] += gc
        gradOutsideVectors += go
    return loss, gradCenterVecs, gradOutsideVectors


skipgram = my_skipgram
