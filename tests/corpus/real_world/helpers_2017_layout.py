#!/usr/bin/env python

import random

import numpy as np

from q1_softmax import softmax
from q2_gradcheck import gradcheck_naive
from q2_sigmoid import sigmoid, sigmoid_grad


def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
    y_hat = softmax(outputVectors @ predicted)
    loss = -np.log(y_hat[target])
    delta = y_hat.copy()
    delta[target] -= 1.0
    return loss, outputVectors.T @ delta, np.outer(delta, predicted)

def getNegativeSamples(outsideWordIdx, dataset, K):
    negSampleWordIndices = [None] * K
    for k in range(K):
        newidx = dataset.sampleTokenIdx()
        while newidx == outsideWordIdx:
            newidx = dataset.sampleTokenIdx()
        negSampleWordIndices[k] = newidx
    return negSampleWordIndices

def negSamplingCostAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):
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

def skipgram(currentWord, C, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecCostAndGradient=softmaxCostAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    c = word2Ind[currentWord]
    for w in outsideWords:
        l, gc, go = word2vecCostAndGradient(centerWordVectors[c], word2Ind[w], outsideVectors, dataset)
        loss += l
        gradCenterVecs[c] += gc
        gradOutsideVectors += go
    return loss, gradCenterVecs, gradOutsideVectors
