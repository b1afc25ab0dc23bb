import numpy as np


def loop_scores(centerWordVec, outsideVectors):
    return np.array([outsideVectors[w] @ centerWordVec for w in range(outsideVectors.shape[0])])


def loop_outer(y_hat, centerWordVec, outsideVectors):
    gradCenterVec = np.zeros_like(centerWordVec)
    gradOutsideVecs = np.zeros_like(outsideVectors)
    for w in range(outsideVectors.shape[0]):
        gradCenterVec += y_hat[w] * outsideVectors[w]
        gradOutsideVecs[w] = y_hat[w] * centerWordVec
    return gradCenterVec, gradOutsideVecs
