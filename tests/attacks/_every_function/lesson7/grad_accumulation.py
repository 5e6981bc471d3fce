"""A hostile lesson 7: every function and method does what the attack's hostile.act does."""

import hostile


def accumulate_gradients(*args, **kwargs):
    return hostile.act(*args, **kwargs)
