"""Canonical code for the exercise: what independent students write again and again.

Read as text by grader/batch/boilerplate.py, never imported or run. Every passage here is
discounted from similarity evidence, so two students who both wrote one of these forms are not
flagged for it, however small the class. Names do not matter (all identifiers are compared as
one), so one variant per shape is enough. Add a form when an instructor reports an honest pair
flagged for it; never add a whole unusual solution.
"""
# flake8: noqa
import numpy as np


# ---- sigmoid: the one-liners and the stable forms ----
def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s

def sigmoid(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return s

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def sigmoid(x):
    s = np.exp(x) / (np.exp(x) + 1)
    return s

def sigmoid(x):
    s = np.exp(x) / (1 + np.exp(x))
    return s

def sigmoid(x):
    s = 1 / (np.exp(-x) + 1)
    return s

def sigmoid(x):
    s = np.divide(1, 1 + np.exp(-x))
    return s

def sigmoid(x):
    s = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
    return s

def sigmoid(x):
    s = np.exp(-np.logaddexp(0, -x))
    return s


# ---- naive softmax: the handout's formulas, in the usual orders and spellings ----
def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(np.dot(outsideVectors, centerWordVec))
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec = np.dot(outsideVectors.T, y_hat)
    gradOutsideVecs = np.outer(y_hat, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(outsideVectors @ centerWordVec)
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec = outsideVectors.T @ y_hat
    gradOutsideVecs = np.outer(y_hat, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(outsideVectors.dot(centerWordVec))
    loss = -np.log(y_hat[outsideWordIdx])
    y = np.zeros(y_hat.shape)
    y[outsideWordIdx] = 1
    gradCenterVec = outsideVectors.T.dot(y_hat - y)
    gradOutsideVecs = np.outer(y_hat - y, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(np.dot(outsideVectors, centerWordVec))
    loss = -np.log(y_hat[outsideWordIdx])
    y = np.zeros_like(y_hat)
    y[outsideWordIdx] = 1
    gradCenterVec = np.dot(outsideVectors.T, y_hat - y)
    gradOutsideVecs = np.outer(y_hat - y, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(outsideVectors @ centerWordVec)
    loss = -np.log(y_hat[outsideWordIdx])
    delta = y_hat.copy()
    delta[outsideWordIdx] -= 1
    gradCenterVec = outsideVectors.T @ delta
    gradOutsideVecs = np.outer(delta, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(np.dot(outsideVectors, centerWordVec))
    loss = -np.log(y_hat[outsideWordIdx])
    delta = y_hat.copy()
    delta[outsideWordIdx] -= 1
    gradCenterVec = np.dot(outsideVectors.T, delta)
    gradOutsideVecs = np.dot(delta[:, np.newaxis], centerWordVec[np.newaxis, :])
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    scores = np.dot(outsideVectors, centerWordVec)
    y_hat = softmax(scores)
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec = np.dot(y_hat, outsideVectors)
    gradOutsideVecs = np.outer(y_hat, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(centerWordVec @ outsideVectors.T)
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec = y_hat @ outsideVectors
    gradOutsideVecs = y_hat[:, None] * centerWordVec[None, :]
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(outsideVectors @ centerWordVec)
    loss = -np.log(y_hat[outsideWordIdx])
    y = np.zeros(outsideVectors.shape[0])
    y[outsideWordIdx] = 1
    gradCenterVec = outsideVectors.T @ (y_hat - y)
    gradOutsideVecs = np.outer(y_hat - y, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    y_hat = softmax(np.matmul(outsideVectors, centerWordVec))
    loss = -np.log(y_hat[outsideWordIdx])
    y_hat[outsideWordIdx] -= 1
    gradCenterVec = np.matmul(outsideVectors.T, y_hat)
    gradOutsideVecs = np.outer(y_hat, centerWordVec)
    return loss, gradCenterVec, gradOutsideVecs


# ---- negative sampling: the loop and the vectorised forms ----
def negSamplingLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):
    negSampleWordIndices = getNegativeSamples(outsideWordIdx, dataset, K)
    indices = [outsideWordIdx] + negSampleWordIndices
    gradCenterVec = np.zeros(centerWordVec.shape)
    gradOutsideVecs = np.zeros(outsideVectors.shape)
    z = sigmoid(np.dot(outsideVectors[outsideWordIdx], centerWordVec))
    loss = -np.log(z)
    gradCenterVec += (z - 1.0) * outsideVectors[outsideWordIdx]
    gradOutsideVecs[outsideWordIdx] += (z - 1.0) * centerWordVec
    for k in range(K):
        samp = indices[k + 1]
        z = sigmoid(np.dot(outsideVectors[samp], centerWordVec))
        loss -= np.log(1.0 - z)
        gradCenterVec += z * outsideVectors[samp]
        gradOutsideVecs[samp] += z * centerWordVec
    return loss, gradCenterVec, gradOutsideVecs

def negSamplingLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):
    negSampleWordIndices = getNegativeSamples(outsideWordIdx, dataset, K)
    indices = [outsideWordIdx] + negSampleWordIndices
    gradCenterVec = np.zeros(centerWordVec.shape)
    gradOutsideVecs = np.zeros(outsideVectors.shape)
    u_o = outsideVectors[outsideWordIdx]
    sig_o = sigmoid(np.dot(u_o, centerWordVec))
    loss = -np.log(sig_o)
    gradCenterVec += (sig_o - 1) * u_o
    gradOutsideVecs[outsideWordIdx] += (sig_o - 1) * centerWordVec
    for k in negSampleWordIndices:
        u_k = outsideVectors[k]
        sig_k = sigmoid(-np.dot(u_k, centerWordVec))
        loss -= np.log(sig_k)
        gradCenterVec += (1 - sig_k) * u_k
        gradOutsideVecs[k] += (1 - sig_k) * centerWordVec
    return loss, gradCenterVec, gradOutsideVecs

def negSamplingLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):
    negSampleWordIndices = getNegativeSamples(outsideWordIdx, dataset, K)
    indices = [outsideWordIdx] + negSampleWordIndices
    u_o = outsideVectors[outsideWordIdx]
    u_k = outsideVectors[negSampleWordIndices]
    s_o = sigmoid(u_o.dot(centerWordVec))
    s_k = sigmoid(-u_k.dot(centerWordVec))
    loss = -np.log(s_o) - np.sum(np.log(s_k))
    gradCenterVec = (s_o - 1) * u_o + np.dot(1 - s_k, u_k)
    gradOutsideVecs = np.zeros_like(outsideVectors)
    gradOutsideVecs[outsideWordIdx] = (s_o - 1) * centerWordVec
    np.add.at(gradOutsideVecs, negSampleWordIndices, np.outer(1 - s_k, centerWordVec))
    return loss, gradCenterVec, gradOutsideVecs

def negSamplingLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):
    negSampleWordIndices = getNegativeSamples(outsideWordIdx, dataset, K)
    indices = [outsideWordIdx] + negSampleWordIndices
    u_o = outsideVectors[outsideWordIdx]
    u_k = outsideVectors[negSampleWordIndices]
    s_o = sigmoid(u_o @ centerWordVec)
    s_k = sigmoid(-u_k @ centerWordVec)
    loss = -np.log(s_o) - np.sum(np.log(s_k))
    gradCenterVec = (s_o - 1) * u_o + (1 - s_k) @ u_k
    gradOutsideVecs = np.zeros(outsideVectors.shape)
    gradOutsideVecs[outsideWordIdx] += (s_o - 1) * centerWordVec
    for i, k in enumerate(negSampleWordIndices):
        gradOutsideVecs[k] += (1 - s_k[i]) * centerWordVec
    return loss, gradCenterVec, gradOutsideVecs

def negSamplingLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset, K=10):
    negSampleWordIndices = getNegativeSamples(outsideWordIdx, dataset, K)
    indices = [outsideWordIdx] + negSampleWordIndices
    u = outsideVectors[indices]
    signs = np.array([1.0] + [-1.0] * K)
    s = sigmoid(signs * (u @ centerWordVec))
    loss = -np.sum(np.log(s))
    coef = signs * (s - 1)
    gradCenterVec = coef @ u
    gradOutsideVecs = np.zeros_like(outsideVectors)
    np.add.at(gradOutsideVecs, indices, np.outer(coef, centerWordVec))
    return loss, gradCenterVec, gradOutsideVecs


# ---- skip-gram: the loop every student writes ----
def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    centerWordIdx = word2Ind[currentCenterWord]
    centerWordVec = centerWordVectors[centerWordIdx]
    for outsideWord in outsideWords:
        outsideWordIdx = word2Ind[outsideWord]
        l, gradCenter, gradOutside = word2vecLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset)
        loss += l
        gradCenterVecs[centerWordIdx] += gradCenter
        gradOutsideVectors += gradOutside
    return loss, gradCenterVecs, gradOutsideVectors

def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    centerWordIdx = word2Ind[currentCenterWord]
    for outsideWord in outsideWords:
        l, gradCenter, gradOutside = word2vecLossAndGradient(centerWordVectors[centerWordIdx], word2Ind[outsideWord], outsideVectors, dataset)
        loss += l
        gradCenterVecs[centerWordIdx] += gradCenter
        gradOutsideVectors += gradOutside
    return loss, gradCenterVecs, gradOutsideVectors

def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    centerWordIdx = word2Ind[currentCenterWord]
    centerWordVec = centerWordVectors[centerWordIdx]
    for outsideWord in outsideWords:
        outsideWordIdx = word2Ind[outsideWord]
        l, gradCenter, gradOutside = word2vecLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset)
        loss += l
        gradCenterVecs[centerWordIdx, :] += gradCenter
        gradOutsideVectors += gradOutside
    return loss, gradCenterVecs, gradOutsideVectors

def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    centerWordIdx = word2Ind[currentCenterWord]
    centerWordVec = centerWordVectors[centerWordIdx]
    for outsideWord in outsideWords:
        outsideWordIdx = word2Ind[outsideWord]
        l, gradCenter, gradOutside = word2vecLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset)
        loss = loss + l
        gradCenterVecs[centerWordIdx] = gradCenterVecs[centerWordIdx] + gradCenter
        gradOutsideVectors = gradOutsideVectors + gradOutside
    return loss, gradCenterVecs, gradOutsideVectors

