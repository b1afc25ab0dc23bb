"""One module of checks per exercise function, in the order they are graded."""

from grader.checks import naive_softmax, neg_sampling, sigmoid, skipgram

EXERCISES = {
    "sigmoid": sigmoid,
    "naiveSoftmaxLossAndGradient": naive_softmax,
    "negSamplingLossAndGradient": neg_sampling,
    "skipgram": skipgram,
}
