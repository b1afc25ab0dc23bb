import numpy as np

def norm(x):
    return np.linalg.norm(x, ord='nonsense')
