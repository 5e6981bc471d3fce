"""A hostile lesson 7: every function and method does what the attack's hostile.act does."""

import hostile


def log_softmax(*args, **kwargs):
    return hostile.act(*args, **kwargs)


def softmax_cross_entropy(*args, **kwargs):
    return hostile.act(*args, **kwargs)
