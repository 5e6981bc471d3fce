"""A hostile lesson 7: every function and method does what the attack's hostile.act does."""

import hostile


def sgd_step_weight_decay(*args, **kwargs):
    return hostile.act(*args, **kwargs)


def l2_penalty(*args, **kwargs):
    return hostile.act(*args, **kwargs)