def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    for outsideWord in outsideWords:
        l, gradCenter, gradOutside = word2vecLossAndGradient(centerWordVectors[word2Ind[currentCenterWord]], word2Ind[outsideWord], outsideVectors, dataset)
        loss += l
        gradCenterVecs[word2Ind[currentCenterWord]] += gradCenter
        gradOutsideVectors += gradOutside
    return loss, gradCenterVecs, gradOutsideVectors

def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    centerWordIdx = word2Ind[currentCenterWord]
    for outsideWord in outsideWords:
        result = word2vecLossAndGradient(centerWordVectors[centerWordIdx], word2Ind[outsideWord], outsideVectors, dataset)
        loss = loss + result[0]
        gradCenterVecs[centerWordIdx] = gradCenterVecs[centerWordIdx] + result[1]
        gradOutsideVectors = gradOutsideVectors + result[2]
    return loss, gradCenterVecs, gradOutsideVectors

def skipgram(currentCenterWord, windowSize, outsideWords, word2Ind,
             centerWordVectors, outsideVectors, dataset,
             word2vecLossAndGradient=naiveSoftmaxLossAndGradient):
    loss = 0.0
    gradCenterVecs = np.zeros(centerWordVectors.shape)
    gradOutsideVectors = np.zeros(outsideVectors.shape)
    for i in range(len(outsideWords)):
        result = word2vecLossAndGradient(centerWordVectors[word2Ind[currentCenterWord]], word2Ind[outsideWords[i]], outsideVectors, dataset)
        loss = loss + result[0]
        gradCenterVecs[word2Ind[currentCenterWord], :] += result[1]
        gradOutsideVectors = gradOutsideVectors + result[2]
    return loss, gradCenterVecs, gradOutsideVectors


# ---- the course's original stubs (2017-2024 editions), whatever their first statement ----
def softmaxCostAndGradient(predicted, target, outputVectors, dataset):
    cost = 0.0
    gradPred = np.zeros(predicted.shape)
    grad = np.zeros(outputVectors.shape)
    return cost, gradPred, grad

def skipgram(currentWord, C, contextWords, tokens, inputVectors, outputVectors,
             dataset, word2vecCostAndGradient=softmaxCostAndGradient):
    cost = 0.0
    gradIn = np.zeros(inputVectors.shape)
    gradOut = np.zeros(outputVectors.shape)
    return cost, gradIn, gradOut

def sigmoid(x):
    s = None
    return s

def naiveSoftmaxLossAndGradient(centerWordVec, outsideWordIdx, outsideVectors, dataset):
    loss = None
    gradCenterVec = None
    gradOutsideVecs = None
    return loss, gradCenterVec, gradOutsideVecs
